/**
 * @module service-trace
 * `kwire trace` through the Service layer. Stages: `source` → `dns` (names) → `service` (which
 * Service port, its targetPort) → `endpoints` → `route` → `egress-policy` at the source →
 * `ingress-policy` at the destination pod (address and targetPort after DNAT) → `verdict`.
 * From inside the cluster a ClusterIP is translated on the source's node and the pod keeps its
 * address (internalTrafficPolicy applies); nodePorts, LoadBalancer IPs and externalIPs follow
 * kube-proxy's masquerade rules (`viaExternalFrontend`). This is the Service stage of the
 * pipeline in `trace-pipeline.ts`; from outside see `outside-trace.ts`.
 */
import { formatIp, type Ip } from "../model/index.js";
import { nodeAddresses, type FrontendHit, type ServiceEndpoint, type ServiceFrontend } from "../services/index.js";
import { headlessEndpoints } from "../dns/index.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints, type Hop, type Legs } from "./service-path.js";
import type { PortRef } from "./service-target.js";
import type { Party } from "./resolve.js";
import type { TraceStep } from "./trace.js";
import { deniedResult, finish, pickPort, serviceStep, sourceRangeCheck, type ServiceTraceRequest, type ServiceTraceResult } from "./trace-kit.js";

/** A Service port from inside the cluster (ClusterIP semantics, internalTrafficPolicy). */
/**
 * `family`: the address family of the ClusterIP dialled (its proxier's endpoints); undefined
 * when the name resolves to both (each endpoint's first address, as before).
 */
export function viaService(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], f: ServiceFrontend, ref: PortRef | undefined, via: string, family: 4 | 6 | undefined, trafficPolicy = f.service.internalTrafficPolicy): ServiceTraceResult {
  if (f.service.type === "ExternalName") {
    // The pipeline follows an ExternalName's CNAME before it gets here (trace-pipeline.ts).
    return deniedResult(req, steps, "service", `Service ${f.id} is ExternalName: a DNS CNAME to ${f.service.externalName ?? ""}, not a virtual IP`);
  }
  const pick = pickPort(f, ref, req.protocol);
  if (!pick.ok) return pick.usage ? { ok: false, error: pick.detail } : deniedResult(req, steps, "service", pick.detail, typeof ref === "number" ? ref : undefined);
  const srcNode = ctx.nodeOf(req.src);
  const eps = ctx.layer.endpoints(f.service, pick.port, family).endpoints;
  const hop: Hop = { policySrc: req.src, trafficPolicy, ...(srcNode !== undefined ? { node: srcNode, srcNode } : {}) };
  const head = [...steps, serviceStep(f, pick.port, via)];
  return { ok: true, trace: finish(req, head, throughEndpoints(ctx, eps, hop, req.protocol, `Service ${f.id} port ${pick.port.port}`), pick.port.port) };
}

/** A headless Service: DNS gave endpoint addresses; the client connects to them on the port as given. */
export function viaHeadless(ctx: ServiceContext, req: ServiceTraceRequest, steps: TraceStep[], f: ServiceFrontend, addresses: readonly string[], ref: PortRef | undefined): ServiceTraceResult {
  const first = f.service.ports[0];
  const port = typeof ref === "number" ? ref : f.service.ports.find((p) => p.name === ref)?.port ?? (ref === undefined && f.service.ports.length === 1 ? first?.port : undefined);
  if (port === undefined) return { ok: false, error: `${req.dstLabel}: headless Service ${f.id} has no virtual port to default to; give :PORT` };
  const seen = new Set<string>();
  const eps: ServiceEndpoint[] = [];
  for (const e of headlessEndpoints(ctx.layer, f.service)) {
    const a = formatIp(e.address);
    if (!addresses.includes(a) || seen.has(a)) continue;
    seen.add(a);
    eps.push({ ...e, port });
  }
  const srcNode = ctx.nodeOf(req.src);
  const hop: Hop = { policySrc: req.src, trafficPolicy: "Cluster", ...(srcNode !== undefined ? { srcNode } : {}) };
  const step: TraceStep = { stage: "service", result: "info", detail: `Service ${f.id} is headless: no virtual IP and no port translation; the client connects to the endpoint addresses DNS returned, on port ${port}`, source: { file: f.service.source.file, line: f.service.source.line } };
  return { ok: true, trace: finish(req, [...steps, step], throughEndpoints(ctx, eps, hop, req.protocol, `headless Service ${f.id}`), port) };
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
export function viaExternalFrontend(ctx: ServiceContext, req: ServiceTraceRequest, stepsIn: TraceStep[], hit: FrontendHit, ip: Ip, port: number): ServiceTraceResult {
  let steps = stepsIn;
  const f = hit.frontend;
  const svc = f.service;
  const label = `${hit.via} ${formatIp(ip)}:${port}`;
  if (hit.via === "LoadBalancer") {
    // kube-proxy catches the LB IP in the source node's prerouting: its firewall chain sees the pod's own address.
    const fw = sourceRangeCheck(ctx, svc, req.src, `LoadBalancer IP ${formatIp(ip)}:${port}`);
    if (fw && !fw.ok) return deniedResult(req, [...steps, serviceStep(f, hit.port, label)], "firewall", fw.step.detail, port);
    if (fw) steps = [...steps, fw.step];
  }
  if (svc.externalTrafficPolicy === "Local") {
    // kube-proxy jumps to the Service's cluster-policy chain: every endpoint, whatever internalTrafficPolicy says.
    return viaService(ctx, req, steps, f, hit.port.port, `${label} (externalTrafficPolicy Local: kube-proxy sends pod traffic to an external destination to all of the Service's endpoints; the pod keeps its address)`, ip.family, "Cluster");
  }
  const srcNode = ctx.nodeOf(req.src);
  const xlate = hit.via === "NodePort" ? hit.node?.name : srcNode;
  const node = ctx.cluster.nodes.find((n) => n.name === xlate);
  const masqIp = node === undefined ? undefined : nodeAddresses(node).find((a) => a.family === ip.family);
  const eps = ctx.layer.endpoints(svc, hit.port, ip.family).endpoints;
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
