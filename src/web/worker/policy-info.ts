/**
 * @module policy-info
 * The policy view's data: which workloads a policy (NetworkPolicy or a cluster-scoped tiered kind)
 * selects, and per rule its action and which peers it matches (selectors resolved against the
 * input's pods and workloads) on which ports; policies listed in evaluation order. Under Calico
 * or Cilium (`Cluster.policyDialect`) the list is the CNI's ordered tiers instead: Calico tiers by
 * order with their policies by order, Cilium's deny tier then allow tier.
 */
import { assertNever, formatCidr, formatSelector, groupBy, type CalicoEntityRule, type Cluster, type ClusterPolicy, type NetworkPolicy, type Peer, type PolicyRule } from "../../model/index.js";
import {
  CILIUM_DENY_TIER,
  FLOW_SET_OPS,
  clusterPolicySelects,
  enforcedTiers,
  generalRulesOf,
  peerMatchesPod,
  policySelects,
  ruleFlows,
  subjectSelects,
  tierPolicies,
  type GeneralPolicy,
  type GeneralRule,
  type GeneralTier,
  type TierEvalContext,
} from "../../policy/index.js";
import type { Analyzed } from "../../analyze/index.js";
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

/* ------------------------------------------------------------------------------------------ *
 * Calico and Cilium: the CNI's ordered general tiers (policy/enforced.ts), every policy with its
 * tier, order and rules (action, what the rule matches, which workloads it matches as peers).
 * ------------------------------------------------------------------------------------------ */

/** `GlobalNetworkPolicy (Calico)/security.db`, `NetworkPolicy/shop/api`, `CiliumNetworkPolicy/shop/x` — unique per tier. */
export const generalPolicyKey = (g: GeneralPolicy): string => `${g.origin.tier}:${g.origin.kind}/${g.origin.policy}`;

function tierLabel(t: GeneralTier, dialect: "calico" | "cilium"): string {
  if (dialect === "cilium") {
    return t.name === CILIUM_DENY_TIER ? "cilium-deny: every deny rule, before any allow (deny wins)" : "cilium-allow: allow rules of CNPs, CCNPs and NetworkPolicies (default deny once selected)";
  }
  return `tier ${t.name} · ${t.order === undefined ? "no order (last)" : `order ${t.order}`} · default ${t.defaultAction}`;
}

function generalSummary(t: GeneralTier, g: GeneralPolicy, dialect: "calico" | "cilium", subjects: readonly Subject[]): PolicySummary {
  const selected = uniqueSorted(subjects.filter((s) => subjectSelects(g.subject, s)).map((s) => s.workloadId));
  const types = (["Ingress", "Egress"] as const).filter((d) => g.isolates[d] || generalRulesOf(g, d).length > 0);
  const slash = g.origin.policy.indexOf("/");
  return {
    id: generalPolicyKey(g),
    kind: g.origin.kind,
    tier: t.name,
    ...(g.origin.order !== undefined ? { order: g.origin.order } : {}),
    tierLabel: tierLabel(t, dialect),
    namespace: g.origin.namespace ?? "",
    name: slash >= 0 && g.origin.namespace !== undefined ? g.origin.policy.slice(slash + 1) : g.origin.policy,
    policyTypes: types,
    file: g.origin.source.file,
    line: g.origin.source.line,
    selects: selected.length,
  };
}

function calicoEntityText(side: string, e: CalicoEntityRule): string[] {
  const parts: string[] = [];
  if (e.selector) parts.push(`selector ${e.selector.text}`);
  if (e.notSelector) parts.push(`notSelector ${e.notSelector.text}`);
  if (e.namespaceSelector) parts.push(`namespaceSelector ${e.namespaceSelector.text}`);
  if (e.serviceAccounts) parts.push(`serviceAccounts ${[...e.serviceAccounts.names, ...(e.serviceAccounts.selector ? [e.serviceAccounts.selector.text] : [])].join(", ")}`);
  if (e.nets.length) parts.push(`nets ${e.nets.map(formatCidr).join(", ")}`);
  if (e.notNets.length) parts.push(`notNets ${e.notNets.map(formatCidr).join(", ")}`);
  return parts.length ? [`${side}: ${parts.join("; ")}`] : [];
}

const calicoPorts = (ports: readonly CalicoEntityRule["ports"][number][]): string => ports.map((p) => (p.type === "Named" ? `"${p.name}"` : p.from === p.to ? `${p.from}` : `${p.from}:${p.to}`)).join(", ");

/** What a rule matches besides its peers' workloads: the peer text and the ports, per dialect. */
function matchText(g: GeneralRule, namespace: string): { peer: string; ports: string } {
  const m = g.match;
  switch (m.dialect) {
    case "calico": {
      const r = m.rule;
      const peer = [...calicoEntityText("source", r.source), ...calicoEntityText("destination", { ...r.destination, ports: [], notPorts: [] })];
      const proto = r.protocol ? (r.protocol.type === "Name" ? r.protocol.name : `protocol ${r.protocol.number}`) : "any protocol";
      const ports = [proto, ...(r.destination.ports.length ? [`ports ${calicoPorts(r.destination.ports)}`] : []), ...(r.destination.notPorts.length ? [`notPorts ${calicoPorts(r.destination.notPorts)}`] : []), ...(r.icmp ? [`icmp type ${r.icmp.type ?? "any"}${r.icmp.code !== undefined ? ` code ${r.icmp.code}` : ""}`] : [])];
      return { peer: peer.length ? peer.join(" · ") : "every peer (no source/destination criteria)", ports: ports.join(", ") };
    }
    case "cilium": {
      const r = m.rule;
      const peer = [
        ...r.endpoints.map((e) => `endpoints ${formatSelector(e.selector)}`),
        ...(r.entities.length ? [`entities ${r.entities.join(", ")}`] : []),
        ...r.cidrs.map((c) => `CIDR ${c.text}`),
        ...(r.fqdns.length ? [`FQDNs ${r.fqdns.join(", ")}`] : []),
        ...r.unmodelledPeers,
      ];
      const ports =
        r.toPorts === "All"
          ? "all ports"
          : r.toPorts.map((pr) => `${pr.ports.map((p) => `${p.protocol} ${p.port.type === "AllPorts" ? "(all)" : p.port.type === "Named" ? `"${p.port.name}"` : p.port.port === p.port.endPort ? p.port.port : `${p.port.port}-${p.port.endPort}`}`).join(", ") || "no ports"}${pr.l7.length ? ` + L7 ${pr.l7.map((x) => x.summary).join("; ")}` : ""}`).join(", ");
      return { peer: peer.length ? peer.join(" · ") : r.anyPeer ? "every peer (L4 only)" : "no peer", ports };
    }
    case "networkpolicy":
      return { peer: m.rule.peers === "All" ? "every peer" : m.rule.peers.map((p) => peerText(p, m.policyNamespace)).join(" · "), ports: portsText(m.rule) };
    case "cluster":
      return { peer: m.rule.rule.peers === "All" ? "every peer" : m.rule.rule.peers.map((p) => peerText(p, namespace)).join(" · "), ports: portsText(m.rule.rule) };
    default:
      return assertNever(m);
  }
}

/** Workloads the rule matches as the other party, for one representative pod per selected workload. */
function ruleMatches(g: GeneralRule, dir: "Ingress" | "Egress", locals: readonly Subject[], subjects: readonly Subject[], ctx: TierEvalContext): string[] {
  const out = new Set<string>();
  for (const s of subjects) {
    if (out.has(s.workloadId)) continue;
    if (locals.some((e) => e !== s && !FLOW_SET_OPS.isEmpty(ruleFlows(g, dir, e, { type: "Pod", endpoint: s }, ctx)))) out.add(s.workloadId);
  }
  return [...out].sort();
}

function generalDetail(t: GeneralTier, g: GeneralPolicy, dialect: "calico" | "cilium", topo: Topology, ctx: TierEvalContext): PolicyDetail {
  const subjects = topo.subjects;
  const selectedSubjects = subjects.filter((s) => !s.hostNetwork && subjectSelects(g.subject, s));
  const locals = [...new Map(selectedSubjects.map((s) => [s.workloadId, s])).values()];
  const rules: RuleInfo[] = (["Ingress", "Egress"] as const).flatMap((dir) =>
    generalRulesOf(g, dir).map((r): RuleInfo => {
      const text = matchText(r, g.origin.namespace ?? "");
      return {
        direction: dir,
        index: r.origin.index,
        action: r.origin.action,
        ...(r.origin.tier === CILIUM_DENY_TIER ? { name: `${dir.toLowerCase()}Deny[${r.origin.index}]` } : {}),
        ...(r.origin.unmodelled !== undefined ? { unmodelled: r.origin.unmodelled } : {}),
        ...(r.origin.note !== undefined ? { note: r.origin.note } : {}),
        line: r.origin.source.line,
        peers: [{ text: text.peer, line: r.origin.source.line, matches: ruleMatches(r, dir, locals, subjects, ctx) }],
        ports: text.ports,
      };
    }),
  );
  const s = g.subject;
  const selector =
    s.dialect === "calico" ? [`selector ${s.policy.selector?.text ?? "all()"}`, ...(s.policy.namespaceSelector ? [`namespaceSelector ${s.policy.namespaceSelector.text}`] : []), ...(s.policy.serviceAccountSelector ? [`serviceAccountSelector ${s.policy.serviceAccountSelector.text}`] : []), ...(s.policy.namespace ? [`in namespace ${s.policy.namespace}`] : [])].join(", ")
    : s.dialect === "cilium" ? (s.set.subject.type === "Endpoints" ? `endpointSelector ${formatSelector(s.set.subject.selector.selector)}` : `nodeSelector ${formatSelector(s.set.subject.selector.selector)} (host policy: selects no pod)`)
    : s.dialect === "networkpolicy" ? `podSelector ${formatSelector(s.policy.podSelector)} in namespace ${s.policy.namespace}`
    : `namespaces ${formatSelector(s.policy.subject.namespaces)}, pods ${formatSelector(s.policy.subject.pods)}`;
  return { ...generalSummary(t, g, dialect, subjects), selector, selected: uniqueSorted(selectedSubjects.map((x) => x.workloadId)), rules };
}

/** The policy list for an analysis: the CNI's general tiers when it has its own model, else the Kubernetes tiers. */
export function policySummariesOf(a: Analyzed): PolicySummary[] {
  const e = enforcedTiers(a.cluster);
  const dialect = a.cluster.policyDialect;
  if (!e || dialect === undefined) return policySummaries(a.load.cluster, a.analysis.topology);
  return e.tiers.flatMap((t) => t.policies.map((g) => generalSummary(t, g, dialect, a.analysis.topology.subjects)));
}

/** One policy's detail by the id policySummariesOf gave it; undefined when there is none. */
export function policyDetailOf(a: Analyzed, id: string): PolicyDetail | undefined {
  const e = enforcedTiers(a.cluster);
  const dialect = a.cluster.policyDialect;
  const topo = a.analysis.topology;
  if (e && dialect !== undefined) {
    for (const t of e.tiers) for (const g of t.policies) if (generalPolicyKey(g) === id) return generalDetail(t, g, dialect, topo, e.context);
    return undefined;
  }
  const p = a.load.cluster.networkPolicies.find((x) => policyKey(x) === id);
  if (p) return policyDetail(p, topo);
  const cp = a.load.cluster.clusterPolicies.find((x) => clusterPolicyKey(x) === id);
  return cp ? clusterPolicyDetail(cp, topo) : undefined;
}
