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
import type { Cluster, Ip } from "../model/index.js";
import { compileGeneralTable, compilePolicyTables, type GeneralPod, type GeneralPolicyInput, type Table } from "../nft/index.js";
import { enforcedTiers } from "../policy/index.js";
import { nftPods } from "./model.js";

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

/** The policy tables of one lab node: the dialect's general tiers, or the Kubernetes tiers. */
export function nodePolicyTables(cluster: Cluster, node: string): Table[] {
  const general = generalPolicyInput(cluster);
  if (general !== undefined) return [compileGeneralTable(general, node, labPolicyModel(cluster) === "calico" ? "Calico" : "Cilium")];
  return compilePolicyTables({ policies: cluster.networkPolicies, clusterPolicies: cluster.clusterPolicies, pods: nftPods(cluster) }, node);
}
