/**
 * @module ingress-trace
 * A request through an Ingress: host/path match → backend Service port → endpoints. The
 * controller proxies to endpoint addresses itself, so the policy source toward the backend pod
 * is the controller's pod: a pod labelled `app.kubernetes.io/name` = `ingress-nginx` or the
 * last segment of the IngressClass's controller (`k8s.io/ingress-nginx`), or the one given with
 * `--ingress-controller`. The hop from the client to the controller is checked too (evaluated
 * with the client's address, as a controller Service with externalTrafficPolicy Local keeps it).
 */
import type { Subject } from "./topology.js";
import { routeRequest } from "../ingress/index.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints, type Hop } from "./service-path.js";
import { denied, finish, pickPort, serviceStep, type ServiceTraceRequest, type ServiceTraceResult } from "./service-trace.js";
import type { Party } from "./resolve.js";
import { partyStep, traceConnection, type TraceStep } from "./trace.js";

const NAME_LABEL = "app.kubernetes.io/name";

export function findController(ctx: ServiceContext, className: string | undefined): Party | undefined {
  const cls = ctx.cluster.ingressClasses.find((c) => c.name === className);
  const names = new Set(["ingress-nginx", ...(cls ? [cls.controller.split("/").pop() ?? ""] : [])]);
  const i = ctx.topology.subjects.findIndex((s: Subject) => names.has(s.labels[NAME_LABEL] ?? ""));
  return i >= 0 ? { type: "node", node: i, label: (ctx.topology.subjects[i] as Subject).id } : undefined;
}

export function throughIngress(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], host: string, port: number, path: string): ServiceTraceResult {
  const r = routeRequest(ctx.cluster.ingresses, ctx.cluster.ingressClasses, host, path);
  if (!r.ok) return { ok: true, trace: denied(req, steps, "ingress", r.reason, port) };
  const { route } = r;
  const ing = route.ingress;
  const backend = route.backend.service;
  if (!backend) return { ok: true, trace: denied(req, steps, "ingress", `${route.detail}; the backend is a ${route.backend.resource?.kind ?? "resource"}, which kwire does not model`, port) };
  const controller = req.ingressController ?? findController(ctx, route.className);
  if (!controller) {
    return { ok: false, error: `Ingress ${ing.namespace}/${ing.name} (class ${route.className ?? "none"}) matches, but no ingress controller pod is in the input (looked for label ${NAME_LABEL}=ingress-nginx or the IngressClass controller's name); pass --ingress-controller POD` };
  }
  const head: TraceStep[] = [...steps, { stage: "ingress", result: "allowed", detail: `${route.detail} (class ${route.className ?? "none"}) → Service ${backend.name} port ${backend.port.number ?? backend.port.name ?? ""}`, source: { file: route.backend.source.file, line: route.backend.source.line } }];
  const hop1 = traceConnection(ctx.topology, ctx.policies, { src: req.src, dst: controller, protocol: req.protocol, port });
  const ctl = partyStep(ctx.topology, controller, "ingress-controller", `${hop1.verdict === "allowed" ? "reached" : "not reachable"} on ${req.protocol}/${port}: `);
  if (hop1.verdict !== "allowed") {
    const why = hop1.steps.find((s) => s.result === "denied")?.detail ?? "denied";
    return { ok: true, trace: denied(req, [...head, ctl], "ingress-controller", `the client cannot reach the controller: ${why}`, port) };
  }
  head.push({ ...ctl, result: "allowed" });
  const f = ctx.layer.frontend(ing.namespace, backend.name);
  if (!f) return { ok: true, trace: denied(req, head, "service", `the backend Service ${ing.namespace}/${backend.name} does not exist: the controller answers 503`, port) };
  const pick = pickPort(f, backend.port.number ?? backend.port.name, "TCP");
  if (!pick.ok) return { ok: true, trace: denied(req, head, "service", `${pick.detail.replace("; the connection is refused", "")}: the controller answers 503`, port) };
  head.push(serviceStep(f, pick.port, `Ingress ${ing.namespace}/${ing.name} (the controller sends to the endpoints directly)`));
  const srcNode = ctx.nodeOf(controller);
  const hop: Hop = { policySrc: controller, trafficPolicy: "Cluster", ...(srcNode !== undefined ? { srcNode } : {}) };
  return { ok: true, trace: finish(req, head, throughEndpoints(ctx, ctx.layer.endpoints(f.service, pick.port).endpoints, hop, "TCP", `Service ${f.id} port ${pick.port.port}`), port) };
}
