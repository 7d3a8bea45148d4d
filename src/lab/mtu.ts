/**
 * @module lab/mtu
 * `kwire lab probe --mtu`: the path MTU between the nodes, measured from pods as applications see
 * it. For every ordered pair of nodes (A, B) it takes a pod on A and a pod on B that answer a small
 * ping (ICMP echo, 84 bytes), then finds the largest echo that crosses with DF set (`ping -M do`,
 * binary search), and compares it with the MTU of the source pod's eth0:
 *  - `ok`: the path carries what the pod may send;
 *  - `mtu-problem`: small packets cross but packets the pod is allowed to send do not — what a
 *    pod MTU larger than the backend leaves produces (on vxlan, 1500 instead of 1450: small
 *    requests work, large ones stall until PMTU discovery gets through, and forever where ICMP
 *    "fragmentation needed" is lost). Never reported as a policy denial;
 *  - `unreachable`: no pod pair answers even a small ping (policy isolating the pods, or no
 *    route): the MTU cannot be measured there, and it says so.
 * The source pod's PMTU cache (`ip route flush cache`) is flushed before and after, so a previous
 * run's learnt MTU neither hides nor leaves a problem.
 */
import type { Host } from "./host.js";
import { backendOverhead, DEFAULT_LAB_BACKEND, FABRIC_MTU } from "./backends.js";
import type { LabState, PodState } from "./state.js";

/** IPv4 (20) + ICMP (8) headers around a ping payload; IPv6 (40) + ICMPv6 (8) in an IPv6-only lab. */
const icmpHeaders = (ip: string): number => (ip.includes(":") ? 48 : 28);
/** Candidate pod pairs tried per node pair before calling it unreachable. */
const MAX_PAIRS = 6;

export type MtuVerdict = "ok" | "mtu-problem" | "unreachable";

export interface MtuPath {
  readonly from: string;
  readonly to: string;
  readonly src?: string;
  readonly dst?: string;
  readonly dstIp?: string;
  readonly podMtu?: number;
  /** Largest IPv4 packet (bytes) that crossed with DF set. */
  readonly pathMtu?: number;
  readonly verdict: MtuVerdict;
  readonly message: string;
}

async function ping(host: Host, netns: string, ip: string, payload: number): Promise<boolean> {
  const r = await host.exec(["ping", "-n", "-q", "-c", "1", "-W", "1", "-M", "do", "-s", String(payload), ip], { netns });
  return r.code === 0;
}

/** Largest payload in [lo, hi] that crosses, given that `lo` does (binary search). */
async function largest(host: Host, netns: string, ip: string, lo: number, hi: number): Promise<number> {
  let ok = lo;
  let bad = hi + 1;
  while (bad - ok > 1) {
    const mid = Math.floor((ok + bad) / 2);
    if (await ping(host, netns, ip, mid)) ok = mid;
    else bad = mid;
  }
  return ok;
}

/** eth0's MTU from netlink (`ip link` in the netns; /sys under nsenter would show the host's devices). */
async function eth0Mtu(host: Host, netns: string): Promise<number | undefined> {
  const r = await host.exec(["ip", "-o", "link", "show", "eth0"], { netns });
  const m = / mtu (\d+) /.exec(r.stdout);
  return r.code === 0 && m !== null ? Number(m[1]) : undefined;
}

const flush = async (host: Host, netns: string): Promise<void> => {
  await host.exec(["ip", "route", "flush", "cache"], { netns });
  await host.exec(["ip", "-6", "route", "flush", "cache"], { netns });
};

async function measure(host: Host, state: LabState, from: string, to: string): Promise<MtuPath> {
  const on = (node: string): PodState[] => state.pods.filter((p) => p.pod.node === node && p.ip !== undefined && p.pod.hostNetwork !== true);
  const pairs = on(from).flatMap((s) => on(to).map((d) => [s, d] as const)).slice(0, MAX_PAIRS);
  const backend = state.backend ?? DEFAULT_LAB_BACKEND;
  for (const [s, d] of pairs) {
    const ip = d.ip ?? "";
    await flush(host, s.pod.netns);
    if (!(await ping(host, s.pod.netns, ip, 56))) continue;
    const podMtu = (await eth0Mtu(host, s.pod.netns)) ?? FABRIC_MTU;
    const payload = await largest(host, s.pod.netns, ip, 56, podMtu - icmpHeaders(ip));
    await flush(host, s.pod.netns);
    const pathMtu = payload + icmpHeaders(ip);
    const base = { from, to, src: s.pod.id, dst: d.pod.id, dstIp: ip, podMtu, pathMtu };
    if (pathMtu >= podMtu) return { ...base, verdict: "ok", message: `${from} → ${to}: path MTU ${pathMtu} ≥ pod MTU ${podMtu}` };
    const why = backendOverhead(backend) > 0 ? ` (${backend}: ${backendOverhead(backend)} bytes of encapsulation on a ${FABRIC_MTU}-byte fabric)` : "";
    return {
      ...base, verdict: "mtu-problem",
      message: `MTU problem, not a policy denial: ${s.pod.id} on ${from} reaches ${d.pod.id} on ${to} with small packets, but the path carries at most ${pathMtu} bytes while the pod MTU is ${podMtu}${why}; packets above ${pathMtu} with DF set are dropped (small requests work, large ones stall). Set the pod MTU to ${pathMtu}.`,
    };
  }
  const tried = pairs.length === 0 ? `no pods with addresses on both nodes` : `none of ${pairs.length} pod pair(s) answered a small ping (ICMP): policy isolation or no route`;
  return { from, to, verdict: "unreachable", message: `${from} → ${to}: path MTU not measured: ${tried}` };
}

/** Measure every ordered node pair (in parallel per pair). */
export async function probeMtu(host: Host, state: LabState): Promise<MtuPath[]> {
  const nodes = state.nodes.map((n) => n.name);
  const pairs = nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => [a, b] as const));
  return Promise.all(pairs.map(([a, b]) => measure(host, state, a, b)));
}
