/**
 * @module gateway-kinds (decoder dispatch)
 * Which apiVersion/kind pairs are Gateway API or OpenShift Route objects, and where each
 * decoded object is kept. TLSRoute, TCPRoute and UDPRoute are recognised but not modelled:
 * a warning says so (the rest of the input is analysed without them).
 */
import type { Cluster, Gateway, GatewayClass, GatewayRoute, OpenShiftRoute, ReferenceGrant, SourceRef } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeGateway, decodeGatewayClass, decodeReferenceGrant } from "./gateway.js";
import { decodeGRPCRoute, decodeHTTPRoute } from "./gateway-route.js";
import { decodeOpenShiftRoute } from "./route.js";
import { collate, sortByName } from "../name-order.js";
import { ObjectTable } from "../object-table.js";

const GW_VERSIONS = new Set(["gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1", "gateway.networking.k8s.io/v1alpha2"]);
const NOT_MODELLED = new Set(["TLSRoute", "TCPRoute", "UDPRoute"]);

type Keyed = { readonly namespace?: string; readonly name: string; readonly source: SourceRef };
export type Put = <T extends Keyed>(map: ObjectTable<T>, kind: string, value: T) => void;

export class NorthSouthCollector {
  readonly gatewayClasses = new ObjectTable<GatewayClass>();
  readonly gateways = new ObjectTable<Gateway>();
  readonly routes = new ObjectTable<GatewayRoute>();
  readonly grants = new ObjectTable<ReferenceGrant>();
  readonly openshiftRoutes = new ObjectTable<OpenShiftRoute>();

  /** How to store the decoded object; false when it failed; undefined when not one of these kinds. */
  decode(obj: Cursor, kind: string, apiVersion: string, put: Put): (() => void) | false | undefined {
    const wrap = <T extends Keyed>(map: ObjectTable<T>, v: T | undefined): (() => void) | false => (v ? () => put(map, kind, v) : false);
    if (kind === "Route" && apiVersion === "route.openshift.io/v1") return wrap(this.openshiftRoutes, decodeOpenShiftRoute(obj));
    if (!GW_VERSIONS.has(apiVersion)) return undefined;
    switch (kind) {
      case "GatewayClass":
        return wrap(this.gatewayClasses, decodeGatewayClass(obj));
      case "Gateway":
        return wrap(this.gateways, decodeGateway(obj));
      case "HTTPRoute":
        return wrap(this.routes, decodeHTTPRoute(obj));
      case "GRPCRoute":
        return wrap(this.routes, decodeGRPCRoute(obj));
      case "ReferenceGrant":
        return wrap(this.grants, decodeReferenceGrant(obj));
    }
    if (NOT_MODELLED.has(kind)) {
      obj.get("kind").report("unsupported-kind", "warning", `${kind} (${apiVersion}) is not modelled: kwire ignores it, so connections through it are not shown`);
    }
    return undefined;
  }

  result(): Pick<Cluster, "gatewayClasses" | "gateways" | "gatewayRoutes" | "referenceGrants" | "openshiftRoutes"> {
    const byName = <T extends Keyed & { readonly kind: string }>(m: ObjectTable<T>): T[] =>
      sortByName(m.toArray(), (a, b) => collate(a.kind, b.kind));
    return { gatewayClasses: byName(this.gatewayClasses), gateways: byName(this.gateways), gatewayRoutes: byName(this.routes), referenceGrants: byName(this.grants), openshiftRoutes: byName(this.openshiftRoutes) };
  }
}
