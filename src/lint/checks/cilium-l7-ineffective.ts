/**
 * @module cilium-l7-ineffective
 * A Cilium L7 rule (`toPorts[].rules.http|dns|kafka`, `l7proto`) that a plain L4 allow on the
 * same port makes ineffective. Cilium docs, Layer 7 Policies
 * (docs.cilium.io/en/stable/security/policy/layer7/): "If a layer 4 rule is specified in the
 * policy, and a similar layer 4 rule with layer 7 rules is also specified, then the layer 7
 * portions of the latter rule will have no effect." L7 rules are an allow-list only when every
 * allow on that port toward that peer is L7; a Kubernetes NetworkPolicy allow (always L4)
 * counts as a plain L4 allow, since Cilium enforces it in the same allow set.
 * Judged per endpoint the L7 rule's policy selects and per party of the input (dialect-scope).
 */
import { FLOW_SET_OPS, ciliumPeerMatches, ciliumRuleFlows, ruleFlows, subjectSelects, CILIUM_ALLOW_TIER, type GeneralRule, type PolicyPeer } from "../../policy/index.js";
import { formatPortSet, formatSource, type CiliumRule } from "../../model/index.js";
import type { Finding, LintCheck } from "../types.js";
import { dialectScope, orderedRules, policyObject, ruleLabel } from "./dialect-scope.js";

const withL7 = (r: CiliumRule): CiliumRule | undefined => {
  if (r.toPorts === "All") return undefined;
  const l7 = r.toPorts.filter((p) => p.l7.length > 0);
  return l7.length > 0 ? { ...r, toPorts: l7 } : undefined;
};

/** The rule's plain-L4 part (its toPorts entries without L7 rules), as a GeneralRule. */
function plainL4(g: GeneralRule): GeneralRule | undefined {
  const m = g.match;
  if (m.dialect === "networkpolicy") return g;
  if (m.dialect !== "cilium") return undefined;
  if (m.rule.toPorts === "All") return g;
  const l4 = m.rule.toPorts.filter((p) => p.l7.length === 0);
  return l4.length > 0 ? { origin: g.origin, match: { dialect: "cilium", rule: { ...m.rule, toPorts: l4 } } } : undefined;
}

const partyName = (p: PolicyPeer): string => (p.type === "Pod" ? `${p.endpoint.namespace}/${p.endpoint.name}` : `${p.type} ${p.ip.family === 4 ? "" : "v6 "}address`);

export const ciliumL7Ineffective: LintCheck = {
  code: "cilium-l7-ineffective",
  severity: "warning",
  description: "Cilium L7 rule that a plain L4 allow on the same port makes ineffective",
  run(ctx) {
    const scope = dialectScope(ctx);
    if (!scope || ctx.cluster.policyDialect !== "cilium") return [];
    const allows = orderedRules(scope).filter((r) => r.rule.origin.tier === CILIUM_ALLOW_TIER);
    const out: Finding[] = [];
    for (const r7 of allows) {
      const m = r7.rule.match;
      const l7 = m.dialect === "cilium" ? withL7(m.rule) : undefined;
      if (!l7 || m.dialect !== "cilium") continue;
      let hit: { by: GeneralRule; local: string; peer: string; ports: string } | undefined;
      for (const e of scope.selected(r7.policy)) {
        for (const peer of scope.peers(e)) {
          if (!ciliumPeerMatches(m.rule, peer, e)) continue;
          const dst: PolicyPeer = r7.direction === "Ingress" ? { type: "Pod", endpoint: e } : peer;
          const f7 = ciliumRuleFlows(l7, dst);
          if (FLOW_SET_OPS.isEmpty(f7)) continue;
          for (const r4 of allows) {
            if (r4.direction !== r7.direction || !subjectSelects(r4.policy.subject, e)) continue;
            const plain = plainL4(r4.rule);
            if (!plain) continue;
            const both = FLOW_SET_OPS.intersect(f7, ruleFlows(plain, r4.direction, e, peer, scope.enforced.context));
            if (FLOW_SET_OPS.isEmpty(both)) continue;
            hit = { by: r4.rule, local: `${e.namespace}/${e.name}`, peer: partyName(peer), ports: formatPortSet(both.ports) };
            break;
          }
          if (hit) break;
        }
        if (hit) break;
      }
      if (!hit) continue;
      const kinds = [...new Set(l7.toPorts === "All" ? [] : l7.toPorts.flatMap((p) => p.l7.map((x) => x.kind)))].join("/");
      const same = hit.by === r7.rule ? "its own plain toPorts entry" : `${ruleLabel(hit.by)} (${formatSource(hit.by.origin.source)})`;
      out.push({
        code: "cilium-l7-ineffective",
        severity: "warning",
        message: `${ruleLabel(r7.rule)}: its L7 ${kinds} rules have no effect on ${hit.ports} ${r7.direction === "Ingress" ? `from ${hit.peer} to ${hit.local}` : `from ${hit.local} to ${hit.peer}`}: ${same} allows that port at L4, which admits every request`,
        object: policyObject(r7.policy),
        source: r7.rule.origin.source,
        hint: "L7 rules filter only when every allow on the port is L7: add the same L7 rules to the plain allow, or narrow its ports or peers",
      });
    }
    return out;
  },
};
