/**
 * @module tier-rule-shadowed
 * A cluster-policy rule that an earlier rule fully covers never decides anything: the earlier
 * rule matches first (ordered tiers: priority, then written order). Within a tier any earlier
 * rule shadows (Pass too: it skips the rest of the tier); an Admin Allow/Deny also shadows a
 * Baseline rule. Coverage is structural (subject, peers and ports), so it holds for any pods.
 * Policies at the same priority are not compared: their order is undefined (tier-equal-priority).
 * A rule with a peer kwire cannot resolve (`nodes` without Node objects, `domainNames`:
 * `hasUnresolvedPeer`) matches nothing in the model but may match addresses in the cluster, so
 * it is never reported as shadowed: that would only say that two empty sets cover each other.
 * As the earlier rule it still counts, since what the model gives it is a subset of its reach.
 */
import { ruleCovers } from "./policy-rule-shadowed.js";
import { ruleName, subjectCovers, tierRules } from "./tier-rules.js";
import { hasUnresolvedPeer } from "../../policy/index.js";
import type { LintCheck } from "../types.js";

export const tierRuleShadowed: LintCheck = {
  code: "tier-rule-shadowed",
  severity: "warning",
  description: "AdminNetworkPolicy / BaselineAdminNetworkPolicy / ClusterNetworkPolicy rule fully shadowed by a rule evaluated before it",
  run(ctx) {
    const rules = tierRules(ctx);
    return rules.flatMap((s) => {
      if (hasUnresolvedPeer(s.r)) return [];
      const by = rules.find((g) => {
        if (g.order >= s.order || g.dir !== s.dir) return false;
        if (g.p !== s.p && g.p.tier === s.p.tier && g.p.priority === s.p.priority) return false;
        if (g.p.tier !== s.p.tier && g.r.action === "Pass") return false;
        return subjectCovers(g.p, s.p) && ruleCovers(g.r.rule, s.r.rule, {});
      });
      if (!by) return [];
      return [{
        code: "tier-rule-shadowed" as const,
        severity: "warning" as const,
        message: `${ruleName(s)} (${s.r.action}) is never reached: ${ruleName(by)} (${by.r.action}, ${by.p.source.file}:${by.r.rule.source.line}) matches all of its traffic first`,
        object: `${s.p.kind} ${s.p.name}`,
        source: s.r.rule.source,
        hint: by.r.action === s.r.action ? "remove the redundant rule" : `reorder the rules (or priorities) if ${s.r.action} was meant to win`,
      }];
    });
  },
};
