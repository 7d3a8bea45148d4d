/**
 * @module gateway (model)
 * Gateway API v1 (gateway.networking.k8s.io: GatewayClass, Gateway, HTTPRoute, GRPCRoute;
 * ReferenceGrant v1beta1) and OpenShift route.openshift.io/v1 Route — decoded and defaulted
 * as the CRDs' defaults do (https://github.com/kubernetes-sigs/gateway-api/tree/main/apis/v1).
 * Matching and attachment live in src/gateway/.
 */
import type { Ip } from "./ip.js";
import type { LabelSelector } from "./label-selector.js";
import type { SourceRef } from "./source-ref.js";

export const GATEWAY_GROUP = "gateway.networking.k8s.io";
/** The label Istio and Envoy Gateway put on a Gateway's data-plane pods. */
export const GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name";

export interface GatewayClass {
  readonly kind: "GatewayClass";
  readonly name: string;
  readonly controllerName: string;
  readonly source: SourceRef;
}

export interface RouteGroupKind {
  readonly group: string;
  readonly kind: string;
}

/** allowedRoutes.namespaces.from (default Same). */
export type AllowedNamespaces =
  | { readonly from: "Same" }
  | { readonly from: "All" }
  | { readonly from: "Selector"; readonly selector: LabelSelector };

export interface Listener {
  readonly name: string;
  /** undefined: every hostname. `*.example.com` is a suffix match over one or more labels. */
  readonly hostname?: string;
  readonly port: number;
  /** HTTP, HTTPS, TLS, TCP, UDP, or an implementation-specific domain-prefixed protocol. */
  readonly protocol: string;
  readonly allowedNamespaces: AllowedNamespaces;
  /** allowedRoutes.kinds; empty: the kinds the protocol supports. */
  readonly allowedKinds: readonly RouteGroupKind[];
  readonly source: SourceRef;
}

export interface Gateway {
  readonly kind: "Gateway";
  readonly namespace: string;
  readonly name: string;
  readonly gatewayClassName: string;
  readonly listeners: readonly Listener[];
  /** status.addresses of type IPAddress (and spec.addresses when status has none). */
  readonly addresses: readonly Ip[];
  /** status.addresses of type Hostname. */
  readonly hostnames: readonly string[];
  readonly source: SourceRef;
}

export interface ParentRef {
  readonly group: string;
  readonly kind: string;
  /** undefined: the route's namespace. */
  readonly namespace?: string;
  readonly name: string;
  readonly sectionName?: string;
  readonly port?: number;
  readonly source: SourceRef;
}

export interface BackendRef {
  readonly group: string;
  /** Default Service. */
  readonly kind: string;
  /** undefined: the route's namespace. */
  readonly namespace?: string;
  readonly name: string;
  readonly port?: number;
  /** Default 1; 0 never receives traffic. */
  readonly weight: number;
  readonly source: SourceRef;
}

export type StringMatch = { readonly type: "Exact" | "RegularExpression"; readonly name: string; readonly value: string };

export type HTTPPathMatch = { readonly type: "Exact" | "PathPrefix" | "RegularExpression"; readonly value: string };

export interface HTTPRouteMatch {
  /** Default PathPrefix "/". */
  readonly path: HTTPPathMatch;
  readonly headers: readonly StringMatch[];
  readonly queryParams: readonly StringMatch[];
  readonly method?: string;
}

export interface GRPCMethodMatch {
  readonly type: "Exact" | "RegularExpression";
  readonly service?: string;
  readonly method?: string;
}

export interface GRPCRouteMatch {
  readonly method?: GRPCMethodMatch;
  readonly headers: readonly StringMatch[];
}

export interface HTTPRouteRule {
  /** Default one match: PathPrefix "/". */
  readonly matches: readonly HTTPRouteMatch[];
  readonly backendRefs: readonly BackendRef[];
  /** Filter types on the rule (RequestRedirect, URLRewrite, …): reported, not modelled. */
  readonly filters: readonly string[];
  readonly source: SourceRef;
}

export interface GRPCRouteRule {
  /** Empty: every gRPC request. */
  readonly matches: readonly GRPCRouteMatch[];
  readonly backendRefs: readonly BackendRef[];
  readonly filters: readonly string[];
  readonly source: SourceRef;
}

interface RouteCommon {
  readonly namespace: string;
  readonly name: string;
  readonly parentRefs: readonly ParentRef[];
  readonly hostnames: readonly string[];
  /** metadata.creationTimestamp (RFC 3339), for precedence; undefined sorts last. */
  readonly creationTimestamp?: string;
  readonly source: SourceRef;
}

export interface HTTPRoute extends RouteCommon {
  readonly kind: "HTTPRoute";
  readonly rules: readonly HTTPRouteRule[];
}

export interface GRPCRoute extends RouteCommon {
  readonly kind: "GRPCRoute";
  readonly rules: readonly GRPCRouteRule[];
}

export type GatewayRoute = HTTPRoute | GRPCRoute;

export interface ReferenceGrant {
  readonly kind: "ReferenceGrant";
  readonly namespace: string;
  readonly name: string;
  readonly from: readonly { readonly group: string; readonly kind: string; readonly namespace: string }[];
  readonly to: readonly { readonly group: string; readonly kind: string; readonly name?: string }[];
  readonly source: SourceRef;
}

/** OpenShift route.openshift.io/v1 Route. */
export interface OpenShiftRoute {
  readonly kind: "Route";
  readonly namespace: string;
  readonly name: string;
  /** spec.host (or status.ingress[0].host when spec.host is empty). */
  readonly host?: string;
  /** spec.path: a prefix ("/" when absent). */
  readonly path: string;
  /** spec.to first, then spec.alternateBackends. */
  readonly backends: readonly { readonly kind: string; readonly name: string; readonly weight: number; readonly source: SourceRef }[];
  /** spec.port.targetPort: a Service port number/name or a container targetPort; undefined: every port. */
  readonly targetPort?: number | string;
  readonly tls?: string;
  readonly creationTimestamp?: string;
  readonly source: SourceRef;
}
