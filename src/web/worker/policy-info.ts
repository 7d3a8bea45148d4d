/**
 * @module policy-info
 * The policy view's data: which workloads a NetworkPolicy selects, and per rule which peers it
 * admits (selectors resolved against the input's pods and workloads) on which ports.
 */
import { formatSelector, groupBy, type NetworkPolicy, type Peer, type PolicyRule } from "../../model/index.js";
import { peerMatchesPod, policySelects } from "../../policy/index.js";
import type { Subject, Topology } from "../../engine/index.js";
import type { PeerInfo, PolicyDetail, PolicySummary, RuleInfo } from "../protocol.js";

export const policyKey = (p: NetworkPolicy): string => `${p.namespace}/${p.name}`;

function uniqueSorted(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

export function subjectsByNamespace(t: Topology): Map<string, Subject[]> {
  return groupBy(t.subjects, (s) => s.namespace);
}

export function policySummary(p: NetworkPolicy, byNs: ReadonlyMap<string, readonly Subject[]>): PolicySummary {
  const selected = uniqueSorted((byNs.get(p.namespace) ?? []).filter((s) => policySelects(p, s)).map((s) => s.workloadId));
  return { id: policyKey(p), namespace: p.namespace, name: p.name, policyTypes: p.policyTypes, file: p.source.file, line: p.source.line, selects: selected.length };
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

function ruleInfo(p: NetworkPolicy, dir: "Ingress" | "Egress", rule: PolicyRule, index: number, t: Topology): RuleInfo {
  const peers: "all" | PeerInfo[] =
    rule.peers === "All"
      ? "all"
      : rule.peers.map((peer) => ({
          text: peerText(peer, p.namespace),
          line: peer.source.line,
          matches: uniqueSorted(t.subjects.filter((s) => peerMatchesPod(peer, p.namespace, s)).map((s) => s.workloadId)),
        }));
  return { direction: dir, index, line: rule.source.line, peers, ports: portsText(rule) };
}

export function policyDetail(p: NetworkPolicy, t: Topology): PolicyDetail {
  const selected = uniqueSorted(t.subjects.filter((s) => policySelects(p, s)).map((s) => s.workloadId));
  const rules = [
    ...p.ingress.map((r, i) => ruleInfo(p, "Ingress", r, i, t)),
    ...p.egress.map((r, i) => ruleInfo(p, "Egress", r, i, t)),
  ];
  return {
    id: policyKey(p),
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
