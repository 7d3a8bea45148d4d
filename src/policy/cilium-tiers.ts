/**
 * @module cilium-tiers
 * Cilium's policy model → ordered general tiers (pure). Cilium has no tiers, but its semantics
 * fold into two (docs.cilium.io security/policy: intro "Policy Enforcement Modes", deny):
 *   1. `cilium-deny` (defaultAction Pass): every ingressDeny/egressDeny rule of every rule set
 *      that selects the endpoint — "Deny policies take precedence over allow policies,
 *      regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium Network
 *      Policy or even a Kubernetes Network Policy";
 *   2. `cilium-allow` (defaultAction Deny): every allow rule of every CiliumNetworkPolicy,
 *      CiliumClusterwideNetworkPolicy and Kubernetes NetworkPolicy; the tier counts (the
 *      endpoint is default-deny in that direction) only when a selecting rule set has
 *      enableDefaultDeny true for it (the default when it has rules in that direction) or a
 *      selecting NetworkPolicy lists the direction in policyTypes.
 * Inside a tier the order does not change the outcome (all rules have one action); policies
 * are sorted by kind, namespace and name for deterministic traces.
 */
import { EVERYTHING, type CiliumPolicy, type CiliumRule, type CiliumRuleSet, type NetworkPolicy, type PolicyType } from "../model/index.js";
import { ciliumL7Note, ciliumUnmodelled } from "./cilium-match.js";
import { compareGeneralPolicies, type GeneralPolicy, type GeneralRule, type GeneralTier } from "./general-tier.js";
import { networkPolicyAsGeneral } from "./kubernetes-tiers.js";

export const CILIUM_DENY_TIER = "cilium-deny";
export const CILIUM_ALLOW_TIER = "cilium-allow";

function setName(p: CiliumPolicy, s: CiliumRuleSet): string {
  const base = p.namespace === undefined ? p.name : `${p.namespace}/${p.name}`;
  return p.specs.length > 1 ? `${base}[${s.index}]` : base;
}

function ruleOf(p: CiliumPolicy, s: CiliumRuleSet, r: CiliumRule, tier: string): GeneralRule {
  const unmodelled = ciliumUnmodelled(r);
  const note = ciliumL7Note(r);
  return {
    origin: { kind: p.kind, policy: setName(p, s), tier, order: undefined, action: r.deny ? "Deny" : "Allow", direction: r.direction, index: r.index, source: r.ref, ...(unmodelled !== undefined ? { unmodelled } : {}), ...(note !== undefined ? { note } : {}), ...(r.deny ? { field: r.direction === "Ingress" ? "ingressDeny" : "egressDeny" } : {}) },
    match: { dialect: "cilium", rule: r },
  };
}

function ciliumPolicy(p: CiliumPolicy, s: CiliumRuleSet, deny: boolean): GeneralPolicy {
  const tier = deny ? CILIUM_DENY_TIER : CILIUM_ALLOW_TIER;
  const pick = (rules: readonly CiliumRule[]): GeneralRule[] => rules.filter((r) => r.deny === deny).map((r) => ruleOf(p, s, r, tier));
  const ingress = pick(s.ingress);
  const egress = pick(s.egress);
  return {
    origin: { kind: p.kind, policy: setName(p, s), namespace: p.namespace, sortName: setName(p, s), tier, order: undefined, source: s.ref },
    subject: { dialect: "cilium", set: s, namespace: p.namespace },
    // Deny rules apply whenever the set selects the endpoint; the allow tier counts per enableDefaultDeny.
    isolates: deny ? { Ingress: ingress.length > 0, Egress: egress.length > 0 } : s.defaultDeny,
    governs: { Ingress: true, Egress: true },
    ingress,
    egress,
  };
}

function kubernetesPolicy(np: NetworkPolicy): GeneralPolicy {
  return networkPolicyAsGeneral(np, { tier: CILIUM_ALLOW_TIER, order: undefined, sortName: `${np.namespace}/${np.name}`, ipBlockScope: "world" });
}

/** Where the agent's own rule comes from: its configuration, not the input. */
const AGENT_SOURCE = { file: "<cilium-agent allow-localhost>", line: 0, column: 0, path: "" } as const;
const ALLOW_LOCALHOST = "allow-localhost";

/**
 * The agent's `allow-localhost` (default `auto`, which is `always` on Kubernetes): "Kubernetes
 * demands that the localhost can always reach local pods. Therefore unless the AllowLocalhost
 * policy is set to a specific mode, always allow localhost to reach local endpoints" (cilium
 * daemon/cmd/daemon.go; pkg/option/config.go AllowLocalhostAlways). The local node — and the
 * hostNetwork pods on it, entity `host` — reaches every local endpoint on every port, whatever
 * its allow policies say; deny rules still win (they are enforced before any allow). An allow
 * rule in the allow tier that never makes an endpoint default-deny.
 */
function allowLocalhost(): GeneralPolicy {
  const rule: CiliumRule = { direction: "Ingress", deny: false, endpoints: [], requires: [], entities: ["host"], cidrs: [], fqdns: [], unmodelledPeers: [], anyPeer: false, toPorts: "All", icmps: [], index: 0, ref: AGENT_SOURCE };
  const everyEndpoint: CiliumRuleSet = {
    subject: { type: "Endpoints", selector: { selector: EVERYTHING, reserved: [], source: AGENT_SOURCE } },
    ingress: [rule],
    egress: [],
    defaultDeny: { Ingress: false, Egress: false },
    description: "Cilium agent option allow-localhost=always (the default on Kubernetes)",
    index: 0,
    ref: AGENT_SOURCE,
  };
  return {
    origin: { kind: "CiliumAgent", policy: ALLOW_LOCALHOST, namespace: undefined, sortName: ALLOW_LOCALHOST, tier: CILIUM_ALLOW_TIER, order: undefined, source: AGENT_SOURCE },
    subject: { dialect: "cilium", set: everyEndpoint, namespace: undefined },
    isolates: { Ingress: false, Egress: false },
    governs: { Ingress: true, Egress: false },
    ingress: [{ origin: { kind: "CiliumAgent", policy: ALLOW_LOCALHOST, tier: CILIUM_ALLOW_TIER, order: undefined, action: "Allow", direction: "Ingress", index: 0, source: AGENT_SOURCE }, match: { dialect: "cilium", rule } }],
    egress: [],
  };
}

export function ciliumTiers(policies: readonly CiliumPolicy[], networkPolicies: readonly NetworkPolicy[]): GeneralTier[] {
  const sets = policies.flatMap((p) => p.specs.map((s) => ({ p, s })));
  const sort = (list: GeneralPolicy[]): GeneralPolicy[] => list.sort((a, b) => compareGeneralPolicies(a.origin, b.origin));
  const deny = sort(sets.map(({ p, s }) => ciliumPolicy(p, s, true)).filter((g) => g.ingress.length > 0 || g.egress.length > 0));
  const allow = [allowLocalhost(), ...sort([...sets.map(({ p, s }) => ciliumPolicy(p, s, false)), ...networkPolicies.map(kubernetesPolicy)])];
  return [
    { name: CILIUM_DENY_TIER, order: 0, defaultAction: "Pass", policies: deny },
    { name: CILIUM_ALLOW_TIER, order: 1, defaultAction: "Deny", policies: allow },
  ];
}
