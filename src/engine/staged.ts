/**
 * @module staged
 * Calico's staged policies, previewed with the engines: the cluster as if every
 * StagedNetworkPolicy / StagedGlobalNetworkPolicy / StagedKubernetesNetworkPolicy were enforced
 * (policy/calico-tiers.ts `applyStaged`: Set creates or replaces the same-named policy, Delete
 * removes it, Learn and Ignore change nothing), and the per-pair difference between two
 * matrices of the same level: the flows each endpoint pair gains and loses.
 *
 * Calico docs, "Stage, preview impacts, and enforce policy"
 * (docs.tigera.io/calico-cloud/network-policy/staged-network-policies): "a staged policy is
 * evaluated but not enforced"; enforcing it means creating the same-named enforced policy.
 */
import { isEmptyPorts, subtractPorts, type Cluster, type PortSet, type SourceRef, type StagedAction } from "../model/index.js";
import { applyStaged, calicoInputOf } from "../policy/index.js";
import type { Matrix } from "./matrix.js";

export interface StagedPolicyRef {
  readonly kind: "StagedNetworkPolicy" | "StagedGlobalNetworkPolicy" | "StagedKubernetesNetworkPolicy";
  readonly name: string;
  /** Absent for StagedGlobalNetworkPolicy. */
  readonly namespace?: string;
  readonly stagedAction: StagedAction;
  readonly source: SourceRef;
}

/** The staged objects of the input, sorted by kind, namespace and name. */
export function stagedPoliciesOf(cluster: Cluster): StagedPolicyRef[] {
  const out: StagedPolicyRef[] = [];
  for (const p of cluster.calico?.policies ?? []) {
    if (p.kind !== "StagedNetworkPolicy" && p.kind !== "StagedGlobalNetworkPolicy") continue;
    out.push({ kind: p.kind, name: p.name, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), stagedAction: p.stagedAction ?? "Set", source: p.source });
  }
  for (const s of cluster.calico?.stagedKubernetes ?? []) {
    out.push({ kind: "StagedKubernetesNetworkPolicy", name: s.policy.name, namespace: s.policy.namespace, stagedAction: s.stagedAction, source: s.source });
  }
  const key = (r: StagedPolicyRef): string => `${r.kind}\u0000${r.namespace ?? ""}\u0000${r.name}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * The cluster with its staged policies enforced: Calico policies and Kubernetes NetworkPolicies
 * replaced by applyStaged's, no staged objects left. Everything else (pods, Services, tiers,
 * network sets, cluster policies, the dialect) is the same object.
 */
export function withStagedEnforced(cluster: Cluster): Cluster {
  const calico = cluster.calico;
  if (!calico) return cluster;
  const applied = applyStaged(calicoInputOf(cluster), calico.stagedKubernetes);
  return { ...cluster, networkPolicies: applied.networkPolicies, calico: { ...calico, policies: applied.policies, stagedKubernetes: [] } };
}

/** One endpoint pair whose allowed ports differ. */
export interface StagedPairChange {
  readonly src: string;
  readonly dst: string;
  /** Allowed now (enforced policies only). */
  readonly before: PortSet;
  /** Allowed once the staged policies are enforced. */
  readonly after: PortSet;
  /** after − before. */
  readonly gained: PortSet;
  /** before − after. */
  readonly lost: PortSet;
}

function portsByPair(m: Matrix): Map<string, { src: string; dst: string; ports: PortSet }> {
  const out = new Map<string, { src: string; dst: string; ports: PortSet }>();
  for (const c of m.connections) {
    const src = m.endpoints[c.src]?.id;
    const dst = m.endpoints[c.dst]?.id;
    if (src === undefined || dst === undefined) throw new Error(`matrix connection ${c.src}→${c.dst} names no endpoint`);
    out.set(`${src}\u0000${dst}`, { src, dst, ports: m.analysis.ports.get(c.portsId) });
  }
  return out;
}

const NONE: PortSet = { TCP: [], UDP: [], SCTP: [] };

/**
 * Pairs (by endpoint id, so the two matrices may differ in their IP-block endpoints) whose ports
 * differ, sorted by source then destination id.
 */
export function stagedPairChanges(before: Matrix, after: Matrix): StagedPairChange[] {
  const b = portsByPair(before);
  const a = portsByPair(after);
  const out: StagedPairChange[] = [];
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const was = b.get(k);
    const now = a.get(k);
    const pair = was ?? now;
    if (!pair) continue;
    const bp = was?.ports ?? NONE;
    const ap = now?.ports ?? NONE;
    const gained = subtractPorts(ap, bp);
    const lost = subtractPorts(bp, ap);
    if (isEmptyPorts(gained) && isEmptyPorts(lost)) continue;
    out.push({ src: pair.src, dst: pair.dst, before: bp, after: ap, gained, lost });
  }
  return out.sort((x, y) => (x.src < y.src ? -1 : x.src > y.src ? 1 : x.dst < y.dst ? -1 : x.dst > y.dst ? 1 : 0));
}
