/**
 * @module cilium
 * cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, decoded
 * (src/parse/kinds/cilium.ts decides every quirk: namespace scoping of selectors, `spec` and
 * `specs`, port defaults, enableDefaultDeny defaults).
 *
 * Semantics restated (docs.cilium.io security/policy: intro "Policy Enforcement Modes",
 * language, deny): an endpoint is default-allow until a rule that selects it has rules in a
 * direction (ingress/ingressDeny, egress/egressDeny) and does not set enableDefaultDeny to false
 * for it; then only what some allow rule allows passes. Deny rules win over any allow, whatever
 * the kind (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, Kubernetes NetworkPolicy).
 * CIDR rules do not match cluster endpoints or node addresses. L7 rules (http, dns, kafka) and
 * toFQDNs are decided by the proxy / DNS proxy, not at L3/L4: kwire decodes and flags them.
 */
import type { Cidr } from "./cidr.js";
import type { IpSet } from "./ip-set.js";
import type { LabelSelector } from "./label-selector.js";
import type { PolicyType, PortSpec } from "./network-policy.js";
import type { SourceRef } from "./source-ref.js";

/** Cilium's reserved entities (pkg/policy/api/entity.go). */
export const CILIUM_ENTITIES = ["all", "world", "world-ipv4", "world-ipv6", "cluster", "host", "remote-node", "kube-apiserver", "ingress", "init", "health", "unmanaged", "none"] as const;
export type CiliumEntity = (typeof CILIUM_ENTITIES)[number];

/** The label key Cilium gives a pod's namespace, and the prefix of its namespace's labels. */
export const CILIUM_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
export const CILIUM_NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";
export const CILIUM_SERVICE_ACCOUNT_LABEL = "io.cilium.k8s.policy.serviceaccount";

/**
 * An EndpointSelector: a LabelSelector over Cilium's labels, keys with their source prefix
 * removed (`k8s:app` → `app`; `any:` likewise). For a namespaced policy the decoder has already
 * added `io.kubernetes.pod.namespace = <ns>` unless the selector names a namespace itself.
 */
export interface CiliumSelector {
  readonly selector: LabelSelector;
  /** The selector names `reserved:` labels (entities written as labels): kept, flagged. */
  readonly reserved: readonly string[];
  readonly source: SourceRef;
}

export interface CiliumCidrRule {
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
  /** cidr minus except. */
  readonly set: IpSet;
  readonly text: string;
}

export type CiliumProtocol = "TCP" | "UDP" | "SCTP" | "ANY";

/** `port` absent or "0" is AllPorts (NetworkPolicy's PortSpec variants, shared). */
export interface CiliumPort {
  readonly protocol: CiliumProtocol;
  readonly port: PortSpec;
}

/** rules.http / rules.dns / rules.kafka / l7proto: decoded for traces, not decided by kwire. */
export interface CiliumL7 {
  readonly kind: "http" | "dns" | "kafka" | "l7proto";
  readonly summary: string;
}

export interface CiliumPortRule {
  readonly ports: readonly CiliumPort[];
  readonly l7: readonly CiliumL7[];
}

export interface CiliumIcmp {
  readonly family: "IPv4" | "IPv6";
  readonly type: number | string;
}

/** One ingress/egress (allow or deny) rule. Peer fields are ORed; ports AND peers. */
export interface CiliumRule {
  readonly direction: PolicyType;
  readonly deny: boolean;
  readonly endpoints: readonly CiliumSelector[];
  /** fromRequires / toRequires: extra requirements on the peer (ANDed with the other rules). */
  readonly requires: readonly CiliumSelector[];
  readonly entities: readonly CiliumEntity[];
  readonly cidrs: readonly CiliumCidrRule[];
  /** toFQDNs (egress allow only): names, not modelled. */
  readonly fqdns: readonly string[];
  /** fromNodes/toNodes, toServices, toGroups, cidrGroupRef…: decoded, not modelled. */
  readonly unmodelledPeers: readonly string[];
  /** No L3 field at all: the rule names every peer (an L4-only rule). */
  readonly anyPeer: boolean;
  /** toPorts absent: every port. */
  readonly toPorts: "All" | readonly CiliumPortRule[];
  readonly icmps: readonly CiliumIcmp[];
  readonly index: number;
  readonly ref: SourceRef;
}

/** One element of `spec` / `specs`. */
export interface CiliumRuleSet {
  /** endpointSelector, or nodeSelector (host policy: kwire does not model host endpoints). */
  readonly subject: { readonly type: "Endpoints"; readonly selector: CiliumSelector } | { readonly type: "Nodes"; readonly selector: CiliumSelector };
  readonly ingress: readonly CiliumRule[];
  readonly egress: readonly CiliumRule[];
  /** After defaulting: true for each direction that has (allow or deny) rules unless set false. */
  readonly defaultDeny: { readonly Ingress: boolean; readonly Egress: boolean };
  readonly description: string | undefined;
  readonly index: number;
  readonly ref: SourceRef;
}

export interface CiliumPolicy {
  readonly kind: "CiliumNetworkPolicy" | "CiliumClusterwideNetworkPolicy";
  readonly apiVersion: string;
  readonly name: string;
  /** undefined for CiliumClusterwideNetworkPolicy. */
  readonly namespace: string | undefined;
  readonly specs: readonly CiliumRuleSet[];
  readonly source: SourceRef;
}

export function ciliumRulesOf(s: CiliumRuleSet, direction: PolicyType): readonly CiliumRule[] {
  return direction === "Ingress" ? s.ingress : s.egress;
}
