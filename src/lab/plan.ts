/**
 * @module lab/plan
 * Pure planning of a lab cluster: which nodes exist (Node objects, else `--nodes N`), each node's
 * podCIDR and addresses, and one lab pod per modelled pod — listed Pods as they are, workloads
 * without listed pods as `replicas` pods named `<workload>-<i>`. Without Node objects (and without
 * `--node-pod-cidr`), pods that declare `status.podIP` decide the nodes: one per /24 in use. Each
 * node's gateway is the highest address of its podCIDR that no pod declares. Placement:
 * `spec.nodeName` when it names a node, else the node whose podCIDR holds the pod's declared IP
 * (which is then requested from IPAM), else round-robin. A declared address the lab cannot give
 * (outside the node's podCIDR, network/broadcast, duplicated, IPv6 only) is refused with every
 * reason, unless `renumber`. hostNetwork pods are left out (noted): the lab has no node network.
 */
import { buildTopology, type Subject } from "../engine/index.js";
import { cidrContainsIp, formatCidr, formatIp, parseCidr, lastOf, type Cidr, type Cluster, type ContainerPort, type Ip, type Labels } from "../model/index.js";
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

export interface LabNode {
  readonly name: string;
  readonly index: number;
  readonly netns: string;
  readonly podCidr: string;
  /** The bridge's address in the podCIDR: its last usable address, so pods may start at .1. */
  readonly gateway: string;
  readonly transitIp: string;
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
}

export interface LabPlan {
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
}

export const podNetns = (id: string): string => `${POD_NETNS_PREFIX}${fnv64(id).slice(0, 10)}`;

export interface NodeSpec {
  readonly name: string;
  readonly podCidr?: string;
}

/** Node objects from the model, or raw `kind: Node` documents when no decoder handled them. */
function declaredNodes(cluster: Cluster): NodeSpec[] {
  if (cluster.nodes.length > 0) {
    return cluster.nodes.map((n) => {
      const v4 = n.podCIDRs.find((c) => !c.includes(":"));
      return v4 === undefined ? { name: n.name } : { name: n.name, podCidr: v4 };
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

/** A pod's declared IPv4 address (status.podIP/podIPs), as the model read it. */
interface DeclaredIp {
  readonly id: string;
  readonly ip: Ip;
  readonly nodeName: string | undefined;
}

function declaredIps(subjects: readonly Subject[]): DeclaredIp[] {
  return subjects.flatMap((s) => {
    const ip = s.kind === "Pod" && !s.hostNetwork ? s.ips.find((x) => x.family === 4) : undefined;
    return ip === undefined ? [] : [{ id: s.id, ip, nodeName: s.nodeName }];
  });
}

const SLASH24 = 0xffffff00n;

/**
 * Nodes for a cluster whose pods declare addresses and that has no Node objects: one node per /24
 * in use (sorted by address), named after the pods' `spec.nodeName` when those in the /24 agree on
 * one, else `node-<i>`.
 */
export function nodesFromDeclaredIps(declared: readonly { readonly ip: Ip; readonly nodeName: string | undefined }[]): NodeSpec[] {
  const blocks = [...new Set(declared.map((d) => d.ip.value & SLASH24))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const names = blocks.map((b) => {
    const named = new Set(declared.filter((d) => (d.ip.value & SLASH24) === b && d.nodeName !== undefined).map((d) => d.nodeName));
    return named.size === 1 ? [...named][0] : undefined;
  });
  const taken = new Set(names.filter((n, i) => n !== undefined && names.indexOf(n) === i));
  let next = 0;
  return blocks.map((b, i) => {
    const own = names[i];
    const podCidr = `${formatIp({ family: 4, value: b })}/24`;
    if (own !== undefined && names.indexOf(own) === i) return { name: own, podCidr };
    while (taken.has(`node-${next}`)) next++;
    taken.add(`node-${next}`);
    return { name: `node-${next}`, podCidr };
  });
}

/** The node specs: Node objects, else --node-pod-cidr, else derived from declared pod IPs, else `--nodes` defaults. */
function nodeSpecs(cluster: Cluster, opts: PlanOptions, declared: readonly DeclaredIp[], notes: string[]): NodeSpec[] {
  const objects = declaredNodes(cluster);
  if (objects.length > 0) {
    if (opts.nodes !== undefined && opts.nodes !== objects.length) notes.push(`the input declares ${objects.length} Node object(s); --nodes ${opts.nodes} is ignored`);
    return objects;
  }
  const given = opts.podCidrs ?? [];
  const derived = given.length === 0 ? nodesFromDeclaredIps(declared) : [];
  if (derived.length > 0) notes.push(`no Node objects: ${derived.length} node(s) derived from the pods' declared addresses (one per /24 in use): ${derived.map((n) => `${n.name} ${n.podCidr ?? ""}`).join(", ")}`);
  const count = derived.length > 0 ? Math.max(derived.length, opts.nodes ?? 0) : Math.max(1, given.length, opts.nodes ?? 2);
  const used = new Set(derived.map((d) => d.name));
  const out: NodeSpec[] = [...derived];
  for (let i = 0, k = 0; out.length < count; i++) {
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
  const first = cidr.prefix >= 31 ? cidr.base : cidr.base + 1n;
  for (let v = cidr.prefix >= 31 ? lastOf(cidr) : lastOf(cidr) - 1n; v >= first; v--) if (!declared.has(v)) return v;
  throw new LabError("bad-plan", `podCIDR ${formatCidr(cidr)} has no address left for its gateway: the pods declare all of them`);
}

function planNodes(cluster: Cluster, opts: PlanOptions, declared: readonly DeclaredIp[], notes: string[]): { node: LabNode; cidr: Cidr }[] {
  const specs = nodeSpecs(cluster, opts, declared, notes);
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
    return { node, cidr: p.cidr };
  });
}

/** Pod names a subject stands for: a Pod itself, or `replicas` pods of a workload template. */
function podNames(s: Subject): string[] {
  if (s.kind === "Pod") return [s.name];
  return Array.from({ length: Math.max(0, s.replicas) }, (_, i) => `${s.name}-${i}`);
}

function checkOverlaps(nodes: readonly { node: LabNode; cidr: Cidr }[]): void {
  for (const a of nodes) {
    for (const b of nodes) {
      if (a.node.index >= b.node.index) continue;
      const [x, y] = [a.cidr, b.cidr];
      if (x.base <= lastOf(y) && y.base <= lastOf(x)) throw new LabError("bad-plan", `podCIDRs ${a.node.podCidr} (${a.node.name}) and ${b.node.podCidr} (${b.node.name}) overlap`);
    }
  }
}

/** Why `ip` cannot be given to a pod on `home`, or undefined when it can. */
function unusable(ip: Ip, ipText: string, home: { node: LabNode; cidr: Cidr }, requested: ReadonlySet<string>): string | undefined {
  if (!cidrContainsIp(home.cidr, ip)) return `not in ${home.node.name}'s podCIDR ${home.node.podCidr}`;
  if (home.cidr.prefix < 31 && (ip.value === home.cidr.base || ip.value === lastOf(home.cidr))) return `the ${ip.value === home.cidr.base ? "network" : "broadcast"} address of ${home.node.podCidr}`;
  if (ipText === home.node.gateway) return `${home.node.name}'s gateway`;
  if (requested.has(ipText)) return "declared by another pod too";
  return undefined;
}

export function planLab(cluster: Cluster, opts: PlanOptions = {}): LabPlan {
  const notes: string[] = [];
  const subjects = buildTopology(cluster).subjects;
  const declared = declaredIps(subjects);
  const nodes = planNodes(cluster, opts, declared, notes);
  checkOverlaps(nodes);
  const pods: LabPod[] = [];
  const requested = new Set<string>();
  const refused: string[] = [];
  let rr = 0;
  for (const s of subjects) {
    if (s.hostNetwork) {
      notes.push(`${s.id} uses hostNetwork; the lab does not run it`);
      continue;
    }
    for (const name of podNames(s)) {
      const id = `${s.namespace}/${name}`;
      const declaredIp = s.kind === "Pod" ? s.ips.find((ip) => ip.family === 4) : undefined;
      if (s.kind === "Pod" && declaredIp === undefined && s.ips.length > 0) refused.push(`${id}: declares only IPv6 (${s.ips.map(formatIp).join(", ")}); the lab is IPv4`);
      let home = nodes.find((n) => n.node.name === s.nodeName);
      if (home === undefined && declaredIp !== undefined) home = nodes.find((n) => cidrContainsIp(n.cidr, declaredIp));
      if (home === undefined) home = nodes[rr++ % nodes.length];
      if (home === undefined) throw new LabError("bad-plan", "no nodes");
      const ipText = declaredIp === undefined ? undefined : formatIp(declaredIp);
      const why = declaredIp === undefined || ipText === undefined ? undefined : unusable(declaredIp, ipText, home, requested);
      const want = why === undefined ? ipText : undefined;
      if (want !== undefined) requested.add(want);
      else if (why !== undefined) refused.push(`${id}: declared IP ${ipText ?? ""} is ${why}`);
      pods.push({
        id, namespace: s.namespace, name, netns: podNetns(id), node: home.node.name, labels: s.labels, ports: s.ports, subject: s.id,
        ...(want === undefined ? {} : { requestedIp: want }), ...(s.serviceAccount === undefined ? {} : { serviceAccount: s.serviceAccount }),
      });
    }
  }
  if (refused.length > 0 && opts.renumber !== true) {
    throw new LabError("declared-address", `the lab cannot honour ${refused.length} declared pod address(es), so ipBlocks would mean something else on the kernel: ${refused.join("; ")}. Pass --renumber to let the lab assign other addresses (predictions are then made on those)`);
  }
  for (const r of refused) notes.push(`${r}; renumbered (--renumber): the lab assigns one`);
  return { nodes: nodes.map((n) => n.node), pods, notes };
}
