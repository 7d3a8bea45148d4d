/**
 * @module calico-selector-no-match
 * A Calico selector (a policy's `selector`, or a rule's `source.selector` /
 * `destination.selector`) that matches no pod — nor, for a rule, any (Global)NetworkSet — of the
 * input: the policy applies to nothing, or the rule never matches. Usually a mistyped label;
 * the hint names the closest label in use, with the same "did you mean" as
 * policy-selects-no-pods (closest.ts). Scoping as Calico applies it (calico-match.ts): a
 * namespaced policy selects and, without a namespaceSelector, matches only in its namespace.
 * Staged policies are checked too: their preview (`kwire diff --staged`) would be wrong as well.
 */
import type { CalicoEntityRule, CalicoPolicy, CalicoSelector, CalicoSelectorField, Labels } from "../../model/index.js";
import { calicoPodLabels, calicoPolicySelects, calicoSelectorMatches, entityMatches, type CalicoContext } from "../../policy/index.js";
import { closest, labelPairs, selectorHint } from "../closest.js";
import type { LintContext } from "../context.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

/** `k == 'v'` and `k in {'v', …}` comparisons that must hold (not under a `!`), as labels. */
function required(sel: CalicoSelector, out: Record<string, string> = {}): Record<string, string> {
  if (sel.type === "Eq") out[sel.label] = sel.value;
  else if (sel.type === "In" && sel.values[0] !== undefined) out[sel.label] = sel.values[0];
  else if (sel.type === "And" || sel.type === "Or") for (const o of sel.operands) required(o, out);
  return out;
}

function hasKeys(sel: CalicoSelector): string[] {
  if (sel.type === "Has") return [sel.label];
  if (sel.type === "And" || sel.type === "Or") return sel.operands.flatMap(hasKeys);
  return [];
}

/** The "did you mean" of policy-selects-no-pods, fed with the selector's comparisons; has(k) gets the closest key. */
export function calicoSelectorHint(sel: CalicoSelector, labels: readonly Labels[], what: string): string {
  const eq: Labels = required(sel);
  if (Object.keys(eq).length > 0) return selectorHint(eq, labelPairs(labels), what);
  const keys = labels.flatMap((l) => Object.keys(l));
  const tips = hasKeys(sel).filter((k) => !keys.includes(k)).flatMap((k) => {
    const near = closest(k, keys);
    return near ? [`did you mean has(${near}) instead of has(${k})?`] : [];
  });
  return tips.length > 0 ? tips.join(" ") : `no ${what} has labels that satisfy it; check the labels and the namespace`;
}

const positiveOnly = (e: CalicoEntityRule): CalicoEntityRule => ({ ...e, nets: [], notNets: [], netSets: [], notNetSets: [], notSelector: undefined });

function finding(p: CalicoPolicy, field: CalicoSelectorField, where: string, message: string, hint: string): Finding {
  return { code: "calico-selector-no-match", severity: "warning", message: `${where} ${JSON.stringify(field.text)} ${message}`, object: objectName(p), source: field.source, hint };
}

function checkPolicy(ctx: LintContext, p: CalicoPolicy, cctx: CalicoContext): Finding[] {
  const subjects = ctx.topology.subjects.filter((s) => !s.hostNetwork);
  const scoped = (ns: string | undefined): readonly Labels[] => subjects.filter((s) => ns === undefined || s.namespace === ns).map(calicoPodLabels);
  const out: Finding[] = [];
  const inNs = p.namespace === undefined ? "" : ` in namespace ${p.namespace}`;
  if (p.selector && !subjects.some((s) => calicoPolicySelects(p, s))) {
    out.push(finding(p, p.selector, "selector", `matches no pod${inNs}${subjects.length === 0 ? " (the input has no pods or workloads)" : ""}: the policy applies to nothing`, calicoSelectorHint(p.selector.selector, scoped(p.namespace), `pod${inNs}`)));
  }
  const nsLabels = (ns: string): Labels => ctx.cluster.namespaces.find((n) => n.name === ns)?.labels ?? {};
  for (const [dir, rules] of [["ingress", p.ingress], ["egress", p.egress]] as const) for (const rule of rules) {
    for (const side of ["source", "destination"] as const) {
      const e = rule[side];
      const sel = e.selector;
      if (!sel) continue;
      const pos = positiveOnly(e);
      const pods = subjects.some((s) => entityMatches(pos, p.namespace, { type: "Pod", endpoint: s }, cctx, nsLabels));
      const sets = cctx.networkSets.some((n) => calicoSelectorMatches(sel.selector, n.labels));
      if (pods || sets) continue;
      const scope = e.namespaceSelector ? "" : inNs;
      out.push(finding(p, sel, `${dir}[${rule.index}].${side}.selector`, `matches no pod or network set${scope}: the rule never matches`, calicoSelectorHint(sel.selector, [...scoped(e.namespaceSelector ? undefined : p.namespace), ...cctx.networkSets.map((n) => n.labels)], `pod or network set${scope}`)));
    }
  }
  return out;
}

export const calicoSelectorNoMatch: LintCheck = {
  code: "calico-selector-no-match",
  severity: "warning",
  description: "Calico policy or rule selector that matches no pod (or network set) of the input",
  run(ctx) {
    const policies = ctx.cluster.calico?.policies ?? [];
    if (policies.length === 0) return [];
    const cctx: CalicoContext = { networkSets: ctx.cluster.calico?.networkSets ?? [] };
    return policies.flatMap((p) => checkPolicy(ctx, p, cctx));
  },
};
