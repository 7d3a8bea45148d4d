#!/usr/bin/env node
/**
 * @module lab/cni/bin
 * The `kwire-cni` executable: read stdin fully, hand env + stdin to `runCni`, print, exit.
 * Nothing else is imported here — a runtime pays for every module on each ADD. (Runtimes normally
 * reach kwire-cni through the bin/kwire-cni shim and `kwire cni agent`; this is its fallback.)
 */
import { printedStdout } from "./agent-protocol.js";
import { runCni } from "./main.js";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) return "";
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString("utf8");
}

const out = await runCni(process.env, await readStdin());
process.stdout.write(printedStdout(out.stdout));
process.exitCode = out.exitCode;
