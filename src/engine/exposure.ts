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
import { EMPTY_PORTS, formatIp, portsOf, unionPorts, type PortSet } from "../model/index.js";
import { nodeAddresses, type PodInstance } from "../services/index.js";
import { effectiveClass } from "../ingress/index.js";
import { resolveBackend } from "../gateway/index.js";
import { attachedRoutes, dataPlaneOf } from "./gateway-trace.js";
import { findController, ingressServed, nobodyServes } from "./ingress-trace.js";
import { routerPods } from "./openshift-route-trace.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints } from "./service-path.js";
import { pickPort } from "./trace-kit.js";
import type { Party } from "./resolve.js";
import type { Subject, Topology } from "./topology.js";

export interface ExposedBackend {
  /** The endpoint's pod or workload id (`ns/name`, `ns/name[Kind]`), or its address. */
  readonly id: string;
  readonly port: number;
  /** Whether the proxy may reach it under the policies; undefined when the proxy is not in the input. */
  readonly allowed?: boolean;
}

export interface Exposure {
  /** `hostPort`: a pod's containerPort.hostPort, mapped on its node by the CNI portmap plugin. */
  readonly via: "Ingress" | "HTTPRoute" | "GRPCRoute" | "Route" | "hostPort";
  /** `namespace/name` of the Ingress / route. */
  readonly object: string;
  /** The data-plane pod id, `ingress-controller` when no pod is in the input, or `node/NAME` for a hostPort. */
  readonly proxy: string;
  readonly host: string;
  readonly path: string;
  /** `namespace/name:port` of the backend Service port (of the pod, for a hostPort); undefined when it does not resolve. */
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
    const served = ingressServed(ctx, ing);
    const add = (host: string, path: string, svc: { name: string; port: { number?: number; name?: string } } | undefined): void => {
      if (!svc) return;
      // Controllers only program Ingresses of their own class: one nobody serves exposes nothing.
      const b = served ? backendsOf(ctx, proxy, ing.namespace, svc.name, svc.port.number ?? svc.port.name) : { backends: [], note: nobodyServes(ctx, ing) };
      out.push({ via: "Ingress", object: `${ing.namespace}/${ing.name}`, proxy: proxy?.label ?? VIRTUAL, host, path, ...b });
    };
    if (ing.defaultBackend) add("*", "(default backend)", ing.defaultBackend.service);
    for (const r of ing.rules) for (const p of r.paths) add(r.host ?? "*", `${p.pathType} ${p.path}`, p.backend.service);
  }
  for (const a of attachedRoutes(ctx)) {
    const proxy = dataPlaneOf(ctx, a.gateway)[0];
    const gw = a.gateway;
    // A Gateway whose class no GatewayClass declares and that has no data-plane pod is served by nobody.
    const served = proxy !== undefined || (ctx.cluster.gatewayClasses ?? []).some((c) => c.name === gw.gatewayClassName);
    a.route.rules.forEach((rule, ri) => {
      for (const ref of rule.backendRefs) {
        if (ref.weight === 0 || ref.group !== "" || ref.kind !== "Service") continue;
        const ns = ref.namespace ?? a.route.namespace;
        // RefNotPermitted (no ReferenceGrant), BackendNotFound: the share gets a 500, nothing is exposed.
        const resolved = resolveBackend(ref, a.route, (n, name) => ctx.layer.frontend(n, name)?.service, ctx.cluster.referenceGrants ?? []);
        const b = !served
          ? { backends: [], note: `Gateway ${gw.namespace}/${gw.name} has class "${gw.gatewayClassName}", which no GatewayClass declares, and no data-plane pod is in the input: nobody serves it` }
          : resolved.status !== "ok"
            ? { backends: [], note: `${resolved.detail}: requests get a 500` }
            : backendsOf(ctx, proxy, ns, ref.name, ref.port);
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
  out.push(...hostPortExposure(ctx));
  return out.sort((x, y) => x.host.localeCompare(y.host) || x.path.localeCompare(y.path) || x.object.localeCompare(y.object));
}

/**
 * hostPorts (CNI portmap, src/engine/hostport-trace.ts): NODE-ADDRESSES:hostPort → the pod's
 * containerPort, from the node. The pod sees each client's own address, so there is no single
 * verdict: the backends are not evaluated (the matrix's IPBlock and pod rows give the verdict per
 * client). Pods without a node (templates) are exposed on whichever node runs them.
 */
function hostPortExposure(ctx: ServiceContext): Exposure[] {
  const out: Exposure[] = [];
  for (const i of ctx.layer.instances) {
    if (i.hostNetwork || i.terminating) continue;
    for (const p of i.ports) {
      if (p.hostPort === undefined) continue;
      const node = i.nodeName === undefined ? undefined : ctx.layer.nodes.find((n) => n.name === i.nodeName);
      const addrs = node ? nodeAddresses(node).map(formatIp) : [];
      const host = p.hostIP ?? (addrs.length ? addrs.join(",") : "*");
      const id = subjectIdOf(ctx, i);
      out.push({
        via: "hostPort",
        object: `${i.namespace}/${i.name}`,
        proxy: `node/${i.nodeName ?? "*"}`,
        host,
        path: `hostPort ${p.hostPort}/${p.protocol}`,
        service: `${i.namespace}/${i.name}:${p.containerPort}`,
        backends: id === undefined ? [] : [{ id, port: p.containerPort }],
        note: "the pod sees the client's address: no single verdict (see the matrix rows toward the pod)",
      });
    }
  }
  return out;
}

/** The topology subject id (pod, or the template) of a pod instance. */
function subjectIdOf(ctx: ServiceContext, i: PodInstance): string | undefined {
  return i.origin.type === "Pod" ? i.origin.id : i.origin.workloadId;
}

/** One exposure route as the matrix's `via` lists it. */
export interface ExposureVia {
  readonly via: Exposure["via"];
  readonly object: string;
  readonly host: string;
  readonly path: string;
  readonly service: string;
}

/**
 * An edge of north-south exposure at a matrix level (np-guard's `{ingress-controller} =>
 * ns/kind/name : ports`): from a data-plane endpoint (the proxy pod's endpoint at that level,
 * or `ingress-controller` when no proxy pod is in the input) to a backend endpoint, on the
 * backends' target ports. Only what the policies allow, or what could not be evaluated
 * (`evaluated: false`: the proxy is not in the input), is listed; denied backends are counted
 * in `denied` of `exposureEdges`' result.
 */
export interface ExposureEdge {
  readonly src: string;
  readonly dst: string;
  readonly ports: PortSet;
  readonly evaluated: boolean;
  readonly via: readonly ExposureVia[];
}

export type ExposureLevel = "pod" | "workload" | "namespace";

export const VIRTUAL_PROXY = VIRTUAL;

/**
 * Folds `northSouthExposure` into edges between the endpoints of a matrix level. With
 * `namespaces` (`-n`), keeps the edges with at least one end in them (the proxy's namespace, or
 * the backend's). Backends that are not pods of the input (EndpointSlice addresses) are left
 * out and counted in `outside`.
 */
export function exposureEdges(
  exposures: readonly Exposure[],
  topology: Topology,
  level: ExposureLevel,
  namespaces?: readonly string[],
): { edges: ExposureEdge[]; denied: number; outside: number } {
  const byId = new Map(topology.subjects.map((s) => [s.id, s]));
  const at = (s: Subject): string => (level === "pod" ? s.id : level === "workload" ? s.workloadId : s.namespace);
  const keep = namespaces ? new Set(namespaces) : undefined;
  const edges = new Map<string, { src: string; dst: string; ports: PortSet; evaluated: boolean; via: Map<string, ExposureVia> }>();
  let denied = 0;
  let outside = 0;
  for (const e of exposures) {
    if (e.service === undefined) continue;
    const proxy = byId.get(e.proxy);
    // A proxy pod of the input is an endpoint at the level; else `ingress-controller`, or `node/NAME` (hostPort).
    const src = proxy ? at(proxy) : e.proxy;
    for (const b of e.backends) {
      if (b.allowed === false) {
        denied++;
        continue;
      }
      const dst = byId.get(b.id);
      if (!dst) {
        outside++;
        continue;
      }
      if (keep && !keep.has(dst.namespace) && !(proxy && keep.has(proxy.namespace))) continue;
      const evaluated = b.allowed === true;
      const key = `${src}\u0000${at(dst)}\u0000${evaluated ? 1 : 0}`;
      let edge = edges.get(key);
      if (!edge) {
        edge = { src, dst: at(dst), ports: EMPTY_PORTS, evaluated, via: new Map() };
        edges.set(key, edge);
      }
      edge.ports = unionPorts(edge.ports, portsOf("TCP", b.port, b.port));
      const via: ExposureVia = { via: e.via, object: e.object, host: e.host, path: e.path, service: e.service };
      edge.via.set(`${via.via} ${via.object} ${via.host} ${via.path} ${via.service}`, via);
    }
  }
  const list = [...edges.values()].map((x) => ({ src: x.src, dst: x.dst, ports: x.ports, evaluated: x.evaluated, via: [...x.via.keys()].sort().map((k) => x.via.get(k) as ExposureVia) }));
  list.sort((x, y) => (x.src < y.src ? -1 : x.src > y.src ? 1 : x.dst < y.dst ? -1 : x.dst > y.dst ? 1 : Number(y.evaluated) - Number(x.evaluated)));
  return { edges: list, denied, outside };
}

/** Whether the input has anything that exposes workloads north-south (skip the Service layer otherwise). */
export function hasNorthSouthRoutes(c: ServiceContext["cluster"]): boolean {
  const hostPort = (x: { readonly hostNetwork: boolean; readonly ports: readonly { readonly hostPort?: number }[] }): boolean => !x.hostNetwork && x.ports.some((p) => p.hostPort !== undefined);
  return c.ingresses.length > 0 || (c.gatewayRoutes?.length ?? 0) > 0 || (c.openshiftRoutes?.length ?? 0) > 0 || c.pods.some(hostPort) || c.workloads.some(hostPort);
}
