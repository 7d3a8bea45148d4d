/**
 * @module kubernetes-tiers
 * The Kubernetes kinds as general-tier policies (one builder each, shared by every dialect):
 * a NetworkPolicy is a policy of Allow rules that isolates the directions of its policyTypes; an
 * ANP/BANP/ClusterNetworkPolicy is a policy of ordered Allow/Deny/Pass rules that counts in a
 * direction when it has rules there. Calico places them in its tiers (calico-tiers.ts), Cilium in
 * its allow tier (cilium-tiers.ts); `kubernetesTiers` gives the API's own three tiers (Admin →
 * NetworkPolicy → Baseline, tiers.ts), which fold exactly like tiers.ts's model: Admin and
 * Baseline pass what no rule decided, the NetworkPolicy tier denies it.
 */
import { clusterRulesOf, type ClusterPolicy, type ClusterPolicyRule, type NetworkPolicy, type PolicyType } from "../model/index.js";
import { compareGeneralPolicies, type GeneralPolicy, type GeneralRule, type GeneralTier } from "./general-tier.js";
import { rulesOf } from "./semantics.js";
import { tierPolicies } from "./tiers.js";

export interface NetworkPolicyPlacement {
  readonly tier: string;
  readonly order: number | undefined;
  /** The name the tier sorts by (Calico: `knp.default.<name>`). */
  readonly sortName: string;
  /** "world": ipBlocks match only addresses outside the cluster (Cilium). */
  readonly ipBlockScope: "all" | "world";
}

export function networkPolicyAsGeneral(np: NetworkPolicy, at: NetworkPolicyPlacement): GeneralPolicy {
  const policy = `${np.namespace}/${np.name}`;
  const types = { Ingress: np.policyTypes.includes("Ingress"), Egress: np.policyTypes.includes("Egress") };
  const rules = (direction: PolicyType): GeneralRule[] =>
    types[direction]
      ? rulesOf(np, direction).map((rule, index) => ({
          origin: { kind: "NetworkPolicy", policy, tier: at.tier, order: at.order, action: "Allow", direction, index, source: rule.source },
          match: { dialect: "networkpolicy", rule, policyNamespace: np.namespace, ipBlockScope: at.ipBlockScope },
        }))
      : [];
  return {
    origin: { kind: "NetworkPolicy", policy, namespace: np.namespace, sortName: at.sortName, tier: at.tier, order: at.order, source: np.source },
    subject: { dialect: "networkpolicy", policy: np },
    isolates: types,
    governs: types,
    ingress: rules("Ingress"),
    egress: rules("Egress"),
  };
}

/**
 * A cluster policy in `tier`, ordered by priority. `convert` may rewrite or drop a rule (Calico's
 * conversion fails closed on rules it cannot convert); by default rules are kept as written.
 */
export function clusterPolicyAsGeneral(cp: ClusterPolicy, tier: string, convert: (r: ClusterPolicyRule) => ClusterPolicyRule | undefined = (r) => r): GeneralPolicy {
  const rules = (direction: PolicyType): GeneralRule[] =>
    clusterRulesOf(cp, direction).flatMap((written, index) => {
      const r = convert(written);
      if (!r) return [];
      return [{
        origin: { kind: cp.kind, policy: cp.name, tier, order: cp.priority, action: r.action, direction, index, source: r.rule.source, ...(r.unmodelled !== undefined ? { unmodelled: r.unmodelled } : {}) },
        match: { dialect: "cluster", rule: r },
      }];
    });
  const ingress = rules("Ingress");
  const egress = rules("Egress");
  const types = { Ingress: ingress.length > 0, Egress: egress.length > 0 };
  return {
    origin: { kind: cp.kind, policy: cp.name, namespace: undefined, sortName: cp.name, tier, order: cp.priority, source: cp.source },
    subject: { dialect: "cluster", policy: cp },
    isolates: types,
    governs: types,
    ingress,
    egress,
  };
}

/** The API's three tiers as general tiers (tiers.ts's order: priority, then name). */
export function kubernetesTiers(networkPolicies: readonly NetworkPolicy[], clusterPolicies: readonly ClusterPolicy[]): GeneralTier[] {
  const cluster = (tier: "Admin" | "Baseline"): GeneralPolicy[] => tierPolicies(clusterPolicies, tier).map((p) => clusterPolicyAsGeneral(p, tier));
  const nps = networkPolicies
    .map((np) => networkPolicyAsGeneral(np, { tier: "NetworkPolicy", order: undefined, sortName: `${np.namespace}/${np.name}`, ipBlockScope: "all" }))
    .sort((a, b) => compareGeneralPolicies(a.origin, b.origin));
  return [
    { name: "Admin", order: 0, defaultAction: "Pass", policies: cluster("Admin") },
    { name: "NetworkPolicy", order: 1, defaultAction: "Deny", policies: nps },
    { name: "Baseline", order: 2, defaultAction: "Pass", policies: cluster("Baseline") },
  ];
}
