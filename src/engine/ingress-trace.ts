/**
 * @module ingress-trace
 * The Ingress kind of the north-south pipeline: host/path match → backend Service port →
 * endpoints. The controller proxies to endpoint addresses itself, so the policy source toward
 * the backend pod is the controller's pod: a pod labelled `app.kubernetes.io/name` =
 * `ingress-nginx` or the last segment of the IngressClass's controller (`k8s.io/ingress-nginx`),
 * or the one given with `--ingress-controller`. The hop from the client to the controller is
 * checked too (evaluated with the client's address, as a controller Service with
 * externalTrafficPolicy Local keeps it).
 *
 * An Ingress whose class has no IngressClass object and no controller pod in the input is
 * served by nobody: controllers only program Ingresses of their own class
 * (https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class). A host no
 * served Ingress names reaches the controller and gets its default backend or a 404.
 */
import type { Ingress } from "../model/index.js";
import { effectiveClass, routeRequest, servesHost } from "../ingress/index.js";
import type { ServiceContext } from "./service-context.js";
import type { Subject } from "./topology.js";
import type { Party } from "./resolve.js";
import type { TraceStep } from "./trace.js";
import { clientToProxy, deniedResult, proxyToBackend, type HttpRequest, type RouteKind, type ServiceTraceRequest, type ServiceTraceResult } from "./trace-kit.js";

const NAME_LABEL = "app.kubernetes.io/name";

export function findController(ctx: ServiceContext, className: string | undefined): Party | undefined {
  const cls = ctx.cluster.ingressClasses.find((c) => c.name === className);
  const names = new Set(["ingress-nginx", ...(cls ? [cls.controller.split("/").pop() ?? ""] : [])]);
  const i = ctx.topology.subjects.findIndex((s: Subject) => names.has(s.labels[NAME_LABEL] ?? ""));
  const s = ctx.topology.subjects[i];
  return s ? { type: "node", node: i, label: s.id } : undefined;
}

/** Whether some controller serves the Ingress: its class has an IngressClass, or a controller pod is known. */
function served(ctx: ServiceContext, req: ServiceTraceRequest, ing: Ingress): boolean {
  return req.ingressController !== undefined || ingressServed(ctx, ing);
}

/** Whether the input says some controller serves the Ingress (an IngressClass of its class, or a controller pod). */
export function ingressServed(ctx: ServiceContext, ing: Ingress): boolean {
  const cls = effectiveClass(ing, ctx.cluster.ingressClasses);
  return ctx.cluster.ingressClasses.some((c) => c.name === cls) || findController(ctx, cls) !== undefined;
}

export function nobodyServes(ctx: ServiceContext, ing: Ingress): string {
  const cls = effectiveClass(ing, ctx.cluster.ingressClasses);
  const what = cls === undefined ? "has no class (no ingressClassName, no default IngressClass)" : `has class "${cls}", which no IngressClass declares`;
  return `Ingress ${ing.namespace}/${ing.name} ${what}, and no ingress controller pod is in the input: nobody serves it`;
}

export const ingressKind: RouteKind = {
  kind: "Ingress",
  claims: (ctx, host) => (servesHost(ctx.cluster.ingresses, host) ? 2 : 0),
  trace: (ctx, req, steps, http) => throughIngress(ctx, req, steps, http),
};

/** Whether an Ingress controller is present to answer a host nobody names (with a 404). */
export function ingressControllerPresent(ctx: ServiceContext, req: ServiceTraceRequest): boolean {
  return req.ingressController !== undefined || ctx.cluster.ingressClasses.length > 0 || findController(ctx, undefined) !== undefined;
}

export function throughIngress(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], http: HttpRequest): ServiceTraceResult {
  const { host, port, path } = http;
  const mine = ctx.cluster.ingresses.filter((i) => served(ctx, req, i));
  const r = routeRequest(mine, ctx.cluster.ingressClasses, host, path);
  if (!r.ok) {
    const orphan = routeRequest(ctx.cluster.ingresses.filter((i) => !served(ctx, req, i)), ctx.cluster.ingressClasses, host, path);
    if (orphan.ok) return deniedResult(req, steps, "ingress", `${orphan.route.detail}, but ${nobodyServes(ctx, orphan.route.ingress)}`, port);
    return deniedResult(req, steps, "ingress", r.reason, port);
  }
  const { route } = r;
  const ing = route.ingress;
  const backend = route.backend.service;
  if (!backend) return deniedResult(req, steps, "ingress", `${route.detail}; the backend is a ${route.backend.resource?.kind ?? "resource"}, which kwire does not model`, port);
  const controller = req.ingressController ?? findController(ctx, route.className);
  if (!controller) {
    return { ok: false, error: `Ingress ${ing.namespace}/${ing.name} (class ${route.className ?? "none"}) matches, but no ingress controller pod is in the input (looked for label ${NAME_LABEL}=ingress-nginx or the IngressClass controller's name); pass --ingress-controller POD` };
  }
  const head: TraceStep[] = [...steps, { stage: "ingress", result: "allowed", detail: `${route.detail} (class ${route.className ?? "none"}) → Service ${backend.name} port ${backend.port.number ?? backend.port.name ?? ""}`, source: { file: route.backend.source.file, line: route.backend.source.line } }];
  const hop1 = clientToProxy(ctx, req, head, controller, "ingress-controller", "controller", port);
  if (!hop1.ok) return hop1.result;
  head.push(hop1.step);
  const target = { namespace: ing.namespace, name: backend.name, port: backend.port.number ?? backend.port.name };
  return proxyToBackend(ctx, req, head, controller, target, `Ingress ${ing.namespace}/${ing.name} (the controller sends to the endpoints directly)`, "the controller answers 503", port);
}
