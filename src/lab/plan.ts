/**
 * @module lab/plan
 * Pure planning of a lab cluster: which nodes exist (Node objects, else `--nodes N`), each node's
 * podCIDR and addresses, and one lab pod per pod instance of the model (`serviceLayerOf`: listed
 * Pods as they are, workloads without listed pods as their `<workload>-<i>` replicas — the same
 * expansion trace, proxy-rules and the service matrix use). Without Node objects (and without
 * `--node-pod-cidr`), pods that declare `status.podIP` decide the nodes: one per /24 in use. Each
 * node's gateway is the highest address of its podCIDR that no pod declares. Placement:
 * `spec.nodeName` when it names a node, else the node whose podCIDR holds the pod's declared IP
 * (which is then requested from IPAM), else round-robin. A declared address the lab cannot give
 * (outside the node's podCIDR, network/broadcast, duplicated, IPv6 only) is refused with every
 * reason, unless `renumber`. hostNetwork pods run in their node's netns (placed by `spec.nodeName`,
 * else round-robin), with the node's addresses; two of them binding one port on one node are
 * refused. On `vxlan` they are left out (noted): traffic from a node to other nodes' pods leaves
 * with the VXLAN device's address there, not the node's.
 *
 * Address families (`ipFamily`): `ipv4` (pods get an IPv4 address), `ipv6` (IPv6 only) or `dual`
 * (both). Default: what the declared addresses say (both families declared: dual; only IPv6:
 * ipv6), else ipv4. With IPv6 every node also gets an IPv6 podCIDR — the Node object's, else the
 * /64 its pods declare, else `fd00:10:244:<i>::/64` — and a gateway in it chosen as for IPv4.
 */
import { buildTopology, serviceLayerOf, type Subject } from "../engine/index.js";
import { MAX_EXPANDED_REPLICAS } from "../services/index.js";
import { cidrContainsIp, formatCidr, formatIp, parseCidr, lastOf, type Cidr, type Cluster, type ContainerPort, type Ip, type Labels } from "../model/index.js";
import type { LabBackend } from "./backends.js";
import { fnv64 } from "./cni/names.js";
import { LabError } from "./errors.js";

export const NODE_NETNS_PREFIX = "kw-n";
export const POD_NETNS_PREFIX = "kw-p-";
export const FABRIC_NETNS = "kw-fabric";
/** The bridge in the fabric netns that joins the nodes' uplinks. */
export const FABRIC_BRIDGE = "kw-fab";
/** The node's uplink (inside the node netns) and the pods' bridge. */
export const NODE_UPLINK = "kw-up";
export const NODE_BRIDGE = "kw-br0";
/** The network name the lab gives kwire-cni (IPAM files live under <dataDir>/<this>). */
export const CNI_NETWORK = "kwire-lab";
/** Node uplinks get 172.30.0.<i+1>/24. */
export const TRANSIT_PREFIX = "172.30.0.";
/** … and, with IPv6, fd00:172:30::<i+1>/64. */
export const TRANSIT_PREFIX6 = "fd00:172:30::";
/** Default IPv6 podCIDR of node i: fd00:10:244:<i>::/64. */
export const DEFAULT_POD_CIDR6 = (i: number): string => `fd00:10:244:${i.toString(16)}::/64`;

export const IP_FAMILIES = ["ipv4", "ipv6", "dual"] as const;
export type LabIpFamily = (typeof IP_FAMILIES)[number];
export const isLabIpFamily = (v: string): v is LabIpFamily => (IP_FAMILIES as readonly string[]).includes(v);
/** The address families pods get under `f`. */
export const familiesOf = (f: LabIpFamily): readonly (4 | 6)[] => (f === "ipv4" ? [4] : f === "ipv6" ? [6] : [4, 6]);

export interface LabNode {
  readonly name: string;
  readonly index: number;
  readonly netns: string;
  readonly podCidr: string;
  /** The bridge's address in the podCIDR: its last usable address, so pods may start at .1. */
  readonly gateway: string;
  readonly transitIp: string;
  /** With IPv6 (`--ip-family ipv6|dual`): the IPv6 podCIDR, its gateway (the bridge's IPv6 address) and the uplink's IPv6 address. */
  readonly podCidr6?: string;
  readonly gateway6?: string;
  readonly transitIp6?: string;
}

export interface LabPod {
  /** `namespace/name` */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly netns: string;
  readonly node: string;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  /** The modelled subject (pod or workload template) it stands for. */
  readonly subject: string;
  readonly requestedIp?: string;
  /** spec.serviceAccountName (Calico serviceAccountSelector, Cilium's service-account label); absent = "default". */
  readonly serviceAccount?: string;
  /** The declared IPv6 address it gets (IPv6 families only). */
  readonly requestedIp6?: string;
  /** A hostNetwork pod: it runs in its node's netns (`netns` is the node's) with the node's addresses. */
  readonly hostNetwork?: true;
}

/** The key of a pod's server files (socket, log): its netns, or for hostNetwork pods (sharing the node's) netns + a hash of its id. */
export const agentKey = (p: LabPod): string => (p.hostNetwork === true ? `${p.netns}-h${fnv64(p.id).slice(0, 8)}` : p.netns);

export interface LabPlan {
  readonly ipFamily: LabIpFamily;
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  readonly notes: readonly string[];
}

export interface PlanOptions {
  readonly nodes?: number;
  /** podCIDRs per node index (else Node objects', else derived from declared pod IPs, else 10.244.<i>.0/24). */
  readonly podCidrs?: readonly string[];
  /** Give pods whose declared address the lab cannot honour another one (noted); without it `planLab` refuses. */
  readonly renumber?: boolean;
  /** Which address families pods get (default: what the declared addresses say, else ipv4). */
  readonly ipFamily?: LabIpFamily;
  /** The backend (hostNetwork pods are left out on vxlan). */
  readonly backend?: LabBackend;
}

export const podNetns = (id: string): string => `${POD_NETNS_PREFIX}${fnv64(id).slice(0, 10)}`;

export interface NodeSpec {
  readonly name: string;
  readonly podCidr?: string;
  readonly podCidr6?: string;
}

/** Node objects from the model, or raw `kind: Node` documents when no decoder handled them. */
function declaredNodes(cluster: Cluster): NodeSpec[] {
  if (cluster.nodes.length > 0) {
    return cluster.nodes.map((n) => {
      const v4 = n.podCIDRs.find((c) => !c.includes(":"));
      const v6 = n.podCIDRs.find((c) => c.includes(":"));
      return { name: n.name, ...(v4 === undefined ? {} : { podCidr: v4 }), ...(v6 === undefined ? {} : { podCidr6: v6 }) };
    });
  }
  const out: NodeSpec[] = [];
  for (const o of cluster.others) {
    if (o.kind !== "Node") continue;
    const spec = typeof o.raw === "object" && o.raw !== null && "spec" in o.raw ? o.raw.spec : undefined;
    const cidr = typeof spec === "object" && spec !== null && "podCIDR" in spec && typeof spec.podCIDR === "string" ? spec.podCIDR : undefined;
    out.push(cidr === undefined ? { name: o.name } : { name: o.name, podCidr: cidr });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A pod's declared address of one family (status.podIP/podIPs), as the model read it. */
interface DeclaredIp {
  readonly id: string;
  readonly ip: Ip;
  readonly nodeName: string | undefined;
}

function declaredIps(subjects: readonly Subject[], family: 4 | 6): DeclaredIp[] {
  return subjects.flatMap((s) => {
    const ip = s.kind === "Pod" && !s.hostNetwork ? s.ips.find((x) => x.family === family) : undefined;
    return ip === undefined ? [] : [{ id: s.id, ip, nodeName: s.nodeName }];
  });
}

/** The block a node derived from declared addresses covers: a /24 (IPv4) or a /64 (IPv6). */
const BLOCK_BITS: Readonly<Record<4 | 6, number>> = { 4: 24, 6: 64 };
const blockOf = (ip: Ip): bigint => {
  const host = BigInt((ip.family === 4 ? 32 : 128) - BLOCK_BITS[ip.family]);
  return (ip.value >> host) << host;
};
const blockCidr = (family: 4 | 6, b: bigint): string => `${formatIp({ family, value: b })}/${BLOCK_BITS[family]}`;

/**
 * Nodes for a cluster whose pods declare addresses and that has no Node objects: one node per /24
 * (IPv6: /64) in use (sorted by address), named after the pods' `spec.nodeName` when those in the
 * block agree on one, else `node-<i>`.
 */
export function nodesFromDeclaredIps(declared: readonly { readonly ip: Ip; readonly nodeName: string | undefined }[], family: 4 | 6 = 4): NodeSpec[] {
  const mine = declared.filter((d) => d.ip.family === family);
  const blocks = [...new Set(mine.map((d) => blockOf(d.ip)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const names = blocks.map((b) => {
    const named = new Set(mine.filter((d) => blockOf(d.ip) === b && d.nodeName !== undefined).map((d) => d.nodeName));
    return named.size === 1 ? [...named][0] : undefined;
  });
  const taken = new Set(names.filter((n, i) => n !== undefined && names.indexOf(n) === i));
  let next = 0;
  return blocks.map((b, i) => {
    const own = names[i];
    const cidr = blockCidr(family, b);
    const spec = (name: string): NodeSpec => (family === 4 ? { name, podCidr: cidr } : { name, podCidr6: cidr });
    if (own !== undefined && names.indexOf(own) === i) return spec(own);
    while (taken.has(`node-${next}`)) next++;
    taken.add(`node-${next}`);
    return spec(`node-${next}`);
  });
}

/** The node specs: Node objects, else --node-pod-cidr, else derived from declared pod IPs, else `--nodes` defaults. */
function nodeSpecs(cluster: Cluster, opts: PlanOptions, declared: readonly DeclaredIp[], declared6: readonly DeclaredIp[], notes: string[]): NodeSpec[] {
  const objects = declaredNodes(cluster);
  if (objects.length > 0) {
    if (opts.nodes !== undefined && opts.nodes !== objects.length) notes.push(`the input declares ${objects.length} Node object(s); --nodes ${opts.nodes} is ignored`);
    return objects;
  }
  const given = opts.podCidrs ?? [];
  const byV6 = declared.length === 0 && declared6.length > 0;
  const derived = given.length > 0 ? [] : byV6 ? nodesFromDeclaredIps(declared6, 6) : nodesFromDeclaredIps(declared);
  if (derived.length > 0) notes.push(`no Node objects: ${derived.length} node(s) derived from the pods' declared addresses (one per ${byV6 ? "IPv6 /64" : "/24"} in use): ${derived.map((n) => `${n.name} ${n.podCidr ?? n.podCidr6 ?? ""}`).join(", ")}`);
  const count = derived.length > 0 ? Math.max(derived.length, opts.nodes ?? 0) : Math.max(1, given.length, opts.nodes ?? 2);
  const used = new Set(derived.map((d) => d.name));
  const out: NodeSpec[] = [];
  let k = 0;
  for (const d of derived) {
    if (d.podCidr !== undefined) {
      out.push(d);
      continue;
    }
    // Derived from IPv6 blocks: a free 10.244.<k>.0/24 for IPv4 too (the node's bridge and routes).
    while (derived.some((o) => o.podCidr === `10.244.${k}.0/24`)) k++;
    out.push({ ...d, podCidr: `10.244.${k++}.0/24` });
  }
  for (let i = 0; out.length < count; i++) {
    const name = `node-${i}`;
    if (used.has(name)) continue;
    const fixed = given[out.length];
    if (fixed !== undefined) {
      out.push({ name, podCidr: fixed });
      continue;
    }
    // A free 10.244.<k>.0/24 (not one derived from declared addresses).
    let cidr = `10.244.${k}.0/24`;
    while (out.some((o) => o.podCidr === cidr)) cidr = `10.244.${++k}.0/24`;
    k++;
    out.push({ name, podCidr: cidr });
  }
  return out;
}

/** The highest host address of `cidr` that no pod declares: the bridge's address (pods may start at .1). */
function gatewayOf(cidr: Cidr, declared: ReadonlySet<bigint>): bigint {
  const tiny = cidr.prefix >= (cidr.family === 4 ? 31 : 127);
  const first = tiny ? cidr.base : cidr.base + 1n;
  for (let v = tiny ? lastOf(cidr) : lastOf(cidr) - 1n; v >= first; v--) if (!declared.has(v)) return v;
  throw new LabError("bad-plan", `podCIDR ${formatCidr(cidr)} has no address left for its gateway: the pods declare all of them`);
}

interface PlannedNode {
  node: LabNode;
  readonly cidr: Cidr;
  /** The IPv6 podCIDR once known (Node object or derived; else filled after placement). */
  cidr6: Cidr | undefined;
}

function planNodes(cluster: Cluster, opts: PlanOptions, declared: readonly DeclaredIp[], declared6: readonly DeclaredIp[], notes: string[]): PlannedNode[] {
  const specs = nodeSpecs(cluster, opts, declared, declared6, notes);
  if (specs.length > 200) throw new LabError("bad-plan", `${specs.length} nodes is more than the lab supports (200)`);
  const taken = new Set(declared.map((d) => d.ip.value));
  return specs.map((spec, i) => {
    const text = spec.podCidr ?? opts.podCidrs?.[i] ?? `10.244.${i}.0/24`;
    const p = parseCidr(text);
    if (!p.ok || p.cidr.family !== 4 || p.cidr.prefix > 29) throw new LabError("bad-plan", `node ${i}: podCIDR ${JSON.stringify(text)} is not an IPv4 CIDR of /29 or larger`);
    const node: LabNode = {
      name: spec.name, index: i, netns: `${NODE_NETNS_PREFIX}${i}`, podCidr: formatCidr(p.cidr),
      gateway: formatIp({ family: 4, value: gatewayOf(p.cidr, taken) }), transitIp: `${TRANSIT_PREFIX}${i + 1}`,
    };
    let cidr6: Cidr | undefined;
    if (spec.podCidr6 !== undefined) {
      const q = parseCidr(spec.podCidr6);
      if (!q.ok || q.cidr.family !== 6 || q.cidr.prefix > 120) throw new LabError("bad-plan", `node ${i}: IPv6 podCIDR ${JSON.stringify(spec.podCidr6)} is not an IPv6 CIDR of /120 or larger`);
      cidr6 = q.cidr;
    }
    return { node, cidr: p.cidr, cidr6 };
  });
}

const overlap = (x: Cidr, y: Cidr): boolean => x.family === y.family && x.base <= lastOf(y) && y.base <= lastOf(x);

function checkOverlaps(nodes: readonly PlannedNode[], family: 4 | 6): void {
  const cidrOf = (n: PlannedNode): Cidr | undefined => (family === 4 ? n.cidr : n.cidr6);
  for (const a of nodes) {
    for (const b of nodes) {
      const [x, y] = [cidrOf(a), cidrOf(b)];
      if (a.node.index >= b.node.index || x === undefined || y === undefined) continue;
      if (overlap(x, y)) throw new LabError("bad-plan", `podCIDRs ${formatCidr(x)} (${a.node.name}) and ${formatCidr(y)} (${b.node.name}) overlap`);
    }
  }
}

/** Why `ip` cannot be given to a pod on node `name` (podCIDR `cidr`, gateway `gateway`), or undefined when it can. */
function unusable(ip: Ip, ipText: string, name: string, cidr: Cidr, gateway: string | undefined, requested: ReadonlySet<string>): string | undefined {
  const text = formatCidr(cidr);
  if (!cidrContainsIp(cidr, ip)) return `not in ${name}'s ${ip.family === 6 ? "IPv6 " : ""}podCIDR ${text}`;
  if (ip.family === 4 && cidr.prefix < 31 && (ip.value === cidr.base || ip.value === lastOf(cidr))) return `the ${ip.value === cidr.base ? "network" : "broadcast"} address of ${text}`;
  if (ip.family === 6 && ip.value === cidr.base) return `the network (subnet-router anycast) address of ${text}`;
  if (ipText === gateway) return `${name}'s gateway`;
  if (requested.has(ipText)) return "declared by another pod too";
  return undefined;
}

/** The family the declared addresses ask for: both declared ⇒ dual, only IPv6 ⇒ ipv6, else ipv4. */
export function declaredFamily(subjects: readonly Subject[]): LabIpFamily {
  const has = (f: 4 | 6): boolean => subjects.some((s) => s.kind === "Pod" && !s.hostNetwork && s.ips.some((ip) => ip.family === f));
  return has(6) ? (has(4) ? "dual" : "ipv6") : "ipv4";
}

/**
 * IPv6 podCIDRs of nodes that have none yet: the /64 most of their placed pods declare (when no
 * other node has it; the others are then refused as outside it), else fd00:10:244:<i>::/64 (the
 * first free one).
 */
function fillCidr6(nodes: PlannedNode[], declared6: ReadonlyMap<string, Ip>, placedOn: ReadonlyMap<string, string>): void {
  const used = (c: Cidr): boolean => nodes.some((n) => n.cidr6 !== undefined && overlap(n.cidr6, c));
  for (const n of nodes) {
    if (n.cidr6 !== undefined) continue;
    const blocks = new Map<bigint, number>();
    for (const [id, ip] of declared6) if (placedOn.get(id) === n.node.name) blocks.set(blockOf(ip), (blocks.get(blockOf(ip)) ?? 0) + 1);
    const best = [...blocks].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
    const want = best === undefined ? undefined : parseCidr(blockCidr(6, best));
    if (want?.ok === true && !used(want.cidr)) {
      n.cidr6 = want.cidr;
      continue;
    }
    for (let i = n.node.index; n.cidr6 === undefined; i++) {
      const c = parseCidr(DEFAULT_POD_CIDR6(i));
      if (c.ok && !used(c.cidr)) n.cidr6 = c.cidr;
    }
  }
}

export function planLab(cluster: Cluster, opts: PlanOptions = {}): LabPlan {
  const notes: string[] = [];
  const topology = buildTopology(cluster);
  const subjects = topology.subjects;
  // Calico's serviceAccountSelector and Cilium's service-account label read it (by pod or template subject).
  const serviceAccountOf = new Map<string, string>();
  for (const s of subjects) if (s.serviceAccount !== undefined) serviceAccountOf.set(s.id, s.serviceAccount);
  // Every policy model the lab enforces (NetworkPolicy and cluster policies: compile-policy.ts;
  // Calico, Cilium: compile-general.ts) has rules for both families.
  const declaredFam = declaredFamily(subjects);
  const ipFamily = opts.ipFamily ?? declaredFam;
  if (opts.ipFamily === undefined && declaredFam !== "ipv4") notes.push(`pods declare IPv6 addresses: --ip-family ${ipFamily} (say --ip-family to choose)`);
  const fams = familiesOf(ipFamily);
  const want4 = fams.includes(4);
  const want6 = fams.includes(6);
  const declared = want4 ? declaredIps(subjects, 4) : [];
  const declared6 = want6 ? declaredIps(subjects, 6) : [];
  const nodes = planNodes(cluster, opts, declared, declared6, notes);
  checkOverlaps(nodes, 4);
  checkOverlaps(nodes, 6);
  const pods: (LabPod & { readonly declared6?: Ip })[] = [];
  const requested = new Set<string>();
  const refused: string[] = [];
  const ignored6: string[] = [];
  const hostPods: LabPod[] = [];
  let rr = 0;
  // The model's one expansion of workloads (the Service layer's pod instances: listed pods, and
  // `<workload>-<i>` replicas of workloads whose pods the input does not list, grouped per node
  // above MAX_EXPANDED_REPLICAS): the lab runs exactly the pods the model reasons about.
  const vxHost = new Set<string>();
  const grouped = new Map<string, number>();
  for (const inst of serviceLayerOf(cluster, topology).instances) {
    const id = `${inst.namespace}/${inst.name}`;
    const subject = inst.origin.type === "Pod" ? inst.origin.id : inst.origin.workloadId;
    if (inst.replicas > 1) grouped.set(subject, (grouped.get(subject) ?? 0) + inst.replicas);
    if (inst.hostNetwork) {
      if (opts.backend === "vxlan") {
        if (!vxHost.has(subject)) notes.push(`${subject} uses hostNetwork; left out on the vxlan backend (a node's traffic to other nodes' pods leaves with the VXLAN device's address there, not the node's)`);
        vxHost.add(subject);
        continue;
      }
      const home = nodes.find((n) => n.node.name === inst.nodeName) ?? nodes[rr++ % nodes.length];
      if (home === undefined) throw new LabError("bad-plan", "no nodes");
      hostPods.push({ id, namespace: inst.namespace, name: inst.name, netns: home.node.netns, node: home.node.name, labels: inst.labels, ports: inst.ports, subject, hostNetwork: true });
      continue;
    }
    // Only addresses the input declares are requested; the model's synthesized ones are not.
    const own = inst.origin.type === "Pod" && !inst.synthesizedIP ? inst.ips : [];
    const own4 = own.find((ip) => ip.family === 4);
    const own6 = own.find((ip) => ip.family === 6);
    if (!want6 && own6 !== undefined) {
      if (own4 === undefined) refused.push(`${id}: declares only IPv6 (${own.map(formatIp).join(", ")}); the lab runs --ip-family ipv4 (use --ip-family ipv6 or dual)`);
      else ignored6.push(id);
    }
    if (!want4 && own4 !== undefined && own6 === undefined) refused.push(`${id}: declares only IPv4 (${formatIp(own4)}); the lab runs --ip-family ipv6 (use --ip-family ipv4 or dual)`);
    const declaredIp = want4 ? own4 : undefined;
    const declaredIp6 = want6 ? own6 : undefined;
    let home = nodes.find((n) => n.node.name === inst.nodeName);
    if (home === undefined && declaredIp !== undefined) home = nodes.find((n) => cidrContainsIp(n.cidr, declaredIp));
    if (home === undefined && declaredIp6 !== undefined) home = nodes.find((n) => n.cidr6 !== undefined && cidrContainsIp(n.cidr6, declaredIp6));
    if (home === undefined) home = nodes[rr++ % nodes.length];
    if (home === undefined) throw new LabError("bad-plan", "no nodes");
    const ipText = declaredIp === undefined ? undefined : formatIp(declaredIp);
    const why = declaredIp === undefined || ipText === undefined ? undefined : unusable(declaredIp, ipText, home.node.name, home.cidr, home.node.gateway, requested);
    const want = why === undefined ? ipText : undefined;
    if (want !== undefined) requested.add(want);
    else if (why !== undefined) refused.push(`${id}: declared IP ${ipText ?? ""} is ${why}`);
    const serviceAccount = serviceAccountOf.get(subject);
    pods.push({
      id, namespace: inst.namespace, name: inst.name, netns: podNetns(id), node: home.node.name, labels: inst.labels, ports: inst.ports, subject,
      ...(want === undefined ? {} : { requestedIp: want }), ...(declaredIp6 === undefined ? {} : { declared6: declaredIp6 }),
      ...(serviceAccount === undefined ? {} : { serviceAccount }),
    });
  }
  for (const [subject, n] of grouped) notes.push(`${subject}: ${n} replicas, run as one pod per node (the model groups replicas above ${MAX_EXPANDED_REPLICAS} the same way; each stands for its node's share)`);
  if (ignored6.length > 0) notes.push(`${ignored6.length} pod(s) also declare IPv6 addresses, which --ip-family ipv4 leaves out: ${ignored6.slice(0, 5).join(", ")}${ignored6.length > 5 ? ", …" : ""}`);
  // IPv6: podCIDRs for nodes without one, their gateways, then the declared IPv6 addresses.
  const out = pods.map(({ declared6: _d, ...p }): LabPod => p);
  if (want6) {
    const d6 = new Map(pods.flatMap((p) => (p.declared6 === undefined ? [] : [[p.id, p.declared6] as const])));
    fillCidr6(nodes, d6, new Map(pods.map((p) => [p.id, p.node])));
    checkOverlaps(nodes, 6);
    const taken6 = new Set([...d6.values()].map((ip) => ip.value));
    for (const n of nodes) {
      const c6 = n.cidr6;
      if (c6 === undefined) continue;
      n.node = { ...n.node, podCidr6: formatCidr(c6), gateway6: formatIp({ family: 6, value: gatewayOf(c6, taken6) }), transitIp6: `${TRANSIT_PREFIX6}${(n.node.index + 1).toString(16)}` };
    }
    pods.forEach((p, i) => {
      const ip6 = p.declared6;
      const home = nodes.find((n) => n.node.name === p.node);
      if (ip6 === undefined || home?.cidr6 === undefined) return;
      const text = formatIp(ip6);
      const why = unusable(ip6, text, home.node.name, home.cidr6, home.node.gateway6, requested);
      if (why !== undefined) {
        refused.push(`${p.id}: declared IP ${text} is ${why}`);
        return;
      }
      requested.add(text);
      out[i] = { ...(out[i] as LabPod), requestedIp6: text };
    });
  }
  if (refused.length > 0 && opts.renumber !== true) {
    throw new LabError("declared-address", `the lab cannot honour ${refused.length} declared pod address(es), so ipBlocks would mean something else on the kernel: ${refused.join("; ")}. Pass --renumber to let the lab assign other addresses (predictions are then made on those)`);
  }
  for (const r of refused) notes.push(`${r}; renumbered (--renumber): the lab assigns one`);
  checkHostPorts(hostPods);
  if (hostPods.length > 0) notes.push(`${hostPods.length} hostNetwork pod(s) run in their node's netns with the node's address: NetworkPolicy does not select them, ipBlocks match them by that address`);
  return { ipFamily, nodes: nodes.map((n) => n.node), pods: [...out, ...hostPods], notes };
}

/** Two hostNetwork pods on one node cannot bind the same port (the kubelet refuses the second too). */
function checkHostPorts(pods: readonly LabPod[]): void {
  const seen = new Map<string, string>();
  for (const p of pods) {
    for (const c of p.ports) {
      const key = `${p.node}/${c.protocol}/${c.containerPort}`;
      const other = seen.get(key);
      if (other !== undefined && other !== p.id) throw new LabError("bad-plan", `hostNetwork pods ${other} and ${p.id} both bind ${c.protocol}/${c.containerPort} on ${p.node}; place them on different nodes (spec.nodeName)`);
      seen.set(key, p.id);
    }
  }
}
