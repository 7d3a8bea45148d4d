/**
 * @module tiers
 * The one tiered policy model every evaluator reads. A direction (ingress at the destination,
 * egress at the source) is decided by ordered tiers:
 *
 *   Admin tier     AdminNetworkPolicy + ClusterNetworkPolicy tier Admin: priority ascending
 *                  (then name), rules in written order; first match decides; Pass skips the
 *                  rest of the tier.
 *   NetworkPolicy  v1 NetworkPolicy: if any policy selects the pod for the direction, the union
 *                  of their Allow rules is allowed and everything else is denied ("isolating").
 *   Baseline tier  BaselineAdminNetworkPolicy + ClusterNetworkPolicy tier Baseline, as Admin.
 *   default        allow.
 *
 * Per port the fold is: go through the rules in order; matched = rule ports ∩ remaining in the
 * tier; Allow adds matched to allowed, Deny adds nothing, Pass hands matched to the next tier;
 * remaining −= matched. (ClusterNetworkPolicySpec.tier and .priority, network-policy-api
 * v1alpha2; AdminNetworkPolicy "Pass" in v1alpha1.) An Allow (v1alpha2 "Accept") ends the
 * direction only: an egress Allow still needs ingress at the destination.
 */
import {
  ALL_PORTS,
  EMPTY_PORTS,
  intersectPorts,
  isEmptyPorts,
  subtractPorts,
  unionPorts,
  clusterRulesOf,
  selectorMatches,
  type ClusterPolicy,
  type ClusterPolicyKind,
  type ClusterTier,
  type PolicyType,
  type PortSet,
  type RuleAction,
  type SourceRef,
} from "../model/index.js";
import type { PodIdentity } from "./semantics.js";

export type TierName = "Admin" | "NetworkPolicy" | "Baseline";

/** Where a rule comes from: enough to name it in a trace, a matrix cell and the JSON. */
export interface RuleOrigin {
  readonly kind: "NetworkPolicy" | ClusterPolicyKind;
  /** `namespace/name` for NetworkPolicy, `name` for cluster-scoped kinds. */
  readonly policy: string;
  readonly tier: TierName;
  /** Cluster policies only. */
  readonly priority?: number;
  readonly action: RuleAction;
  readonly direction: PolicyType;
  readonly index: number;
  readonly name?: string;
  readonly source: SourceRef;
  /** A peer of the rule is not modelled (domainNames, unknown peer, nodes without Node objects). */
  readonly unmodelled?: string;
}

/** "host-networked pods are not included in subject selection" (ClusterNetworkPolicySubject). */
export function clusterPolicySelects(p: ClusterPolicy, pod: PodIdentity): boolean {
  return !pod.hostNetwork && selectorMatches(p.subject.namespaces, pod.namespaceLabels) && selectorMatches(p.subject.pods, pod.labels);
}

/** Evaluation order inside a tier: priority ascending, then name (the API leaves equal priorities undefined). */
export function compareClusterPolicies(a: ClusterPolicy, b: ClusterPolicy): number {
  return a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind.localeCompare(b.kind));
}

/** The cluster policies of one tier in evaluation order. */
export function tierPolicies(all: readonly ClusterPolicy[], tier: ClusterTier): ClusterPolicy[] {
  return all.filter((p) => p.tier === tier).sort(compareClusterPolicies);
}

export function clusterRuleOrigin(p: ClusterPolicy, direction: PolicyType, index: number): RuleOrigin {
  const r = clusterRulesOf(p, direction)[index];
  if (!r) throw new Error(`${p.name} has no ${direction} rule ${index}`);
  return {
    kind: p.kind,
    policy: p.name,
    tier: p.tier,
    priority: p.priority,
    action: r.action,
    direction,
    index,
    ...(r.name !== undefined ? { name: r.name } : {}),
    source: r.rule.source,
    ...(r.unmodelled !== undefined ? { unmodelled: r.unmodelled } : {}),
  };
}

export function npRuleOrigin(policy: { readonly namespace: string; readonly name: string }, direction: PolicyType, index: number, source: SourceRef): RuleOrigin {
  return { kind: "NetworkPolicy", policy: `${policy.namespace}/${policy.name}`, tier: "NetworkPolicy", action: "Allow", direction, index, source };
}

/** Port-set operations the fold needs (PortSet values or interned ids). */
export interface PortOps<P> {
  readonly all: P;
  readonly empty: P;
  union(a: P, b: P): P;
  intersect(a: P, b: P): P;
  subtract(a: P, b: P): P;
  isEmpty(a: P): boolean;
}

/** A rule of a tier whose peer matched the other party, with the ports it names toward the destination. */
export interface MatchedRule<P, O extends { readonly action: RuleAction } = RuleOrigin> {
  readonly origin: O;
  readonly ports: P;
}

export interface TierInput<P, O extends { readonly action: RuleAction } = RuleOrigin> {
  readonly tier: TierName;
  /** NetworkPolicy tier only: selected ⇒ everything the rules do not allow is denied. */
  readonly isolating: boolean;
  /** Policies of the tier that select the pod (for the trace). */
  readonly selectedBy: readonly string[];
  readonly matched: readonly MatchedRule<P, O>[];
}

export interface Decision<P, O extends { readonly action: RuleAction } = RuleOrigin> {
  readonly origin: O | undefined;
  readonly action: RuleAction;
  /** The ports this rule decided (matched ∩ what was still open in its tier). */
  readonly ports: P;
}

export interface TierOutcome<P, O extends { readonly action: RuleAction } = RuleOrigin> {
  readonly tier: TierName;
  readonly selectedBy: readonly string[];
  readonly decisions: readonly Decision<P, O>[];
  /** What entered the tier undecided. */
  readonly entered: P;
}

export interface Fold<P, O extends { readonly action: RuleAction } = RuleOrigin> {
  readonly allowed: P;
  /** Ports no tier decided: allowed by the default. */
  readonly byDefault: P;
  readonly tiers: readonly TierOutcome<P, O>[];
}

/** The tiered fold of one direction, restricted to `want` (ALL for a matrix cell). */
export function foldTiers<P, O extends { readonly action: RuleAction } = RuleOrigin>(tiers: readonly TierInput<P, O>[], ops: PortOps<P>, want: P = ops.all): Fold<P, O> {
  let undecided = want;
  let allowed = ops.empty;
  const outcomes: TierOutcome<P, O>[] = [];
  for (const t of tiers) {
    const entered = undecided;
    let remaining = undecided;
    const decisions: Decision<P, O>[] = [];
    for (const m of t.matched) {
      if (ops.isEmpty(remaining)) break;
      const hit = ops.intersect(m.ports, remaining);
      if (ops.isEmpty(hit)) continue;
      remaining = ops.subtract(remaining, hit);
      decisions.push({ origin: m.origin, action: m.origin.action, ports: hit });
      if (m.origin.action === "Pass") continue;
      undecided = ops.subtract(undecided, hit);
      if (m.origin.action === "Allow") allowed = ops.union(allowed, hit);
    }
    if (t.isolating && !ops.isEmpty(undecided)) {
      decisions.push({ origin: undefined, action: "Deny", ports: undecided });
      undecided = ops.empty;
    }
    // A tier nothing reached (every port decided above it) is left out of the outcome.
    if (!ops.isEmpty(entered) && (t.matched.length > 0 || t.isolating || t.selectedBy.length > 0)) outcomes.push({ tier: t.tier, selectedBy: t.selectedBy, decisions, entered });
  }
  return { allowed: ops.union(allowed, undecided), byDefault: undecided, tiers: outcomes };
}

export const PORT_SET_OPS: PortOps<PortSet> = {
  all: ALL_PORTS,
  empty: EMPTY_PORTS,
  union: unionPorts,
  intersect: intersectPorts,
  subtract: subtractPorts,
  isEmpty: isEmptyPorts,
};
