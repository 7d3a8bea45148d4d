/**
 * @module policy-peer-selects-nothing
 * A pod peer (namespaceSelector and/or podSelector) that matches no namespace, or no pod in
 * the namespaces it matches, allows nothing: almost always a mistyped label or namespace.
 */
import { formatSelector, selectorMatches, type NetworkPolicy, type Peer } from "../../model/index.js";
import type { Topology } from "../../engine/index.js";
import type { LintContext } from "../context.js";
import { labelPairs, selectorHint } from "../closest.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

/** Namespaces every cluster has, even when the input does not declare them. */
const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

type Known = { readonly name: string; readonly labels: Readonly<Record<string, string>> };

function knownNamespaces(t: Topology): Known[] {
  const out = [...t.namespaces.values()].map((n) => ({ name: n.name, labels: n.labels }));
  for (const name of BUILTIN_NAMESPACES) if (!t.namespaces.has(name)) out.push({ name, labels: { "kubernetes.io/metadata.name": name } });
  return out;
}

/** Namespaces and their selections, computed once per lint run (selectors repeat across policies). */
class Namespaces {
  readonly known: readonly Known[];
  private readonly bySelector = new Map<string, readonly Known[]>();
  constructor(t: Topology) {
    this.known = knownNamespaces(t);
  }
  matching(peer: Peer & { type: "Pods" }, policyNs: string): readonly Known[] {
    if (peer.namespaces.type === "PolicyNamespace") return this.known.filter((n) => n.name === policyNs);
    const sel = peer.namespaces.selector;
    const key = formatSelector(sel);
    let out = this.bySelector.get(key);
    if (!out) this.bySelector.set(key, (out = this.known.filter((n) => selectorMatches(sel, n.labels))));
    return out;
  }
}

/** `peerMatchesPod` for some subject, per class: the namespaces it matches, then its podSelector there. */
function matchesSomePod(ctx: LintContext, p: NetworkPolicy, peer: Peer & { type: "Pods" }): boolean {
  const nss = peer.namespaces.type === "PolicyNamespace"
    ? [p.namespace]
    : ctx.classes.subjectNamespacesMatching(peer.namespaces.selector, formatSelector(peer.namespaces.selector));
  return nss.some((ns) => ctx.classes.podsIn(ns, peer.pods).length > 0);
}

function check(ctx: LintContext, known: Namespaces, p: NetworkPolicy, peer: Peer & { type: "Pods" }, where: string): Omit<Finding, "code" | "severity" | "object"> | undefined {
  const nss = known.matching(peer, p.namespace);
  if (nss.length === 0 && peer.namespaces.type === "Selector") {
    return {
      message: `${where}: namespaceSelector ${formatSelector(peer.namespaces.selector)} matches no namespace, so this peer allows nothing`,
      source: peer.source,
      hint: selectorHint(peer.namespaces.selector.matchLabels, labelPairs(known.known.map((n) => n.labels)), "namespace"),
    };
  }
  if (matchesSomePod(ctx, p, peer)) return undefined;
  // Only a namespace whose workloads the input lists can be said to have no matching pod.
  const names = new Set(nss.map((n) => n.name));
  if ([...names].some((ns) => ctx.subjectsIn(ns).length === 0)) return undefined;
  const there = [...names].flatMap((ns) => ctx.subjectsIn(ns).filter((s) => !s.hostNetwork).map((s) => s.labels));
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
    const known = new Namespaces(ctx.topology);
    for (const p of ctx.cluster.networkPolicies) {
      for (const [dir, rules] of [["ingress", p.ingress], ["egress", p.egress]] as const) {
        rules.forEach((r, i) => {
          if (r.peers === "All") return;
          r.peers.forEach((peer, j) => {
            if (peer.type !== "Pods") return;
            const f = check(ctx, known, p, peer, `${dir}[${i}].${dir === "ingress" ? "from" : "to"}[${j}]`);
            if (f) out.push({ code: "policy-peer-selects-nothing", severity: "warning", object: objectName(p), ...f });
          });
        });
      }
    }
    return out;
  },
};
