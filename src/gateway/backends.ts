/**
 * @module backends
 * A rule's backendRefs as the Gateway implementation resolves them
 * (apis/v1/httproute_types.go `HTTPBackendRef`, `BackendRef.Weight`; referencegrant_types.go):
 * - weight 0: "the backend MUST NOT receive traffic" (conformance
 *   HTTPRouteAllBackendsWeightZero: every backend at 0 ⇒ 500);
 * - a reference to another namespace is allowed only when a ReferenceGrant in the target
 *   namespace names the route's kind and namespace in `from` and the Service (or every
 *   Service) in `to`; otherwise ResolvedRefs is False (RefNotPermitted) and the share of
 *   requests it would get receive a 500;
 * - a Service that does not exist, or a port the Service does not declare, is an invalid
 *   backend (BackendNotFound): its share gets a 500;
 * - a kind other than core Service is not modelled (it is said, never guessed);
 * - no backendRefs at all and no filters: every request gets a 500.
 */
import { GATEWAY_GROUP, type BackendRef, type ReferenceGrant, type Service } from "../model/index.js";

export type BackendStatus = "ok" | "weight-zero" | "service-missing" | "port-missing" | "not-permitted" | "kind-not-modelled";

export interface ResolvedBackend {
  readonly ref: BackendRef;
  readonly namespace: string;
  readonly status: BackendStatus;
  readonly detail: string;
}

export function grantAllows(grants: readonly ReferenceGrant[], from: { readonly kind: string; readonly namespace: string; readonly group?: string }, to: { readonly namespace: string; readonly name: string; readonly kind?: string; readonly group?: string }): boolean {
  const fromGroup = from.group ?? GATEWAY_GROUP;
  const toKind = to.kind ?? "Service";
  const toGroup = to.group ?? "";
  return grants.some((g) => g.namespace === to.namespace
    && g.from.some((f) => f.group === fromGroup && f.kind === from.kind && f.namespace === from.namespace)
    && g.to.some((t) => t.group === toGroup && t.kind === toKind && (t.name === undefined || t.name === to.name)));
}

export function resolveBackend(ref: BackendRef, route: { readonly kind: string; readonly namespace: string }, services: (ns: string, name: string) => Service | undefined, grants: readonly ReferenceGrant[]): ResolvedBackend {
  const namespace = ref.namespace ?? route.namespace;
  const id = `${namespace}/${ref.name}`;
  const r = (status: BackendStatus, detail: string): ResolvedBackend => ({ ref, namespace, status, detail });
  if (ref.group !== "" || ref.kind !== "Service") return r("kind-not-modelled", `backendRef ${ref.kind} ${id} (group ${ref.group || "core"}) is not a Service: not modelled`);
  if (namespace !== route.namespace && !grantAllows(grants, route, { namespace, name: ref.name })) {
    return r("not-permitted", `backendRef Service ${id} is in another namespace and no ReferenceGrant in ${namespace} allows ${route.kind} from ${route.namespace} (RefNotPermitted)`);
  }
  const svc = services(namespace, ref.name);
  if (!svc) return r("service-missing", `backendRef Service ${id} does not exist (BackendNotFound)`);
  if (ref.port !== undefined && !svc.ports.some((p) => p.port === ref.port)) return r("port-missing", `backendRef Service ${id} has no port ${ref.port} (its ports: ${svc.ports.map((p) => p.port).join(", ") || "none"})`);
  if (ref.weight === 0) return r("weight-zero", `backendRef Service ${id}:${ref.port ?? ""} has weight 0: it never receives traffic`);
  return r("ok", `Service ${id}:${ref.port ?? ""} weight ${ref.weight}`);
}
