/**
 * @module lab/servers
 * Start, check and stop the pod servers. Each is `nsenter --net=<pod netns> -- node pod-server.mjs
 * <config>`, detached in its own process group (a Ctrl-C at the terminal does not reach it),
 * logging to `log/<netns>.log`. Ready = its unix socket exists and `ss` in the pod's netns lists
 * every port it must serve. Stopping is by recorded pid only, after checking that the pid still
 * runs our script (pids are reused).
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Host } from "./host.js";
import { LabError } from "./errors.js";
import { POD_SERVER_JS } from "./pod-server-source.js";
import type { LabPod } from "./plan.js";
import { logPath, sockPath } from "./state.js";

export const SERVER_SCRIPT = "pod-server.mjs";

/** Ports a pod server binds: TCP and UDP containerPorts (SCTP: the lab kernel has none). */
export function servedPorts(pod: LabPod): { port: number; protocol: "TCP" | "UDP" }[] {
  const seen = new Set<string>();
  const out: { port: number; protocol: "TCP" | "UDP" }[] = [];
  for (const p of pod.ports) {
    if (p.protocol === "SCTP") continue;
    const key = `${p.protocol}/${p.containerPort}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ port: p.containerPort, protocol: p.protocol });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export function writeServerScript(dir: string): string {
  const path = join(dir, SERVER_SCRIPT);
  writeFileSync(path, POD_SERVER_JS);
  return path;
}

/** Start one pod server; returns its pid. `skip`: `PROTO/port` served by another process (the lab DNS server). */
export function startServer(dir: string, pod: LabPod, skip: ReadonlySet<string> = new Set()): number {
  mkdirSync(join(dir, "sock"), { recursive: true });
  mkdirSync(join(dir, "log"), { recursive: true });
  const cfg = JSON.stringify({ id: pod.id, sock: sockPath(dir, pod.netns), ports: servedPorts(pod).filter((p) => !skip.has(`${p.protocol}/${p.port}`)) });
  const log = openSync(logPath(dir, pod.netns), "a");
  try {
    const child = spawn("nsenter", [`--net=/var/run/netns/${pod.netns}`, "--", process.execPath, join(dir, SERVER_SCRIPT), cfg], { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    if (child.pid === undefined) throw new LabError("server-not-ready", `could not start the server of ${pod.id}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Local `addr:port` of listening TCP and bound UDP sockets in a netns, from `ss -Hltun`. */
export async function listening(host: Host, netns: string): Promise<Set<string>> {
  const r = await host.exec(["ss", "-Hltun"], { netns });
  const out = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const cols = line.trim().split(/\s+/);
    const proto = cols[0]?.toUpperCase();
    const local = cols[4];
    const port = local?.slice(local.lastIndexOf(":") + 1);
    if (proto !== undefined && port !== undefined && port !== "") out.add(`${proto}/${port}`);
  }
  return out;
}

/** Wait until the server's socket exists and `ss` shows all its ports. */
export async function waitReady(host: Host, dir: string, pod: LabPod, pid: number, timeoutMs = 15_000, aborted: () => boolean = () => false): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(sockPath(dir, pod.netns))) {
    if (aborted()) throw new LabError("interrupted", "interrupted while waiting for pod servers");
    if (!isAlive(pid)) throw new LabError("server-not-ready", `the server of ${pod.id} exited: ${tail(logPath(dir, pod.netns))}`);
    if (Date.now() - t0 > timeoutMs) throw new LabError("server-not-ready", `the server of ${pod.id} was not ready after ${timeoutMs} ms`);
    await sleep(20);
  }
  const have = await listening(host, pod.netns);
  const missing = servedPorts(pod).filter((p) => !have.has(`${p.protocol}/${p.port}`));
  if (missing.length > 0) throw new LabError("server-not-ready", `${pod.id}: ss does not list ${missing.map((p) => `${p.protocol}/${p.port}`).join(", ")}`);
}

function tail(path: string): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-3).join(" | ");
  } catch {
    return "(no log)";
  }
}

/** True while `pid` exists and is not a zombie (right after spawn it may not have exec'd yet). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** True when `pid` is alive and runs the lab's pod server script. */
export function isOurServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").some((a) => a.endsWith(SERVER_SCRIPT));
  } catch {
    return false;
  }
}

/** SIGTERM the given servers (ours only: `isOurs`), wait for them to exit, SIGKILL stragglers. */
export async function stopServers(pids: readonly number[], isOurs: (pid: number) => boolean = isOurServer): Promise<void> {
  const mine = pids.filter(isOurs);
  for (const pid of mine) {
    try { process.kill(pid, "SIGTERM"); } catch { /* already gone */ }
  }
  const t0 = Date.now();
  while (mine.some(isOurs) && Date.now() - t0 < 3000) await sleep(20);
  for (const pid of mine.filter(isOurs)) {
    try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
  }
  while (mine.some(isOurs) && Date.now() - t0 < 5000) await sleep(20);
}
