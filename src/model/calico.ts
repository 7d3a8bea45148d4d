/**
 * @module calico
 * Calico policy objects (projectcalico.org/v3, and crd.projectcalico.org/v1 which stores the same
 * spec), decoded: defaults applied (types, tier, defaultAction, stagedAction), selectors parsed,
 * ports and nets normalised. Every API quirk is decided by src/parse/kinds/calico.ts.
 *
 * Semantics restated (Calico docs "Get started with policy tiers", felix calc/policy_sorter.go):
 * tiers run by `order` (none = last) then name; inside a tier policies run by `order` (none =
 * +Inf) then name; rules run in written order. Allow and Deny end evaluation, Log continues,
 * Pass skips to the next tier. A tier counts for an endpoint and direction only when one of its
 * policies selects the endpoint and lists the direction in `types`; at the end of a counted
 * tier its defaultAction applies (Deny unless Pass). After the last tier the endpoint's profile
 * allows (Kubernetes pods).
 */
import type { CalicoSelector } from "./calico-selector.js";
import type { Cidr } from "./cidr.js";
import type { IpSet } from "./ip-set.js";
import type { Labels } from "./label-selector.js";
import type { NetworkPolicy, PolicyType } from "./network-policy.js";
import type { SourceRef } from "./source-ref.js";

export type CalicoAction = "Allow" | "Deny" | "Pass" | "Log";

/** A parsed selector with the text as written (for traces) and its place. */
export interface CalicoSelectorField {
  readonly text: string;
  readonly selector: CalicoSelector;
  readonly source: SourceRef;
}

/** numorstring.Protocol: a name or a number 1-255. */
export type CalicoProtocol =
  | { readonly type: "Name"; readonly name: "TCP" | "UDP" | "SCTP" | "ICMP" | "ICMPv6" | "UDPLite" }
  | { readonly type: "Number"; readonly number: number };

/** numorstring.Port: `80`, `"8000:8100"` (inclusive range) or a named port. */
export type CalicoPort =
  | { readonly type: "Range"; readonly from: number; readonly to: number }
  | { readonly type: "Named"; readonly name: string };

export interface CalicoIcmp {
  /** 0-254; undefined = any type. */
  readonly type: number | undefined;
  /** 0-255; only with a type. */
  readonly code: number | undefined;
}

export interface CalicoServiceAccountMatch {
  readonly names: readonly string[];
  readonly selector: CalicoSelectorField | undefined;
}

/** apiv3.EntityRule: every field given must match (AND); `not*` fields must not match. */
export interface CalicoEntityRule {
  readonly nets: readonly Cidr[];
  readonly notNets: readonly Cidr[];
  /** nets as one set per family (for matching). */
  readonly netSets: readonly IpSet[];
  readonly notNetSets: readonly IpSet[];
  readonly selector: CalicoSelectorField | undefined;
  readonly notSelector: CalicoSelectorField | undefined;
  readonly namespaceSelector: CalicoSelectorField | undefined;
  readonly serviceAccounts: CalicoServiceAccountMatch | undefined;
  /** `services: {name, namespace}` — decoded, not modelled. */
  readonly services: { readonly name: string; readonly namespace: string | undefined } | undefined;
  readonly ports: readonly CalicoPort[];
  readonly notPorts: readonly CalicoPort[];
}

export interface CalicoRule {
  readonly action: CalicoAction;
  readonly ipVersion: 4 | 6 | undefined;
  readonly protocol: CalicoProtocol | undefined;
  readonly notProtocol: CalicoProtocol | undefined;
  readonly icmp: CalicoIcmp | undefined;
  readonly notICMP: CalicoIcmp | undefined;
  readonly source: CalicoEntityRule;
  readonly destination: CalicoEntityRule;
  /** `http` (methods/paths): L7, decoded and not modelled. */
  readonly http: { readonly methods: readonly string[]; readonly paths: readonly string[] } | undefined;
  /** Parts of the rule kwire reads but does not model, for the "uncertain" mark. */
  readonly unmodelled: readonly string[];
  readonly index: number;
  readonly ref: SourceRef;
}

export type CalicoPolicyKind = "NetworkPolicy" | "GlobalNetworkPolicy" | "StagedNetworkPolicy" | "StagedGlobalNetworkPolicy";

/** StagedAction: Set (default) stages a create/update, Delete a removal; Learn and Ignore do nothing here. */
export type StagedAction = "Set" | "Delete" | "Learn" | "Ignore";

export interface CalicoPolicy {
  readonly kind: CalicoPolicyKind;
  readonly apiVersion: string;
  /** metadata.name as written (it may carry the `<tier>.` prefix). */
  readonly name: string;
  /** undefined for the global kinds. */
  readonly namespace: string | undefined;
  /** spec.tier, default "default". */
  readonly tier: string;
  /** spec.order; undefined = +Inf (applied last in its tier). */
  readonly order: number | undefined;
  /** spec.selector (absent = all()). */
  readonly selector: CalicoSelectorField | undefined;
  /** GlobalNetworkPolicy spec.namespaceSelector (absent = every endpoint, namespaced or not). */
  readonly namespaceSelector: CalicoSelectorField | undefined;
  readonly serviceAccountSelector: CalicoSelectorField | undefined;
  /** After defaulting (apiv3 PolicySpec.Types doc). */
  readonly types: readonly PolicyType[];
  readonly ingress: readonly CalicoRule[];
  readonly egress: readonly CalicoRule[];
  /** Staged kinds only. */
  readonly stagedAction: StagedAction | undefined;
  /** doNotTrack / preDNAT / applyOnForward: host-endpoint options kwire does not model. */
  readonly hostOptions: readonly string[];
  readonly source: SourceRef;
}

/** A Kubernetes NetworkPolicy staged through Calico (policy.projectcalico.org StagedKubernetesNetworkPolicy). */
export interface StagedKubernetesNetworkPolicy {
  readonly kind: "StagedKubernetesNetworkPolicy";
  readonly apiVersion: string;
  readonly stagedAction: StagedAction;
  readonly policy: NetworkPolicy;
  readonly source: SourceRef;
}

export interface CalicoTier {
  readonly kind: "Tier";
  readonly name: string;
  /** undefined = applied last. */
  readonly order: number | undefined;
  readonly defaultAction: "Deny" | "Pass";
  readonly source: SourceRef;
}

export interface CalicoNetworkSet {
  readonly kind: "NetworkSet" | "GlobalNetworkSet";
  readonly name: string;
  readonly namespace: string | undefined;
  readonly labels: Labels;
  readonly nets: readonly Cidr[];
  readonly netSets: readonly IpSet[];
  /** allowedEgressDomains (Calico Enterprise): decoded, not modelled. */
  readonly allowedEgressDomains: readonly string[];
  readonly source: SourceRef;
}

/** Calico's built-in tiers (api/pkg/apis/projectcalico/v3/tier.go; the Tier CRD's CEL rules pin them). */
export const CALICO_BUILTIN_TIERS: readonly { readonly name: string; readonly order: number; readonly defaultAction: "Deny" | "Pass" }[] = [
  { name: "kube-admin", order: 1_000, defaultAction: "Pass" },
  { name: "default", order: 1_000_000, defaultAction: "Deny" },
  { name: "kube-baseline", order: 10_000_000, defaultAction: "Pass" },
];

/** The order Calico gives Kubernetes NetworkPolicies inside the default tier (conversion.go K8sNetworkPolicyToCalico). */
export const K8S_NETWORK_POLICY_ORDER = 1000;

export function calicoRulesOf(p: CalicoPolicy, direction: PolicyType): readonly CalicoRule[] {
  return direction === "Ingress" ? p.ingress : p.egress;
}
