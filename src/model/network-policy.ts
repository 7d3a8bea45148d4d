/**
 * @module network-policy
 * networking.k8s.io/v1 NetworkPolicy, decoded: each API quirk is already a variant here
 * (peers, ports, defaulted policyTypes), so no code downstream re-tests absent vs empty.
 *
 * Semantics restated (Kubernetes API reference, NetworkPolicySpec): a pod is isolated for a
 * direction when any policy in its namespace selects it and lists that direction in
 * policyTypes; an isolated pod admits the union of what the selecting policies' rules allow.
 * A connection needs egress allowed at the source AND ingress allowed at the destination.
 */
import type { Cidr } from "./cidr.js";
import type { IpSet } from "./ip-set.js";
import type { LabelSelector } from "./label-selector.js";
import type { Protocol } from "./protocol.js";
import type { SourceRef } from "./source-ref.js";

export type PolicyType = "Ingress" | "Egress";

/** Which namespaces a pod peer looks in. */
export type NamespaceMatch =
  /** No namespaceSelector: the policy's own namespace. */
  | { readonly type: "PolicyNamespace" }
  /** namespaceSelector present ({} selects every namespace). */
  | { readonly type: "Selector"; readonly selector: LabelSelector };

export type Peer =
  /** podSelector and/or namespaceSelector (AND). An absent podSelector selects all pods. */
  | { readonly type: "Pods"; readonly namespaces: NamespaceMatch; readonly pods: LabelSelector; readonly source: SourceRef }
  | {
      readonly type: "IPBlock";
      readonly cidr: Cidr;
      readonly except: readonly Cidr[];
      /** cidr minus except. */
      readonly set: IpSet;
      readonly text: string;
      readonly source: SourceRef;
    };

export type PortSpec =
  /** `port` absent: every port of the protocol. */
  | { readonly type: "AllPorts" }
  | { readonly type: "Number"; readonly port: number; readonly endPort: number }
  /** Named port, resolved against the destination pod's containerPorts (name and protocol). */
  | { readonly type: "Named"; readonly name: string };

export interface PolicyPort {
  readonly protocol: Protocol;
  readonly port: PortSpec;
  readonly source: SourceRef;
}

export interface PolicyRule {
  /** `from`/`to` absent or empty: every peer. */
  readonly peers: "All" | readonly Peer[];
  /** `ports` absent or empty: every port and protocol. */
  readonly ports: "All" | readonly PolicyPort[];
  readonly source: SourceRef;
}

export interface NetworkPolicy {
  readonly kind: "NetworkPolicy";
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** After defaulting: Ingress always when unspecified; Egress when `egress` has rules. */
  readonly policyTypes: readonly PolicyType[];
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  readonly source: SourceRef;
}
