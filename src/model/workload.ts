/**
 * @module workload
 * Pods and the controllers that make them. A pod's traffic identity is its namespace, labels,
 * IPs and containerPorts; a workload's is its pod template's.
 */
import type { Ip } from "./ip.js";
import type { Labels } from "./label-selector.js";
import type { Protocol } from "./protocol.js";
import type { SourceRef } from "./source-ref.js";

export const WORKLOAD_KINDS = [
  "Deployment",
  "ReplicaSet",
  "StatefulSet",
  "DaemonSet",
  "Job",
  "CronJob",
  "ReplicationController",
  // KubeVirt (kubevirt.io/v1): a VM runs in one virt-launcher pod (src/parse/kinds/kubevirt.ts).
  "VirtualMachine",
  "VirtualMachineInstance",
] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
  /**
   * ports[].hostPort: the node forwards this port to the container (CNI portmap: DNAT on the
   * node, https://www.cni.dev/plugins/current/meta/portmap/). Absent when not given.
   */
  readonly hostPort?: number;
  /** ports[].hostIP: the node address the hostPort binds to; absent means every address. */
  readonly hostIP?: string;
}

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

/** spec.dnsPolicy (default ClusterFirst). */
export type DnsPolicy = "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";

/** spec.dnsConfig: merged by the kubelet into what dnsPolicy produced. */
export interface PodDnsConfig {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  readonly options: readonly { readonly name: string; readonly value?: string }[];
}

/** The pod's DNS settings; absent: ClusterFirst without dnsConfig. */
export interface PodDns {
  readonly dnsPolicy: DnsPolicy;
  readonly dnsConfig?: PodDnsConfig;
}

/** Optional fields are always present as keys (maybe undefined): one object shape for every pod. */
export interface Pod {
  readonly kind: "Pod";
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ips: readonly Ip[];
  readonly hostIP?: Ip | undefined;
  readonly hostNetwork: boolean;
  readonly nodeName?: string | undefined;
  /** spec.serviceAccountName (or the deprecated spec.serviceAccount); undefined = "default". */
  readonly serviceAccount?: string | undefined;
  readonly ports: readonly ContainerPort[];
  readonly owners: readonly OwnerRef[];
  readonly source: SourceRef;
  /**
   * The Ready condition from status.conditions; undefined when the input gives no conditions
   * (hand-written manifests): the Service layer then assumes a running, ready pod.
   */
  readonly ready?: boolean | undefined;
  /** status.phase (Pending, Running, Succeeded, Failed, Unknown), when given. */
  readonly phase?: string | undefined;
  /** metadata.deletionTimestamp is set: the pod is terminating. */
  readonly terminating?: boolean | undefined;
  /** spec.hostname / spec.subdomain (a headless Service's per-pod DNS name). */
  readonly hostname?: string | undefined;
  readonly subdomain?: string | undefined;
  /** spec.dnsPolicy / spec.dnsConfig, when not the default (ClusterFirst, none). */
  readonly dns?: PodDns | undefined;
}

export interface Workload {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  /** Pod template labels. */
  readonly labels: Labels;
  readonly hostNetwork: boolean;
  readonly ports: readonly ContainerPort[];
  /** The template's spec.serviceAccountName; undefined = "default". */
  readonly serviceAccount?: string | undefined;
  /** Pods it runs at once (replicas, parallelism); DaemonSets count as 2 (one per node, ≥ 2 nodes). */
  readonly replicas: number;
  readonly owners: readonly OwnerRef[];
  readonly source: SourceRef;
  /** StatefulSet spec.serviceName: its pods get hostname = pod name and subdomain = this. */
  readonly serviceName?: string;
  /** The template's spec.dnsPolicy / spec.dnsConfig, when not the default. */
  readonly dns?: PodDns;
}

export interface Namespace {
  readonly kind: "Namespace";
  readonly name: string;
  /** Always carries `kubernetes.io/metadata.name`, as the API server sets it. */
  readonly labels: Labels;
  /** Referenced by an object but not declared in the input. */
  readonly implicit: boolean;
  readonly source: SourceRef;
}
