/**
 * @module general-tier
 * Ordered tiers with names, orders and default actions: the generalisation of tiers.ts's three
 * fixed tiers (Admin, NetworkPolicy, Baseline) that Calico (any number of tiers, Log, Pass,
 * defaultAction) and Cilium (deny-wins, default deny once selected) translate into.
 *
 * A direction of a connection (ingress at the destination, egress at the source) is decided by:
 *   for each tier in order (`order` ascending, none = last, then name):
 *     the tier counts only if one of its policies selects the endpoint and isolates the direction;
 *     rules of the selecting policies, in policy order then written order:
 *       Allow / Deny decide; Log goes on; Pass hands the traffic to the next tier;
 *     at the end of a counted tier: defaultAction Deny denies what is left, Pass hands it on;
 *   after the last tier: allow (Kubernetes profile / no policy).
 * Per port, as tiers.ts's fold: matched = rule ports ∩ remaining in the tier.
 *
 * Policies and rules are plain data with a dialect discriminant; the predicates that read them
 * live in calico-tiers.ts, cilium-tiers.ts and (for NetworkPolicy and the network-policy-api
 * kinds) semantics.ts / tiers.ts, dispatched by `dialect` in tier-eval.ts.
 */
import { formatSource, type CalicoPolicy, type CalicoRule, type CiliumRule, type CiliumRuleSet, type ClusterPolicy, type ClusterPolicyRule, type NetworkPolicy, type PolicyRule, type PolicyType, type SourceRef } from "../model/index.js";
import type { PortOps } from "./tiers.js";

export type GeneralAction = "Allow" | "Deny" | "Pass" | "Log";

/** Who a policy applies to, in its own dialect. */
export type GeneralSubject =
  | { readonly dialect: "calico"; readonly policy: CalicoPolicy }
  | { readonly dialect: "networkpolicy"; readonly policy: NetworkPolicy }
  | { readonly dialect: "cluster"; readonly policy: ClusterPolicy }
  | { readonly dialect: "cilium"; readonly set: CiliumRuleSet; readonly namespace: string | undefined };

/** What a rule matches (peer, ports), in its own dialect. */
export type GeneralMatch =
  | { readonly dialect: "calico"; readonly rule: CalicoRule; readonly policyNamespace: string | undefined }
  | {
      readonly dialect: "networkpolicy";
      readonly rule: PolicyRule;
      readonly policyNamespace: string;
      /**
       * Which addresses an ipBlock peer matches: "all" (the API text; Calico), or "world" only —
       * Cilium "first classifies traffic into whether it is inside the cluster or outside the
       * cluster, and then applies IP/CIDR matches for traffic outside the cluster"
       * (cilium/cilium#35212, #9209: ipBlock never matches pod or node IPs).
       */
      readonly ipBlockScope: "all" | "world";
    }
  | { readonly dialect: "cluster"; readonly rule: ClusterPolicyRule }
  | { readonly dialect: "cilium"; readonly rule: CiliumRule };

export interface GeneralPolicyOrigin {
  readonly kind: string;
  /** `namespace/name` for namespaced kinds, `name` for cluster-scoped ones. */
  readonly policy: string;
  readonly namespace: string | undefined;
  /** The name the tier sorts by (Calico: `knp.default.<name>` for a Kubernetes NetworkPolicy). */
  readonly sortName: string;
  readonly tier: string;
  /** undefined = +Inf (last in its tier). */
  readonly order: number | undefined;
  readonly source: SourceRef;
}

export interface GeneralRuleOrigin {
  readonly kind: string;
  readonly policy: string;
  readonly tier: string;
  readonly order: number | undefined;
  readonly action: GeneralAction;
  readonly direction: PolicyType;
  readonly index: number;
  readonly source: SourceRef;
  /** Parts kwire reads but does not model (L7, FQDN, source ports…): the verdict is uncertain. */
  readonly unmodelled?: string;
  /** The spec field the rule is in when it is not `ingress`/`egress` (Cilium `ingressDeny`, `egressDeny`). */
  readonly field?: string;
  /** Parts read and not modelled that cannot change the connection's verdict (Cilium L7 rules): shown, not uncertain. */
  readonly note?: string;
}

export interface GeneralRule {
  readonly origin: GeneralRuleOrigin;
  readonly match: GeneralMatch;
}

export interface GeneralPolicy {
  readonly origin: GeneralPolicyOrigin;
  readonly subject: GeneralSubject;
  /** Directions whose selection makes the tier count (Calico `types`; Cilium enableDefaultDeny). */
  readonly isolates: { readonly Ingress: boolean; readonly Egress: boolean };
  /** Directions whose rules apply (Calico: = isolates; Cilium: always). */
  readonly governs: { readonly Ingress: boolean; readonly Egress: boolean };
  readonly ingress: readonly GeneralRule[];
  readonly egress: readonly GeneralRule[];
}

export interface GeneralTier {
  readonly name: string;
  /** undefined = applied last. */
  readonly order: number | undefined;
  readonly defaultAction: "Deny" | "Pass";
  /** In evaluation order. */
  readonly policies: readonly GeneralPolicy[];
}

export function generalRulesOf(p: GeneralPolicy, direction: PolicyType): readonly GeneralRule[] {
  return direction === "Ingress" ? p.ingress : p.egress;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** felix calc/policy_sorter.go TierLess: order ascending, no order last, then name. */
export function compareGeneralTiers(a: { readonly name: string; readonly order: number | undefined }, b: { readonly name: string; readonly order: number | undefined }): number {
  if (a.order === undefined && b.order !== undefined) return 1;
  if (a.order !== undefined && b.order === undefined) return -1;
  if (a.order !== undefined && b.order !== undefined && a.order !== b.order) return a.order - b.order;
  return byName(a.name, b.name);
}

/**
 * felix PolKVLess: order ascending (none = +Inf, equal to itself), then name. kwire breaks a
 * remaining tie (the same name in two namespaces, or two kinds) by namespace then kind so the
 * order is total and deterministic.
 */
export function compareGeneralPolicies(a: GeneralPolicyOrigin, b: GeneralPolicyOrigin): number {
  const oa = a.order ?? Number.POSITIVE_INFINITY;
  const ob = b.order ?? Number.POSITIVE_INFINITY;
  if (oa !== ob) return oa < ob ? -1 : 1;
  return byName(a.sortName, b.sortName) || byName(a.namespace ?? "", b.namespace ?? "") || byName(a.kind, b.kind);
}

/** A rule of a tier whose peer matched, with the ports it names. */
export interface GeneralMatched<P> {
  readonly origin: GeneralRuleOrigin;
  readonly ports: P;
}

export interface GeneralTierInput<P> {
  readonly tier: string;
  readonly defaultAction: "Deny" | "Pass";
  /** Policies of the tier that select the endpoint and isolate the direction. */
  readonly selectedBy: readonly string[];
  readonly matched: readonly GeneralMatched<P>[];
}

export interface GeneralDecision<P> {
  /** undefined: the tier's defaultAction. */
  readonly origin: GeneralRuleOrigin | undefined;
  readonly action: GeneralAction;
  readonly ports: P;
}

export interface GeneralTierOutcome<P> {
  readonly tier: string;
  readonly selectedBy: readonly string[];
  readonly decisions: readonly GeneralDecision<P>[];
  readonly entered: P;
}

export interface GeneralFold<P> {
  readonly allowed: P;
  /** Ports no tier decided: allowed after the last tier. */
  readonly byDefault: P;
  readonly tiers: readonly GeneralTierOutcome<P>[];
}

/**
 * The fold of one direction over counted tiers (inputs with no selecting policy are skipped:
 * "a tier counts only when one of its policies selects the endpoint for that direction").
 */
export function foldGeneralTiers<P>(tiers: readonly GeneralTierInput<P>[], ops: PortOps<P>, want: P = ops.all): GeneralFold<P> {
  let undecided = want;
  let allowed = ops.empty;
  const outcomes: GeneralTierOutcome<P>[] = [];
  for (const t of tiers) {
    if (t.selectedBy.length === 0 || ops.isEmpty(undecided)) continue;
    const entered = undecided;
    let remaining = undecided;
    const decisions: GeneralDecision<P>[] = [];
    for (const m of t.matched) {
      if (ops.isEmpty(remaining)) break;
      const hit = ops.intersect(m.ports, remaining);
      if (ops.isEmpty(hit)) continue;
      decisions.push({ origin: m.origin, action: m.origin.action, ports: hit });
      if (m.origin.action === "Log") continue;
      remaining = ops.subtract(remaining, hit);
      if (m.origin.action === "Pass") continue;
      undecided = ops.subtract(undecided, hit);
      if (m.origin.action === "Allow") allowed = ops.union(allowed, hit);
    }
    if (t.defaultAction === "Deny" && !ops.isEmpty(remaining)) {
      decisions.push({ origin: undefined, action: "Deny", ports: remaining });
      undecided = ops.subtract(undecided, remaining);
    } else if (!ops.isEmpty(remaining)) decisions.push({ origin: undefined, action: "Pass", ports: remaining });
    outcomes.push({ tier: t.tier, selectedBy: t.selectedBy, decisions, entered });
  }
  return { allowed: ops.union(allowed, undecided), byDefault: undecided, tiers: outcomes };
}

/** One line for a trace: `tier security: GlobalNetworkPolicy (Calico) security.db (order 10) ingress[1] Deny — f.yaml:12:5`. */
export function formatGeneralDecision(tier: string, d: GeneralDecision<unknown>): string {
  const o = d.origin;
  if (!o) return `tier ${tier}: no rule matched — the tier's default action ${d.action}`;
  const order = o.order === undefined ? "" : ` (order ${o.order})`;
  const note = (o.unmodelled ? ` [uncertain: ${o.unmodelled}]` : "") + (o.note ? ` [${o.note}]` : "");
  return `tier ${tier}: ${o.kind} ${o.policy}${order} ${o.field ?? o.direction.toLowerCase()}[${o.index}] ${o.action} — ${formatSource(o.source)}${note}`;
}
