/**
 * @module policy-peer-selects-nothing
 * A pod peer (namespaceSelector and/or podSelector) that matches no namespace, or no pod in
 * the namespaces it matches, allows nothing: almost always a mistyped label or namespace.
 */
import { formatSelector, selectorMatches, type NetworkPolicy, type Peer } from "../../model/index.js";
import { peerMatchesPod } from "../../policy/index.js";
import type { Topology } from "../../engine/index.js";
import { labelPairs, selectorHint } from "../closest.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

/** Namespaces every cluster has, even when the input does not declare them. */
const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

function knownNamespaces(t: Topology): { readonly name: string; readonly labels: Readonly<Record<string, string>> }[] {
  const out = [...t.namespaces.values()].map((n) => ({ name: n.name, labels: n.labels }));
  for (const name of BUILTIN_NAMESPACES) if (!t.namespaces.has(name)) out.push({ name, labels: { "kubernetes.io/metadata.name": name } });
  return out;
}

function check(t: Topology, p: NetworkPolicy, peer: Peer & { type: "Pods" }, where: string): Omit<Finding, "code" | "severity" | "object"> | undefined {
  const nss = knownNamespaces(t).filter((n) =>
    peer.namespaces.type === "PolicyNamespace" ? n.name === p.namespace : selectorMatches(peer.namespaces.selector, n.labels));
  if (nss.length === 0 && peer.namespaces.type === "Selector") {
    return {
      message: `${where}: namespaceSelector ${formatSelector(peer.namespaces.selector)} matches no namespace, so this peer allows nothing`,
      source: peer.source,
      hint: selectorHint(peer.namespaces.selector.matchLabels, labelPairs(knownNamespaces(t).map((n) => n.labels)), "namespace"),
    };
  }
  if (t.subjects.some((s) => peerMatchesPod(peer, p.namespace, s))) return undefined;
  // Only a namespace whose workloads the input lists can be said to have no matching pod.
  const names = new Set(nss.map((n) => n.name));
  if ([...names].some((ns) => !t.subjects.some((s) => s.namespace === ns))) return undefined;
  const there = t.subjects.filter((s) => names.has(s.namespace) && !s.hostNetwork).map((s) => s.labels);
  return {
    message: `${where}: podSelector ${formatSelector(peer.pods)} matches no pod in ${nss.length === 1 ? `namespace ${nss[0]?.name}` : `the ${nss.length} namespaces selected`}, so this peer allows nothing`,
    source: peer.source,
    hint: selectorHint(peer.pods.matchLabels, labelPairs(there), "pod there"),
  };
}

export const policyPeerSelectsNothing: LintCheck = {
  code: "policy-peer-selects-nothing",
  severity: "warning",
  description: "a NetworkPolicy peer selects no namespace or no pod (mistyped labels or namespaces)",
  run(ctx) {
    const out: Finding[] = [];
    for (const p of ctx.cluster.networkPolicies) {
      for (const [dir, rules] of [["ingress", p.ingress], ["egress", p.egress]] as const) {
        rules.forEach((r, i) => {
          if (r.peers === "All") return;
          r.peers.forEach((peer, j) => {
            if (peer.type !== "Pods") return;
            const f = check(ctx.topology, p, peer, `${dir}[${i}].${dir === "ingress" ? "from" : "to"}[${j}]`);
            if (f) out.push({ code: "policy-peer-selects-nothing", severity: "warning", object: objectName(p), ...f });
          });
        });
      }
    }
    return out;
  },
};
