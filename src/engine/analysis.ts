/**
 * @module analysis
 * What an engine answers, whichever engine it is: allowed ports per class pair, and for one
 * pair of endpoints the full explanation (isolating policies, allowing rules, ports).
 */
import { ALL_PORTS, intersectPorts, isEmptyPorts, type PolicyType, type PortSet, type RuleAction, type SourceRef } from "../model/index.js";
import type { Fold, RuleOrigin, TierName } from "../policy/index.js";
import type { PortSetTable } from "./port-table.js";
import type { Topology } from "./topology.js";

export type EngineName = "fast" | "reference";

export interface RuleRef {
  /** `namespace/name` of a NetworkPolicy, `name` of a cluster-scoped policy. */
  readonly policy: string;
  /** NetworkPolicy, an ANP/BANP/ClusterNetworkPolicy kind, or a Calico/Cilium kind ("GlobalNetworkPolicy (Calico)"). */
  readonly kind: RuleOrigin["kind"] | (string & {});
  /** Admin, NetworkPolicy, Baseline; or a Calico tier name / cilium-deny / cilium-allow. */
  readonly tier: TierName | (string & {});
  readonly action: RuleAction;
  /** Cluster policies: 0–1000, lower first. */
  readonly priority?: number;
  /** Calico policies: spec.order (absent = last in its tier). */
  readonly order?: number;
  /** The rule's `name`, when it has one. */
  readonly name?: string;
  readonly direction: PolicyType;
  /** Index of the rule in spec.ingress / spec.egress. */
  readonly index: number;
  readonly source: SourceRef;
  /** The ports this rule admits toward the pair's destination (named ports resolved). */
  readonly ports: PortSet;
}

export interface DirectionVerdict {
  /** False when NetworkPolicy cannot apply (address outside the cluster, hostNetwork pod). */
  readonly policed: boolean;
  /** Policies that select the pod for this direction, sorted. Empty ⇒ not isolated. */
  readonly isolatedBy: readonly string[];
  /** Rules whose peer matches and that admit at least one port, sorted. */
  readonly allowedBy: readonly RuleRef[];
  /** Deny rules (admin/baseline tiers) that decided at least one port, in evaluation order. */
  readonly deniedBy: readonly RuleRef[];
  /** Pass rules that handed at least one port to the next tier, in evaluation order. */
  readonly passedBy: readonly RuleRef[];
  readonly ports: PortSet;
  /** Why this verdict may be wrong (a rule with a peer kwire does not model decided it). */
  readonly uncertain: readonly string[];
}

export interface PairExplanation {
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** egress.ports ∩ ingress.ports */
  readonly ports: PortSet;
}

export interface Analysis {
  readonly engine: EngineName;
  readonly topology: Topology;
  /** Nodes are subjects (0 … S-1) then external cells (S … S+C-1). */
  readonly nodeCount: number;
  readonly classOf: Int32Array;
  readonly classCount: number;
  readonly ports: PortSetTable;
  /** Port-set id allowed from a node of class `a` to a different node of class `b`. */
  classPortsId(a: number, b: number): number;
  /** `out[b] = classPortsId(a, b)` for every class b, in bulk. */
  classRow(a: number, out: Uint32Array): void;
  explain(src: number, dst: number): PairExplanation;
  isolated(node: number, direction: PolicyType): boolean;
}

const TIER_ORDER: Readonly<Record<string, number>> = { Admin: 0, NetworkPolicy: 1, Baseline: 2 };

export function compareRuleRefs(a: RuleRef, b: RuleRef): number {
  return (
    (TIER_ORDER[a.tier] ?? 3) - (TIER_ORDER[b.tier] ?? 3) ||
    (a.priority ?? 0) - (b.priority ?? 0) ||
    (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0) ||
    a.kind.localeCompare(b.kind) ||
    a.direction.localeCompare(b.direction) ||
    a.index - b.index
  );
}

export function ruleRef(o: RuleOrigin, ports: PortSet): RuleRef {
  return {
    policy: o.policy,
    kind: o.kind,
    tier: o.tier,
    action: o.action,
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    direction: o.direction,
    index: o.index,
    source: o.source,
    ports,
  };
}

/**
 * A direction's verdict from its tiered fold (both engines build it here, so they agree by
 * construction on the shape). NetworkPolicy rules are a union: every matching rule is listed with
 * all the ports it admits; cluster-policy rules are listed with the ports they decided.
 */
export function verdictOfFold(fold: Fold<PortSet>, npIsolatedBy: readonly string[], npMatched: readonly { readonly origin: RuleOrigin; readonly ports: PortSet }[]): DirectionVerdict {
  const allowedBy: RuleRef[] = [];
  const deniedBy: RuleRef[] = [];
  const passedBy: RuleRef[] = [];
  const uncertain = new Set<string>();
  for (const t of fold.tiers) {
    for (const d of t.decisions) {
      const o = d.origin;
      if (!o) continue;
      if (o.unmodelled !== undefined) uncertain.add(`${o.kind} ${o.policy} ${o.direction.toLowerCase()}[${o.index}]: ${o.unmodelled}`);
      if (o.tier === "NetworkPolicy") continue;
      const r = ruleRef(o, d.ports);
      (d.action === "Allow" ? allowedBy : d.action === "Deny" ? deniedBy : passedBy).push(r);
    }
  }
  const np = fold.tiers.find((t) => t.tier === "NetworkPolicy");
  if (np) allowedBy.push(...npAllowRefs(npMatched, np.entered));
  allowedBy.sort(compareRuleRefs);
  return { policed: true, isolatedBy: [...npIsolatedBy].sort(), allowedBy, deniedBy, passedBy, ports: fold.allowed, uncertain: [...uncertain].sort() };
}

/** NetworkPolicy allow rules as the union semantics lists them: every match, with all its ports. */
export function npAllowRefs(matched: readonly { readonly origin: RuleOrigin; readonly ports: PortSet }[], entered: PortSet): RuleRef[] {
  const out: RuleRef[] = [];
  for (const m of matched) {
    const p = intersectPorts(m.ports, entered);
    if (!isEmptyPorts(p)) out.push(ruleRef(m.origin, p));
  }
  return out;
}


export const policyId = (p: { readonly namespace: string; readonly name: string }): string => `${p.namespace}/${p.name}`;

export const UNPOLICED: DirectionVerdict = { policed: false, isolatedBy: [], allowedBy: [], deniedBy: [], passedBy: [], ports: ALL_PORTS, uncertain: [] };
