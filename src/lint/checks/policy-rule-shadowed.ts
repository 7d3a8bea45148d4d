/**
 * @module policy-rule-shadowed
 * A rule whose peers × ports are covered by another rule — of a policy in the same namespace
 * that selects at least the same pods and isolates the same direction — adds nothing: allows
 * are a union. Coverage is decided structurally (fewer selector requirements ⇒ more pods,
 * CIDR containment, port-range containment), so it holds for any pods, not just the input's.
 */
import { groupBy, ipSetCovers, selectorMatches, type LabelSelector, type NamespaceMatch, type NetworkPolicy, type Peer, type PolicyPort, type PolicyRule, type PolicyType } from "../../model/index.js";
import { policyIsolates, rulesOf } from "../../policy/index.js";
import { objectName, type Finding, type LintCheck } from "../types.js";
import type { LintContext } from "../context.js";

const reqKey = (r: { key: string; operator: string; values: readonly string[] }): string => `${r.key} ${r.operator} ${[...r.values].sort().join(",")}`;

/** Every requirement of `general` is also in `specific`: what `specific` selects, `general` selects. */
export function selectorCovers(general: LabelSelector, specific: LabelSelector): boolean {
  const exprs = new Set(specific.matchExpressions.map(reqKey));
  return Object.entries(general.matchLabels).every(([k, v]) => specific.matchLabels[k] === v) && general.matchExpressions.every((r) => exprs.has(reqKey(r)));
}

function nsCovers(general: NamespaceMatch, specific: NamespaceMatch, policyNsLabels: Readonly<Record<string, string>>): boolean {
  if (general.type === "PolicyNamespace") return specific.type === "PolicyNamespace";
  if (specific.type === "PolicyNamespace") return selectorMatches(general.selector, policyNsLabels);
  return selectorCovers(general.selector, specific.selector);
}

function peerCovers(g: Peer, s: Peer, nsLabels: Readonly<Record<string, string>>): boolean {
  if (g.type === "Pods" && s.type === "Pods") return nsCovers(g.namespaces, s.namespaces, nsLabels) && selectorCovers(g.pods, s.pods);
  if (g.type === "IPBlock" && s.type === "IPBlock") return g.set.family === s.set.family && s.set.intervals.every((iv) => ipSetCovers(g.set, iv.lo, iv.hi));
  return false;
}

function portCovers(g: PolicyPort, s: PolicyPort): boolean {
  if (g.protocol !== s.protocol) return false;
  if (g.port.type === "AllPorts") return true;
  if (g.port.type === "Named") return s.port.type === "Named" && s.port.name === g.port.name;
  return s.port.type === "Number" && s.port.port >= g.port.port && s.port.endPort <= g.port.endPort;
}

export function ruleCovers(g: PolicyRule, s: PolicyRule, nsLabels: Readonly<Record<string, string>>): boolean {
  const peers = g.peers === "All" || (s.peers !== "All" && s.peers.every((sp) => (g.peers as readonly Peer[]).some((gp) => peerCovers(gp, sp, nsLabels))));
  const ports = g.ports === "All" || (s.ports !== "All" && s.ports.every((sp) => (g.ports as readonly PolicyPort[]).some((gp) => portCovers(gp, sp))));
  return peers && ports;
}

interface Slot { readonly p: NetworkPolicy; readonly i: number; readonly r: PolicyRule; readonly order: number }

function shadowed(ctx: LintContext, dir: PolicyType): Finding[] {
  const out: Finding[] = [];
  const slots: Slot[] = [];
  for (const p of ctx.cluster.networkPolicies) if (policyIsolates(p, dir)) rulesOf(p, dir).forEach((r, i) => slots.push({ p, i, r, order: slots.length }));
  // Only rules of the same namespace can cover each other: compare within a namespace, in slot order.
  const byNs = groupBy(slots, (s) => s.p.namespace);
  const lower = dir.toLowerCase();
  for (const s of slots) {
    const nsLabels = ctx.topology.namespaces.get(s.p.namespace)?.labels ?? { "kubernetes.io/metadata.name": s.p.namespace };
    const by = (byNs.get(s.p.namespace) ?? []).find((g) =>
      g !== s && selectorCovers(g.p.podSelector, s.p.podSelector) && ruleCovers(g.r, s.r, nsLabels) &&
      !(g.order > s.order && selectorCovers(s.p.podSelector, g.p.podSelector) && ruleCovers(s.r, g.r, nsLabels)));
    if (!by) continue;
    const same = by.p === s.p;
    out.push({
      code: "policy-rule-shadowed",
      severity: "warning",
      message: `${lower}[${s.i}] is covered by ${same ? "" : `${objectName(by.p)} `}${lower}[${by.i}] (line ${by.r.source.line}), which allows at least the same peers and ports to ${same ? "the same" : "at least the same"} pods: it adds nothing`,
      object: objectName(s.p),
      source: s.r.source,
      hint: "remove the redundant rule, or narrow the broader one if it allows more than intended",
    });
  }
  return out;
}

export const policyRuleShadowed: LintCheck = {
  code: "policy-rule-shadowed",
  severity: "warning",
  description: "a NetworkPolicy rule is covered by another rule for the same pods",
  run: (ctx) => [...shadowed(ctx, "Ingress"), ...shadowed(ctx, "Egress")],
};
