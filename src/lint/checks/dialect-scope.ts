/**
 * @module dialect-scope
 * What the Calico / Cilium lint checks share: the enforced general tiers of the dialect the
 * analysis uses (LintContext.enforced), the endpoints policies can select (the input's pods and
 * workload templates, hostNetwork excluded: they are host endpoints) and every party they can
 * meet (those endpoints, plus one address per outside-world cell of the engine's partition —
 * node, API-server and world addresses alike). The checks judge a rule by its flows toward these
 * parties (tier-eval `ruleFlows`), so "never reached" means: for the input's pods and addresses.
 */
import type { PolicyType } from "../../model/index.js";
import { CILIUM_DENY_TIER, FLOW_SET_OPS, generalRulesOf, subjectSelects, type EnforcedTiers, type FlowSet, type GeneralPolicy, type GeneralRule, type PolicyEndpoint, type PolicyPeer } from "../../policy/index.js";
import type { LintContext } from "../context.js";

export interface DialectScope {
  readonly enforced: EnforcedTiers;
  readonly endpoints: readonly PolicyEndpoint[];
  /** Every party an endpoint can talk to, as seen from `local`. */
  peers(local: PolicyEndpoint): readonly PolicyPeer[];
  /** The endpoints a policy selects (memoised). */
  selected(p: GeneralPolicy): readonly PolicyEndpoint[];
}

const scopes = new WeakMap<LintContext, DialectScope | undefined>();

export function dialectScope(ctx: LintContext): DialectScope | undefined {
  if (scopes.has(ctx)) return scopes.get(ctx);
  const enforced = ctx.enforced;
  let scope: DialectScope | undefined;
  if (enforced) {
    // One pod per equivalence class of the engine (same namespace, labels, named ports, service
    // account and, under Cilium, node ⇒ the same verdicts): the checks' cost follows the classes.
    const classOf = ctx.analysis.classOf;
    const seen = new Set<number>();
    const reps = ctx.topology.subjects.filter((_, i) => {
      const c = classOf[i] ?? -1 - i;
      if (seen.has(c)) return false;
      seen.add(c);
      return true;
    });
    const endpoints = reps.filter((s) => !s.hostNetwork);
    const pods: PolicyPeer[] = reps.map((s) => ({ type: "Pod", endpoint: s }));
    const cells = ctx.topology.cells.map((c) => ({ family: c.family, value: c.representative }));
    const bySelected = new Map<GeneralPolicy, readonly PolicyEndpoint[]>();
    scope = {
      enforced,
      endpoints,
      // A class's own representative stands for its other pods (replicas talk to each other).
      peers: (local) => [...pods, ...cells.map((ip) => enforced.peerOfAddress(ip, local))],
      selected(p) {
        let s = bySelected.get(p);
        if (!s) {
          s = endpoints.filter((e) => subjectSelects(p.subject, e));
          bySelected.set(p, s);
        }
        return s;
      },
    };
  }
  scopes.set(ctx, scope);
  return scope;
}

/** A rule in evaluation order: its tier's and policy's positions, for "does A come before B". */
export interface OrderedRule {
  readonly tierIndex: number;
  readonly policyIndex: number;
  readonly policy: GeneralPolicy;
  readonly direction: PolicyType;
  readonly rule: GeneralRule;
  readonly position: number;
}

/** Every rule of every tier, in evaluation order, per direction. */
export function orderedRules(scope: DialectScope): OrderedRule[] {
  const out: OrderedRule[] = [];
  scope.enforced.tiers.forEach((t, tierIndex) => {
    t.policies.forEach((policy, policyIndex) => {
      for (const direction of ["Ingress", "Egress"] as const) {
        if (!policy.governs[direction]) continue;
        for (const rule of generalRulesOf(policy, direction)) out.push({ tierIndex, policyIndex, policy, direction, rule, position: out.length });
      }
    });
  });
  return out;
}

export const isEmptyFlows = (f: FlowSet): boolean => FLOW_SET_OPS.isEmpty(f);

/** `GlobalNetworkPolicy (Calico) security.db ingress[1]`; Cilium deny rules as `egressDeny[0]`. */
export const ruleLabel = (r: GeneralRule): string =>
  `${r.origin.kind} ${r.origin.policy} ${r.origin.direction.toLowerCase()}${r.origin.tier === CILIUM_DENY_TIER ? "Deny" : ""}[${r.origin.index}]`;

/** `Kind namespace/name` as lint's `object` column writes it. */
export const policyObject = (p: GeneralPolicy): string => `${p.origin.kind.replace(/ \(Calico\)$/, "")} ${p.origin.policy}`;
