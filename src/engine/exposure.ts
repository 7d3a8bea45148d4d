/**
 * @module exposure
 * North-south exposure for the matrix (`--level service`, the workload level and the web UI):
 * every Ingress path, Gateway API route rule and OpenShift Route as an edge from its data plane
 * (controller pods, Gateway pods labelled gateway.networking.k8s.io/gateway-name, router pods;
 * one `ingress-controller` endpoint when none is in the input) through a host and path to a
 * Service port, and from there to the backend pods on their target ports, judged by the same
 * per-endpoint policy check `kwire trace` uses. A proxy that is not in the input is not
 * evaluated against policies: its edges say so (`evaluated: false`) instead of guessing.
 */
import { formatIp } from "../model/index.js";
import { effectiveClass } from "../ingress/index.js";
import { attachedRoutes, dataPlaneOf } from "./gateway-trace.js";
import { findController } from "./ingress-trace.js";
import { routerPods } from "./openshift-route-trace.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints } from "./service-path.js";
import { pickPort } from "./trace-kit.js";
import type { Party } from "./resolve.js";

export interface ExposedBackend {
  /** The endpoint's pod or workload id (`ns/name`, `ns/name[Kind]`), or its address. */
  readonly id: string;
  readonly port: number;
  /** Whether the proxy may reach it under the policies; undefined when the proxy is not in the input. */
  readonly allowed?: boolean;
}

export interface Exposure {
  readonly via: "Ingress" | "HTTPRoute" | "GRPCRoute" | "Route";
  /** `namespace/name` of the Ingress / route. */
  readonly object: string;
  /** The data-plane pod id, or `ingress-controller` when no pod is in the input. */
  readonly proxy: string;
  readonly host: string;
  readonly path: string;
  /** `namespace/name:port` of the backend Service port; undefined when it does not resolve. */
  readonly service?: string;
  readonly backends: readonly ExposedBackend[];
  /** Why nothing is exposed (missing Service, port, grant), or why policies were not evaluated. */
  readonly note?: string;
}

const VIRTUAL = "ingress-controller";

function backendsOf(ctx: ServiceContext, proxy: Party | undefined, ns: string, name: string, port: number | string | undefined): { service?: string; backends: ExposedBackend[]; note?: string } {
  const f = ctx.layer.frontend(ns, name);
  if (!f) return { backends: [], note: `Service ${ns}/${name} does not exist` };
  const pick = pickPort(f, port, "TCP");
  if (!pick.ok) return { backends: [], note: pick.detail };
  const service = `${ns}/${name}:${pick.port.port}`;
  const eps = ctx.layer.endpoints(f.service, pick.port).endpoints;
  if (proxy === undefined) {
    const list = eps.filter((e) => e.ready).map((e) => ({ id: ctx.partyOf(e).label, port: e.port }));
    return { service, backends: list, note: "the proxy is not in the input: policies toward the backends are not evaluated" };
  }
  const r = throughEndpoints(ctx, eps, { policySrc: proxy, trafficPolicy: "Cluster" }, "TCP", service);
  const step = r.steps.find((s) => s.stage === "endpoints");
  const verdicts = new Map((step?.endpoints ?? []).map((e) => [`${e.address}:${e.port}`, e.verdict]));
  const backends = eps.flatMap((e) => {
    const v = verdicts.get(`${formatIp(e.address)}:${e.port}`);
    return v === undefined || v === "unused" ? [] : [{ id: ctx.partyOf(e).label, port: e.port, allowed: v === "allowed" }];
  });
  return { service, backends };
}

export function northSouthExposure(ctx: ServiceContext): Exposure[] {
  const out: Exposure[] = [];
  for (const ing of ctx.cluster.ingresses) {
    const proxy = findController(ctx, effectiveClass(ing, ctx.cluster.ingressClasses));
    const add = (host: string, path: string, svc: { name: string; port: { number?: number; name?: string } } | undefined): void => {
      if (!svc) return;
      const b = backendsOf(ctx, proxy, ing.namespace, svc.name, svc.port.number ?? svc.port.name);
      out.push({ via: "Ingress", object: `${ing.namespace}/${ing.name}`, proxy: proxy?.label ?? VIRTUAL, host, path, ...b });
    };
    if (ing.defaultBackend) add("*", "(default backend)", ing.defaultBackend.service);
    for (const r of ing.rules) for (const p of r.paths) add(r.host ?? "*", `${p.pathType} ${p.path}`, p.backend.service);
  }
  for (const a of attachedRoutes(ctx)) {
    const proxy = dataPlaneOf(ctx, a.gateway)[0];
    a.route.rules.forEach((rule, ri) => {
      for (const ref of rule.backendRefs) {
        if (ref.weight === 0 || ref.group !== "" || ref.kind !== "Service") continue;
        const ns = ref.namespace ?? a.route.namespace;
        const b = backendsOf(ctx, proxy, ns, ref.name, ref.port);
        for (const h of a.attached.hostnames) out.push({ via: a.route.kind, object: `${a.route.namespace}/${a.route.name}`, proxy: proxy?.label ?? VIRTUAL, host: h ?? "*", path: `rule ${ri}`, ...b });
      }
    });
  }
  const router = routerPods(ctx)[0];
  for (const r of ctx.cluster.openshiftRoutes ?? []) {
    for (const bk of r.backends) {
      if (bk.weight === 0 || bk.kind !== "Service") continue;
      const tp = r.targetPort;
      const sp = typeof tp === "number" ? ctx.layer.frontend(r.namespace, bk.name)?.service.ports.find((p) => p.targetPort.type === "Number" && p.targetPort.port === tp)?.port : tp;
      const b = backendsOf(ctx, router, r.namespace, bk.name, sp);
      out.push({ via: "Route", object: `${r.namespace}/${r.name}`, proxy: router?.label ?? VIRTUAL, host: r.host ?? "*", path: r.path, ...b });
    }
  }
  return out.sort((x, y) => x.host.localeCompare(y.host) || x.path.localeCompare(y.path) || x.object.localeCompare(y.object));
}
