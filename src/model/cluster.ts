/**
 * @module cluster
 * Everything the input declared, decoded: the model every analysis reads.
 */
import type { CalicoNetworkSet, CalicoPolicy, CalicoTier, StagedKubernetesNetworkPolicy } from "./calico.js";
import type { CiliumPolicy } from "./cilium.js";
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
  /**
   * skipped: for an input error; not-modelled: a kind kwire does not model; family-dependent: its
   * address rules match a dual-stack pod by one family only (src/policy/family-dependence.ts);
   * unresolved-peer: a cluster-policy rule's peer kwire cannot resolve to addresses
   * (src/policy/unresolved-peers.ts) — it concerns the outside world only.
   */
  readonly reason: "skipped" | "not-modelled" | "family-dependent" | "unresolved-peer";
  /** Why, when the reason alone does not say (family-dependent: the rule, pod and addresses). */
  readonly detail?: string;
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
  /** Calico's kinds (projectcalico.org/v3, crd.projectcalico.org/v1); absent when the input has none. */
  readonly calico?: CalicoObjects;
  /** cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy; absent when none. */
  readonly ciliumPolicies?: readonly CiliumPolicy[];
  /**
   * Whose policy model the cluster's CNI enforces (set by analyzeCluster from --cni or the input):
   * absent = the Kubernetes tiers (ANP → NetworkPolicy → BANP); "calico" / "cilium" = that CNI's
   * ordered tiers over every kind it enforces (src/policy/general-tier.ts).
   */
  readonly policyDialect?: PolicyDialect;
  /** Policies read but not modelled (skipped or of an unmodelled kind): the "uncertain" marks come from here. */
  readonly policyGaps: readonly PolicyGap[];
  /**
   * The families of the cluster's Service ranges (kube-apiserver --service-cluster-ip-range),
   * primary first: which ClusterIPs a Service without them gets (services/frontends.ts). Absent:
   * inferred from the Services, pods and nodes (frontends.ts `inferServiceFamilies`). The lab sets its own.
   */
  readonly serviceIpFamilies?: readonly (4 | 6)[];
}

export type PolicyDialect = "calico" | "cilium";

export interface CalicoObjects {
  /** NetworkPolicy, GlobalNetworkPolicy and their Staged forms. */
  readonly policies: readonly CalicoPolicy[];
  readonly tiers: readonly CalicoTier[];
  readonly networkSets: readonly CalicoNetworkSet[];
  readonly stagedKubernetes: readonly StagedKubernetesNetworkPolicy[];
}
