/**
 * @module calico-tiers
 * Calico's policy model → ordered general tiers (pure). What Calico enforces on a cluster:
 * - every Tier object, plus the built-in tiers kube-admin (order 1000, Pass), default
 *   (1,000,000, Deny) and kube-baseline (10,000,000, Pass) (api v3 tier.go; libcalico-go
 *   clientv3 ensureTierExists) — sorted by order (none = last) then name (felix TierLess);
 * - NetworkPolicy and GlobalNetworkPolicy in their `tier`, by order (none = +Inf) then name
 *   (felix PolKVLess);
 * - Kubernetes NetworkPolicy in tier `default` at order 1000, named `knp.default.<name>`
 *   (conversion.go K8sNetworkPolicyToCalico, K8sNetworkPolicyNamePrefix);
 * - AdminNetworkPolicy and ClusterNetworkPolicy tier Admin in `kube-admin`,
 *   BaselineAdminNetworkPolicy and ClusterNetworkPolicy tier Baseline in `kube-baseline`, at
 *   order = priority (conversion/clusternetworkpolicy.go K8sClusterNetworkPolicyToCalico:
 *   `order := float64(kcnp.Spec.Priority)`, clusterNetworkPolicyTier), `types` = the directions
 *   that have rules (clusterNetPolicyTypes: "The ANP Tiers are default-Pass so the only reason
 *   to enable a policy type is if we have rules").
 * Staged kinds are never enforced; `applyStaged` gives the input as if they were.
 */
import type { CalicoNetworkSet, CalicoPolicy, CalicoTier, ClusterPolicy, ClusterPolicyRule, NetworkPolicy, PolicyType, StagedKubernetesNetworkPolicy } from "../model/index.js";
import { CALICO_BUILTIN_TIERS, K8S_NETWORK_POLICY_ORDER, calicoRulesOf, clusterRulesOf } from "../model/index.js";
import { compareGeneralPolicies, compareGeneralTiers, type GeneralPolicy, type GeneralRule, type GeneralTier } from "./general-tier.js";
import { clusterPolicyAsGeneral, networkPolicyAsGeneral } from "./kubernetes-tiers.js";

export interface CalicoInput {
  readonly policies: readonly CalicoPolicy[];
  readonly tiers: readonly CalicoTier[];
  readonly networkPolicies: readonly NetworkPolicy[];
  readonly clusterPolicies: readonly ClusterPolicy[];
  readonly networkSets: readonly CalicoNetworkSet[];
}

export interface CalicoTiers {
  readonly tiers: readonly GeneralTier[];
  /** Things Calico would reject or that kwire guessed (a policy in a tier with no Tier object). */
  readonly notes: readonly string[];
}

function isStaged(p: CalicoPolicy): boolean {
  return p.kind === "StagedNetworkPolicy" || p.kind === "StagedGlobalNetworkPolicy";
}

function both(types: readonly PolicyType[]): { Ingress: boolean; Egress: boolean } {
  return { Ingress: types.includes("Ingress"), Egress: types.includes("Egress") };
}

function calicoPolicy(p: CalicoPolicy): GeneralPolicy {
  const policy = p.namespace === undefined ? p.name : `${p.namespace}/${p.name}`;
  const kind = p.kind === "StagedNetworkPolicy" ? "NetworkPolicy" : p.kind === "StagedGlobalNetworkPolicy" ? "GlobalNetworkPolicy" : p.kind;
  const rules = (direction: PolicyType): GeneralRule[] =>
    calicoRulesOf(p, direction).map((r) => ({
      origin: { kind: `${kind} (Calico)`, policy, tier: p.tier, order: p.order, action: r.action, direction, index: r.index, source: r.ref, ...(r.unmodelled.length ? { unmodelled: r.unmodelled.join("; ") } : {}) },
      match: { dialect: "calico", rule: r, policyNamespace: p.namespace },
    }));
  const types = both(p.types);
  return {
    origin: { kind: `${kind} (Calico)`, policy, namespace: p.namespace, sortName: p.name, tier: p.tier, order: p.order, source: p.source },
    subject: { dialect: "calico", policy: p },
    isolates: types,
    governs: types,
    ingress: types.Ingress ? rules("Ingress") : [],
    egress: types.Egress ? rules("Egress") : [],
  };
}

/** A Kubernetes NetworkPolicy as Calico stores it: Allow rules, default tier, order 1000. */
function kubernetesPolicy(np: NetworkPolicy): GeneralPolicy {
  return networkPolicyAsGeneral(np, { tier: "default", order: K8S_NETWORK_POLICY_ORDER, sortName: `knp.default.${np.name}`, ipBlockScope: "all" });
}

/**
 * Calico converts a cluster policy rule only when every peer is namespaces, pods or networks and
 * no port is named (clusternetworkpolicy.go combinePortsWith*Peers, k8sCNPPortToCalicoFields:
 * "named ports are not supported yet"); otherwise the rule fails closed
 * (k8sClusterNetPolHandleFailedRules: Deny/Pass become a deny-all rule, Accept is dropped).
 */
function calicoConvertible(r: ClusterPolicyRule): boolean {
  const peers = r.rule.peers;
  const badPeer = peers !== "All" && peers.some((p) => p.type === "IPBlock" && (p.text.startsWith("nodes") || p.text.startsWith("domainNames")));
  const namedPort = r.rule.ports !== "All" && r.rule.ports.some((p) => p.port.type === "Named");
  return !badPeer && !namedPort;
}

function asCalicoConverts(r: ClusterPolicyRule): ClusterPolicyRule | undefined {
  if (calicoConvertible(r)) return r;
  if (r.action === "Allow") return undefined;
  return { name: r.name, action: "Deny", rule: { peers: "All", ports: "All", source: r.rule.source }, unmodelled: "Calico cannot convert this rule (a nodes/domainNames peer or a named port): it fails closed to deny-all, as Calico does" };
}

function clusterPolicy(cp: ClusterPolicy): GeneralPolicy {
  return clusterPolicyAsGeneral(cp, cp.tier === "Admin" ? "kube-admin" : "kube-baseline", asCalicoConverts);
}

/** The enforced tiers, in evaluation order, each with its policies in evaluation order. */
export function calicoTiers(input: CalicoInput): CalicoTiers {
  const notes: string[] = [];
  const declared = new Map<string, { order: number | undefined; defaultAction: "Deny" | "Pass" }>();
  for (const t of CALICO_BUILTIN_TIERS) declared.set(t.name, { order: t.order, defaultAction: t.defaultAction });
  for (const t of input.tiers) declared.set(t.name, { order: t.order, defaultAction: t.defaultAction });
  const policies = [
    ...input.policies.filter((p) => !isStaged(p)).map(calicoPolicy),
    ...input.networkPolicies.map(kubernetesPolicy),
    ...input.clusterPolicies.map(clusterPolicy),
  ];
  const byTier = new Map<string, GeneralPolicy[]>();
  for (const p of policies) {
    const list = byTier.get(p.origin.tier) ?? [];
    list.push(p);
    byTier.set(p.origin.tier, list);
  }
  const tiers: GeneralTier[] = [];
  for (const [name, list] of byTier) {
    let t = declared.get(name);
    if (!t) {
      // felix: a tier with policies but no Tier object sorts after every valid tier.
      notes.push(`tier "${name}" has policies (${list.map((p) => p.origin.policy).join(", ")}) but no Tier object: Calico's API server rejects such policies; kwire places the tier last with defaultAction Deny`);
      t = { order: undefined, defaultAction: "Deny" };
    }
    tiers.push({ name, order: t.order, defaultAction: t.defaultAction, policies: [...list].sort((a, b) => compareGeneralPolicies(a.origin, b.origin)) });
  }
  const valid = (n: string): boolean => declared.has(n);
  tiers.sort((a, b) => (valid(a.name) === valid(b.name) ? compareGeneralTiers(a, b) : valid(a.name) ? -1 : 1));
  return { tiers, notes };
}

function stagedKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}|${namespace ?? ""}|${name}`;
}

/**
 * The input as if the staged policies were enforced (Calico "staged network policies": Set
 * creates or replaces the same-named enforced policy, Delete removes it; Learn and Ignore change
 * nothing). StagedNetworkPolicy stands for a NetworkPolicy, StagedGlobalNetworkPolicy for a
 * GlobalNetworkPolicy, StagedKubernetesNetworkPolicy for a Kubernetes NetworkPolicy.
 */
export function applyStaged(input: CalicoInput, stagedK8s: readonly StagedKubernetesNetworkPolicy[]): CalicoInput {
  const enforcedKind = (k: CalicoPolicy["kind"]): CalicoPolicy["kind"] => (k === "StagedNetworkPolicy" ? "NetworkPolicy" : k === "StagedGlobalNetworkPolicy" ? "GlobalNetworkPolicy" : k);
  const policies = new Map<string, CalicoPolicy>();
  for (const p of input.policies) if (!isStaged(p)) policies.set(stagedKey(p.kind, p.namespace, p.name), p);
  for (const s of input.policies.filter(isStaged)) {
    const kind = enforcedKind(s.kind);
    const key = stagedKey(kind, s.namespace, s.name);
    if (s.stagedAction === "Set") policies.set(key, { ...s, kind, stagedAction: undefined });
    else if (s.stagedAction === "Delete") policies.delete(key);
  }
  const nps = new Map<string, NetworkPolicy>();
  for (const np of input.networkPolicies) nps.set(`${np.namespace}/${np.name}`, np);
  for (const s of stagedK8s) {
    const key = `${s.policy.namespace}/${s.policy.name}`;
    if (s.stagedAction === "Set") nps.set(key, s.policy);
    else if (s.stagedAction === "Delete") nps.delete(key);
  }
  return { ...input, policies: [...policies.values()], networkPolicies: [...nps.values()] };
}
