/**
 * @module admin-deny-shadows-networkpolicy
 * A NetworkPolicy allow rule that an Admin-tier Deny fully covers can never allow anything: the
 * Admin tier decides first and "No further ClusterNetworkPolicy or NetworkPolicy rules will be
 * processed" (ClusterNetworkPolicyIngressRule.action). Coverage is structural.
 */
import { selectorMatches } from "../../model/index.js";
import { policyIsolates, rulesOf } from "../../policy/index.js";
import { ruleCovers, selectorCovers } from "./policy-rule-shadowed.js";
import { ruleName, tierRules } from "./tier-rules.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

export const adminDenyShadowsNetworkPolicy: LintCheck = {
  code: "admin-deny-shadows-networkpolicy",
  severity: "warning",
  description: "NetworkPolicy allow rule that an AdminNetworkPolicy / admin-tier ClusterNetworkPolicy Deny fully covers: it can never allow",
  run(ctx) {
    const denies = tierRules(ctx).filter((t) => t.p.tier === "Admin" && t.r.action === "Deny");
    if (denies.length === 0) return [];
    const out: Finding[] = [];
    for (const p of ctx.cluster.networkPolicies) {
      const nsLabels = ctx.topology.namespaces.get(p.namespace)?.labels ?? { "kubernetes.io/metadata.name": p.namespace };
      for (const dir of ["Ingress", "Egress"] as const) {
        if (!policyIsolates(p, dir)) continue;
        rulesOf(p, dir).forEach((rule, index) => {
          const by = denies.find((d) => d.dir === dir && selectorMatches(d.p.subject.namespaces, nsLabels) && selectorCovers(d.p.subject.pods, p.podSelector) && ruleCovers(d.r.rule, rule, nsLabels));
          if (!by) return;
          out.push({
            code: "admin-deny-shadows-networkpolicy",
            severity: "warning",
            message: `${p.namespace}/${p.name} ${dir.toLowerCase()}[${index}] can never allow: ${ruleName(by)} denies all of its traffic in the Admin tier first (${by.p.source.file}:${by.r.rule.source.line})`,
            object: objectName(p),
            source: rule.source,
            hint: "ask the cluster admin for a Pass (or Allow) in the Admin tier, or remove the rule",
          });
        });
      }
    }
    return out;
  },
};
