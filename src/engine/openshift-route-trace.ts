/**
 * @module openshift-route-trace
 * The OpenShift Route kind of the north-south pipeline: host (exact) and path (longest prefix,
 * src/gateway/openshift.ts) → `to` and `alternateBackends` by weight → the Service's endpoints
 * on `port.targetPort`. The router pods (label
 * `ingresscontroller.operator.openshift.io/deployment-ingresscontroller=default` in
 * openshift-ingress) proxy to endpoint addresses themselves: they are the policy source.
 * A backend with weight 0 receives no traffic; a missing Service answers 503 (the router's
 * "Application is not available" page).
 */
import type { OpenShiftRoute, ServicePort } from "../model/index.js";
import { chooseOpenShiftRoute, routeServesHost, ROUTER_LABEL, ROUTER_NAMESPACE } from "../gateway/index.js";
import type { ServiceContext } from "./service-context.js";
import type { TraceStep } from "./trace.js";
import { clientToProxy, deniedResult, podsLabelled, proxyToBackend, type HttpRequest, type RouteKind, type ServiceTraceRequest, type ServiceTraceResult } from "./trace-kit.js";

const routes = (ctx: ServiceContext): readonly OpenShiftRoute[] => ctx.cluster.openshiftRoutes ?? [];

export const openshiftRouteKind: RouteKind = {
  kind: "Route",
  claims: (ctx, host) => (routes(ctx).some((r) => routeServesHost(r, host)) ? 2 : 0),
  trace: (ctx, req, steps, http) => throughRoute(ctx, req, steps, http),
};

export function routerPods(ctx: ServiceContext) {
  return podsLabelled(ctx, ROUTER_NAMESPACE, ROUTER_LABEL, "default");
}

/**
 * The Service port a Route's targetPort picks: "the target port on pods selected by the
 * service", a number (the endpoints' port) or a name (the port's name); absent: the only port.
 */
function servicePortFor(ports: readonly ServicePort[], targetPort: number | string | undefined): ServicePort | undefined {
  if (targetPort === undefined) return ports.length === 1 ? ports[0] : undefined;
  if (typeof targetPort === "string") return ports.find((p) => p.name === targetPort) ?? ports.find((p) => p.targetPort.type === "Name" && p.targetPort.name === targetPort);
  return ports.find((p) => p.targetPort.type === "Number" && p.targetPort.port === targetPort);
}

function throughRoute(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], http: HttpRequest): ServiceTraceResult {
  const choice = chooseOpenShiftRoute(routes(ctx), http.host, http.path);
  if (!choice) {
    const paths = routes(ctx).filter((r) => routeServesHost(r, http.host)).map((r) => r.path).join(", ");
    return deniedResult(req, steps, "openshift-route", `host ${http.host} is served (paths ${paths}), but no Route path matches ${http.path}: the router answers 503 ("Application is not available")`, http.port);
  }
  const r = choice.best;
  const also = choice.others.length ? ` (longest path; also matched: ${choice.others.map((o) => `${o.namespace}/${o.name} ${o.path}`).join(", ")})` : "";
  const head: TraceStep[] = [...steps, { stage: "openshift-route", result: "allowed", detail: `Route ${r.namespace}/${r.name}: host ${r.host ?? ""}, path ${r.path} matches ${http.path}${also}`, source: { file: r.source.file, line: r.source.line } }];
  const total = r.backends.reduce((n, b) => n + b.weight, 0);
  const live = r.backends.filter((b) => b.weight > 0 && b.kind === "Service");
  const skipped = r.backends.filter((b) => b.weight === 0 || b.kind !== "Service").map((b) => (b.kind !== "Service" ? `${b.kind} ${b.name} is not a Service: not modelled` : `${b.name} has weight 0: it receives no traffic`));
  head.push({ stage: "backend", result: "info", detail: `backends: ${live.map((b) => `Service ${r.namespace}/${b.name} (weight ${b.weight}, ${total > 0 ? Math.round((b.weight * 100) / total) : 0}%)`).join(", ") || "none"}${skipped.length ? `; ${skipped.join("; ")}` : ""}${r.targetPort !== undefined ? `; targetPort ${r.targetPort}` : ""}` });
  if (live.length === 0) return deniedResult(req, head, "backend", `Route ${r.namespace}/${r.name} has no backend with a weight above 0: the router answers 503`, http.port);
  const pods = routerPods(ctx);
  const router = req.ingressController ?? pods[0];
  if (!router) return { ok: false, error: `Route ${r.namespace}/${r.name} matches, but no router pod labelled ${ROUTER_LABEL}=default in namespace ${ROUTER_NAMESPACE} is in the input; pass --ingress-controller POD (the router pod)` };
  const hop1 = clientToProxy(ctx, req, head, router, "router", "router", http.port);
  if (!hop1.ok) return hop1.result;
  head.push(hop1.step);
  let first: ServiceTraceResult | undefined;
  for (const b of live) {
    const f = ctx.layer.frontend(r.namespace, b.name);
    const sp = f ? servicePortFor(f.service.ports, r.targetPort) : undefined;
    if (f && !sp) {
      const res = deniedResult(req, head, "service", `Service ${f.id} has no port for the Route's targetPort ${r.targetPort ?? "(none given, and the Service has several ports)"}: the router answers 503`, http.port);
      first ??= res;
      continue;
    }
    const res = proxyToBackend(ctx, req, head, router, { namespace: r.namespace, name: b.name, port: sp?.port }, `Route ${r.namespace}/${r.name} (the router sends to the endpoints directly)`, "the router answers 503", http.port);
    if (res.ok && res.trace.verdict === "allowed") return res;
    first ??= res;
  }
  return first ?? deniedResult(req, head, "backend", "no backend", http.port);
}
