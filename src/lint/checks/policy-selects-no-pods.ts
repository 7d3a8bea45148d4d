/**
 * @module policy-selects-no-pods
 * A NetworkPolicy whose podSelector matches no pod in its namespace isolates nothing and
 * allows nothing: usually a mistyped label or the wrong namespace.
 */
import { formatSelector } from "../../model/index.js";
import { labelPairs, selectorHint } from "../closest.js";
import { objectName, type LintCheck } from "../types.js";

export const policySelectsNoPods: LintCheck = {
  code: "policy-selects-no-pods",
  severity: "warning",
  description: "NetworkPolicy podSelector matches no pod in its namespace",
  run(ctx) {
    return ctx.cluster.networkPolicies.flatMap((p) => {
      // policySelects, per class: the classes of the namespace its podSelector matches.
      if (ctx.classes.podsIn(p.namespace, p.podSelector).length > 0) return [];
      const inNs = ctx.subjectsIn(p.namespace).filter((s) => !s.hostNetwork).map((s) => s.labels);
      return [{
        code: "policy-selects-no-pods" as const,
        severity: "warning" as const,
        message: `podSelector ${formatSelector(p.podSelector)} matches no pod in namespace ${p.namespace}${inNs.length === 0 ? " (the input has no pods or workloads there)" : ""}: the policy has no effect`,
        object: objectName(p),
        source: p.source,
        hint: selectorHint(p.podSelector.matchLabels, labelPairs(inNs), `pod in ${p.namespace}`),
      }];
    });
  },
};
