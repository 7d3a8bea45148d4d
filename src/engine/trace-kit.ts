/**
 * @module trace-kit
 * The shared parts of the north-south trace pipeline (`trace-pipeline.ts`): the request, the
 * result, the step builders, the Service-port pick, and the two hops every L7 proxy kind
 * (Ingress controller, Gateway data plane, OpenShift router) has — client → proxy pod, and
 * proxy pod → the endpoints of a backend Service port. Stages import this module and never
 * each other, so the pipeline has no import cycle.
 */
import { cidrContainsIp, formatCidr, formatIp, type Ip, type Protocol, type Service, type ServicePort } from "../model/index.js";
import type { GatewayRequest } from "../gateway/index.js";
import { describeFrontend, describePort, nodeAddresses, type ServiceFrontend } from "../services/index.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints, verdictStep, type Hop, type PathResult } from "./service-path.js";
import type { PortRef } from "./service-target.js";
import type { Party } from "./resolve.js";
import { partyStep, traceConnection, type Trace, type TraceStep } from "./trace.js";

export interface ServiceTraceRequest {
  readonly src: Party;
  /** The source is outside the cluster (`--from internet`, `--from-ip`). */
  readonly outside: boolean;
  readonly dstLabel: string;
  readonly protocol: Protocol;
  readonly ingressController?: Party;
  /** `--external-ip NAME=IP`: the address a name outside the cluster resolves to. */
  readonly externalIps?: ReadonlyMap<string, Ip>;
  /** Whether the CNI maps hostPorts (a configuration read from the input); undefined: none was read. */
  readonly portMappings?: boolean;
}

export type ServiceTraceResult = { readonly ok: true; readonly trace: Trace } | { readonly ok: false; readonly error: string };

export type PortPick = { readonly ok: true; readonly port: ServicePort } | { readonly ok: false; readonly detail: string; readonly usage?: boolean };

/** An HTTP request as an L7 proxy sees it (one type for every route kind: src/gateway/match.ts). */
export type HttpRequest = GatewayRequest;

/**
 * One kind of L7 route (Ingress, Gateway API, OpenShift Route): how strongly it claims a host
 * on a port (2: a hostname of it names the host; 1: it takes any host; 0: not at all), and the
 * trace of a request it claims.
 */
export interface RouteKind {
  readonly kind: string;
  claims(ctx: ServiceContext, host: string, port: number): 0 | 1 | 2;
  trace(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], http: HttpRequest): ServiceTraceResult;
}

/** The Service port a request names: by number (the Service `port`), by name, or the only one. */
export function pickPort(f: ServiceFrontend, ref: PortRef | undefined, protocol: Protocol, byNodePort = false): PortPick {
  const ports = f.service.ports.filter((p) => p.protocol === protocol);
  const list = f.service.ports.map((p) => `${p.name ? `${p.name} ` : ""}${p.protocol}/${byNodePort ? (p.nodePort ?? "-") : p.port}`).join(", ") || "none";
  if (ref === undefined) {
    const only = ports[0];
    if (ports.length === 1 && only) return { ok: true, port: only };
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

export const deniedResult = (req: ServiceTraceRequest, steps: TraceStep[], stage: string, detail: string, port?: number): ServiceTraceResult => ({ ok: true, trace: denied(req, steps, stage, detail, port) });

/**
 * The client → proxy pod hop (evaluated with the client's address, as a proxy Service with
 * externalTrafficPolicy Local keeps it). Returns the step to append, or a denial.
 */
/** The pods (topology subjects) in a namespace whose labels carry `key=value`, by id. */
export function podsLabelled(ctx: ServiceContext, namespace: string, key: string, value: string): Party[] {
  const out: Party[] = [];
  ctx.topology.subjects.forEach((s, i) => {
    if (s.namespace === namespace && s.labels[key] === value) out.push({ type: "node", node: i, label: s.id });
  });
  return out;
}

export function clientToProxy(ctx: ServiceContext, req: ServiceTraceRequest, head: TraceStep[], proxy: Party, stage: string, noun: string, port: number): { ok: true; step: TraceStep } | { ok: false; result: ServiceTraceResult } {
  const hop = traceConnection(ctx.topology, ctx.policies, { src: req.src, dst: proxy, protocol: "TCP", port });
  const step = partyStep(ctx.topology, proxy, stage, `${hop.verdict === "allowed" ? "reached" : "not reachable"} on TCP/${port}: `);
  if (hop.verdict === "allowed") return { ok: true, step: { ...step, result: "allowed" } };
  const why = hop.steps.find((s) => s.result === "denied")?.detail ?? "denied";
  return { ok: false, result: deniedResult(req, [...head, step], stage, `the client cannot reach the ${noun}: ${why}`, port) };
}

/**
 * A proxy pod sends to the endpoints of a backend Service port itself (no ClusterIP): the
 * proxy pod is the policy source (its egress policy and the backend's ingress policy apply).
 * A missing Service or port is the proxy's `status` answer (Ingress controllers 503, Gateway
 * implementations 500), i.e. denied; `answer` says which ("the controller answers 503").
 */
export function proxyToBackend(ctx: ServiceContext, req: ServiceTraceRequest, head: TraceStep[], proxy: Party, backend: { readonly namespace: string; readonly name: string; readonly port: PortRef | undefined }, via: string, answer: string, reqPort: number): ServiceTraceResult {
  const f = ctx.layer.frontend(backend.namespace, backend.name);
  if (!f) return deniedResult(req, head, "service", `the backend Service ${backend.namespace}/${backend.name} does not exist: ${answer}`, reqPort);
  if (f.service.type === "ExternalName") return deniedResult(req, head, "service", `the backend Service ${f.id} is ExternalName (${f.service.externalName ?? ""}): it has no endpoints for the proxy to send to (not modelled as a proxy backend); ${answer}`, reqPort);
  const pick = pickPort(f, backend.port, "TCP");
  if (!pick.ok) return deniedResult(req, head, "service", `${pick.detail.replace("; the connection is refused", "")}: ${answer}`, reqPort);
  const steps = [...head, serviceStep(f, pick.port, via)];
  const srcNode = ctx.nodeOf(proxy);
  const hop: Hop = { policySrc: proxy, trafficPolicy: "Cluster", ...(srcNode !== undefined ? { srcNode } : {}) };
  return { ok: true, trace: finish(req, steps, throughEndpoints(ctx, ctx.layer.endpoints(f.service, pick.port).endpoints, hop, "TCP", `Service ${f.id} port ${pick.port.port}`), reqPort) };
}

/** A pod/workload/address connection as `traceConnection` gives it, plus the SNAT of pod traffic leaving the cluster. */
export function plainTrace(ctx: ServiceContext, src: Party, dst: Party, port: number | string | undefined, protocol: Protocol): Trace {
  const t = traceConnection(ctx.topology, ctx.policies, { src, dst, protocol, ...(port !== undefined ? { port } : {}) });
  if (src.type !== "node" || dst.type !== "address" || ctx.cluster.nodes.length === 0) return t;
  const nodeName = ctx.nodeOf(src);
  const node = ctx.cluster.nodes.find((n) => n.name === nodeName);
  const addr = node ? nodeAddresses(node)[0] : undefined;
  const detail = node && addr
    ? `leaves the cluster from node ${node.name}: masqueraded to the node's address ${formatIp(addr)}`
    : "leaves the cluster: masqueraded to the address of the pod's node (its node is not known)";
  const step: TraceStep = { stage: "snat", result: "info", detail };
  const at = t.steps.findIndex((s) => s.stage === "egress-policy");
  const steps = at < 0 ? [...t.steps, step] : [...t.steps.slice(0, at), step, ...t.steps.slice(at)];
  return { ...t, steps };
}

/**
 * loadBalancerSourceRanges at a LoadBalancer IP (kube-proxy's KUBE-FW-* chain / firewall-*
 * chain, pkg/proxy/{iptables,nftables}/proxier.go): a source outside every range is dropped
 * before DNAT. NodePorts are not filtered ("nodeports are not subject to
 * loadBalancerSourceRanges"). undefined: the Service has no ranges. A pod whose address is
 * not in the input is judged by its whole possible range: admitted only if a range covers it.
 */
export function sourceRangeCheck(ctx: ServiceContext, svc: Service, src: Party, at: string): { ok: boolean; step: TraceStep } | undefined {
  const ranges = svc.loadBalancerSourceRanges ?? [];
  if (ranges.length === 0) return undefined;
  const list = ranges.map(formatCidr).join(", ");
  const subject = src.type === "node" ? ctx.topology.subjects[src.node] : undefined;
  const ip: Ip | undefined = src.type === "address" ? src.ip : subject?.ips[0];
  const source = { file: svc.source.file, line: svc.source.line };
  if (ip === undefined) {
    const r = subject?.unknownIpRange;
    const covered = r !== undefined && ranges.some((c) => c.family === r.family && c.base <= r.lo && r.hi <= c.base + ((1n << BigInt((c.family === 4 ? 32 : 128) - c.prefix)) - 1n));
    return { ok: covered, step: { stage: "firewall", result: covered ? "allowed" : "denied", detail: `${at}: loadBalancerSourceRanges ${list}; ${src.label} has no address in the input${covered ? ", but every address it may get is inside a range" : ": kwire cannot show it is inside a range, so it is treated as dropped by kube-proxy's firewall chain"}`, source } };
  }
  const hit = ranges.find((c) => cidrContainsIp(c, ip));
  return hit
    ? { ok: true, step: { stage: "firewall", result: "allowed", detail: `${at}: loadBalancerSourceRanges ${list}: ${formatIp(ip)} is inside ${formatCidr(hit)}`, source } }
    : { ok: false, step: { stage: "firewall", result: "denied", detail: `${at}: loadBalancerSourceRanges ${list}: ${formatIp(ip)} is outside every range, so kube-proxy's firewall chain drops it (the connection times out)`, source } };
}
