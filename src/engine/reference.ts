/**
 * @module reference
 * The naive evaluator: the API text, pair by pair, with no classes and no caching. For each
 * direction it walks the tiers straight from the API (src/policy/tiers.ts): cluster policies of
 * the Admin tier in priority order, the NetworkPolicy tier, the Baseline tier, the default. It is
 * the oracle the fast engine is tested against and the baseline `npm run bench` measures.
 */
import { generalReferenceAnalysis } from "./general.js";
import { enforcedTiers } from "../policy/enforced.js";
import { clusterRulesOf, intersectPorts, type Cluster, type Ip, type Peer, type PolicyRule, type PolicyType, type PortSet } from "../model/index.js";
import {
  PORT_SET_OPS,
  clusterPolicySelects,
  clusterRuleOrigin,
  foldTiers,
  npRuleOrigin,
  peerMatchesAddress,
  peerMatchesPod,
  policyIsolates,
  policySelects,
  resolveRulePorts,
  rulesOf,
  tierPolicies,
  type MatchedRule,
  type PodIdentity,
  type TierInput,
} from "../policy/index.js";
import { UNPOLICED, policyId, verdictOfFold, type Analysis, type DirectionVerdict, type PairExplanation } from "./analysis.js";
import { PortSetTable } from "./port-table.js";
import { buildTopology, type Topology } from "./topology.js";
import { naiveAnalysis } from "./naive.js";

type Party = { readonly type: "pod"; readonly pod: PodIdentity } | { readonly type: "address"; readonly ip: Ip };

function peerOk(rule: PolicyRule, policyNs: string, peer: Party): boolean {
  const one = (x: Peer): boolean => (peer.type === "pod" ? peerMatchesPod(x, policyNs, peer.pod) : peerMatchesAddress(x, peer.ip));
  return rule.peers === "All" || rule.peers.some(one);
}

/** One direction at one pod: the tiers in order, each rule matched against the peer (incremental.ts asks it too). */
export function direction(cluster: Pick<Cluster, "networkPolicies" | "clusterPolicies">, dir: PolicyType, at: PodIdentity, peer: Party, dstPorts: PodIdentity["ports"] | undefined): DirectionVerdict {
  if (at.hostNetwork) return UNPOLICED;
  const clusterTier = (tier: "Admin" | "Baseline"): TierInput<PortSet> => {
    const selectedBy: string[] = [];
    const matched: MatchedRule<PortSet>[] = [];
    for (const p of tierPolicies(cluster.clusterPolicies, tier)) {
      if (!clusterPolicySelects(p, at)) continue;
      selectedBy.push(p.name);
      clusterRulesOf(p, dir).forEach((r, i) => {
        if (peerOk(r.rule, "", peer)) matched.push({ origin: clusterRuleOrigin(p, dir, i), ports: resolveRulePorts(r.rule, dstPorts) });
      });
    }
    return { tier, isolating: false, selectedBy, matched };
  };
  const isolatedBy: string[] = [];
  const npMatched: MatchedRule<PortSet>[] = [];
  for (const p of cluster.networkPolicies) {
    if (!policySelects(p, at) || !policyIsolates(p, dir)) continue;
    isolatedBy.push(policyId(p));
    rulesOf(p, dir).forEach((rule, index) => {
      if (peerOk(rule, p.namespace, peer)) npMatched.push({ origin: npRuleOrigin(p, dir, index, rule.source), ports: resolveRulePorts(rule, dstPorts) });
    });
  }
  const np: TierInput<PortSet> = { tier: "NetworkPolicy", isolating: isolatedBy.length > 0, selectedBy: isolatedBy, matched: npMatched };
  const fold = foldTiers([clusterTier("Admin"), np, clusterTier("Baseline")], PORT_SET_OPS);
  return verdictOfFold(fold, isolatedBy, npMatched);
}

export function explainPair(cluster: Cluster, src: Party, dst: Party): PairExplanation {
  const dstPorts = dst.type === "pod" ? dst.pod.ports : undefined;
  const egress = src.type === "pod" ? direction(cluster, "Egress", src.pod, dst, dstPorts) : UNPOLICED;
  const ingress = dst.type === "pod" ? direction(cluster, "Ingress", dst.pod, src, dstPorts) : UNPOLICED;
  return { egress, ingress, ports: intersectPorts(egress.ports, ingress.ports) };
}

export function partyOf(topology: Topology, node: number): Party {
  const s = topology.subjects[node];
  if (s) return { type: "pod", pod: s };
  const cell = topology.cells[node - topology.subjects.length];
  if (!cell) throw new Error(`node ${node} out of range`);
  return { type: "address", ip: { family: cell.family, value: cell.representative } };
}

/** Some policy of some tier applies to the pod in this direction. */
export function policedBy(cluster: Cluster, s: PodIdentity, dir: PolicyType): boolean {
  if (s.hostNetwork) return false;
  return (
    cluster.networkPolicies.some((p) => policySelects(p, s) && policyIsolates(p, dir)) ||
    cluster.clusterPolicies.some((p) => clusterRulesOf(p, dir).length > 0 && clusterPolicySelects(p, s))
  );
}

export function referenceAnalysis(cluster: Cluster, topology: Topology = buildTopology(cluster)): Analysis {
  const general = enforcedTiers(cluster);
  if (general) return generalReferenceAnalysis(topology, general);
  return naiveAnalysis(
    topology,
    (a, b) => explainPair(cluster, partyOf(topology, a), partyOf(topology, b)),
    (s, dir) => policedBy(cluster, s, dir),
  );
}


