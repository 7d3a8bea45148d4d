/**
 * @module lab/cni/warm
 * Start a program now and give it its stdin later — the agent's way to take fork+exec (≈ 4 ms for
 * `ip`, more for `nsenter … ip`) off an ADD's critical path without changing what runs: each process
 * is still one fresh `ip -batch -` that reads one batch, runs it and exits, so the result (stdout,
 * stderr, exit code) is exactly a `Host.exec` of the same argv and input. Two uses:
 *  - `warmLauncher` keeps spare copies of argvs run in the agent's own (node) netns, so the node
 *    batch of an ADD/DEL finds an `ip` already started (and a replacement starts while it works);
 *  - an ADD starts its container-netns `nsenter … ip -batch -` first thing, so the start overlaps
 *    IPAM and the node batch, and feeds it the container batch when the veth exists.
 * A started process that is not needed is cancelled (empty stdin: `ip -batch` exits doing nothing).
 */
import { spawn } from "node:child_process";
import { wrapArgv, type ExecResult } from "../host.js";

export interface Started {
  /** Write `input`, close stdin, resolve when the program has exited. Call at most once. */
  finish(input: string): Promise<ExecResult>;
  /** Not needed: close stdin without input (no-op after `finish`). */
  cancel(): void;
  /** Still running and not yet given its input. */
  readonly ready: boolean;
}

export interface Launcher {
  /** `argv`, in `netns` when given (through nsenter, as `Host.exec` does), started now or earlier. */
  start(argv: readonly string[], netns?: string): Started;
  /** Cancel every spare. */
  close(): void;
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function childEnv(): NodeJS.ProcessEnv {
  const have = (process.env["PATH"] ?? "").split(":").filter((p) => p !== "");
  return { ...process.env, PATH: [...have, ...SYSTEM_PATH.filter((p) => !have.includes(p))].join(":") };
}

/** Start `argv` (in `netns`) now; exit codes as `Host.exec` reports them (127 not startable, 128+n signal n). */
export function startNow(argv: readonly string[], netns?: string): Started {
  const [file, ...args] = wrapArgv(argv, netns);
  if (file === undefined) {
    const r = Promise.resolve({ stdout: "", stderr: "empty argv", code: 127 });
    return { finish: () => r, cancel: () => undefined, ready: false };
  }
  const child = spawn(file, args, { env: childEnv(), stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let spawnError: Error | undefined;
  let exited = false;
  let fed = false;
  child.stdout.setEncoding("utf8").on("data", (s: string) => { stdout += s; });
  child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
  child.stdin.on("error", () => undefined);
  const done = new Promise<ExecResult>((resolve) => {
    child.on("error", (e) => {
      spawnError = e;
      exited = true;
      resolve({ stdout, stderr: stderr || e.message, code: 127 });
    });
    child.on("close", (code, signal) => {
      exited = true;
      if (spawnError !== undefined) return;
      resolve({ stdout, stderr, code: code ?? (signal === null ? 127 : 128 + (SIGNALS[signal] ?? 0)) });
    });
  });
  return {
    finish: (input) => {
      if (!fed) {
        fed = true;
        child.stdin.end(input);
      }
      return done;
    },
    cancel: () => {
      if (!fed) {
        fed = true;
        child.stdin.end();
      }
    },
    get ready() {
      return !fed && !exited;
    },
  };
}

/**
 * A launcher that keeps `spares` started copies of every argv it has been asked to run in this
 * netns (and of each argv in `prewarm` from the start); argvs for another netns start on demand.
 * Replacements start after the caller has fed the process it was handed (next turn of the event
 * loop), so the fork overlaps that process's work.
 */
export function warmLauncher(prewarm: readonly (readonly string[])[] = [], spares = 2, launch: (argv: readonly string[], netns?: string) => Started = startNow): Launcher {
  const pools = new Map<string, { argv: readonly string[]; ready: Started[] }>();
  let closed = false;
  const refill = (key: string): void => {
    const pool = pools.get(key);
    if (pool === undefined || closed) return;
    pool.ready = pool.ready.filter((s) => s.ready);
    while (pool.ready.length < spares) pool.ready.push(launch(pool.argv));
  };
  const poolOf = (argv: readonly string[]): { key: string; pool: { argv: readonly string[]; ready: Started[] } } => {
    const key = argv.join("\0");
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = { argv: [...argv], ready: [] };
      pools.set(key, pool);
    }
    return { key, pool };
  };
  for (const argv of prewarm) refill(poolOf(argv).key);
  return {
    start: (argv, netns) => {
      if (netns !== undefined || closed) return launch(argv, netns);
      const { key, pool } = poolOf(argv);
      let s = pool.ready.shift();
      while (s !== undefined && !s.ready) s = pool.ready.shift();
      setImmediate(() => refill(key));
      return s ?? launch(argv);
    },
    close: () => {
      closed = true;
      for (const pool of pools.values()) for (const s of pool.ready.splice(0)) s.cancel();
    },
  };
}
