/**
 * @module lab/cni/testing/lab
 * Helpers for root-only lab tests and the bench: throwaway netns (`kw-t-…`), running a CNI plugin
 * binary inside a simulated node netns the way a runtime does (env vars + config on stdin), and the
 * skip reason when the machine cannot run them.
 */
import { execFile, execFileSync, type ChildProcess } from "node:child_process";
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
 * Run a plugin (`kwire-cni` via node, the bin/kwire-cni shim, or a Debian binary) as a runtime would:
 * in the node netns, CNI_* env vars, config on stdin. `argv` is the program, e.g. [process.execPath,
 * binJs]; `extraEnv` adds variables (e.g. KWIRE_CNI_AGENT). A string `config` is sent verbatim.
 */
export function runPlugin(argv: readonly string[], nodeNetns: string, inv: Invocation, config: unknown, extraEnv: Readonly<Record<string, string>> = {}): Promise<PluginRun> {
  const env: Record<string, string> = {
    ...extraEnv,
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
    child.stdin?.end(typeof config === "string" ? config : JSON.stringify(config));
  });
}

/** Parse plugin stdout as JSON object (throws with the raw output when it is not). */
export function json(run: PluginRun): Record<string, unknown> {
  const v: unknown = JSON.parse(run.stdout);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`not a JSON object: ${run.stdout}`);
  return Object.fromEntries(Object.entries(v));
}

/** Resolve with the agent's `listening` line; reject (with its stderr) if it exits first or after `timeoutMs`. */
export function waitForAgent(agent: ChildProcess, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => done(new Error(`agent did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    const onErr = (c: Buffer): void => { err += c.toString("utf8"); };
    const onOut = (c: Buffer): void => {
      out += c.toString("utf8");
      const line = out.split("\n").find((l) => l.includes("listening on"));
      if (line !== undefined) done(undefined, line);
    };
    const onExit = (code: number | null, sig: NodeJS.Signals | null): void => done(new Error(`agent exited (${code ?? sig ?? "?"}) before listening: ${err}`));
    const done = (e: Error | undefined, line = ""): void => {
      clearTimeout(timer);
      agent.stdout?.off("data", onOut);
      agent.stderr?.off("data", onErr);
      agent.off("exit", onExit);
      if (e === undefined) resolve(line);
      else reject(e);
    };
    agent.stderr?.on("data", onErr);
    agent.stdout?.on("data", onOut);
    agent.once("exit", onExit);
  });
}

/** SIGTERM the agent and wait for it to exit (SIGKILL after `timeoutMs`). */
export function stopAgent(agent: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (agent.exitCode !== null || agent.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => agent.kill("SIGKILL"), timeoutMs);
    agent.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    agent.kill("SIGTERM");
  });
}
