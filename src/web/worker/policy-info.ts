/**
 * @module policy-info
 * The policy view's data: which workloads a policy (NetworkPolicy or a cluster-scoped tiered kind)
 * selects, and per rule its action and which peers it matches (selectors resolved against the
 * input's pods and workloads) on which ports; policies listed in evaluation order.
 */
import { formatSelector, groupBy, type Cluster, type ClusterPolicy, type NetworkPolicy, type Peer, type PolicyRule } from "../../model/index.js";
import { clusterPolicySelects, peerMatchesPod, policySelects, tierPolicies } from "../../policy/index.js";
import type { Subject, Topology } from "../../engine/index.js";
import type { PeerInfo, PolicyDetail, PolicySummary, RuleInfo } from "../protocol.js";

export const policyKey = (p: NetworkPolicy): string => `${p.namespace}/${p.name}`;
export const clusterPolicyKey = (p: ClusterPolicy): string => `${p.kind}/${p.name}`;

function uniqueSorted(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

export function subjectsByNamespace(t: Topology): Map<string, Subject[]> {
  return groupBy(t.subjects, (s) => s.namespace);
}

export function policySummary(p: NetworkPolicy, byNs: ReadonlyMap<string, readonly Subject[]>): PolicySummary {
  const selected = uniqueSorted((byNs.get(p.namespace) ?? []).filter((s) => policySelects(p, s)).map((s) => s.workloadId));
  return { id: policyKey(p), kind: "NetworkPolicy", tier: "NetworkPolicy", namespace: p.namespace, name: p.name, policyTypes: p.policyTypes, file: p.source.file, line: p.source.line, selects: selected.length };
}

const directionsOf = (p: ClusterPolicy): string[] => [...(p.ingress.length ? ["Ingress"] : []), ...(p.egress.length ? ["Egress"] : [])];

export function clusterPolicySummary(p: ClusterPolicy, t: Topology): PolicySummary {
  const selected = uniqueSorted(t.subjects.filter((s) => clusterPolicySelects(p, s)).map((s) => s.workloadId));
  return { id: clusterPolicyKey(p), kind: p.kind, tier: p.tier, priority: p.priority, namespace: "", name: p.name, policyTypes: directionsOf(p), file: p.source.file, line: p.source.line, selects: selected.length };
}

/** Policies in evaluation order: Admin tier by priority, then NetworkPolicies, then the Baseline tier. */
export function policySummaries(cluster: Cluster, t: Topology): PolicySummary[] {
  const byNs = subjectsByNamespace(t);
  return [
    ...tierPolicies(cluster.clusterPolicies, "Admin").map((p) => clusterPolicySummary(p, t)),
    ...cluster.networkPolicies.map((p) => policySummary(p, byNs)),
    ...tierPolicies(cluster.clusterPolicies, "Baseline").map((p) => clusterPolicySummary(p, t)),
  ];
}

export function clusterPolicyDetail(p: ClusterPolicy, t: Topology): PolicyDetail {
  const selected = uniqueSorted(t.subjects.filter((s) => clusterPolicySelects(p, s)).map((s) => s.workloadId));
  const info = (dir: "Ingress" | "Egress", r: ClusterPolicy["ingress"][number], i: number): RuleInfo => ({
    ...ruleInfo("", dir, r.rule, i, t),
    action: r.action,
    ...(r.name !== undefined ? { name: r.name } : {}),
  });
  return {
    ...clusterPolicySummary(p, t),
    selector: `namespaces ${formatSelector(p.subject.namespaces)}, pods ${formatSelector(p.subject.pods)}`,
    selected,
    rules: [...p.ingress.map((r, i) => info("Ingress", r, i)), ...p.egress.map((r, i) => info("Egress", r, i))],
  };
}

function peerText(peer: Peer, ns: string): string {
  if (peer.type === "IPBlock") return `ipBlock ${peer.text}`;
  const pods = formatSelector(peer.pods);
  if (peer.namespaces.type === "PolicyNamespace") return `pods ${pods} in namespace ${ns}`;
  return `pods ${pods} in namespaces ${formatSelector(peer.namespaces.selector)}`;
}

function portsText(rule: PolicyRule): string {
  if (rule.ports === "All") return "all ports";
  return rule.ports
    .map((x) => {
      switch (x.port.type) {
        case "AllPorts":
          return `${x.protocol} (all)`;
        case "Number":
          return `${x.protocol} ${x.port.port === x.port.endPort ? x.port.port : `${x.port.port}-${x.port.endPort}`}`;
        case "Named":
          return `${x.protocol} "${x.port.name}"`;
      }
    })
    .join(", ");
}

function ruleInfo(ns: string, dir: "Ingress" | "Egress", rule: PolicyRule, index: number, t: Topology): RuleInfo {
  const peers: "all" | PeerInfo[] =
    rule.peers === "All"
      ? "all"
      : rule.peers.map((peer) => ({
          text: peerText(peer, ns),
          line: peer.source.line,
          matches: uniqueSorted(t.subjects.filter((s) => peerMatchesPod(peer, ns, s)).map((s) => s.workloadId)),
        }));
  return { direction: dir, index, action: "Allow", line: rule.source.line, peers, ports: portsText(rule) };
}

export function policyDetail(p: NetworkPolicy, t: Topology): PolicyDetail {
  const selected = uniqueSorted(t.subjects.filter((s) => policySelects(p, s)).map((s) => s.workloadId));
  const rules = [
    ...p.ingress.map((r, i) => ruleInfo(p.namespace, "Ingress", r, i, t)),
    ...p.egress.map((r, i) => ruleInfo(p.namespace, "Egress", r, i, t)),
  ];
  return {
    id: policyKey(p),
    kind: "NetworkPolicy",
    tier: "NetworkPolicy",
    namespace: p.namespace,
    name: p.name,
    policyTypes: p.policyTypes,
    file: p.source.file,
    line: p.source.line,
    selects: selected.length,
    selector: formatSelector(p.podSelector),
    selected,
    rules,
  };
}
