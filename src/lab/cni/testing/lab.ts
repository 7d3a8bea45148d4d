/**
 * @module lab/cni/testing/lab
 * Helpers for root-only lab tests and the bench: throwaway netns (`kw-t-…`), running a CNI plugin
 * binary inside a simulated node netns the way a runtime does (env vars + config on stdin), and the
 * skip reason when the machine cannot run them.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const DEBIAN_CNI_DIR = "/usr/lib/cni";

const which = (bin: string): boolean => ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].some((d) => existsSync(`${d}/${bin}`));

/** Why real lab tests cannot run here, or undefined when they can. */
export function labSkipReason(needDebianPlugins = false): string | undefined {
  if (process.platform !== "linux") return "needs Linux";
  if (process.getuid?.() !== 0) return "needs root";
  for (const bin of ["ip", "nsenter", "nft"]) if (!which(bin)) return `needs ${bin} (apt-get install iproute2 util-linux nftables)`;
  if (needDebianPlugins && !existsSync(`${DEBIAN_CNI_DIR}/bridge`)) return "needs /usr/lib/cni/bridge (apt-get install containernetworking-plugins)";
  return undefined;
}

export function netnsAdd(name: string): void {
  execFileSync("ip", ["netns", "add", name], { stdio: "pipe" });
}

/** Delete netns quietly (already gone is fine). */
export function netnsDel(...names: string[]): void {
  for (const n of names) {
    try { execFileSync("ip", ["netns", "del", n], { stdio: "pipe" }); } catch { /* already gone */ }
  }
}

/** Run `argv` inside netns `name`, returning stdout (throws on failure). */
export function inNetns(name: string, argv: readonly string[], input?: string): string {
  return execFileSync("nsenter", [`--net=/var/run/netns/${name}`, "--", ...argv], { encoding: "utf8", stdio: "pipe", ...(input === undefined ? {} : { input }) });
}

export interface PluginRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  readonly ms: number;
}

export interface Invocation {
  readonly command: string;
  readonly containerID?: string;
  readonly netns?: string;
  readonly ifname?: string;
  readonly args?: string;
}

/**
 * Run a plugin (`kwire-cni` via node, or a Debian binary) as a runtime would: in the node netns,
 * CNI_* env vars, config on stdin. `argv` is the program, e.g. [process.execPath, binJs].
 */
export function runPlugin(argv: readonly string[], nodeNetns: string, inv: Invocation, config: unknown): Promise<PluginRun> {
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin",
    CNI_COMMAND: inv.command, CNI_PATH: DEBIAN_CNI_DIR,
    ...(inv.containerID === undefined ? {} : { CNI_CONTAINERID: inv.containerID }),
    ...(inv.netns === undefined ? {} : { CNI_NETNS: `/var/run/netns/${inv.netns}` }),
    ...(inv.ifname === undefined ? {} : { CNI_IFNAME: inv.ifname }),
    ...(inv.args === undefined ? {} : { CNI_ARGS: inv.args }),
  };
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = execFile("nsenter", [`--net=/var/run/netns/${nodeNetns}`, "--", ...argv], { env, encoding: "utf8" }, (err, stdout, stderr) => {
      const c: unknown = err !== null && "code" in err ? err.code : 0;
      resolve({ stdout, stderr, code: typeof c === "number" ? c : 1, ms: performance.now() - t0 });
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(JSON.stringify(config));
  });
}

/** Parse plugin stdout as JSON object (throws with the raw output when it is not). */
export function json(run: PluginRun): Record<string, unknown> {
  const v: unknown = JSON.parse(run.stdout);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`not a JSON object: ${run.stdout}`);
  return Object.fromEntries(Object.entries(v));
}
