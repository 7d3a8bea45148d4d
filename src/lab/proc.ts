/**
 * @module lab/proc
 * The lab's long-running children (pod servers, DNS servers, bird): started detached inside a netns
 * (`nsenter --net=<netns> -- argv`, own process group, so a Ctrl-C at the terminal does not reach
 * them), logging to a file. A `Child` keeps the handle of the process this process started, and
 * `stopChildren` waits for each one's `exit` event — the kernel has reaped it — not for a guess
 * from `/proc` (a just-forked child still shows its parent's cmdline there, so a cmdline check
 * could miss it and leave it running). Processes started by another `kwire` process (`lab down`)
 * are stopped by pid with `stopPids`, only while `isOurs` says they still run our program (pids are
 * reused).
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { LabError } from "./errors.js";
import { netnsPath } from "./host.js";

export interface Child {
  readonly pid: number;
  /** Resolves once the process has exited and been reaped. */
  readonly exited: Promise<void>;
  /** True until `exited` resolved. */
  running(): boolean;
}

/** Start `argv` in `netns`, detached, stdout and stderr appended to `log`. */
export function startInNetns(netns: string, argv: readonly string[], log: string, what: string): Child {
  const fd = openSync(log, "a");
  try {
    const child = spawn("nsenter", [`--net=${netnsPath(netns)}`, "--", ...argv], { detached: true, stdio: ["ignore", fd, fd] });
    let done = false;
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => { done = true; resolve(); });
      child.once("error", () => { done = true; resolve(); });
    });
    child.unref();
    if (child.pid === undefined) throw new LabError("server-not-ready", `could not start ${what}`);
    return { pid: child.pid, exited, running: () => !done };
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* already gone */ }
}

const within = (p: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), sleep(ms).then(() => false)]);

/** SIGTERM our own children, wait until each has exited (SIGKILL after `graceMs`), and return when all are reaped. */
export async function stopChildren(children: readonly Child[], graceMs = 3000): Promise<void> {
  const live = children.filter((c) => c.running());
  for (const c of live) signal(c.pid, "SIGTERM");
  const all = Promise.all(live.map((c) => c.exited)).then(() => undefined);
  if (await within(all, graceMs)) return;
  for (const c of live.filter((x) => x.running())) signal(c.pid, "SIGKILL");
  // SIGKILL cannot be ignored: the exit event follows as soon as the kernel has torn the process down.
  await all;
}

/** SIGTERM processes by pid (ours only: `isOurs`), wait for them to go, SIGKILL stragglers. */
export async function stopPids(pids: readonly number[], isOurs: (pid: number) => boolean): Promise<void> {
  const mine = pids.filter(isOurs);
  for (const pid of mine) signal(pid, "SIGTERM");
  const t0 = Date.now();
  while (mine.some(isOurs) && Date.now() - t0 < 3000) await sleep(20);
  for (const pid of mine.filter(isOurs)) signal(pid, "SIGKILL");
  while (mine.some(isOurs) && Date.now() - t0 < 5000) await sleep(20);
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** True when `pid` is alive and one of its arguments ends with `suffix` (our script or config). */
export function runsArg(pid: number, suffix: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").some((a) => a.endsWith(suffix));
  } catch {
    return false;
  }
}

/** The last lines of a log file, joined for an error message. */
export function tail(path: string, lines = 3): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-lines).join(" | ");
  } catch {
    return "(no log)";
  }
}
