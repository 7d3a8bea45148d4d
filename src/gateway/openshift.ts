/**
 * @module openshift
 * OpenShift router (HAProxy) request matching for route.openshift.io/v1 Routes, as
 * openshift/router pkg/router/template/util `GenerateRouteRegexp` builds it:
 * `^HOST(:[0-9]+)?PATH SUBPATH$` where a path of only "/" matches every request, a path ending
 * in "/" matches anything below it, and any other path matches itself or itself followed by
 * "/..." (so `/foo` matches `/foo/bar` but not `/foobar`). The router orders its map with the
 * longest path first; two Routes claiming the same host and path: the older one is admitted
 * (HostAlreadyClaimed), kwire takes the older, then `namespace/name`.
 * Router pods: `ingresscontroller.operator.openshift.io/deployment-ingresscontroller=default`
 * in namespace openshift-ingress.
 */
import type { OpenShiftRoute } from "../model/index.js";

export const ROUTER_NAMESPACE = "openshift-ingress";
export const ROUTER_LABEL = "ingresscontroller.operator.openshift.io/deployment-ingresscontroller";

export function routePathMatches(routePath: string, path: string): boolean {
  if (routePath.replace(/\/+$/, "") === "") return true;
  if (routePath.endsWith("/")) return path.startsWith(routePath);
  return path === routePath || path.startsWith(`${routePath}/`);
}

const norm = (h: string): string => h.toLowerCase().replace(/\.$/, "");

export function routeServesHost(r: OpenShiftRoute, host: string): boolean {
  return r.host !== undefined && norm(r.host) === norm(host);
}

/** The Route a request reaches, and the others that also matched. */
export function chooseOpenShiftRoute(routes: readonly OpenShiftRoute[], host: string, path: string): { best: OpenShiftRoute; others: readonly OpenShiftRoute[] } | undefined {
  const hits = routes.filter((r) => routeServesHost(r, host) && routePathMatches(r.path, path));
  const older = (a: OpenShiftRoute, b: OpenShiftRoute): number => (a.creationTimestamp ?? "\uffff").localeCompare(b.creationTimestamp ?? "\uffff");
  hits.sort((a, b) => b.path.length - a.path.length || older(a, b) || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const [best, ...others] = hits;
  return best ? { best, others } : undefined;
}
