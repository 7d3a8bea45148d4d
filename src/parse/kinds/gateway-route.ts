/**
 * @module gateway-route (decoder)
 * gateway.networking.k8s.io HTTPRoute and GRPCRoute (v1, v1beta1/v1alpha2) with the CRD
 * defaults (apis/v1/httproute_types.go, grpcroute_types.go): parentRef group
 * gateway.networking.k8s.io and kind Gateway; backendRef group "" (core), kind Service,
 * weight 1; an HTTPRoute rule without matches gets one `PathPrefix /` match; a match
 * without a path gets `PathPrefix /`; header and query matches default to Exact; a Service
 * backendRef needs a port ("Port is required when the referent is a Kubernetes Service").
 */
import { GATEWAY_GROUP, type BackendRef, type GRPCRoute, type GRPCRouteMatch, type GRPCRouteRule, type HTTPPathMatch, type HTTPRoute, type HTTPRouteMatch, type HTTPRouteRule, type ParentRef, type StringMatch } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeHostname } from "./gateway.js";
import { decodeMeta } from "./metadata.js";

const PATH_TYPES = ["Exact", "PathPrefix", "RegularExpression"] as const;
const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

export function creationTimestamp(obj: Cursor): string | undefined {
  const c = obj.get("metadata").get("creationTimestamp");
  const v = c.plain();
  if (v instanceof Date) return v.toISOString();
  return typeof v === "string" ? v : undefined;
}

interface Common {
  readonly namespace: string;
  readonly name: string;
  readonly parentRefs: ParentRef[];
  readonly hostnames: string[];
  readonly creationTimestamp?: string;
  readonly source: HTTPRoute["source"];
}

function decodeCommon(obj: Cursor): { common: Common; spec: Cursor } | undefined {
  const meta = decodeMeta(obj, true);
  const spec = obj.get("spec");
  if (!meta || !spec.expect("map")) {
    if (meta && spec.isAbsent) spec.error("missing-field", 'required field "spec" is missing');
    return undefined;
  }
  const parentRefs = spec.get("parentRefs").items().map(decodeParentRef).filter((p): p is ParentRef => p !== undefined);
  const hostnames = spec.get("hostnames").items().map(decodeHostname).filter((h): h is string => h !== undefined);
  const ts = creationTimestamp(obj);
  return { common: { namespace: meta.namespace, name: meta.name, parentRefs, hostnames, ...(ts !== undefined ? { creationTimestamp: ts } : {}), source: obj.ref }, spec };
}

function decodeParentRef(c: Cursor): ParentRef | undefined {
  if (!c.expect("map")) return undefined;
  const name = c.get("name").reqString();
  const namespace = c.get("namespace").optString();
  const sectionName = c.get("sectionName").optString();
  const port = c.get("port").optInt();
  if (name === undefined) return undefined;
  return {
    group: c.get("group").optString() ?? GATEWAY_GROUP,
    kind: c.get("kind").optString() ?? "Gateway",
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(sectionName !== undefined ? { sectionName } : {}),
    ...(port !== undefined ? { port } : {}),
    source: c.ref,
  };
}

function decodeBackendRef(c: Cursor): BackendRef | undefined {
  if (!c.expect("map")) return undefined;
  const name = c.get("name").reqString();
  const group = c.get("group").optString() ?? "";
  const kind = c.get("kind").optString() ?? "Service";
  const namespace = c.get("namespace").optString();
  const port = c.get("port").optInt();
  const weight = c.get("weight").optInt() ?? 1;
  if (weight < 0 || weight > 1000000) c.get("weight").error("invalid-value", `weight ${weight} is outside 0-1000000`);
  if (group === "" && kind === "Service" && port === undefined) {
    c.get("port").error("missing-field", "a backendRef to a Service needs a port (\"Port is required when the referent is a Kubernetes Service\")");
    return undefined;
  }
  if (name === undefined) return undefined;
  return { group, kind, name, ...(namespace !== undefined ? { namespace } : {}), ...(port !== undefined ? { port } : {}), weight, source: c.ref };
}

function decodeStringMatches(c: Cursor): StringMatch[] {
  const out: StringMatch[] = [];
  for (const h of c.items()) {
    const name = h.get("name").reqString();
    const value = h.get("value").reqString();
    const t = h.get("type").optString() ?? "Exact";
    if (t !== "Exact" && t !== "RegularExpression") {
      h.get("type").error("invalid-value", `type "${t}" is not one of Exact, RegularExpression`);
      continue;
    }
    if (name !== undefined && value !== undefined) out.push({ type: t, name, value });
  }
  return out;
}

function decodeFilters(c: Cursor): string[] {
  return c.items().map((f) => f.get("type").optString() ?? "?");
}

function decodeHttpMatch(m: Cursor): HTTPRouteMatch | undefined {
  if (!m.expect("map")) return undefined;
  const pc = m.get("path");
  let path: HTTPPathMatch = { type: "PathPrefix", value: "/" };
  if (!pc.isAbsent) {
    const t = pc.get("type").optString() ?? "PathPrefix";
    const value = pc.get("value").optString() ?? "/";
    const type = PATH_TYPES.find((x) => x === t);
    if (!type) {
      pc.get("type").error("invalid-value", `path type "${t}" is not one of ${PATH_TYPES.join(", ")}`);
      return undefined;
    }
    if (type !== "RegularExpression" && !value.startsWith("/")) {
      pc.get("value").error("invalid-value", `path "${value}" must be an absolute path (start with "/")`);
      return undefined;
    }
    path = { type, value };
  }
  const method = m.get("method").optString();
  if (method !== undefined && !METHODS.includes(method)) m.get("method").error("invalid-value", `method "${method}" is not one of ${METHODS.join(", ")}`);
  return { path, headers: decodeStringMatches(m.get("headers")), queryParams: decodeStringMatches(m.get("queryParams")), ...(method !== undefined ? { method } : {}) };
}

export function decodeHTTPRoute(obj: Cursor): HTTPRoute | undefined {
  const d = decodeCommon(obj);
  if (!d) return undefined;
  const rules: HTTPRouteRule[] = [];
  const rc = d.spec.get("rules");
  const items = rc.isAbsent ? [] : rc.items();
  for (const r of items) {
    if (!r.expect("map")) continue;
    const mc = r.get("matches");
    const matches = mc.isAbsent ? [{ path: { type: "PathPrefix" as const, value: "/" }, headers: [], queryParams: [] }] : mc.items().map(decodeHttpMatch).filter((x): x is HTTPRouteMatch => x !== undefined);
    rules.push({ matches, backendRefs: r.get("backendRefs").items().map(decodeBackendRef).filter((b): b is BackendRef => b !== undefined), filters: decodeFilters(r.get("filters")), source: r.ref });
  }
  // "+kubebuilder:default={{matches: {{path: {type: "PathPrefix", value: "/"}}}}}": a route without rules matches everything and has no backends.
  if (rc.isAbsent) rules.push({ matches: [{ path: { type: "PathPrefix", value: "/" }, headers: [], queryParams: [] }], backendRefs: [], filters: [], source: d.common.source });
  return { kind: "HTTPRoute", ...d.common, rules };
}

function decodeGrpcMatch(m: Cursor): GRPCRouteMatch | undefined {
  if (!m.expect("map")) return undefined;
  const mc = m.get("method");
  let method: GRPCRouteMatch["method"];
  if (!mc.isAbsent) {
    const t = mc.get("type").optString() ?? "Exact";
    if (t !== "Exact" && t !== "RegularExpression") {
      mc.get("type").error("invalid-value", `type "${t}" is not one of Exact, RegularExpression`);
      return undefined;
    }
    const service = mc.get("service").optString();
    const name = mc.get("method").optString();
    if (service === undefined && name === undefined) mc.error("missing-field", "a method match needs service or method");
    method = { type: t, ...(service !== undefined ? { service } : {}), ...(name !== undefined ? { method: name } : {}) };
  }
  return { ...(method !== undefined ? { method } : {}), headers: decodeStringMatches(m.get("headers")) };
}

export function decodeGRPCRoute(obj: Cursor): GRPCRoute | undefined {
  const d = decodeCommon(obj);
  if (!d) return undefined;
  const rules: GRPCRouteRule[] = d.spec.get("rules").items().filter((r) => r.expect("map")).map((r) => ({
    matches: r.get("matches").items().map(decodeGrpcMatch).filter((x): x is GRPCRouteMatch => x !== undefined),
    backendRefs: r.get("backendRefs").items().map(decodeBackendRef).filter((b): b is BackendRef => b !== undefined),
    filters: decodeFilters(r.get("filters")),
    source: r.ref,
  }));
  return { kind: "GRPCRoute", ...d.common, rules };
}
