/**
 * @module lab/pods
 * Wire pods the way a runtime does: create the pod netns, bring `lo` up, and call kwire-cni ADD
 * (in-process `runCni`, its Host pointed into the node netns) with CNI_* variables and the node's
 * network config on stdin. One IPAM data dir per node. Pods that request a declared IP go first,
 * so sequential allocation cannot take their address; nodes are wired in parallel, and the other
 * pods of a node a few at a time.
 */
import { defaultDeps, runCni, type CniEnv } from "./cni/index.js";
import { hostInNetns, type Host } from "./host.js";
import { LabError } from "./errors.js";
import { CNI_NETWORK, NODE_BRIDGE, type LabNode, type LabPod } from "./plan.js";
import { ipamDir } from "./state.js";

export const POD_IFNAME = "eth0";
/** Concurrent kwire-cni ADDs per node (IPAM serializes on its lock; the `ip` work overlaps). */
const PER_NODE = 4;

/** The network config kwire-cni gets for pods on node `n`. */
export function cniConfig(dir: string, n: LabNode, mtu: number, families: readonly (4 | 6)[] = [4]): Record<string, unknown> {
  const ranges = [
    ...(families.includes(4) ? [[{ subnet: n.podCidr, gateway: n.gateway }]] : []),
    ...(families.includes(6) && n.podCidr6 !== undefined ? [[{ subnet: n.podCidr6, ...(n.gateway6 === undefined ? {} : { gateway: n.gateway6 }) }]] : []),
  ];
  return {
    cniVersion: "1.0.0", name: CNI_NETWORK, type: "kwire", bridge: NODE_BRIDGE, mtu,
    isGateway: true, isDefaultGateway: true, hairpinMode: true,
    ipam: { type: "host-local", ranges, dataDir: ipamDir(dir, n.netns) },
  };
}

export function cniEnv(pod: LabPod): CniEnv {
  const wanted = [pod.requestedIp, pod.requestedIp6].filter((x): x is string => x !== undefined);
  return {
    CNI_COMMAND: "ADD", CNI_CONTAINERID: pod.netns, CNI_NETNS: `/var/run/netns/${pod.netns}`, CNI_IFNAME: POD_IFNAME,
    CNI_PATH: "/usr/lib/cni", ...(wanted.length === 0 ? {} : { CNI_ARGS: `IP=${wanted.join(",")}` }),
  };
}

/** Every address of the CNI result, in its order (one per range set: IPv4 first, then IPv6). */
function ipsOfResult(stdout: string): string[] {
  const v: unknown = JSON.parse(stdout);
  if (typeof v !== "object" || v === null || !("ips" in v) || !Array.isArray(v.ips)) return [];
  return v.ips.flatMap((x: unknown) => {
    const addr = typeof x === "object" && x !== null && "address" in x && typeof x.address === "string" ? x.address : undefined;
    return addr === undefined ? [] : [addr.split("/")[0] ?? addr];
  });
}

/** kwire-cni ADD for one pod on node `n`; returns its addresses (IPv4 first). */
export async function addPod(host: Host, dir: string, n: LabNode, pod: LabPod, mtu: number, families: readonly (4 | 6)[] = [4]): Promise<string[]> {
  const lo = await host.exec(["ip", "link", "set", "lo", "up"], { netns: pod.netns });
  if (lo.code !== 0) throw new LabError("command-failed", `${pod.id}: ip link set lo up: ${lo.stderr.trim()}`);
  const deps = { ...defaultDeps(), host: hostInNetns(host, n.netns) };
  const out = await runCni(cniEnv(pod), JSON.stringify(cniConfig(dir, n, mtu, families)), deps);
  if (out.exitCode !== 0) throw new LabError("cni-failed", `kwire-cni ADD for ${pod.id} on ${n.name} failed: ${out.stdout.trim()}`);
  const ips = ipsOfResult(out.stdout);
  if (ips.length !== families.length) throw new LabError("cni-failed", `kwire-cni ADD for ${pod.id} returned ${ips.length} address(es), not ${families.length}: ${out.stdout.trim()}`);
  return ips;
}

/** Wire every pod; `onIp` records each address as it is assigned. Nodes in parallel, pods in order. */
export async function addPods(host: Host, dir: string, nodes: readonly LabNode[], pods: readonly LabPod[], mtu: number, families: readonly (4 | 6)[], onIp: (pod: LabPod, ips: string[]) => void, aborted: () => boolean): Promise<void> {
  const results = await Promise.allSettled(nodes.map(async (n) => {
    const mine = pods.filter((p) => p.node === n.name);
    const one = async (pod: LabPod): Promise<void> => {
      if (aborted()) throw new LabError("interrupted", "interrupted while wiring pods");
      onIp(pod, await addPod(host, dir, n, pod, mtu, families));
    };
    // Requested addresses first, one by one, so sequential allocation cannot take them; then the rest, PER_NODE at a time.
    const requests = (p: LabPod): boolean => p.requestedIp !== undefined || p.requestedIp6 !== undefined;
    for (const pod of mine.filter(requests)) await one(pod);
    const rest = mine.filter((p) => !requests(p));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < rest.length) await one(rest[next++] as LabPod);
    };
    await Promise.all(Array.from({ length: Math.min(PER_NODE, rest.length) }, worker));
  }));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
