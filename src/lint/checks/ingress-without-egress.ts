/**
 * @module ingress-without-egress
 * An ingress rule that admits pods which are themselves isolated for egress and that no
 * egress rule lets out toward the destination on those ports: the allow is dead, because a
 * connection needs egress at the source AND ingress at the destination. Decided with the
 * fast engine's `explain`, not re-implemented here.
 */
import { intersectPorts, isEmptyPorts, type NetworkPolicy, type PolicyRule } from "../../model/index.js";
import { peerMatchesPod, policySelects, resolveRulePorts } from "../../policy/index.js";
import type { LintContext } from "../context.js";
import { objectName, type Finding, type LintCheck } from "../types.js";
import { someNames } from "./service-pods.js";

function blockedSources(ctx: LintContext, p: NetworkPolicy, r: PolicyRule): string[] {
  if (r.peers === "All") return [];
  const t = ctx.topology;
  const peers = r.peers;
  const dsts = t.subjects.map((s, i) => ({ s, i })).filter(({ s }) => policySelects(p, s));
  const blocked: string[] = [];
  t.subjects.forEach((s, i) => {
    if (s.hostNetwork || !peers.some((peer) => peerMatchesPod(peer, p.namespace, s))) return;
    if (!ctx.analysis.isolated(i, "Egress")) return;
    const out = dsts.some(({ s: d, i: j }) => (i !== j || s.replicas > 1) && !isEmptyPorts(intersectPorts(ctx.analysis.explain(i, j).egress.ports, resolveRulePorts(r, d.ports))));
    if (!out) blocked.push(s.workloadId);
  });
  return [...new Set(blocked)];
}

export const ingressWithoutEgress: LintCheck = {
  code: "ingress-without-egress",
  severity: "warning",
  description: "an ingress rule admits sources whose own egress policy never lets them out",
  run(ctx) {
    const out: Finding[] = [];
    for (const p of ctx.cluster.networkPolicies) {
      p.ingress.forEach((r, i) => {
        const blocked = blockedSources(ctx, p, r);
        if (blocked.length === 0) return;
        out.push({
          code: "ingress-without-egress",
          severity: "warning",
          message: `ingress[${i}] admits ${someNames(blocked)}, but ${blocked.length === 1 ? "its" : "their"} egress is isolated and no egress rule allows ${blocked.length === 1 ? "it" : "them"} to reach the selected pods on these ports: the allow is never used`,
          object: objectName(p),
          source: r.source,
          hint: `add an egress rule for ${someNames(blocked, 1)} toward ${p.namespace} pods matching this policy's podSelector (connections need egress at the source and ingress at the destination)`,
        });
      });
    }
    return out;
  },
};
