/**
 * @module lab/servers
 * Start, check and stop the pod servers. Each is `nsenter --net=<pod netns> -- node pod-server.mjs
 * <config>`, started by proc.ts (detached, logging to `log/<netns>.log`). Ready = its unix socket exists and `ss` in the pod's netns lists
 * every port it must serve. Stopping is by recorded pid only, after checking that the pid still
 * runs our script (pids are reused).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Host } from "./host.js";
import { LabError } from "./errors.js";
import { runsArg, startInNetns, stopPids, tail, type Child } from "./proc.js";
import { POD_SERVER_JS } from "./pod-server-source.js";
import { agentKey, type LabPod } from "./plan.js";
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

/** Start one pod server. `skip`: `PROTO/port` served by another process (the lab DNS server). */
export function startServer(dir: string, pod: LabPod, skip: ReadonlySet<string> = new Set(), ipv6 = false): Child {
  mkdirSync(join(dir, "sock"), { recursive: true });
  mkdirSync(join(dir, "log"), { recursive: true });
  const cfg = JSON.stringify({ id: pod.id, sock: sockPath(dir, agentKey(pod)), host: ipv6 ? "::" : "0.0.0.0", ports: servedPorts(pod).filter((p) => !skip.has(`${p.protocol}/${p.port}`)) });
  return startInNetns(pod.netns, [process.execPath, join(dir, SERVER_SCRIPT), cfg], logPath(dir, agentKey(pod)), `the server of ${pod.id}`);
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
export async function waitReady(host: Host, dir: string, pod: LabPod, child: Child, timeoutMs = 15_000, aborted: () => boolean = () => false): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(sockPath(dir, agentKey(pod)))) {
    if (aborted()) throw new LabError("interrupted", "interrupted while waiting for pod servers");
    if (!child.running()) throw new LabError("server-not-ready", `the server of ${pod.id} exited: ${tail(logPath(dir, agentKey(pod)))}`);
    if (Date.now() - t0 > timeoutMs) throw new LabError("server-not-ready", `the server of ${pod.id} was not ready after ${timeoutMs} ms`);
    await sleep(20);
  }
  const have = await listening(host, pod.netns);
  const missing = servedPorts(pod).filter((p) => !have.has(`${p.protocol}/${p.port}`));
  if (missing.length > 0) throw new LabError("server-not-ready", `${pod.id}: ss does not list ${missing.map((p) => `${p.protocol}/${p.port}`).join(", ")}`);
}

/** True when `pid` is alive and runs the lab's pod server script. */
export const isOurServer = (pid: number): boolean => runsArg(pid, SERVER_SCRIPT);

/** Stop pod servers started by another process, by pid (ours only: `isOurs`). */
export const stopServers = (pids: readonly number[], isOurs: (pid: number) => boolean = isOurServer): Promise<void> => stopPids(pids, isOurs);
