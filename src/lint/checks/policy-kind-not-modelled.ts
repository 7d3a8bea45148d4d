/**
 * @module policy-kind-not-modelled
 * A policy of a kind kwire reads but does not model (Calico, Cilium, Istio AuthorizationPolicy,
 * MultiNetworkPolicy, …) can deny traffic kwire reports as allowed: never silent.
 */
import type { LintCheck } from "../types.js";

export const policyKindNotModelled: LintCheck = {
  code: "policy-kind-not-modelled",
  severity: "error",
  description: "policy of a kind kwire does not model yet: verdicts for the pods it selects may be wrong",
  run(ctx) {
    const gaps = ctx.cluster.policyGaps.filter((g) => g.reason === "not-modelled");
    const count = new Map<string, number>();
    for (const g of gaps) count.set(g.kind, (count.get(g.kind) ?? 0) + 1);
    return gaps.map((g) => ({
      code: "policy-kind-not-modelled" as const,
      severity: "error" as const,
      message: `${g.apiVersion} ${g.kind} ${g.namespace ? `${g.namespace}/` : ""}${g.name} is not modelled (${count.get(g.kind)} ${g.kind} object${count.get(g.kind) === 1 ? "" : "s"} in the input): verdicts for ${g.namespace ? `pods of namespace ${g.namespace}` : "every pod"} are uncertain`,
      object: `${g.kind} ${g.namespace ? `${g.namespace}/` : ""}${g.name}`,
      source: g.source,
      hint: "kwire trace marks such verdicts uncertain (exit 3); see docs/policy-tiers.md for the kinds kwire models",
    }));
  },
};
