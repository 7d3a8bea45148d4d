/**
 * @module lab/cleanup
 * `kwire lab down` and `kwire lab clean`. Down works from the state file: stop the pod servers
 * (recorded pids, only while they still run our script), delete the `kwire` table in each node
 * netns, delete pod, node and fabric netns (their veths, bridges and tables go with them), and
 * remove the lab dir (state, IPAM dirs, sockets, logs). Every step treats "already gone" as
 * success, so down is idempotent and works after a crash. Clean needs no state: it finds netns
 * by the lab's exact name patterns, stops the pod servers running inside them (`ip netns pids`),
 * and deletes them. The lab DNS servers (kube-dns pods) are stopped the same way (their own
 * entry script), and the pods' `/etc/netns/<pod netns>/resolv.conf` files are removed (clean finds
 * them by the pod netns pattern). BIRD daemons (backend bgp) are stopped by recorded pid, or found in
 * the lab's netns, before their netns go. Nothing else is touched (other tools' `kw-t-…` test netns included).
 */
import { rmSync } from "node:fs";
import { deleteNetns, listNetns } from "./fabric.js";
import type { Host } from "./host.js";
import { removeTable } from "./nft-apply.js";
import { isOurDns } from "./dns-process.js";
import { isOurBird } from "./bgp.js";
import { isOurProxy } from "./north-south-lab.js";
import { removeResolvConf, resolvDirs } from "./resolv.js";
import { isOurServer, stopServers } from "./servers.js";
import { readState, type LabState } from "./state.js";

/** The netns names `lab up` creates: kw-n<i>, kw-p-<10 hex>, kw-fabric, kw-inet (north-south-lab.ts). */
export const LAB_NETNS = /^kw-(n\d+|p-[0-9a-f]{10}|fabric|inet)$/;
/** Pod netns: the only ones that get a resolv.conf. */
export const POD_NETNS = /^kw-p-[0-9a-f]{10}$/;

const ours = (pid: number): boolean => isOurServer(pid) || isOurDns(pid) || isOurBird(pid) || isOurProxy(pid);

export interface CleanupReport {
  readonly netns: readonly string[];
  readonly servers: number;
  readonly problems: readonly string[];
}

export async function teardown(host: Host, state: LabState): Promise<CleanupReport> {
  const pids = state.pods.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  const running = pids.filter(isOurServer).length;
  await stopServers(pids);
  await stopServers((state.dns?.servers ?? []).flatMap((s) => (s.pid === undefined ? [] : [s.pid])), isOurDns);
  await stopServers(state.bgp?.pids ?? [], isOurBird);
  await stopServers((state.northSouth?.proxies ?? []).flatMap((p) => (p.pid === undefined ? [] : [p.pid])), isOurProxy);
  for (const n of [...(state.dns?.resolvConf ?? []), ...state.pods.map((p) => p.pod.netns)]) removeResolvConf(n);
  for (const n of state.nodes) await removeTable(host, n.netns);
  const existing = new Set(await listNetns(host));
  const names = [...state.pods.map((p) => p.pod.netns), ...state.nodes.map((n) => n.netns), ...(state.northSouth === undefined ? [] : [state.northSouth.netns]), state.fabric].filter((n) => existing.has(n));
  // Servers started by an interrupted `up` after its last state write are found by netns.
  await stopServers(await pidsIn(host, names), ours);
  const problems = await deleteNetns(host, names);
  rmSync(state.dir, { recursive: true, force: true });
  return { netns: names, servers: running, problems };
}

async function pidsIn(host: Host, names: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const n of names) {
    const r = await host.exec(["ip", "netns", "pids", n]);
    for (const l of r.stdout.split("\n")) if (/^\d+$/.test(l.trim())) out.push(Number(l.trim()));
  }
  return out.filter(ours);
}

/** Down from the state in `dir`; with no state, nothing to do (use clean). */
export async function labDown(host: Host, dir: string): Promise<CleanupReport | undefined> {
  const state = readState(dir);
  return state === undefined ? undefined : teardown(host, state);
}

/** Remove every lab leftover by name pattern, with or without state. */
export async function labClean(host: Host, dir: string): Promise<CleanupReport> {
  const fromState = await labDown(host, dir);
  const names = (await listNetns(host)).filter((n) => LAB_NETNS.test(n));
  const pids = await pidsIn(host, names);
  await stopServers(pids, ours);
  for (const n of resolvDirs(POD_NETNS)) removeResolvConf(n);
  const problems = await deleteNetns(host, names);
  rmSync(dir, { recursive: true, force: true });
  return {
    netns: [...(fromState?.netns ?? []), ...names],
    servers: (fromState?.servers ?? 0) + pids.length,
    problems: [...(fromState?.problems ?? []), ...problems],
  };
}
