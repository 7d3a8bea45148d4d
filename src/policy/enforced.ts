/**
 * @module enforced
 * The general tiers a cluster's CNI enforces, when that CNI has a policy model of its own
 * (`Cluster.policyDialect`): Calico (every Tier, Calico policy, Kubernetes NetworkPolicy and
 * ANP/BANP/ClusterNetworkPolicy placed as Calico places them) or Cilium (deny tier, then allow
 * tier with CNPs, CCNPs and NetworkPolicies). Without a dialect the engines evaluate the
 * Kubernetes tiers of tiers.ts directly. Built once per Cluster object.
 */
import { ipSetOfCidr, type Cluster, type Ip, type IpSet, type Labels } from "../model/index.js";
import { calicoTiers, type CalicoInput } from "./calico-tiers.js";
import { ciliumTiers } from "./cilium-tiers.js";
import type { GeneralTier } from "./general-tier.js";
import { kubernetesTiers } from "./kubernetes-tiers.js";
import type { PolicyEndpoint, PolicyPeer } from "./party.js";
import type { TierEvalContext } from "./tier-eval.js";

export interface EnforcedTiers {
  readonly tiers: readonly GeneralTier[];
  /** What kwire guessed or what the CNI would reject (a policy in a tier with no Tier object). */
  readonly notes: readonly string[];
  readonly context: TierEvalContext;
  /** An address's identity beyond "outside the cluster": node (host / remote-node) or API server. */
  readonly peerOfAddress: (ip: Ip, local: PolicyEndpoint | undefined) => PolicyPeer;
}

/** Calico's input from a cluster (staged kinds included: calicoTiers leaves them out). */
export function calicoInputOf(cluster: Cluster): CalicoInput {
  return {
    policies: cluster.calico?.policies ?? [],
    tiers: cluster.calico?.tiers ?? [],
    networkPolicies: cluster.networkPolicies,
    clusterPolicies: cluster.clusterPolicies,
    networkSets: cluster.calico?.networkSets ?? [],
  };
}

const built = new WeakMap<Cluster, EnforcedTiers>();

/** undefined when the cluster has no policy dialect (the engines then evaluate tiers.ts directly). */
export function enforcedTiers(cluster: Cluster): EnforcedTiers | undefined {
  return cluster.policyDialect === undefined ? undefined : generalTiersOf(cluster);
}

/**
 * The tiers that decide, always as general tiers: the dialect's, or the API's own three
 * (kubernetesTiers) — what needs flows beyond ports (ICMP) evaluates these.
 */
export function generalTiersOf(cluster: Cluster): EnforcedTiers {
  let e = built.get(cluster);
  if (!e) {
    e = compute(cluster);
    built.set(cluster, e);
  }
  return e;
}

function ipKey(ip: Ip): string {
  return `${ip.family}:${ip.value}`;
}

function compute(cluster: Cluster): EnforcedTiers {
  const nsLabels = new Map(cluster.namespaces.map((n) => [n.name, n.labels]));
  const namespaceLabels = (ns: string): Labels => nsLabels.get(ns) ?? { "kubernetes.io/metadata.name": ns };
  const context: TierEvalContext = { networkSets: cluster.calico?.networkSets ?? [], namespaceLabels };
  const nodeOf = new Map<string, string>();
  for (const n of cluster.nodes) for (const ip of [...n.internalIPs, ...n.externalIPs]) nodeOf.set(ipKey(ip), n.name);
  const apiServer = new Set<string>();
  for (const s of cluster.endpointSlices) {
    if (s.namespace !== "default" || s.serviceName !== "kubernetes") continue;
    for (const e of s.endpoints) for (const ip of e.addresses) apiServer.add(ipKey(ip));
  }
  const peerOfAddress = (ip: Ip, local: PolicyEndpoint | undefined): PolicyPeer => {
    const k = ipKey(ip);
    if (apiServer.has(k)) return { type: "KubeAPIServer", ip };
    const node = nodeOf.get(k);
    if (node !== undefined) return local?.nodeName === node ? { type: "Host", ip } : { type: "RemoteNode", ip };
    return { type: "World", ip };
  };
  if (cluster.policyDialect === undefined) return { tiers: kubernetesTiers(cluster.networkPolicies, cluster.clusterPolicies), notes: [], context, peerOfAddress };
  if (cluster.policyDialect === "calico") {
    const t = calicoTiers(calicoInputOf(cluster));
    return { tiers: t.tiers, notes: t.notes, context, peerOfAddress };
  }
  return { tiers: ciliumTiers(cluster.ciliumPolicies ?? [], cluster.networkPolicies), notes: [], context, peerOfAddress };
}

/**
 * Address sets the enforced dialect distinguishes, for the partition of the outside world:
 * Calico nets/notNets and NetworkSets, Cilium CIDRs (cidr minus except), and every node and
 * API-server address as a single address (Cilium's host / remote-node / kube-apiserver).
 */
export function dialectIpSets(cluster: Cluster): IpSet[] {
  if (cluster.policyDialect === undefined) return [];
  const out: IpSet[] = [];
  const single = (ip: Ip): IpSet => ({ family: ip.family, intervals: [{ lo: ip.value, hi: ip.value }] });
  for (const n of cluster.nodes) for (const ip of [...n.internalIPs, ...n.externalIPs]) out.push(single(ip));
  for (const s of cluster.endpointSlices) if (s.namespace === "default" && s.serviceName === "kubernetes") for (const e of s.endpoints) for (const ip of e.addresses) out.push(single(ip));
  if (cluster.policyDialect === "calico") {
    for (const ns of cluster.calico?.networkSets ?? []) out.push(...ns.netSets);
    for (const p of cluster.calico?.policies ?? []) {
      for (const r of [...p.ingress, ...p.egress]) {
        for (const e of [r.source, r.destination]) out.push(...e.netSets, ...e.notNetSets, ...e.nets.map(ipSetOfCidr), ...e.notNets.map(ipSetOfCidr));
      }
    }
  } else {
    for (const p of cluster.ciliumPolicies ?? []) {
      for (const s of p.specs) for (const r of [...s.ingress, ...s.egress]) for (const c of r.cidrs) out.push(c.set, ipSetOfCidr(c.cidr));
    }
  }
  return out;
}

/**
 * How many policies decide (for summaries): NetworkPolicies under the Kubernetes tiers (as
 * before), or every policy of the dialect's tiers (Calico: its policies, Kubernetes
 * NetworkPolicies and cluster policies; Cilium: rule sets and NetworkPolicies).
 */
export function enforcedPolicyCount(cluster: Cluster): number {
  const e = enforcedTiers(cluster);
  if (!e) return cluster.networkPolicies.length;
  return new Set(e.tiers.flatMap((t) => t.policies.map((p) => `${p.origin.kind}/${p.origin.policy}`))).size;
}
