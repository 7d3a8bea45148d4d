/**
 * @module lab/general-policy
 * Which policy table a lab node loads: when the cluster's CNI enforces its own policy model
 * (`Cluster.policyDialect`, set by analyzeCluster for Calico or Cilium) the general-tier compiler
 * (nft/compile-general.ts) over the same enforced tiers the engines fold; otherwise the
 * Kubernetes tiers (nft/compile-policy.ts). The compiler's universe comes from the model: the
 * pods of the lab cluster with their service accounts, the node and API-server addresses, and
 * the engine's cells of the outside world.
 */
import { buildTopology } from "../engine/index.js";
import { parseIp, type Cluster, type Ip, type Node } from "../model/index.js";
import { compileGeneralTable, compilePolicyTables, type GeneralPod, type GeneralPolicyInput, type Table } from "../nft/index.js";
import { enforcedTiers } from "../policy/index.js";
import { DEFAULT_LAB_BACKEND, vtepIp6, type LabBackend } from "./backends.js";
import { nftPods } from "./model.js";
import type { LabNode } from "./plan.js";
import { labNodeObject } from "./service-cells.js";

/** Which compiler made a node's policy table: `kubernetes` (NetworkPolicy + ANP/BANP/CNP tiers) or the dialect's. */
export type LabPolicyModel = "kubernetes" | "calico" | "cilium";

export function labPolicyModel(cluster: Cluster): LabPolicyModel {
  return cluster.policyDialect ?? "kubernetes";
}

/** Node and API-server addresses: what `enforcedTiers(cluster).peerOfAddress` names host / remote-node / kube-apiserver. */
function specialAddresses(cluster: Cluster): Ip[] {
  const out: Ip[] = [];
  for (const n of cluster.nodes) out.push(...n.internalIPs, ...n.externalIPs);
  for (const s of cluster.endpointSlices) if (s.namespace === "default" && s.serviceName === "kubernetes") for (const e of s.endpoints) out.push(...e.addresses);
  return out;
}

/** The general compiler's input for a cluster with a policy dialect (undefined without one). */
export function generalPolicyInput(cluster: Cluster): GeneralPolicyInput | undefined {
  const enforced = enforcedTiers(cluster);
  if (enforced === undefined) return undefined;
  const topology = buildTopology(cluster);
  const sa = new Map(topology.subjects.map((s) => [s.id, s.serviceAccount]));
  const pods: GeneralPod[] = nftPods(cluster).map((p) => ({ ...p, name: p.id.slice(p.id.indexOf("/") + 1), serviceAccount: sa.get(p.id) }));
  return { enforced, pods, addresses: specialAddresses(cluster), world: topology.cells };
}

/**
 * A lab node as Calico and Cilium see it: `labNodeObject` plus the IPv6 addresses its own packets
 * leave with (the uplink's; on vxlan also the VTEP's, which routes to other nodes' IPv6 pods), so
 * host / remote-node and the world are told apart over IPv6 as over IPv4.
 */
function dialectNode(n: LabNode, backend: LabBackend): Node {
  const o = labNodeObject(n, backend);
  const six = [n.transitIp6, backend === "vxlan" ? vtepIp6(n) : undefined].flatMap((t) => (t === undefined ? [] : (parseIp(t) ?? [])));
  const seen = new Set(o.internalIPs.map((ip) => `${ip.family}:${ip.value}`));
  return { ...o, internalIPs: [...o.internalIPs, ...six.filter((ip) => !seen.has(`${ip.family}:${ip.value}`))] };
}

/**
 * The policy tables of each lab node: the dialect's general tiers, or the Kubernetes tiers. Under
 * a dialect the node addresses are the lab's (as `labServiceContext` gives the Service
 * predictions): Cilium's host / remote-node are the addresses the lab's nodes really use.
 */
export function labPolicyTables(lab: Cluster, nodes: readonly LabNode[], backend: LabBackend = DEFAULT_LAB_BACKEND): (node: string) => Table[] {
  const general = lab.policyDialect === undefined ? undefined : generalPolicyInput({ ...lab, nodes: nodes.map((n) => dialectNode(n, backend)) });
  if (general !== undefined) {
    const dialect = labPolicyModel(lab) === "calico" ? "Calico" : "Cilium";
    return (node) => [compileGeneralTable(general, node, dialect)];
  }
  const input = { policies: lab.networkPolicies, clusterPolicies: lab.clusterPolicies, pods: nftPods(lab) };
  return (node) => compilePolicyTables(input, node);
}
