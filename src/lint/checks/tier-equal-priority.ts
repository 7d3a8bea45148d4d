/**
 * @module tier-equal-priority
 * "If two (or more) policies in the same tier with the same priority could match a connection,
 * then the implementation can apply any of the matching policies" (ClusterNetworkPolicySpec.priority,
 * network-policy-api). Flagged when the two policies select a common pod (of the input), have
 * rules in the same direction whose peers and ports overlap, and whose actions differ.
 */
import { intersectPorts, isEmptyPorts } from "../../model/index.js";
import { resolveRulePorts } from "../../policy/index.js";
import { intersects, peerClasses, ruleName, subjectClasses, tierRules, type TierRule } from "./tier-rules.js";
import type { Finding, LintCheck } from "../types.js";

export const tierEqualPriority: LintCheck = {
  code: "tier-equal-priority",
  severity: "warning",
  description: "two cluster policies of one tier share a priority and could match the same connection with different actions (the API leaves the winner undefined)",
  run(ctx) {
    const rules = tierRules(ctx);
    const subjects = new Map<TierRule["p"], Set<number>>();
    const subjectOf = (t: TierRule): Set<number> => {
      let s = subjects.get(t.p);
      if (!s) subjects.set(t.p, (s = new Set(subjectClasses(ctx, t.p))));
      return s;
    };
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const a of rules) {
      for (const b of rules) {
        if (b.order <= a.order || a.p === b.p || a.p.tier !== b.p.tier || a.p.priority !== b.p.priority || a.dir !== b.dir || a.r.action === b.r.action) continue;
        const key = `${a.p.kind}/${a.p.name}\u0000${b.p.kind}/${b.p.name}`;
        if (seen.has(key)) continue;
        const sa = subjectOf(a);
        if (![...subjectOf(b)].some((c) => sa.has(c))) continue;
        if (!intersects(peerClasses(ctx, a), peerClasses(ctx, b))) continue;
        if (isEmptyPorts(intersectPorts(resolveRulePorts(a.r.rule, undefined), resolveRulePorts(b.r.rule, undefined))) && !hasNamed(a) && !hasNamed(b)) continue;
        seen.add(key);
        out.push({
          code: "tier-equal-priority",
          severity: "warning",
          message: `${ruleName(a)} (${a.r.action}) and ${ruleName(b)} (${b.r.action}) share priority ${a.p.priority} in the ${a.p.tier} tier and match common traffic: the API leaves which one applies undefined (kwire evaluates by name)`,
          object: `${b.p.kind} ${b.p.name}`,
          source: b.p.source,
          hint: "give the policies distinct priorities",
        });
      }
    }
    return out;
  },
};

const hasNamed = (t: TierRule): boolean => t.r.rule.ports !== "All" && t.r.rule.ports.some((p) => p.port.type === "Named");
