/**
 * @module lab/fabric
 * The lab's wires outside the pods: a `kw-fabric` netns holding the `kw-fab` bridge (and the
 * fabric's counters), and per node a netns `kw-n<i>` whose uplink `kw-up` (172.30.0.<i+1>/24) is a
 * veth into that bridge. How nodes reach each other's podCIDRs is the backend's plan
 * (backends.ts: fabric router, direct routes, VXLAN, or BGP). Each node netns gets `ip_forward=1`
 * and `bridge-nf-call-iptables=1` (bridged pod-to-pod packets must pass the inet forward hook,
 * LAB-NOTES). All commands run through `Host`. The fabric bridge floods multicast (no MLD
 * snooping), so IPv6 neighbour solicitations to solicited-node groups always reach the router.
 */
import { hostInNetns, type Host } from "./host.js";
import { LabError } from "./errors.js";
import { FABRIC_BRIDGE, FABRIC_NETNS, NODE_UPLINK, type LabNode } from "./plan.js";
import { fabricCountersScript, fabricPlan, fabricSysctls, nodeFdbPlan, nodePlan, uplinkPlan6, type LabBackend } from "./backends.js";
import { applyScript } from "./nft-apply.js";

const fabricPort = (n: LabNode): string => `kw-f${n.index}`;

export async function ipBatch(host: Host, lines: readonly string[], netns?: string): Promise<void> {
  const r = await host.exec(["ip", "-batch", "-"], { input: lines.join("\n") + "\n", ...(netns === undefined ? {} : { netns }) });
  if (r.code !== 0) throw new LabError("command-failed", `ip -batch${netns === undefined ? "" : ` in ${netns}`} failed: ${r.stderr.trim().split("\n")[0] ?? ""}`, r.stderr);
}

export async function createFabric(host: Host, backend: LabBackend, nodes: readonly LabNode[]): Promise<void> {
  await ipBatch(host, [`netns add ${FABRIC_NETNS}`]);
  if (nodes.some((n) => n.transitIp6 !== undefined)) await noDad(host, FABRIC_NETNS);
  await ipBatch(host, ["link set lo up", `link add name ${FABRIC_BRIDGE} type bridge mcast_snooping 0`, `link set ${FABRIC_BRIDGE} up`, ...fabricPlan(backend, nodes)], FABRIC_NETNS);
  const inFabric = hostInNetns(host, FABRIC_NETNS);
  for (const [path, value] of Object.entries(fabricSysctls(backend))) await inFabric.writeFile(path, value);
  await applyScript(host, FABRIC_NETNS, fabricCountersScript(nodes));
}

export const SYSCTLS: Readonly<Record<string, string>> = {
  "/proc/sys/net/ipv4/ip_forward": "1",
  "/proc/sys/net/bridge/bridge-nf-call-iptables": "1",
  // IPv6 pods: the node routes IPv6 too, and bridged IPv6 must pass the inet forward hook as IPv4 does.
  "/proc/sys/net/ipv6/conf/all/forwarding": "1",
  "/proc/sys/net/bridge/bridge-nf-call-ip6tables": "1",
};

/**
 * No duplicate address detection in an IPv6 lab netns, set before its links exist (each link copies
 * `default` when it is made). With DAD, a link-local address stays tentative for about 2 s after its
 * link comes up, and a netns that forwards a packet solicits its next hop from its link-local
 * address: until DAD ends no neighbour solicitation goes out, and the first cross-node IPv6
 * connections time out (seen in the lab tests). The lab makes every address itself; none can clash.
 */
async function noDad(host: Host, netns: string): Promise<void> {
  const inNs = hostInNetns(host, netns);
  for (const path of ["/proc/sys/net/ipv6/conf/default/accept_dad", "/proc/sys/net/ipv6/conf/all/accept_dad"]) await inNs.writeFile(path, "0");
}

/** Create node `n`'s netns and uplink, then the backend's way to the other nodes' pods (`all`). */
export async function createNode(host: Host, n: LabNode, all: readonly LabNode[], backend: LabBackend): Promise<void> {
  await ipBatch(host, [`netns add ${n.netns}`]);
  if (n.transitIp6 !== undefined) await noDad(host, n.netns);
  await ipBatch(host, [`link add name ${fabricPort(n)} netns ${FABRIC_NETNS} type veth peer name ${NODE_UPLINK} netns ${n.netns}`]);
  await ipBatch(host, [`link set ${fabricPort(n)} master ${FABRIC_BRIDGE}`, `link set ${fabricPort(n)} up`], FABRIC_NETNS);
  await ipBatch(host, ["link set lo up", `addr add ${n.transitIp}/24 dev ${NODE_UPLINK}`, `link set ${NODE_UPLINK} up`, ...uplinkPlan6(n), ...nodePlan(backend, n, all)], n.netns);
  const fdb = nodeFdbPlan(backend, n, all);
  if (fdb.length > 0) {
    const r = await host.exec(["bridge", "-batch", "-"], { netns: n.netns, input: fdb.join("\n") + "\n" });
    if (r.code !== 0) throw new LabError("command-failed", `bridge -batch in ${n.netns} failed: ${r.stderr.trim().split("\n")[0] ?? ""}`, r.stderr);
  }
  const inNode = hostInNetns(host, n.netns);
  for (const [path, value] of Object.entries(SYSCTLS)) await inNode.writeFile(path, value);
}

/** `ip netns add` for many netns in one exec. */
export async function addNetns(host: Host, names: readonly string[]): Promise<void> {
  if (names.length > 0) await ipBatch(host, names.map((n) => `netns add ${n}`));
}

/** Delete netns; "already gone" is success. Returns the ones that could not be deleted. */
export async function deleteNetns(host: Host, names: readonly string[]): Promise<string[]> {
  const failed: string[] = [];
  for (const n of names) {
    const r = await host.exec(["ip", "netns", "del", n]);
    if (r.code !== 0 && !/No such file|Cannot remove namespace file/.test(r.stderr)) failed.push(`${n}: ${r.stderr.trim()}`);
  }
  return failed;
}

/** Names of existing netns (from `ip netns list`). */
export async function listNetns(host: Host): Promise<string[]> {
  const r = await host.exec(["ip", "netns", "list"]);
  return r.stdout.split("\n").map((l) => l.trim().split(/\s+/)[0] ?? "").filter((n) => n !== "");
}
