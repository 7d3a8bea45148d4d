/**
 * @module lab/plan
 * Pure planning of a lab cluster: which nodes exist (Node objects, else `--nodes N`), each node's
 * podCIDR and addresses, and one lab pod per modelled pod — listed Pods as they are, workloads
 * without listed pods as `replicas` pods named `<workload>-<i>`. Placement: `spec.nodeName` when it
 * names a node, else the node whose podCIDR holds the pod's declared IP (which is then requested
 * from IPAM), else round-robin. hostNetwork pods are left out (noted): the lab has no node network.
 */
import { buildTopology, type Subject } from "../engine/index.js";
import { cidrContainsIp, formatIp, parseCidr, lastOf, type Cidr, type Cluster, type ContainerPort, type Labels } from "../model/index.js";
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
}

export interface LabPlan {
  readonly nodes: readonly LabNode[];
  readonly pods: readonly LabPod[];
  readonly notes: readonly string[];
}

export interface PlanOptions {
  readonly nodes?: number;
  /** podCIDRs per node index (else Node objects', else 10.244.<i>.0/24). */
  readonly podCidrs?: readonly string[];
}

export const podNetns = (id: string): string => `${POD_NETNS_PREFIX}${fnv64(id).slice(0, 10)}`;

interface NodeSpec {
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

function planNodes(cluster: Cluster, opts: PlanOptions, notes: string[]): { node: LabNode; cidr: Cidr }[] {
  const declared = declaredNodes(cluster);
  const count = declared.length > 0 ? declared.length : Math.max(1, opts.nodes ?? 2);
  if (declared.length > 0 && opts.nodes !== undefined && opts.nodes !== declared.length) notes.push(`the input declares ${declared.length} Node object(s); --nodes ${opts.nodes} is ignored`);
  if (count > 200) throw new LabError("bad-plan", `${count} nodes is more than the lab supports (200)`);
  return Array.from({ length: count }, (_, i) => {
    const text = declared[i]?.podCidr ?? opts.podCidrs?.[i] ?? `10.244.${i}.0/24`;
    const p = parseCidr(text);
    if (!p.ok || p.cidr.family !== 4 || p.cidr.prefix > 29) throw new LabError("bad-plan", `node ${i}: podCIDR ${JSON.stringify(text)} is not an IPv4 CIDR of /29 or larger`);
    const gateway = formatIp({ family: 4, value: lastOf(p.cidr) - 1n });
    const node: LabNode = {
      name: declared[i]?.name ?? `node-${i}`, index: i, netns: `${NODE_NETNS_PREFIX}${i}`,
      podCidr: `${formatIp({ family: 4, value: p.cidr.base })}/${p.cidr.prefix}`, gateway, transitIp: `${TRANSIT_PREFIX}${i + 1}`,
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

export function planLab(cluster: Cluster, opts: PlanOptions = {}): LabPlan {
  const notes: string[] = [];
  const nodes = planNodes(cluster, opts, notes);
  checkOverlaps(nodes);
  const pods: LabPod[] = [];
  const requested = new Set<string>();
  let rr = 0;
  for (const s of buildTopology(cluster).subjects) {
    if (s.hostNetwork) {
      notes.push(`${s.id} uses hostNetwork; the lab does not run it`);
      continue;
    }
    for (const name of podNames(s)) {
      const id = `${s.namespace}/${name}`;
      const declaredIp = s.kind === "Pod" ? s.ips.find((ip) => ip.family === 4) : undefined;
      let home = nodes.find((n) => n.node.name === s.nodeName);
      if (home === undefined && declaredIp !== undefined) home = nodes.find((n) => cidrContainsIp(n.cidr, declaredIp));
      if (home === undefined) home = nodes[rr++ % nodes.length];
      if (home === undefined) throw new LabError("bad-plan", "no nodes");
      const ipText = declaredIp === undefined ? undefined : formatIp(declaredIp);
      const want = declaredIp !== undefined && ipText !== undefined && cidrContainsIp(home.cidr, declaredIp) && ipText !== home.node.gateway && !requested.has(ipText) ? ipText : undefined;
      if (want !== undefined) requested.add(want);
      else if (ipText !== undefined) notes.push(`${id}: declared IP ${ipText} is not usable on ${home.node.name} (${home.node.podCidr}); the lab assigns one`);
      pods.push({
        id, namespace: s.namespace, name, netns: podNetns(id), node: home.node.name, labels: s.labels, ports: s.ports, subject: s.id,
        ...(want === undefined ? {} : { requestedIp: want }),
      });
    }
  }
  return { nodes: nodes.map((n) => n.node), pods, notes };
}
