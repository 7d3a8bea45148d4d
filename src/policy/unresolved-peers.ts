/**
 * @module policy/unresolved-peers
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy / ClusterNetworkPolicy rules with a peer kwire
 * cannot resolve to addresses: `nodes` when the input declares no Node objects, `domainNames`
 * (the decoder sets `unresolvedPeer` on such rules, src/parse/kinds/cluster-network-policy.ts).
 * Such a rule matches nothing in the model, yet in the cluster it may match addresses outside the
 * cluster or a node's (network-policy-api AdminNetworkPolicyEgressPeer: `nodes`, `networks`,
 * `domainNames`). `kwire trace` decides per connection whether that could change the verdict
 * (src/engine/trace.ts); the matrix, which cannot, lists each such policy as a PolicyGap with
 * reason "unresolved-peer": connections toward or from the outside world are then uncertain.
 */
import { clusterRulesOf, type Cluster, type ClusterPolicyRule, type PolicyGap } from "../model/index.js";

/** The rule has a peer kwire cannot resolve to addresses (the decoder's `unresolvedPeer` mark). */
export function hasUnresolvedPeer(r: ClusterPolicyRule): r is ClusterPolicyRule & { readonly unmodelled: string } {
  return r.unresolvedPeer === true && r.unmodelled !== undefined;
}

export function unresolvedPeerGaps(cluster: Cluster): PolicyGap[] {
  const out: PolicyGap[] = [];
  for (const p of cluster.clusterPolicies) {
    for (const dir of ["Ingress", "Egress"] as const) {
      clusterRulesOf(p, dir).forEach((r, i) => {
        if (!hasUnresolvedPeer(r)) return;
        out.push({ apiVersion: p.apiVersion, kind: p.kind, name: p.name, reason: "unresolved-peer", detail: `${p.kind} ${p.name} ${dir.toLowerCase()}[${i}]${r.name === undefined ? "" : ` "${r.name}"`} (${r.action}): ${r.unmodelled}, but in the cluster it may match addresses outside it or a node's`, source: p.source });
      });
    }
  }
  return out;
}
