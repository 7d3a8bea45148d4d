/**
 * @module gateway-trace
 * The Gateway API kind of the north-south pipeline: Host → listener (most specific hostname on
 * the port) → the HTTPRoute/GRPCRoute rule with precedence (src/gateway/match.ts) → its
 * backendRefs (weight, ReferenceGrant, Service and port; src/gateway/backends.ts) → endpoints.
 * The data plane is the pods labelled `gateway.networking.k8s.io/gateway-name=<gateway>` in the
 * Gateway's namespace (the label Istio and Envoy Gateway set on the proxies they deploy); they
 * proxy to endpoint addresses themselves, so they are the policy source toward the backends
 * (their egress policy and the backend's ingress policy apply). The client → data plane hop
 * is judged with the client's address on the pod's port (the targetPort of a Service in front
 * of the data plane that carries the listener port, else the listener port itself).
 */
import { formatIp, GATEWAY_NAME_LABEL, type Gateway, type Ip, type Listener } from "../model/index.js";
import { attachments, chooseRule, gatewayId, hostnameMatches, listenerFor, resolveBackend, routeId, type AttachContext, type ResolvedBackend } from "../gateway/index.js";
import type { ServiceContext } from "./service-context.js";
import type { Party } from "./resolve.js";
import type { TraceStep } from "./trace.js";
import { clientToProxy, deniedResult, podsLabelled, proxyToBackend, type HttpRequest, type RouteKind, type ServiceTraceRequest, type ServiceTraceResult } from "./trace-kit.js";

export function attachContext(ctx: ServiceContext): AttachContext {
  return { gateways: ctx.cluster.gateways ?? [], namespaceLabels: (ns) => ctx.topology.namespaces.get(ns)?.labels };
}

/** The attachments of every route, once per context. */
const cache = new WeakMap<ServiceContext, ReturnType<typeof attachments>>();
export function attachedRoutes(ctx: ServiceContext): ReturnType<typeof attachments> {
  let a = cache.get(ctx);
  if (!a) {
    a = attachments(ctx.cluster.gatewayRoutes ?? [], attachContext(ctx));
    cache.set(ctx, a);
  }
  return a;
}

/** The Gateway and listener a request lands on: explicit hostnames first, then catch-all listeners. */
function landing(ctx: ServiceContext, host: string, port: number, only?: Gateway): { gateway: Gateway; listener: Listener; rank: 0 | 1 | 2 } | undefined {
  let best: { gateway: Gateway; listener: Listener; rank: 0 | 1 | 2 } | undefined;
  for (const gateway of only ? [only] : ctx.cluster.gateways ?? []) {
    const listener = listenerFor(gateway, host, port);
    if (!listener) continue;
    const routeNames = attachedRoutes(ctx).some((a) => a.gateway === gateway && a.attached.listener === listener && a.attached.hostnames.some((h) => h !== undefined && hostnameMatches(h, host)));
    const rank: 0 | 1 | 2 = listener.hostname !== undefined || routeNames ? 2 : 1;
    if (!best || rank > best.rank) best = { gateway, listener, rank };
  }
  return best;
}

export function dataPlaneOf(ctx: ServiceContext, gw: Gateway): Party[] {
  return podsLabelled(ctx, gw.namespace, GATEWAY_NAME_LABEL, gw.name);
}

/** The port the data-plane pod listens on for a listener: a Service in front of it may map the listener port. */
export function podPort(ctx: ServiceContext, gw: Gateway, dp: Party, listenerPort: number): number {
  const s = dp.type === "node" ? ctx.topology.subjects[dp.node] : undefined;
  if (!s) return listenerPort;
  for (const f of ctx.layer.frontends) {
    const sel = f.service.selector;
    if (f.service.namespace !== gw.namespace || !sel || !Object.entries(sel).every(([k, v]) => s.labels[k] === v)) continue;
    const p = f.service.ports.find((x) => x.port === listenerPort && x.protocol === "TCP");
    if (p && p.targetPort.type === "Number") return p.targetPort.port;
  }
  return listenerPort;
}

export const gatewayKind: RouteKind = {
  kind: "Gateway",
  claims: (ctx, host, port) => landing(ctx, host, port)?.rank ?? 0,
  trace: (ctx, req, steps, http) => throughGateway(ctx, req, steps, http),
};

/** The Gateway whose status.addresses hold this address. */
export function gatewayAt(ctx: ServiceContext, ip: Ip): Gateway | undefined {
  return (ctx.cluster.gateways ?? []).find((g) => g.addresses.some((a) => a.family === ip.family && a.value === ip.value));
}

/**
 * A request sent to a Gateway's address (`http://198.51.100.80/path`, Host from `--header
 * host:NAME`, else the address): only that Gateway's listeners are candidates.
 */
export function throughGatewayAt(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], http: HttpRequest, gw: Gateway): ServiceTraceResult {
  const host = http.headers.get("host") ?? http.host;
  return throughGateway(ctx, req, steps, { ...http, host: host.toLowerCase().replace(/:\d+$/, "") }, gw);
}

function throughGateway(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], http: HttpRequest, only?: Gateway): ServiceTraceResult {
  const land = landing(ctx, http.host, http.port, only);
  if (!land) return deniedResult(req, steps, "gateway", only ? `Gateway ${gatewayId(only)} (address ${gwAddresses(only)}) has no ${http.port === 443 ? "HTTPS" : "HTTP"} listener on port ${http.port} that takes host ${http.host}: the connection is refused or gets a 404` : `no Gateway listener on port ${http.port} takes host ${http.host}`, http.port);
  const { gateway: gw, listener } = land;
  const gwStep: TraceStep = { stage: "gateway", result: "info", detail: `Gateway ${gatewayId(gw)} (class ${gw.gatewayClassName}${gw.addresses.length + gw.hostnames.length ? `, address ${gwAddresses(gw)}` : ""}) listener ${listener.name} (${listener.protocol}/${listener.port}${listener.hostname !== undefined ? `, hostname ${listener.hostname}` : ", any hostname"}) takes host ${http.host}`, source: { file: listener.source.file, line: listener.source.line } };
  const head = [...steps, gwStep];
  const classKnown = (ctx.cluster.gatewayClasses ?? []).some((c) => c.name === gw.gatewayClassName);
  const pods = dataPlaneOf(ctx, gw);
  if (!classKnown && pods.length === 0 && req.ingressController === undefined) {
    return deniedResult(req, head, "gateway", `Gateway ${gatewayId(gw)} has class "${gw.gatewayClassName}", which no GatewayClass declares, and no data-plane pod (${GATEWAY_NAME_LABEL}=${gw.name}) is in the input: nobody serves it`, http.port);
  }
  const mine = attachedRoutes(ctx).filter((a) => a.gateway === gw && a.attached.listener === listener);
  const choice = chooseRule(mine, { ...http });
  if (!choice) {
    const names = [...new Set(mine.map((a) => routeId(a.route)))];
    return deniedResult(req, head, "http-route", `no rule of the ${names.length} route(s) attached to listener ${listener.name}${names.length ? ` (${names.join(", ")})` : ""} matches ${http.method} ${http.host}${http.path}: the Gateway answers 404`, http.port);
  }
  const { best, others } = choice;
  const rule = best.rule;
  const also = others.length ? ` (precedence over ${others.slice(0, 3).map((o) => `${routeId(o.route)} rule ${o.ruleIndex}: ${o.describe}`).join("; ")}${others.length > 3 ? "; …" : ""})` : "";
  head.push({ stage: "http-route", result: "allowed", detail: `${routeId(best.route)} rule ${best.ruleIndex} matches ${http.method} ${http.path}: ${best.describe}${best.hostname !== undefined ? `, hostname ${best.hostname}` : ""}${also}`, source: { file: rule.source.file, line: rule.source.line } });
  if (rule.filters.length > 0) head.push({ stage: "http-route", result: "info", detail: `filters ${rule.filters.join(", ")} are not modelled (a RequestRedirect or a URLRewrite may change where the request goes)` });
  const services = (ns: string, name: string) => ctx.layer.frontend(ns, name)?.service;
  const resolved = rule.backendRefs.map((b) => resolveBackend(b, best.route, services, ctx.cluster.referenceGrants ?? []));
  const valid = resolved.filter((r) => r.status === "ok");
  const invalid = resolved.filter((r) => r.status !== "ok");
  if (valid.length === 0) {
    const why = resolved.length === 0 ? (rule.filters.length ? "the rule has no backendRefs (only filters, which kwire does not model)" : "the rule has no backendRefs") : invalid.map((r) => r.detail).join("; ");
    return deniedResult(req, head, "backend", `${why}: the Gateway answers 500`, http.port);
  }
  head.push({ stage: "backend", result: "info", detail: backendSummary(valid, invalid) });
  const dp = req.ingressController ?? pods[0];
  if (!dp) return { ok: false, error: `Gateway ${gatewayId(gw)} matches, but no data-plane pod labelled ${GATEWAY_NAME_LABEL}=${gw.name} in namespace ${gw.namespace} is in the input; pass --ingress-controller POD (the Gateway's proxy pod)` };
  const hop1 = clientToProxy(ctx, req, head, dp, "gateway-data-plane", "Gateway's data plane", podPort(ctx, gw, dp, listener.port));
  if (!hop1.ok) return hop1.result;
  head.push(hop1.step);
  let first: ServiceTraceResult | undefined;
  for (const b of valid) {
    const r = proxyToBackend(ctx, req, head, dp, { namespace: b.namespace, name: b.ref.name, port: b.ref.port }, `${routeId(best.route)} backendRef (weight ${b.ref.weight})`, "the Gateway answers 500", http.port);
    if (r.ok && r.trace.verdict === "allowed") return r;
    first ??= r;
  }
  return first ?? deniedResult(req, head, "backend", "no backend", http.port);
}

function gwAddresses(gw: Gateway): string {
  return [...gw.addresses.map(formatIp), ...gw.hostnames].join(", ");
}

function backendSummary(valid: readonly ResolvedBackend[], invalid: readonly ResolvedBackend[]): string {
  const total = [...valid, ...invalid].reduce((n, r) => n + r.ref.weight, 0);
  const share = (r: ResolvedBackend): string => (total > 0 ? `${Math.round((r.ref.weight * 100) / total)}%` : "0%");
  const ok = valid.map((r) => `${r.namespace}/${r.ref.name}:${r.ref.port ?? ""} (weight ${r.ref.weight}, ${share(r)})`).join(", ");
  const bad = invalid.map((r) => `${r.detail}${r.ref.weight > 0 && r.status !== "weight-zero" ? ` — its ${share(r)} of requests get a 500` : ""}`).join("; ");
  return `backends: ${ok}${bad ? `; ${bad}` : ""}; allowed when any backend admits it`;
}
