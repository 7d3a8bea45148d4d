/**
 * @module dialect-rule-shadowed
 * Under Calico or Cilium: an Allow rule whose every flow an earlier Deny rule already decides,
 * or a Deny whose every flow an earlier Allow already decides — the later rule never acts, and
 * its author meant the opposite of what happens.
 * - Calico (tiered-policy docs; felix policy_sorter.go): tiers by order, policies by order,
 *   rules in written order; "Allow and Deny end evaluation". An earlier rule of the same tier,
 *   or of an earlier tier (one without Pass rules, so the flow cannot skip it), decides first.
 * - Cilium (docs.cilium.io security/policy/deny: "Deny policies take precedence over allow
 *   policies, regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium
 *   Network Policy or even a Kubernetes Network Policy"): every deny rule comes before every
 *   allow (the cilium-deny tier), so an allow that a deny covers never allows.
 * "Covers" is semantic, over the input: for every endpoint the later rule's policy selects, the
 * earlier rule's policy selects it too and, toward every party of the input, the earlier rule's
 * flows include the later rule's (tier-eval `ruleFlows`). A rule that matches nothing is left to
 * the selector checks.
 */
import { FLOW_SET_OPS, ruleFlows, type FlowSet, type PolicyEndpoint, type PolicyPeer } from "../../policy/index.js";
import { formatSource } from "../../model/index.js";
import type { Finding, LintCheck } from "../types.js";
import { dialectScope, orderedRules, policyObject, ruleLabel, type DialectScope, type OrderedRule } from "./dialect-scope.js";

type Flows = Map<PolicyEndpoint, readonly FlowSet[]>;

function flowsOf(scope: DialectScope, r: OrderedRule, cache: Map<OrderedRule, Flows>): Flows {
  let f = cache.get(r);
  if (!f) {
    f = new Map();
    for (const e of scope.selected(r.policy)) f.set(e, scope.peers(e).map((peer: PolicyPeer) => ruleFlows(r.rule, r.direction, e, peer, scope.enforced.context)));
    cache.set(r, f);
  }
  return f;
}

function covers(scope: DialectScope, earlier: OrderedRule, later: OrderedRule, cache: Map<OrderedRule, Flows>): boolean {
  const a = flowsOf(scope, earlier, cache);
  const b = flowsOf(scope, later, cache);
  for (const [e, flows] of b) {
    const mine = a.get(e);
    if (!mine) return false;
    for (let i = 0; i < flows.length; i++) {
      const want = flows[i];
      const have = mine[i];
      if (want && (!have || !FLOW_SET_OPS.isEmpty(FLOW_SET_OPS.subtract(want, have)))) return false;
    }
  }
  return true;
}

const matchesSomething = (f: Flows): boolean => [...f.values()].some((list) => list.some((x) => !FLOW_SET_OPS.isEmpty(x)));

export const dialectRuleShadowed: LintCheck = {
  code: "dialect-rule-shadowed",
  severity: "warning",
  description: "Calico / Cilium Deny rule fully decided by an earlier Allow, or Allow by an earlier Deny (it never acts)",
  run(ctx) {
    const scope = dialectScope(ctx);
    if (!scope) return [];
    const rules = orderedRules(scope).filter((r) => r.rule.origin.action === "Allow" || r.rule.origin.action === "Deny");
    const passTiers = new Set(orderedRules(scope).filter((r) => r.rule.origin.action === "Pass").map((r) => r.tierIndex));
    const cache = new Map<OrderedRule, Flows>();
    const out: Finding[] = [];
    for (const later of rules) {
      if (!matchesSomething(flowsOf(scope, later, cache))) continue;
      const by = rules.find((earlier) =>
        earlier.position < later.position &&
        earlier.direction === later.direction &&
        earlier.rule.origin.action !== later.rule.origin.action &&
        earlier.policy.isolates[earlier.direction] &&
        (earlier.tierIndex === later.tierIndex || !passTiers.has(earlier.tierIndex)) &&
        covers(scope, earlier, later, cache));
      if (!by) continue;
      const a = later.rule.origin;
      out.push({
        code: "dialect-rule-shadowed",
        severity: "warning",
        message: `${ruleLabel(later.rule)} (${a.action}) never acts: ${ruleLabel(by.rule)} (${by.rule.origin.action}, ${formatSource(by.rule.origin.source)}${by.tierIndex !== later.tierIndex ? `, tier ${by.rule.origin.tier}` : ""}) decides all of its traffic first, for every pod it selects`,
        object: policyObject(later.policy),
        source: a.source,
        hint: ctx.cluster.policyDialect === "cilium"
          ? `Cilium deny rules win over every allow: narrow the deny (${ruleLabel(by.rule)}) if this ${a.action} was meant to apply`
          : `${a.action} was meant to win? Give it a lower order (or an earlier tier) than ${by.rule.origin.policy}, or narrow the earlier rule`,
      });
    }
    return out;
  },
};
