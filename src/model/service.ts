/**
 * @module service
 * v1 Service, discovery.k8s.io/v1 EndpointSlice (and v1 Endpoints, folded into slices), v1 Node,
 * networking.k8s.io/v1 Ingress and IngressClass — decoded, defaulted, API spelling kept.
 */
import type { Cidr } from "./cidr.js";
import type { Ip } from "./ip.js";
import type { Labels } from "./label-selector.js";
import type { Protocol } from "./protocol.js";
import type { SourceRef } from "./source-ref.js";

export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
export type TrafficPolicy = "Cluster" | "Local";
/** spec.ipFamilyPolicy: "If there is no value provided, then this field will be set to SingleStack." */
export type IpFamilyPolicy = "SingleStack" | "PreferDualStack" | "RequireDualStack";

/** targetPort: a number, or a container port name resolved per endpoint pod. */
export type TargetPort = { readonly type: "Number"; readonly port: number } | { readonly type: "Name"; readonly name: string };

export interface ServicePort {
  readonly name?: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** Defaults to `port` when absent. */
  readonly targetPort: TargetPort;
  readonly nodePort?: number;
  readonly appProtocol?: string;
  readonly source: SourceRef;
}

export interface Service {
  readonly kind: "Service";
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly type: ServiceType;
  /** undefined: no selector (endpoints are managed by hand, as EndpointSlices/Endpoints). */
  readonly selector?: Labels;
  /** Empty for ExternalName; ["None"] is kept as `headless: true` with no IPs. */
  readonly clusterIPs: readonly Ip[];
  readonly headless: boolean;
  /** spec.ipFamilies as given (IPv4 → 4, IPv6 → 6), primary first; absent when the manifest leaves it to the API server. */
  readonly ipFamilies?: readonly (4 | 6)[];
  /** spec.ipFamilyPolicy as given; absent means SingleStack. */
  readonly ipFamilyPolicy?: IpFamilyPolicy;
  readonly externalName?: string;
  readonly externalIPs: readonly Ip[];
  readonly loadBalancerIPs: readonly Ip[];
  /**
   * spec.loadBalancerSourceRanges: clients allowed to reach the LoadBalancer IPs (kube-proxy's
   * firewall chains; nodePorts are not filtered). Absent or empty: every client.
   */
  readonly loadBalancerSourceRanges?: readonly Cidr[];
  readonly ports: readonly ServicePort[];
  readonly sessionAffinity: "None" | "ClientIP";
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly internalTrafficPolicy: TrafficPolicy;
  readonly publishNotReadyAddresses: boolean;
  readonly source: SourceRef;
}

export interface EndpointPort {
  readonly name?: string;
  readonly protocol: Protocol;
  readonly port: number;
}

export interface Endpoint {
  readonly addresses: readonly Ip[];
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly zone?: string;
  /** `namespace/name` of the pod (targetRef), when given. */
  readonly targetPod?: string;
}

export interface EndpointSlice {
  readonly kind: "EndpointSlice";
  readonly namespace: string;
  readonly name: string;
  /** From the `kubernetes.io/service-name` label. */
  readonly serviceName?: string;
  readonly addressType: "IPv4" | "IPv6" | "FQDN";
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly EndpointPort[];
  /** True when converted from a v1 Endpoints object. */
  readonly fromEndpoints: boolean;
  readonly source: SourceRef;
}

export interface Node {
  readonly kind: "Node";
  readonly name: string;
  readonly labels: Labels;
  readonly internalIPs: readonly Ip[];
  readonly externalIPs: readonly Ip[];
  readonly podCIDRs: readonly string[];
  readonly source: SourceRef;
}

export type PathType = "Exact" | "Prefix" | "ImplementationSpecific";

export interface IngressBackend {
  readonly service?: { readonly name: string; readonly port: { readonly number?: number; readonly name?: string } };
  readonly resource?: { readonly kind: string; readonly name: string };
  readonly source: SourceRef;
}

export interface IngressPath {
  readonly path: string;
  readonly pathType: PathType;
  readonly backend: IngressBackend;
}

export interface IngressRule {
  /** undefined: every host. May start with `*.` (one label wildcard). */
  readonly host?: string;
  readonly paths: readonly IngressPath[];
  readonly source: SourceRef;
}

export interface Ingress {
  readonly kind: "Ingress";
  readonly namespace: string;
  readonly name: string;
  readonly ingressClassName?: string;
  readonly defaultBackend?: IngressBackend;
  readonly rules: readonly IngressRule[];
  readonly tls: readonly { readonly hosts: readonly string[]; readonly secretName?: string }[];
  readonly source: SourceRef;
}

export interface IngressClass {
  readonly kind: "IngressClass";
  readonly name: string;
  readonly controller: string;
  readonly isDefault: boolean;
  readonly source: SourceRef;
}
