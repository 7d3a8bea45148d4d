/**
 * @module outside-trace
 * Connections from outside the cluster to a Service: a nodePort on a node address, a
 * LoadBalancer IP or an externalIP. A ClusterIP is not reachable from outside.
 *
 * externalTrafficPolicy Cluster: any node forwards to any ready endpoint and masquerades, so
 * the pod sees the forwarding node's address, and ingress policy is evaluated for that
 * address as an ipBlock peer. For a LoadBalancer or externalIP the forwarding node is not
 * known: kwire evaluates the first node by name and says so. Local: the client address is
 * kept; a nodePort answers only with endpoints on the addressed node (none ⇒ dropped), a load
 * balancer sends only to nodes with a ready local endpoint (its health check).
 * loadBalancerSourceRanges: a client outside the ranges is dropped at the LoadBalancer IP
 * (kube-proxy's firewall chain); a nodePort of the same Service is not filtered.
 */
import { formatIp, type Ip, type Node } from "../model/index.js";
import { frontendAt, isFrontendAddress, nodeAddresses } from "../services/index.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints, type Hop } from "./service-path.js";
import { denied, finish, serviceStep, sourceRangeCheck, type ServiceTraceRequest, type ServiceTraceResult } from "./trace-kit.js";
import type { Party } from "./resolve.js";
import type { TraceStep } from "./trace.js";

function snatParty(node: Node): Party | undefined {
  const ip = node.internalIPs[0] ?? nodeAddresses(node)[0];
  return ip ? { type: "address", ip, label: `${formatIp(ip)} (node ${node.name}, after SNAT)` } : undefined;
}

export function outsideToAddress(ctx: ServiceContext, req: ServiceTraceRequest, stepsIn: TraceStep[], ip: Ip, port: number): ServiceTraceResult {
  let steps = stepsIn;
  const hit = frontendAt(ctx.layer.frontends, ctx.layer.nodes, ip, port, req.protocol);
  const at = `${formatIp(ip)}:${port}`;
  if (!hit) {
    const f = isFrontendAddress(ctx.layer.frontends, ip);
    if (f) return { ok: true, trace: denied(req, steps, "service", `${at}: Service ${f.id} listens on ${formatIp(ip)} but has no ${req.protocol} port ${port}; the connection is refused`, port) };
    const node = ctx.layer.nodes.find((n) => nodeAddresses(n).some((x) => x.family === ip.family && x.value === ip.value));
    return { ok: true, trace: denied(req, steps, "service", `${at}: node ${node?.name ?? "?"} has no Service with ${req.protocol} nodePort ${port} and no pod with hostPort ${port} on this address; the connection is refused`, port) };
  }
  const { frontend: f, port: sp } = hit;
  if (hit.via === "LoadBalancer") {
    const fw = sourceRangeCheck(ctx, f.service, req.src, `LoadBalancer IP ${at}`);
    if (fw && !fw.ok) return { ok: true, trace: denied(req, [...steps, serviceStep(f, sp, `LoadBalancer ${at}`)], "firewall", fw.step.detail, port) };
    if (fw) steps = [...steps, fw.step];
  }
  if (hit.via === "ClusterIP") return { ok: true, trace: denied(req, steps, "service", `${at} is the ClusterIP of Service ${f.id}: a virtual address reachable only from inside the cluster`, port) };
  const local = f.service.externalTrafficPolicy === "Local";
  const eps = ctx.layer.endpoints(f.service, sp).endpoints;
  const head = [...steps, serviceStep(f, sp, `${hit.via} ${at}`)];
  const what = `Service ${f.id} port ${sp.port}`;
  if (hit.via === "NodePort") {
    const node = hit.node as Node;
    const snat = local ? undefined : snatParty(node);
    const hop: Hop = { policySrc: snat ?? req.src, trafficPolicy: local ? "Local" : "Cluster", node: node.name, srcNode: node.name };
    head.push(natStep(local, snat, `node ${node.name}`));
    return { ok: true, trace: finish(req, head, throughEndpoints(ctx, eps, hop, req.protocol, what), port) };
  }
  if (local) {
    const hop: Hop = { policySrc: req.src, trafficPolicy: "Cluster" };
    head.push({ stage: "snat", result: "info", detail: `externalTrafficPolicy Local: the load balancer sends only to nodes with a ready local endpoint, and the client address ${req.src.label} is kept` });
    return { ok: true, trace: finish(req, head, throughEndpoints(ctx, eps, hop, req.protocol, what), port) };
  }
  const first = [...ctx.layer.nodes].sort((a, b) => a.name.localeCompare(b.name))[0];
  const snat = first ? snatParty(first) : undefined;
  const hop: Hop = { policySrc: snat ?? req.src, trafficPolicy: "Cluster", ...(first ? { srcNode: first.name } : {}) };
  head.push(natStep(false, snat, first ? `node ${first.name} (the load balancer may pick any node; evaluated for the first by name)` : "a node"));
  return { ok: true, trace: finish(req, head, throughEndpoints(ctx, eps, hop, req.protocol, what), port) };
}

function natStep(local: boolean, snat: Party | undefined, where: string): TraceStep {
  if (local) return { stage: "snat", result: "info", detail: `externalTrafficPolicy Local on ${where}: the client address is kept; only endpoints on this node answer` };
  if (!snat) return { stage: "snat", result: "info", detail: `externalTrafficPolicy Cluster: ${where} masquerades the connection, but no Node address is in the input; evaluated with the client address` };
  return { stage: "snat", result: "info", detail: `externalTrafficPolicy Cluster: ${where} masquerades the connection; the pod sees ${snat.label}` };
}
