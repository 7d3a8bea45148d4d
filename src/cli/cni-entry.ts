/**
 * @module cni-entry
 * `kwire cni`: hands stdin and the CNI_* environment to the plugin in src/lab/cni.
 */
import { readStdin } from "./io.js";

export async function runCniFromProcess(): Promise<number> {
  const { runCni } = await import("../lab/cni/main.js");
  const res = await runCni(process.env, readStdin());
  process.stdout.write(res.stdout);
  return res.exitCode;
}
