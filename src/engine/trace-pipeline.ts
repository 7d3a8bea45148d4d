/**
 * @module trace-pipeline
 * The north-south trace as one pipeline: a destination is classified (Service, DNS name / URL,
 * address), a name outside the cluster domain is offered to each L7 route kind in turn
 * (`ROUTE_KINDS`: Ingress, Gateway API, OpenShift Route), names inside it go through the `dns`
 * stage, ExternalName CNAMEs are followed, and the Service stages (`service-trace.ts`), the
 * outside stages (`outside-trace.ts`) or a pod's hostPort (`hostport-trace.ts`) finish the path. Stages import only `trace-kit.ts`; this
 * module is the only one that knows them all.
 */
import { formatIp, parseIp, type Ip } from "../model/index.js";
import { headlessEndpoints } from "../dns/index.js";
import { frontendAt, type ServiceFrontend } from "../services/index.js";
import { externalCells } from "./external.js";
import { dnsStage } from "./service-dns.js";
import type { ServiceContext } from "./service-context.js";
import type { Destination, PortRef } from "./service-target.js";
import type { Party } from "./resolve.js";
import { partyStep, type TraceStep } from "./trace.js";
import { outsideToAddress } from "./outside-trace.js";
import { viaExternalFrontend, viaHeadless, viaService } from "./service-trace.js";
import { ingressControllerPresent, ingressKind, throughIngress } from "./ingress-trace.js";
import { gatewayAt, gatewayKind, throughGatewayAt } from "./gateway-trace.js";
import { openshiftRouteKind } from "./openshift-route-trace.js";
import { hostPortAt, viaHostPort } from "./hostport-trace.js";
import { deniedResult, plainTrace, type HttpRequest, type RouteKind, type ServiceTraceRequest, type ServiceTraceResult } from "./trace-kit.js";

export type { ServiceTraceRequest, ServiceTraceResult } from "./trace-kit.js";

/** The L7 route kinds, in the order they are offered a host. */
export const ROUTE_KINDS: readonly RouteKind[] = [gatewayKind, openshiftRouteKind, ingressKind];

export interface PipelineRequest extends ServiceTraceRequest {
  readonly dst: Exclude<Destination, { type: "workload" }>;
  readonly method?: string;
  readonly headers?: ReadonlyMap<string, string>;
}

function httpOf(req: PipelineRequest, host: string, port: number, pathAndQuery: string): HttpRequest {
  const [path, q] = pathAndQuery.split("?", 2);
  const query = new Map<string, string>();
  for (const kv of (q ?? "").split("#")[0]?.split("&") ?? []) {
    if (kv === "") continue;
    const [k, v] = kv.split("=", 2);
    if (k !== undefined && !query.has(k)) query.set(k, v ?? "");
  }
  return { host: host.toLowerCase().replace(/\.$/, ""), port, path: (path ?? "/").split("#")[0] || "/", method: req.method ?? "GET", headers: req.headers ?? new Map(), query };
}

function viaName(ctx: ServiceContext, req: PipelineRequest, steps: TraceStep[], host: string, ref: PortRef | undefined, path: string | undefined): ServiceTraceResult {
  const inZone = host.replace(/\.$/, "").toLowerCase().endsWith(`.${ctx.zone.clusterDomain}`);
  const port = typeof ref === "number" ? ref : 80;
  const http = httpOf(req, host, port, path ?? "/");
  if (!inZone) {
    const ranked = ROUTE_KINDS.map((k) => ({ k, rank: k.claims(ctx, http.host, port) })).filter((x) => x.rank > 0);
    const top = Math.max(0, ...ranked.map((x) => x.rank));
    const kind = ranked.find((x) => x.rank === top)?.k;
    if (kind) return kind.trace(ctx, req, steps, http);
  }
  if (req.outside) {
    if (!inZone && ingressControllerPresent(ctx, req)) return throughIngress(ctx, req, steps, http);
    return deniedResult(req, steps, "dns", `no Ingress, Gateway or Route serves host ${host}, and cluster DNS answers pods only: from outside the cluster nothing kwire models answers this name`, port);
  }
  const d = dnsStage(ctx, req.src, host);
  const head = [...steps, d.step];
  const answer = d.resolution?.answered;
  if (!d.ok || !answer || answer.answer.rcode !== "NOERROR") return deniedResult(req, head.slice(0, -1), "dns", d.step.detail);
  const records = answer.answer.records;
  const cnames = records.filter((r) => r.type === "CNAME");
  if (cnames.length > 0) return viaCname(ctx, req, head, cnames.map((r) => r.name), records, ref);
  const labels = answer.name.replace(/\.$/, "").split(".");
  const svcIdx = labels.lastIndexOf("svc");
  const f = svcIdx >= 2 ? ctx.layer.frontend(labels[svcIdx - 1] ?? "", labels[svcIdx - 2] ?? "") : undefined;
  if (f?.service.headless) return viaHeadless(ctx, req, head, f, records.map((r) => r.data), ref);
  if (f) return viaService(ctx, req, head, f, ref, `its ClusterIP ${records.map((r) => r.data).join(",")}`, familyOf(records));
  const ip = parseIp(records[0]?.data ?? "");
  return ip ? deniedResult(req, head, "service", `${host} is a pod record for ${formatIp(ip)}: trace the address (kwire trace SRC ${formatIp(ip)}:PORT)`) : { ok: false, error: `cannot follow ${host}` };
}

/** The one address family of a DNS answer's A/AAAA records; undefined when it has both (or none). */
function familyOf(records: readonly { readonly type: string }[]): 4 | 6 | undefined {
  const a = records.some((r) => r.type === "A");
  const aaaa = records.some((r) => r.type === "AAAA");
  return a === aaaa ? undefined : a ? 4 : 6;
}

/** The Service a DNS name `svc.ns.svc.D` names. */
function frontendOfName(ctx: ServiceContext, name: string): ServiceFrontend | undefined {
  const labels = name.toLowerCase().replace(/\.$/, "").split(".");
  const i = labels.lastIndexOf("svc");
  return i >= 2 ? ctx.layer.frontend(labels[i - 1] ?? "", labels[i - 2] ?? "") : undefined;
}

/**
 * The port a client uses toward an ExternalName alias: a number as given; a name is looked up
 * among the ExternalName Service's declared ports (informational, but they name the number).
 */
function aliasPort(alias: ServiceFrontend | undefined, ref: PortRef | undefined): number | undefined {
  if (typeof ref === "number") return ref;
  const ports = alias?.service.ports ?? [];
  if (ref !== undefined) return ports.find((p) => p.name === ref)?.port;
  return ports.length === 1 ? ports[0]?.port : undefined;
}

/**
 * An ExternalName answer: CNAME(s), then — when the last target is inside the cluster domain —
 * that Service's records (CoreDNS answers both). The client connects to the final address on
 * its own port: a ClusterIP continues through that Service; a name outside the cluster is an
 * external address judged by ipBlock egress (`--external-ip NAME=IP`, or every ipBlock cell).
 */
function viaCname(ctx: ServiceContext, req: PipelineRequest, head: TraceStep[], chain: readonly string[], records: readonly { readonly type: string; readonly data: string; readonly name: string }[], ref: PortRef | undefined): ServiceTraceResult {
  const alias = frontendOfName(ctx, chain[0] ?? "");
  const port = aliasPort(alias, ref);
  const lastCname = [...records].reverse().find((r) => r.type === "CNAME");
  const target = (lastCname?.data ?? "").toLowerCase().replace(/\.$/, "");
  const addrs = records.filter((r) => r.type === "A" || r.type === "AAAA");
  const step: TraceStep = { stage: "service", result: "info", detail: `ExternalName: ${records.filter((r) => r.type === "CNAME").map((r) => `${r.name} CNAME ${r.data}`).join(", ")}; the client connects to ${target}${port !== undefined ? ` on port ${port}` : ""}`, ...(alias ? { source: { file: alias.service.source.file, line: alias.service.source.line } } : {}) };
  const steps = [...head, step];
  if (addrs.length > 0) {
    const f = frontendOfName(ctx, addrs[0]?.name ?? "");
    if (!f) return { ok: false, error: `cannot follow ${target}` };
    const r: PortRef | undefined = port ?? (typeof ref === "string" ? ref : undefined);
    if (f.service.headless) return viaHeadless(ctx, req, steps, f, addrs.map((a) => a.data), r);
    return viaService(ctx, req, steps, f, r, `the CNAME target's ClusterIP ${addrs.map((a) => a.data).join(",")}`, familyOf(addrs));
  }
  if (target.endsWith(`.${ctx.zone.clusterDomain}`)) return deniedResult(req, steps, "dns", `the CNAME target ${target} does not resolve in the cluster: the connection fails`);
  if (port === undefined) return { ok: false, error: `${req.dstLabel}: give the port the client uses toward ${target} (:PORT)` };
  return toExternalName(ctx, req, steps, target, port);
}

/** A name outside the cluster: the address given with --external-ip, or every ipBlock cell alike. */
function toExternalName(ctx: ServiceContext, req: PipelineRequest, steps: TraceStep[], target: string, port: number): ServiceTraceResult {
  const given = req.externalIps?.get(target);
  if (given) {
    const dst: Party = { type: "address", ip: given, label: `${formatIp(given)} (${target}, --external-ip)` };
    const t = plainTrace(ctx, req.src, dst, port, req.protocol);
    return { ok: true, trace: { ...t, dst: req.dstLabel, steps: [...steps, ...t.steps.filter((s) => s.stage !== "source")] } };
  }
  const cells = externalCells(ctx.cluster.networkPolicies).filter((c) => c.family === 4);
  const verdicts = cells.map((c) => {
    const ip: Ip = { family: 4, value: c.representative };
    return { c, t: plainTrace(ctx, req.src, { type: "address", ip, label: `${target} (resolved upstream)` }, port, req.protocol) };
  });
  const allowed = verdicts.filter((v) => v.t.verdict === "allowed");
  const first = verdicts[0];
  if (!first) return { ok: false, error: `cannot evaluate ${target}` };
  if (allowed.length === verdicts.length || allowed.length === 0) {
    const t = first.t;
    const why: TraceStep = { stage: "dns", result: "info", detail: `${target} is resolved upstream (outside the model); its address does not matter here: the policies ${allowed.length === 0 ? "deny" : "allow"} TCP/${port} toward every address outside the cluster alike (pass --external-ip ${target}=IP to trace one address)` };
    return { ok: true, trace: { ...t, dst: req.dstLabel, steps: [...steps, why, ...t.steps.filter((s) => s.stage !== "source")] } };
  }
  const list = verdicts.map((v) => `${v.c.cidrs.join(",")}: ${v.t.verdict}`).join("; ");
  return { ok: false, error: `${req.dstLabel}: ${target} is resolved outside the cluster and the policies treat its possible addresses differently (${list}); give its address with --external-ip ${target}=IP` };
}

export function traceService(ctx: ServiceContext, req: PipelineRequest): ServiceTraceResult {
  const steps: TraceStep[] = [partyStep(ctx.topology, req.src, "source")];
  const dst = req.dst;
  switch (dst.type) {
    case "service": {
      const f = ctx.layer.frontend(dst.namespace, dst.name);
      if (!f) return { ok: false, error: `no Service ${dst.namespace}/${dst.name} in the input` };
      if (req.outside) return { ok: false, error: `svc/${dst.name} names a ClusterIP, reachable only from inside the cluster; from outside use a node address with a nodePort, a LoadBalancer IP or an Ingress URL` };
      if (f.service.type === "ExternalName") return viaName(ctx, req, steps, `${f.service.name}.${f.service.namespace}.svc.${ctx.zone.clusterDomain}.`, dst.port, undefined);
      if (f.service.headless) return viaHeadless(ctx, req, steps, f, headlessAddresses(ctx, f), dst.port);
      // svc/NAME names no family: each endpoint's first address (the lab traces one family's
      // view of the cluster this way, whose pods have that family's addresses only).
      return viaService(ctx, req, steps, f, dst.port, "svc/" + dst.name, undefined);
    }
    case "name":
      return viaName(ctx, req, steps, dst.host, dst.port, dst.path);
    case "address": {
      const port = typeof dst.port === "number" ? dst.port : undefined;
      if (port === undefined) return { ok: false, error: `${req.dstLabel}: give a port number (IP:PORT)` };
      const hp = hostPortAt(ctx, dst.ip, port, req.protocol);
      if (hp) {
        const np = frontendAt(ctx.layer.frontends, ctx.layer.nodes, dst.ip, port, req.protocol);
        if (np) return { ok: false, error: `${req.dstLabel}: port ${port} on node ${hp.node.name} is both nodePort of Service ${np.frontend.id} and hostPort of pod ${hp.instance.namespace}/${hp.instance.name}; which one takes the connection depends on the order of kube-proxy's and portmap's rules on the node, which kwire does not model` };
        return viaHostPort(ctx, req, steps, dst.ip, hp, req.portMappings);
      }
      const gw = dst.url !== undefined ? gatewayAt(ctx, dst.ip) : undefined;
      if (gw) return throughGatewayAt(ctx, req, steps, httpOf(req, formatIp(dst.ip), port, dst.path ?? "/"), gw);
      if (req.outside) return outsideToAddress(ctx, req, steps, dst.ip, port);
      const hit = frontendAt(ctx.layer.frontends, ctx.layer.nodes, dst.ip, port, req.protocol);
      if (!hit) return { ok: false, error: "not a Service address" };
      if (hit.via === "ClusterIP") return viaService(ctx, req, steps, hit.frontend, hit.port.port, `ClusterIP ${formatIp(dst.ip)}:${port}`, dst.ip.family);
      return viaExternalFrontend(ctx, req, steps, hit, dst.ip, port);
    }
  }
}

function headlessAddresses(ctx: ServiceContext, f: ServiceFrontend): string[] {
  return [...new Set(headlessEndpoints(ctx.layer, f.service).filter((e) => e.ready).map((e) => formatIp(e.address)))];
}
