/**
 * @module tier-eval
 * The naive evaluation of general tiers for one direction of one connection: which policies of
 * each tier select the endpoint, which rules match the other party and on which flows, and the
 * fold. Dispatches on each subject's and rule's `dialect`; no caching, no classes — the shape
 * the reference engine needs, and what the translation tests drive.
 */
import type { Labels, PolicyType } from "../model/index.js";
import { assertNever } from "../model/index.js";
import { calicoPolicySelects, calicoTargetFlows, entityMatches, type CalicoContext } from "./calico-match.js";
import { ciliumPeerMatches, ciliumRuleFlows, ciliumSetSelects } from "./cilium-match.js";
import { ALL_FLOWS, FLOW_SET_OPS, EMPTY_FLOWS, flowsOfPorts, type FlowSet } from "./flow-set.js";
import { foldGeneralTiers, generalRulesOf, type GeneralFold, type GeneralMatched, type GeneralRule, type GeneralSubject, type GeneralTier, type GeneralTierInput } from "./general-tier.js";
import type { PolicyPeer, PolicyEndpoint } from "./party.js";
import { peerMatchesAddress, peerMatchesPod, policySelects, resolveRulePorts } from "./semantics.js";
import { clusterPolicySelects } from "./tiers.js";

export interface TierEvalContext extends CalicoContext {
  /** Labels of a namespace by name (for NetworkSets' namespaces). */
  readonly namespaceLabels: (namespace: string) => Labels;
}

export function subjectSelects(s: GeneralSubject, e: PolicyEndpoint): boolean {
  switch (s.dialect) {
    case "calico":
      return calicoPolicySelects(s.policy, e);
    case "networkpolicy":
      return policySelects(s.policy, e);
    case "cluster":
      return clusterPolicySelects(s.policy, e);
    case "cilium":
      return ciliumSetSelects(s.set, e);
    default:
      return assertNever(s);
  }
}

/** NetworkPolicy-shaped peers (NetworkPolicy, ANP/BANP/ClusterNetworkPolicy) against a party. */
function npPeerMatches(rule: Extract<GeneralRule["match"], { dialect: "networkpolicy" | "cluster" }>, peer: PolicyPeer): boolean {
  const r = rule.dialect === "networkpolicy" ? rule.rule : rule.rule.rule;
  if (r.peers === "All") return true;
  const ns = rule.dialect === "networkpolicy" ? rule.policyNamespace : "";
  const worldOnly = rule.dialect === "networkpolicy" && rule.ipBlockScope === "world";
  return r.peers.some((p) => {
    if (worldOnly && p.type === "IPBlock" && peer.type !== "World") return false;
    return peer.type === "Pod" ? peerMatchesPod(p, ns, peer.endpoint) : peerMatchesAddress(p, peer.ip);
  });
}

/**
 * A rule's match, factorised (what the fast engine caches): ruleFlows = rulePeerMatches ∧
 * ruleLocalMatches ? ruleTargetFlows : nothing.
 * - rulePeerMatches: the other party against the rule's peer part (NetworkPolicy peers, Calico's
 *   source entity for ingress / destination entity for egress, Cilium's L3 part — which reads
 *   the local endpoint's node only to tell `host` from `remote-node`);
 * - ruleLocalMatches: the selected endpoint against the rule's own side (Calico only: the
 *   destination entity of an ingress rule, the source entity of an egress rule);
 * - ruleTargetFlows: protocols, ports (named ones resolved on the destination), ICMP.
 */
export function rulePeerMatches(rule: GeneralRule, direction: PolicyType, local: PolicyEndpoint, peer: PolicyPeer, ctx: TierEvalContext): boolean {
  const m = rule.match;
  switch (m.dialect) {
    case "calico":
      return entityMatches(direction === "Ingress" ? m.rule.source : m.rule.destination, m.policyNamespace, peer, ctx, ctx.namespaceLabels);
    case "networkpolicy":
    case "cluster":
      return npPeerMatches(m, peer);
    case "cilium":
      return ciliumPeerMatches(m.rule, peer, local);
    default:
      return assertNever(m);
  }
}

export function ruleLocalMatches(rule: GeneralRule, direction: PolicyType, local: PolicyEndpoint, ctx: TierEvalContext): boolean {
  const m = rule.match;
  if (m.dialect !== "calico") return true;
  return entityMatches(direction === "Ingress" ? m.rule.destination : m.rule.source, m.policyNamespace, { type: "Pod", endpoint: local }, ctx, ctx.namespaceLabels);
}

export function ruleTargetFlows(rule: GeneralRule, direction: PolicyType, local: PolicyEndpoint, peer: PolicyPeer): FlowSet {
  const self: PolicyPeer = { type: "Pod", endpoint: local };
  const src = direction === "Ingress" ? peer : self;
  const dst = direction === "Ingress" ? self : peer;
  const m = rule.match;
  switch (m.dialect) {
    case "calico":
      return calicoTargetFlows(m.rule, src, dst);
    case "networkpolicy":
    case "cluster": {
      const r = m.dialect === "networkpolicy" ? m.rule : m.rule.rule;
      // A rule without ports matches every protocol, ICMP included (Calico converts it to a rule
      // with no protocol; Cilium to an L3-only rule). The NetworkPolicy API itself names only
      // TCP, UDP and SCTP: traces of ICMP say so.
      if (r.ports === "All") return ALL_FLOWS;
      return flowsOfPorts(resolveRulePorts(r, dst.type === "Pod" ? dst.endpoint.ports : undefined));
    }
    case "cilium":
      return ciliumRuleFlows(m.rule, dst);
    default:
      return assertNever(m);
  }
}

/** The flows a rule matches for this direction (local = the selected endpoint). */
export function ruleFlows(rule: GeneralRule, direction: PolicyType, local: PolicyEndpoint, peer: PolicyPeer, ctx: TierEvalContext): FlowSet {
  if (!rulePeerMatches(rule, direction, local, peer, ctx) || !ruleLocalMatches(rule, direction, local, ctx)) return EMPTY_FLOWS;
  return ruleTargetFlows(rule, direction, local, peer);
}

/** The fold's input: per tier, the selecting policies and the matching rules in order. */
export function tierInputs(tiers: readonly GeneralTier[], direction: PolicyType, local: PolicyEndpoint, peer: PolicyPeer, ctx: TierEvalContext): GeneralTierInput<FlowSet>[] {
  return tiers.map((t) => {
    const selecting = t.policies.filter((p) => subjectSelects(p.subject, local));
    const matched: GeneralMatched<FlowSet>[] = [];
    for (const p of selecting) {
      if (!p.governs[direction]) continue;
      for (const r of generalRulesOf(p, direction)) matched.push({ origin: r.origin, ports: ruleFlows(r, direction, local, peer, ctx) });
    }
    return { tier: t.name, defaultAction: t.defaultAction, selectedBy: selecting.filter((p) => p.isolates[direction]).map((p) => p.origin.policy), matched };
  });
}

export function evaluateDirection(tiers: readonly GeneralTier[], direction: PolicyType, local: PolicyEndpoint, peer: PolicyPeer, ctx: TierEvalContext, want: FlowSet = FLOW_SET_OPS.all): GeneralFold<FlowSet> {
  return foldGeneralTiers(tierInputs(tiers, direction, local, peer, ctx), FLOW_SET_OPS, want);
}


/**
 * A connection needs egress allowed at the source and ingress allowed at the destination: the
 * flows both folds allow (the hairpin and Service cases are the engine's, not this function's).
 */
export function connectionFlows(tiers: readonly GeneralTier[], src: PolicyEndpoint, dst: PolicyEndpoint, ctx: TierEvalContext): FlowSet {
  const egress = evaluateDirection(tiers, "Egress", src, { type: "Pod", endpoint: dst }, ctx).allowed;
  const ingress = evaluateDirection(tiers, "Ingress", dst, { type: "Pod", endpoint: src }, ctx).allowed;
  return FLOW_SET_OPS.intersect(egress, ingress);
}
