/**
 * @module tier-pass-falls-through
 * An Admin-tier Pass hands traffic to the NetworkPolicy tier; when no NetworkPolicy isolates the
 * pods it selects and no Baseline policy applies to them, the traffic is allowed by the default
 * ("If a given connection wasn't allowed or denied by any of the tiers, the default kubernetes
 * policy is applied", ClusterNetworkPolicySpec.tier). Often meant as a deny.
 */
import { clusterRulesOf } from "../../model/index.js";
import { policyIsolates } from "../../policy/index.js";
import { ruleName, subjectClasses, tierRules } from "./tier-rules.js";
import type { LintCheck } from "../types.js";

export const tierPassFallsThrough: LintCheck = {
  code: "tier-pass-falls-through",
  severity: "warning",
  description: "Admin-tier Pass rule for pods that no NetworkPolicy isolates and no Baseline policy covers: the passed traffic is allowed",
  run(ctx) {
    return tierRules(ctx).flatMap((t) => {
      if (t.p.tier !== "Admin" || t.r.action !== "Pass") return [];
      const classes = subjectClasses(ctx, t.p);
      if (classes.length === 0) return [];
      const isolated = new Set<number>();
      for (const np of ctx.cluster.networkPolicies) if (policyIsolates(np, t.dir)) for (const c of ctx.classes.podsIn(np.namespace, np.podSelector)) isolated.add(c);
      for (const b of ctx.cluster.clusterPolicies) if (b.tier === "Baseline" && clusterRulesOf(b, t.dir).length > 0) for (const c of subjectClasses(ctx, b)) isolated.add(c);
      const open = classes.filter((c) => !isolated.has(c));
      if (open.length === 0) return [];
      const example = ctx.classes.subject(open[0] as number)?.id ?? "?";
      return [{
        code: "tier-pass-falls-through" as const,
        severity: "warning" as const,
        message: `${ruleName(t)} passes ${t.dir.toLowerCase()} traffic to the NetworkPolicy tier, but for ${open.length === classes.length ? "every pod it selects" : `${open.length} of ${classes.length} pod groups it selects`} (e.g. ${example}) no NetworkPolicy isolates and no Baseline policy applies: the traffic is allowed`,
        object: `${t.p.kind} ${t.p.name}`,
        source: t.r.rule.source,
        hint: "use Deny if the traffic should be blocked, or add a NetworkPolicy / BaselineAdminNetworkPolicy that decides it",
      }];
    });
  },
};
