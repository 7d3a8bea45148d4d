/**
 * @module calico-tier-unreachable
 * A Calico policy (or a Kubernetes NetworkPolicy, which Calico places in tier `default`) whose
 * tier no traffic reaches: for every endpoint it selects, in every direction it has rules for,
 * the earlier tiers decide every flow from every party of the input. Calico docs (Get started
 * with policy tiers, docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy):
 * "If a tier contains policies that select an endpoint, but no policy ... matches the
 * traffic, the traffic is denied at the end of the tier" unless the tier's defaultAction is
 * Pass; only Pass hands traffic to the next tier. The test is the general-tier fold itself
 * (tier-eval `tierInputs` + `foldGeneralTiers` over the earlier tiers): nothing is left
 * undecided ⇒ the tier is never evaluated for that endpoint.
 */
import type { PolicyType } from "../../model/index.js";
import { FLOW_SET_OPS, foldGeneralTiers, tierInputs, type GeneralPolicy, type PolicyEndpoint } from "../../policy/index.js";
import type { LintCheck } from "../types.js";
import { dialectScope, policyObject, type DialectScope } from "./dialect-scope.js";

/** The earliest tier that decided everything for (e, d), or undefined when something reaches tier `index`. */
function decidedBefore(scope: DialectScope, index: number, d: PolicyType, e: PolicyEndpoint): string | undefined {
  const earlier = scope.enforced.tiers.slice(0, index);
  let last: string | undefined;
  for (const peer of scope.peers(e)) {
    const fold = foldGeneralTiers(tierInputs(earlier, d, e, peer, scope.enforced.context), FLOW_SET_OPS);
    if (!FLOW_SET_OPS.isEmpty(fold.byDefault)) return undefined;
    // The tier whose end decided the rest (the last counted tier that decided something).
    last = fold.tiers.at(-1)?.tier ?? last;
  }
  return last;
}

function unreachable(scope: DialectScope, index: number, p: GeneralPolicy): { readonly by: string; readonly example: PolicyEndpoint } | undefined {
  const selected = scope.selected(p);
  const dirs = (["Ingress", "Egress"] as const).filter((d) => p.isolates[d]);
  if (selected.length === 0 || dirs.length === 0) return undefined;
  let by: string | undefined;
  for (const e of selected) {
    for (const d of dirs) {
      const t = decidedBefore(scope, index, d, e);
      if (t === undefined) return undefined;
      by ??= t;
    }
  }
  const example = selected[0];
  return by !== undefined && example ? { by, example } : undefined;
}

export const calicoTierUnreachable: LintCheck = {
  code: "calico-tier-unreachable",
  severity: "warning",
  description: "Calico policy in a tier that no traffic reaches: earlier tiers decide every flow of every endpoint it selects",
  run(ctx) {
    const scope = dialectScope(ctx);
    if (!scope || ctx.cluster.policyDialect !== "calico") return [];
    return scope.enforced.tiers.flatMap((t, index) => {
      if (index === 0) return [];
      return t.policies.flatMap((p) => {
        const u = unreachable(scope, index, p);
        if (!u) return [];
        const dirs = (["Ingress", "Egress"] as const).filter((d) => p.isolates[d]).map((d) => d.toLowerCase()).join(" and ");
        return [{
          code: "calico-tier-unreachable" as const,
          severity: "warning" as const,
          message: `${p.origin.kind} ${p.origin.policy} in tier ${t.name} is never evaluated: for every pod it selects (e.g. ${u.example.namespace}/${u.example.name}), tier ${u.by} decides all ${dirs} traffic first (nothing is passed on to later tiers)`,
          object: policyObject(p),
          source: p.origin.source,
          hint: `add a Pass rule (or defaultAction: Pass) to tier ${u.by} for the traffic tier ${t.name} should decide, or move the policy to tier ${u.by}`,
        }];
      });
    });
  },
};
