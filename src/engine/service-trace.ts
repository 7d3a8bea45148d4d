/**
 * @module service-trace
 * `kwire trace` through the Service layer. Stages: `source` → `dns` (names) → `service` (which
 * Service port, its targetPort) → `endpoints` → `route` → `egress-policy` at the source →
 * `ingress-policy` at the destination pod (address and targetPort after DNAT) → `verdict`.
 * From inside the cluster a ClusterIP is translated on the source's node and the pod keeps its
 * address (internalTrafficPolicy applies); nodePorts, LoadBalancer IPs and externalIPs follow
 * kube-proxy's masquerade rules (`viaExternalFrontend`). From outside see `outside-trace.ts`,
 * Ingress `ingress-trace.ts`.
 */
import { formatIp, parseIp, type Ip, type Protocol, type ServicePort } from "../model/index.js";
import { describeFrontend, describePort, frontendAt, nodeAddresses, type FrontendHit, type ServiceEndpoint, type ServiceFrontend } from "../services/index.js";
import { servesHost } from "../ingress/index.js";
import { dnsStage } from "./service-dns.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints, verdictStep, type Hop, type Legs, type PathResult } from "./service-path.js";
import type { Destination, PortRef } from "./service-target.js";
import type { Party } from "./resolve.js";
import { partyStep, type Trace, type TraceStep } from "./trace.js";
import { outsideToAddress } from "./outside-trace.js";
import { throughIngress } from "./ingress-trace.js";

export interface ServiceTraceRequest {
  readonly src: Party;
  /** The source is outside the cluster (`--from internet`, `--from-ip`). */
  readonly outside: boolean;
  readonly dst: Exclude<Destination, { type: "workload" }>;
  readonly dstLabel: string;
  readonly protocol: Protocol;
  readonly ingressController?: Party;
}

export type ServiceTraceResult = { readonly ok: true; readonly trace: Trace } | { readonly ok: false; readonly error: string };

export type PortPick = { readonly ok: true; readonly port: ServicePort } | { readonly ok: false; readonly detail: string; readonly usage?: boolean };

/** The Service port a request names: by number (the Service `port`), by name, or the only one. */
export function pickPort(f: ServiceFrontend, ref: PortRef | undefined, protocol: Protocol, byNodePort = false): PortPick {
  const ports = f.service.ports.filter((p) => p.protocol === protocol);
  const list = f.service.ports.map((p) => `${p.name ? `${p.name} ` : ""}${p.protocol}/${byNodePort ? (p.nodePort ?? "-") : p.port}`).join(", ") || "none";
  if (ref === undefined) {
    if (ports.length === 1) return { ok: true, port: ports[0] as ServicePort };
    return { ok: false, usage: true, detail: `Service ${f.id} has ${ports.length === 0 ? `no ${protocol} port` : `several ${protocol} ports`} (${list}); give one with :PORT` };
  }
  const hit = ports.find((p) => (typeof ref === "number" ? (byNodePort ? p.nodePort === ref : p.port === ref) : p.name === ref));
  if (hit) return { ok: true, port: hit };
  return { ok: false, detail: `Service ${f.id} has no ${protocol} ${byNodePort ? "nodePort" : "port"} ${typeof ref === "number" ? ref : `named "${ref}"`} (its ports: ${list}); the connection is refused` };
}

export function serviceStep(f: ServiceFrontend, port: ServicePort, via: string): TraceStep {
  const s = f.service;
  const extra = [
    s.externalTrafficPolicy !== "Cluster" ? `externalTrafficPolicy ${s.externalTrafficPolicy}` : "",
    s.internalTrafficPolicy !== "Cluster" ? `internalTrafficPolicy ${s.internalTrafficPolicy}` : "",
    s.sessionAffinity !== "None" ? `sessionAffinity ${s.sessionAffinity}` : "",
  ].filter((x) => x).join(", ");
  return { stage: "service", result: "info", detail: `Service ${f.id} (${describeFrontend(f)}) via ${via}: ${describePort(port)}${extra ? `; ${extra}` : ""}`, source: { file: port.source.file, line: port.source.line } };
}

export function finish(req: ServiceTraceRequest, steps: TraceStep[], r: PathResult, port?: number): Trace {
  return { verdict: r.verdict, src: req.src.label, dst: req.dstLabel, protocol: req.protocol, ...(port !== undefined ? { port } : {}), allowedPorts: r.allowedPorts, steps: [...steps, ...r.steps] };
}

export function denied(req: ServiceTraceRequest, steps: TraceStep[], stage: string, detail: string, port?: number): Trace {
  return finish(req, [...steps, { stage, result: "denied", detail }], { verdict: "denied", steps: [verdictStep(false, `denied: ${detail}`)], allowedPorts: "none" }, port);
}

/** A Service port from inside the cluster (ClusterIP semantics, internalTrafficPolicy). */
export function viaService(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], f: ServiceFrontend, ref: PortRef | undefined, via: string, trafficPolicy = f.service.internalTrafficPolicy): ServiceTraceResult {
  if (f.service.type === "ExternalName") {
    return { ok: true, trace: denied(req, steps, "service", `Service ${f.id} is ExternalName: a DNS CNAME to ${f.service.externalName ?? ""}, resolved outside the cluster (not modelled); trace that address itself`) };
  }
  const pick = pickPort(f, ref, req.protocol);
  if (!pick.ok) return pick.usage ? { ok: false, error: pick.detail } : { ok: true, trace: denied(req, steps, "service", pick.detail, typeof ref === "number" ? ref : undefined) };
  const srcNode = ctx.nodeOf(req.src);
  const eps = ctx.layer.endpoints(f.service, pick.port).endpoints;
  const hop: Hop = { policySrc: req.src, trafficPolicy, ...(srcNode !== undefined ? { node: srcNode, srcNode } : {}) };
  const head = [...steps, serviceStep(f, pick.port, via)];
  return { ok: true, trace: finish(req, head, throughEndpoints(ctx, eps, hop, req.protocol, `Service ${f.id} port ${pick.port.port}`), pick.port.port) };
}

/** A headless Service: DNS gave endpoint addresses; the client connects to them on the port as given. */
function viaHeadless(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], f: ServiceFrontend, addresses: readonly string[], ref: PortRef | undefined): ServiceTraceResult {
  const first = f.service.ports[0];
  const port = typeof ref === "number" ? ref : f.service.ports.find((p) => p.name === ref)?.port ?? (ref === undefined && f.service.ports.length === 1 ? first?.port : undefined);
  if (port === undefined) return { ok: false, error: `${req.dstLabel}: headless Service ${f.id} has no virtual port to default to; give :PORT` };
  const seen = new Set<string>();
  const eps: ServiceEndpoint[] = [];
  for (const p of f.service.ports) {
    for (const e of ctx.layer.endpoints(f.service, p).endpoints) {
      const a = formatIp(e.address);
      if (!addresses.includes(a) || seen.has(a)) continue;
      seen.add(a);
      eps.push({ ...e, port });
    }
  }
  const srcNode = ctx.nodeOf(req.src);
  const hop: Hop = { policySrc: req.src, trafficPolicy: "Cluster", ...(srcNode !== undefined ? { srcNode } : {}) };
  const step: TraceStep = { stage: "service", result: "info", detail: `Service ${f.id} is headless: no virtual IP and no port translation; the client connects to the endpoint addresses DNS returned, on port ${port}`, source: { file: f.service.source.file, line: f.service.source.line } };
  return { ok: true, trace: finish(req, [...steps, step], throughEndpoints(ctx, eps, hop, req.protocol, `headless Service ${f.id}`), port) };
}

function viaName(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], host: string, ref: PortRef | undefined, path: string | undefined): ServiceTraceResult {
  const inZone = host.replace(/\.$/, "").endsWith(`.${ctx.zone.clusterDomain}`);
  if (!inZone && servesHost(ctx.cluster.ingresses, host)) return throughIngress(ctx, req, steps, host, typeof ref === "number" ? ref : 80, path ?? "/");
  if (req.outside) return { ok: false, error: `${host} is not resolvable from outside the cluster (cluster DNS serves pods only; no Ingress rule names this host); use a node address with a nodePort, a LoadBalancer IP or an Ingress host` };
  const d = dnsStage(ctx, req.src, host);
  const head = [...steps, d.step];
  const answer = d.resolution?.answered;
  if (!d.ok || !answer || answer.answer.rcode !== "NOERROR") return { ok: true, trace: denied(req, head.slice(0, -1), "dns", d.step.detail) };
  const labels = answer.name.replace(/\.$/, "").split(".");
  const records = answer.answer.records;
  const cname = records.find((r) => r.type === "CNAME");
  if (cname) return { ok: true, trace: denied(req, head, "service", `${host} is an ExternalName Service: CNAME ${cname.data}, resolved outside the cluster (not modelled); trace that address itself`) };
  const svcIdx = labels.lastIndexOf("svc");
  const f = svcIdx >= 2 ? ctx.layer.frontend(labels[svcIdx - 1] ?? "", labels[svcIdx - 2] ?? "") : undefined;
  if (f?.service.headless) return viaHeadless(ctx, req, head, f, records.map((r) => r.data), ref);
  if (f) return viaService(ctx, req, head, f, ref, `its ClusterIP ${records.map((r) => r.data).join(",")}`);
  const ip = parseIp(records[0]?.data ?? "");
  return ip ? { ok: true, trace: denied(req, head, "service", `${host} is a pod record for ${formatIp(ip)}: trace the address (kwire trace SRC ${formatIp(ip)}:PORT)`) } : { ok: false, error: `cannot follow ${host}` };
}

/**
 * A pod reaching a Service's external frontend — a nodePort on a node address, a LoadBalancer IP
 * or an externalIP — as kube-proxy handles it:
 * - externalTrafficPolicy Local: kube-proxy's "pod traffic for external destinations" rule
 *   (its local-traffic detector) jumps to the Service's cluster-policy chain: translated on the
 *   source's node, to any endpoint (internalTrafficPolicy does not apply), keeping the pod's address.
 * - externalTrafficPolicy Cluster: translated by the node that owns the address (a nodePort) or
 *   by the source's own node (LB/external IPs, caught in its prerouting), to any endpoint, and
 *   marked for masquerade. The SNAT happens in postrouting, after the node's forward hook, so an
 *   endpoint on that node is judged with the pod as source, one on another node with the
 *   translating node's address. A nodePort on another node's address leaves the source's node
 *   untranslated: its egress policy sees that node address and the nodePort.
 */
function viaExternalFrontend(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], hit: FrontendHit, ip: Ip, port: number): ServiceTraceResult {
  const f = hit.frontend;
  const svc = f.service;
  const label = `${hit.via} ${formatIp(ip)}:${port}`;
  if (svc.externalTrafficPolicy === "Local") {
    // kube-proxy jumps to the Service's cluster-policy chain: every endpoint, whatever internalTrafficPolicy says.
    return viaService(ctx, req, steps, f, hit.port.port, `${label} (externalTrafficPolicy Local: kube-proxy sends pod traffic to an external destination to all of the Service's endpoints; the pod keeps its address)`, "Cluster");
  }
  const srcNode = ctx.nodeOf(req.src);
  const xlate = hit.via === "NodePort" ? hit.node?.name : srcNode;
  const node = ctx.cluster.nodes.find((n) => n.name === xlate);
  const masqIp = node === undefined ? undefined : nodeAddresses(node).find((a) => a.family === ip.family);
  const eps = ctx.layer.endpoints(svc, hit.port).endpoints;
  const remoteSrc = srcNode === undefined || xlate === undefined || srcNode !== xlate;
  const untranslatedOut = hit.via === "NodePort" && remoteSrc;
  const masq: Party | undefined = masqIp === undefined ? undefined : { type: "address", ip: masqIp, label: `${formatIp(masqIp)} (node ${xlate ?? "?"}, after masquerade)` };
  const legs = (e: ServiceEndpoint): Legs => ({
    ...(untranslatedOut ? { egressTo: { party: { type: "address", ip, label: formatIp(ip) }, port } } : {}),
    ...(masq !== undefined && e.nodeName !== xlate ? { ingressFrom: masq } : {}),
  });
  const hop: Hop = { policySrc: req.src, trafficPolicy: "Cluster", legs, ...(xlate !== undefined ? { node: xlate } : {}), ...(srcNode !== undefined ? { srcNode } : {}) };
  const where = xlate === undefined ? "the node that receives it" : `node ${xlate}`;
  const snat: TraceStep = {
    stage: "snat",
    result: "info",
    detail: masq === undefined
      ? xlate === undefined
        ? "kube-proxy marks it for masquerade on the source's node, which is not known (a workload template stands for pods on several nodes; trace one pod to see it), so the pod's address is kept for every endpoint"
        : `kube-proxy marks it for masquerade on ${where}; that node's address is not in the input, so the pod's address is kept for every endpoint`
      : `kube-proxy translates it on ${where} and marks it for masquerade (externalTrafficPolicy Cluster): endpoints on ${xlate ?? "that node"} see the pod (SNAT comes after the forward hook), endpoints on other nodes see ${formatIp(masqIp as Ip)}${untranslatedOut ? `; the source's node forwards it untranslated, so its egress policy sees ${formatIp(ip)}:${port}` : ""}`,
  };
  const head = [...steps, serviceStep(f, hit.port, label), snat];
  return { ok: true, trace: finish(req, head, throughEndpoints(ctx, eps, hop, req.protocol, `Service ${f.id} port ${hit.port.port}`), hit.port.port) };
}

export function traceService(ctx: ServiceContext, req: ServiceTraceRequest): ServiceTraceResult {
  const steps: TraceStep[] = [partyStep(ctx.topology, req.src, "source")];
  const dst = req.dst;
  switch (dst.type) {
    case "service": {
      const f = ctx.layer.frontend(dst.namespace, dst.name);
      if (!f) return { ok: false, error: `no Service ${dst.namespace}/${dst.name} in the input` };
      if (req.outside) return { ok: false, error: `svc/${dst.name} names a ClusterIP, reachable only from inside the cluster; from outside use a node address with a nodePort, a LoadBalancer IP or an Ingress URL` };
      if (f.service.headless) return viaHeadless(ctx, req, steps, f, ctx.layer.endpoints(f.service, f.service.ports[0] as ServicePort).endpoints.map((e) => formatIp(e.address)), dst.port);
      return viaService(ctx, req, steps, f, dst.port, "svc/" + dst.name);
    }
    case "name":
      return viaName(ctx, req, steps, dst.host, dst.port, dst.path);
    case "address": {
      const port = typeof dst.port === "number" ? dst.port : undefined;
      if (port === undefined) return { ok: false, error: `${req.dstLabel}: give a port number (IP:PORT)` };
      if (req.outside) return outsideToAddress(ctx, req, steps, dst.ip, port);
      const hit = frontendAt(ctx.layer.frontends, ctx.layer.nodes, dst.ip, port, req.protocol);
      if (!hit) return { ok: false, error: "not a Service address" };
      if (hit.via === "ClusterIP") return viaService(ctx, req, steps, hit.frontend, hit.port.port, `ClusterIP ${formatIp(dst.ip)}:${port}`);
      return viaExternalFrontend(ctx, req, steps, hit, dst.ip, port);
    }
  }
}
