/**
 * @module cluster-policy
 * Cluster-scoped, ordered policies of the network-policy-api project, decoded into one shape:
 * policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy (Admin tier) and
 * BaselineAdminNetworkPolicy (Baseline tier), and policy.networking.k8s.io/v1alpha2
 * ClusterNetworkPolicy (either tier). Every API quirk is decided by the decoder
 * (src/parse/kinds/cluster-network-policy.ts); rules reuse NetworkPolicy's peer and port
 * variants, so the selector index and the port resolution serve every kind.
 *
 * Semantics restated (ClusterNetworkPolicySpec.tier, network-policy-api v1alpha2): tiers are
 * evaluated Admin, then NetworkPolicy, then Baseline, then the default (allow). Within a tier
 * lower `priority` first, rules in written order; the first rule that matches decides: Allow
 * (v1alpha2 "Accept") and Deny end evaluation for the direction, Pass skips the rest of the
 * tier. Selecting a pod does not isolate it.
 */
import type { LabelSelector } from "./label-selector.js";
import type { PolicyRule, PolicyType } from "./network-policy.js";
import type { SourceRef } from "./source-ref.js";

export type RuleAction = "Allow" | "Deny" | "Pass";
export type ClusterTier = "Admin" | "Baseline";
export type ClusterPolicyKind = "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "ClusterNetworkPolicy";

/** The pods a cluster policy applies to: namespaces AND pods (hostNetwork pods never). */
export interface ClusterPolicySubject {
  readonly namespaces: LabelSelector;
  readonly pods: LabelSelector;
}

export interface ClusterPolicyRule {
  readonly name: string | undefined;
  readonly action: RuleAction;
  /** Peers as NetworkPolicy peers (namespaces/pods → Pods with a namespace selector; networks/nodes → IPBlock). */
  readonly rule: PolicyRule;
  /**
   * Set when a peer is not modelled (domainNames) or unknown: what kwire did instead, for the
   * "uncertain" mark. Unknown peers fail closed (Allow: match nothing; Deny/Pass: match all).
   */
  readonly unmodelled?: string;
  /**
   * A peer kwire cannot resolve to addresses (domainNames; nodes without Node objects in the
   * input) matches none in the model, yet may match addresses outside the cluster or a node's
   * (policy/unresolved-peers.ts): set with `unmodelled`, which says which.
   */
  readonly unresolvedPeer?: true;
}

export interface ClusterPolicy {
  readonly kind: ClusterPolicyKind;
  readonly apiVersion: string;
  readonly name: string;
  readonly tier: ClusterTier;
  /** 0–1000, lower first. BaselineAdminNetworkPolicy has none: 0. */
  readonly priority: number;
  readonly subject: ClusterPolicySubject;
  readonly ingress: readonly ClusterPolicyRule[];
  readonly egress: readonly ClusterPolicyRule[];
  readonly source: SourceRef;
}

export function clusterRulesOf(p: ClusterPolicy, direction: PolicyType): readonly ClusterPolicyRule[] {
  return direction === "Ingress" ? p.ingress : p.egress;
}
