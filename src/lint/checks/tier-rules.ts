/**
 * @module tier-rules
 * Cluster-policy rules in evaluation order, for the tier checks: each with its policy, tier,
 * direction, position and structural coverage helpers (shared with policy-rule-shadowed).
 */
import { clusterRulesOf, type ClusterPolicy, type ClusterPolicyRule, type LabelSelector, type PolicyType } from "../../model/index.js";
import { tierPolicies } from "../../policy/index.js";
import { selectorCovers } from "./policy-rule-shadowed.js";
import type { LintContext } from "../context.js";
import type { Bitset } from "../../engine/index.js";

export interface TierRule {
  readonly p: ClusterPolicy;
  readonly dir: PolicyType;
  readonly index: number;
  readonly r: ClusterPolicyRule;
  /** Position in evaluation order across both tiers (Admin first). */
  readonly order: number;
}

export function tierRules(ctx: LintContext): TierRule[] {
  const out: TierRule[] = [];
  for (const tier of ["Admin", "Baseline"] as const) {
    for (const p of tierPolicies(ctx.cluster.clusterPolicies, tier)) {
      for (const dir of ["Ingress", "Egress"] as const) clusterRulesOf(p, dir).forEach((r, index) => out.push({ p, dir, index, r, order: out.length }));
    }
  }
  return out;
}

/** What `specific`'s subject selects, `general`'s selects too (for any pods). */
export function subjectCovers(general: ClusterPolicy, specific: ClusterPolicy): boolean {
  return selectorCovers(general.subject.namespaces, specific.subject.namespaces) && selectorCovers(general.subject.pods, specific.subject.pods);
}

export const ruleName = (t: TierRule): string => `${t.p.kind} ${t.p.name} ${t.dir.toLowerCase()}[${t.index}]${t.r.name ? ` "${t.r.name}"` : ""}`;

/** Classes (of the input's pods) a cluster policy selects. */
export function subjectClasses(ctx: LintContext, p: ClusterPolicy): readonly number[] {
  return ctx.classes.clusterSubject(p.subject);
}

/** Classes a rule's peers match (undefined: every class). */
export function peerClasses(ctx: LintContext, t: TierRule): Bitset | undefined {
  return ctx.classes.rulePeers(t.r.rule, "");
}

export function intersects(a: Bitset | undefined, b: Bitset | undefined): boolean {
  if (!a || !b) return true;
  for (let i = 0; i < a.words.length; i++) if (((a.words[i] as number) & (b.words[i] as number)) !== 0) return true;
  return false;
}

export const selectsAll = (s: LabelSelector): boolean => Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
