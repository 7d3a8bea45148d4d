/**
 * @module policy/family-dependence
 * Dual-stack pods and address rules. A connection runs over one address family, and the kernel
 * matches an ipBlock (NetworkPolicy), `networks` (AdminNetworkPolicy), `nets` (Calico) or a CIDR
 * (Cilium) only against the packet's own addresses: an IPv4 ipBlock never admits the IPv6
 * connection of a pod that also has an IPv4 address inside it (KEP-563 dual-stack: "NetworkPolicy
 * … ipBlock … the address family of the ipBlock decides which traffic it matches"; the lab's
 * per-family probe shows it on the kernel, src/lab/model.ts familyView).
 *
 * The engines give one verdict per pod pair and let a pod match when any of its addresses does.
 * Where a rule's address part matches a dual-stack pod by one family and not by the other, that
 * verdict holds for one family only. Such a policy becomes a PolicyGap with reason
 * "family-dependent": verdicts at the pods of its namespace (every pod, for cluster-scoped kinds)
 * are marked uncertain in trace, matrix and lint — never a silent ALLOWED for the other family.
 */
import type { Cluster, Ip, PolicyGap, PolicyType } from "../model/index.js";
import { formatIp } from "../model/index.js";
import { generalTiersOf } from "./enforced.js";
import type { GeneralPolicy, GeneralRule, GeneralSubject } from "./general-tier.js";
import type { PolicyEndpoint } from "./party.js";
import { ruleLocalMatches, rulePeerMatches, type TierEvalContext } from "./tier-eval.js";

/** The apiVersion of the object a general policy was made from (the model keeps it where the API has several). */
function apiVersionOf(s: GeneralSubject): string {
  switch (s.dialect) {
    case "calico":
    case "cluster":
      return s.policy.apiVersion;
    case "networkpolicy":
      return "networking.k8s.io/v1";
    case "cilium":
      return "cilium.io/v2";
  }
}

/** Does the rule's address part see `pod` differently by family? The first witness, else undefined. */
function splitBy(rule: GeneralRule, dir: PolicyType, pod: PolicyEndpoint, views: readonly [PolicyEndpoint, PolicyEndpoint], policy: GeneralPolicy, ctx: TierEvalContext): string | undefined {
  const [v4, v6] = views;
  const peer4 = rulePeerMatches(rule, dir, pod, { type: "Pod", endpoint: v4 }, ctx);
  const peer6 = rulePeerMatches(rule, dir, pod, { type: "Pod", endpoint: v6 }, ctx);
  const local4 = ruleLocalMatches(rule, dir, v4, ctx);
  const local6 = ruleLocalMatches(rule, dir, v6, ctx);
  const m = rule.match;
  // A Calico rule with ipVersion matches only connections of that family (Felix renders it into
  // that family's tables only): wherever it matches a dual-stack pod, the other family is not matched.
  if (m.dialect === "calico" && m.rule.ipVersion !== undefined && peer4 === peer6 && local4 === local6) {
    const mine = m.rule.ipVersion === 4 ? [peer4, local4] : [peer6, local6];
    if (!mine.every(Boolean)) return undefined;
    return `${policy.origin.kind} ${policy.origin.policy} ${dir.toLowerCase()}[${rule.origin.index}] has ipVersion ${m.rule.ipVersion} and matches ${pod.namespace}/${pod.name}: its IPv${m.rule.ipVersion === 4 ? 6 : 4} connections are not matched`;
  }
  if (peer4 === peer6 && local4 === local6) return undefined;
  const addr = (v: PolicyEndpoint): string => v.ips.map(formatIp).join(",");
  const [yes, no] = peer4 !== peer6 ? (peer4 ? [v4, v6] : [v6, v4]) : local4 ? [v4, v6] : [v6, v4];
  const where = peer4 !== peer6 ? "peer" : "local endpoint";
  return `${policy.origin.kind} ${policy.origin.policy} ${dir.toLowerCase()}[${rule.origin.index}] matches ${pod.namespace}/${pod.name} (as ${where}) by ${addr(yes)} but not by ${addr(no)}: a connection's verdict depends on its address family`;
}

/**
 * Can the rule's match depend on a pod's addresses at all? NetworkPolicy and cluster-policy rules
 * only through an ipBlock peer (under Cilium an ipBlock never matches pods); Cilium rules never
 * (CIDR rules match the world only); Calico rules always may (nets, notNets, ipVersion, and
 * selectors that select NetworkSets by their nets).
 */
function addressDependent(rule: GeneralRule): boolean {
  const m = rule.match;
  switch (m.dialect) {
    case "networkpolicy":
      return m.ipBlockScope === "all" && m.rule.peers !== "All" && m.rule.peers.some((p) => p.type === "IPBlock");
    case "cluster":
      return m.rule.rule.peers !== "All" && m.rule.rule.peers.some((p) => p.type === "IPBlock");
    case "cilium":
      return false;
    case "calico":
      return true;
  }
}

const isDual = (ips: readonly Ip[]): boolean => ips.some((ip) => ip.family === 4) && ips.some((ip) => ip.family === 6);

/**
 * One gap per policy whose address rules see some dual-stack pod differently by family.
 * Costs nothing without dual-stack pods; with them, rules × dual-stack pods rule matches.
 */
export function familyDependentGaps(cluster: Cluster, pods: readonly PolicyEndpoint[]): PolicyGap[] {
  const dual = pods.filter((p) => !p.hostNetwork && isDual(p.ips));
  if (dual.length === 0) return [];
  const { tiers, context } = generalTiersOf(cluster);
  const views = dual.map((p) => [p, [{ ...p, ips: p.ips.filter((ip) => ip.family === 4) }, { ...p, ips: p.ips.filter((ip) => ip.family === 6) }] as const] as const);
  const out: PolicyGap[] = [];
  for (const tier of tiers) {
    for (const policy of tier.policies) {
      let witness: string | undefined;
      for (const [dir, rules] of [["Ingress", policy.ingress], ["Egress", policy.egress]] as const) {
        for (const rule of rules) {
          if (!addressDependent(rule)) continue;
          for (const [pod, v] of views) {
            witness = splitBy(rule, dir, pod, v, policy, context);
            if (witness !== undefined) break;
          }
          if (witness !== undefined) break;
        }
        if (witness !== undefined) break;
      }
      if (witness === undefined) continue;
      const o = policy.origin;
      const name = o.namespace === undefined ? o.policy : o.policy.slice(o.namespace.length + 1);
      out.push({ apiVersion: apiVersionOf(policy.subject), kind: o.kind, ...(o.namespace === undefined ? {} : { namespace: o.namespace }), name, reason: "family-dependent", detail: witness, source: o.source });
    }
  }
  return out;
}
