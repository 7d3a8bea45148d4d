/**
 * @module cluster
 * Everything the input declared, decoded: the model every analysis reads.
 */
import type { ClusterPolicy } from "./cluster-policy.js";
import type { Gateway, GatewayClass, GatewayRoute, OpenShiftRoute, ReferenceGrant } from "./gateway.js";
import type { NetworkPolicy } from "./network-policy.js";
import type { EndpointSlice, Ingress, IngressClass, Node, Service } from "./service.js";
import type { SourceRef } from "./source-ref.js";
import type { Namespace, Pod, Workload } from "./workload.js";

/** An object of a kind this layer does not model yet; kept for later layers. */
export interface OtherObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly source: SourceRef;
  readonly raw: unknown;
}

/**
 * A policy-like object the input declares but kwire does not enforce in its model: skipped for
 * an error, or of a kind kwire does not model. Verdicts it could change are marked uncertain.
 */
export interface PolicyGap {
  readonly apiVersion: string;
  readonly kind: string;
  /** Namespaced objects affect pods of their namespace only; cluster-scoped ones every pod. */
  readonly namespace?: string;
  readonly name: string;
  readonly reason: "skipped" | "not-modelled";
  readonly source: SourceRef;
}

export interface Cluster {
  readonly namespaces: readonly Namespace[];
  readonly pods: readonly Pod[];
  readonly workloads: readonly Workload[];
  readonly networkPolicies: readonly NetworkPolicy[];
  /** AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy (src/model/cluster-policy.ts). */
  readonly clusterPolicies: readonly ClusterPolicy[];
  /** Service layer (decoded by src/parse/kinds/service.ts and friends); empty when absent. */
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly nodes: readonly Node[];
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  /** Gateway API and OpenShift Routes (src/parse/kinds/gateway.ts, route.ts); empty when absent. */
  readonly gatewayClasses?: readonly GatewayClass[];
  readonly gateways?: readonly Gateway[];
  readonly gatewayRoutes?: readonly GatewayRoute[];
  readonly referenceGrants?: readonly ReferenceGrant[];
  readonly openshiftRoutes?: readonly OpenShiftRoute[];
  readonly others: readonly OtherObject[];
  /** Policies read but not modelled (skipped or of an unmodelled kind): the "uncertain" marks come from here. */
  readonly policyGaps: readonly PolicyGap[];
}
