/**
 * @module service-context
 * The Service layer tied to the engine's topology: which topology node (pod, or the workload
 * template standing for unlisted pods) is behind each endpoint, so that the policy stages of a
 * Service trace are the very same `traceConnection` the engines agree with.
 */
import { formatIp, type Cluster, type Ip, type Node, type Workload } from "../model/index.js";
import { DEFAULT_CLUSTER_DOMAIN, zoneOf, type DnsZone } from "../dns/index.js";
import { buildServiceLayer, nodeAddresses, type PodInstance, type ServiceEndpoint, type ServiceLayer } from "../services/index.js";
import type { Party } from "./resolve.js";
import type { Subject, Topology } from "./topology.js";
import { PolicyIndex } from "./trace.js";

export interface ServiceContext {
  readonly cluster: Cluster;
  readonly topology: Topology;
  readonly policies: PolicyIndex;
  readonly layer: ServiceLayer;
  readonly zone: DnsZone;
  /** The topology node behind an endpoint, or its address as a party outside the cluster. */
  partyOf(e: ServiceEndpoint): Party;
  /** The node a party runs on, when known. */
  nodeOf(p: Party): string | undefined;
  /** The pod instance a party stands for (first replica of a template). */
  instanceOf(p: Party): PodInstance | undefined;
}

const same = (a: Ip, b: Ip): boolean => a.family === b.family && a.value === b.value;

export function templatesOf(cluster: Cluster, topology: Topology): { workload: Workload; id: string }[] {
  const byKey = new Map(cluster.workloads.map((w) => [`${w.kind}/${w.namespace}/${w.name}`, w]));
  const out: { workload: Workload; id: string }[] = [];
  for (const s of topology.subjects) {
    if (s.kind === "Pod") continue;
    const w = byKey.get(`${s.kind}/${s.namespace}/${s.name}`);
    if (w) out.push({ workload: w, id: s.id });
  }
  return out;
}

/**
 * The one Service layer of a cluster (pod instances — listed pods plus the replicas of workload
 * templates — and the endpoints of each Service port). trace, the service matrix, DNS, lint and
 * `proxy-rules` all take it from here, so they expand workloads and select endpoints once.
 */
export function serviceLayerOf(cluster: Cluster, topology: Topology): ServiceLayer {
  return buildServiceLayer(cluster, templatesOf(cluster, topology));
}

export function serviceContext(cluster: Cluster, topology: Topology, clusterDomain = DEFAULT_CLUSTER_DOMAIN): ServiceContext {
  const layer = serviceLayerOf(cluster, topology);
  const zone = zoneOf(layer, topology.namespaces.keys(), clusterDomain);
  const index = new Map<string, number>(topology.subjects.map((s, i) => [s.id, i]));
  const subjectOf = (i: PodInstance): number | undefined => index.get(i.origin.type === "Pod" ? i.origin.id : i.origin.workloadId);
  const instanceBySubject = new Map<number, PodInstance>();
  for (const i of layer.instances) {
    const n = subjectOf(i);
    if (n !== undefined && !instanceBySubject.has(n)) instanceBySubject.set(n, i);
  }
  return {
    cluster,
    topology,
    policies: new PolicyIndex(cluster),
    layer,
    zone,
    partyOf(e) {
      const n = e.instance ? subjectOf(e.instance) : topology.subjects.findIndex((s: Subject) => s.ips.some((ip) => same(ip, e.address)));
      if (n !== undefined && n >= 0) return { type: "node", node: n, label: (topology.subjects[n] as Subject).id };
      return { type: "address", ip: e.address, label: formatIp(e.address) };
    },
    nodeOf(p) {
      if (p.type !== "node") return nodeByAddress(cluster.nodes, p.ip)?.name;
      const s = topology.subjects[p.node];
      // A template with several replicas runs on several nodes: no single node to name.
      return s?.nodeName ?? (s?.replicas === 1 ? instanceBySubject.get(p.node)?.nodeName : undefined);
    },
    instanceOf: (p) => (p.type === "node" ? instanceBySubject.get(p.node) : undefined),
  };
}

export function nodeByAddress(nodes: readonly Node[], ip: Ip): Node | undefined {
  return nodes.find((n) => nodeAddresses(n).some((x) => same(x, ip)));
}
