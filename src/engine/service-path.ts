/**
 * @module service-path
 * From a Service port to a pod: which endpoints take the connection (readiness, traffic
 * policy), the verdict toward each (the engines' own `traceConnection`, evaluated toward the
 * pod's address and targetPort, i.e. after DNAT), and the one that decides: the connection is
 * allowed when any usable endpoint admits it, and the trace then follows that endpoint;
 * otherwise it follows the first endpoint and shows why it is denied.
 */
import { formatIp, type Protocol, type TrafficPolicy } from "../model/index.js";
import { usableEndpoints, type ServiceEndpoint } from "../services/index.js";
import type { ServiceContext } from "./service-context.js";
import type { Party } from "./resolve.js";
import { traceConnection, type Trace, type TraceStep } from "./trace.js";

/** How the connection reaches the endpoints. */
export interface Hop {
  /** The address the destination pod sees (the client, or a node after SNAT) or the source pod. */
  readonly policySrc: Party;
  /** The node that translates the connection (traffic policy Local keeps only its endpoints). */
  readonly node?: string;
  readonly trafficPolicy: TrafficPolicy;
  /** Node the client pod runs on (for the route stage). */
  readonly srcNode?: string;
  /**
   * Per endpoint, when the two policy checks do not see the same packet (kube-proxy masquerade):
   * egress is judged toward `egressTo` (default: the endpoint after DNAT) and ingress from
   * `ingressFrom` (default: `policySrc`).
   */
  readonly legs?: (e: ServiceEndpoint) => Legs;
}

export interface Legs {
  readonly egressTo?: { readonly party: Party; readonly port: number };
  readonly ingressFrom?: Party;
}

export interface PathResult {
  readonly verdict: "allowed" | "denied";
  readonly steps: TraceStep[];
  readonly allowedPorts: string;
}

export interface EndpointVerdict {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly node?: string;
  readonly ready: boolean;
  readonly verdict: "allowed" | "denied" | "unused";
  /** Identical pods the endpoint stands for (a workload with many replicas is listed once per node). */
  readonly replicas?: number;
}

/** Egress judged on one packet, ingress on another (after SNAT): allowed when both admit it. */
function splitLegs(ctx: ServiceContext, hop: Hop, legs: Legs, dst: Party, e: ServiceEndpoint, protocol: Protocol): Trace {
  const out = legs.egressTo;
  const eg = traceConnection(ctx.topology, ctx.policies, { src: hop.policySrc, dst: out?.party ?? dst, protocol, port: out?.port ?? e.port, viaService: true });
  const inFrom = legs.ingressFrom ?? hop.policySrc;
  const ing = out === undefined && inFrom === hop.policySrc ? eg : traceConnection(ctx.topology, ctx.policies, { src: inFrom, dst, protocol, port: e.port, viaService: true });
  const egStep = eg.steps.find((s) => s.stage === "egress-policy");
  const inStep = ing.steps.find((s) => s.stage === "ingress-policy");
  const egOk = egStep?.result !== "denied";
  const inOk = inStep?.result !== "denied";
  const verdict = egOk && inOk ? "allowed" : "denied";
  const why = !egOk ? eg.steps.find((s) => s.stage === "verdict")?.detail ?? "egress denied" : ing.steps.find((s) => s.stage === "verdict")?.detail ?? "ingress denied";
  const steps: TraceStep[] = [...(egStep ? [egStep] : []), ...(inStep ? [inStep] : []), verdictStep(verdict === "allowed", verdict === "allowed" ? "allowed" : why)];
  return { ...ing, verdict, allowedPorts: verdict === "allowed" ? ing.allowedPorts : "none", steps };
}

const partyKey = (p: Party): string => (p.type === "node" ? `n${p.node}` : `a${p.ip.family}:${p.ip.value}`);

function endpointLine(e: ServiceEndpoint, v: EndpointVerdict["verdict"]): string {
  const state = e.ready ? "ready" : e.terminating ? (e.serving ? "terminating, serving" : "terminating") : "not ready";
  const who = e.name === formatIp(e.address) ? "" : `${e.name} `;
  const many = (e.replicas ?? 1) > 1 ? `, and ${(e.replicas ?? 1) - 1} identical replica(s) like it` : "";
  return `${who}${formatIp(e.address)}:${e.port} (${e.nodeName !== undefined ? `node ${e.nodeName}, ` : ""}${state}${many}): ${v}`;
}

export function throughEndpoints(ctx: ServiceContext, eps: readonly ServiceEndpoint[], hop: Hop, protocol: Protocol, what: string): PathResult {
  const choice = usableEndpoints(eps, hop.trafficPolicy, hop.node);
  const cache = new Map<string, Trace>();
  const traceTo = (e: ServiceEndpoint): Trace => {
    const dst = ctx.partyOf(e);
    const key = `${partyKey(dst)}:${e.port}`;
    let t = cache.get(key);
    if (!t) {
      t = hop.legs === undefined ? traceConnection(ctx.topology, ctx.policies, { src: hop.policySrc, dst, protocol, port: e.port, viaService: true }) : splitLegs(ctx, hop, hop.legs(e), dst, e, protocol);
      cache.set(key, t);
    }
    return t;
  };
  const verdicts = new Map<ServiceEndpoint, Trace>(choice.usable.map((e) => [e, traceTo(e)]));
  const winner = choice.usable.find((e) => verdicts.get(e)?.verdict === "allowed") ?? choice.usable[0];
  const list: EndpointVerdict[] = eps.map((e) => ({
    name: e.name,
    address: formatIp(e.address),
    port: e.port,
    ...(e.nodeName !== undefined ? { node: e.nodeName } : {}),
    ready: e.ready,
    verdict: verdicts.get(e)?.verdict ?? "unused",
    ...(e.replicas !== undefined ? { replicas: e.replicas } : {}),
  }));
  const lines = eps.map((e) => endpointLine(e, verdicts.get(e)?.verdict ?? "unused")).join("; ");
  if (!winner) {
    const detail = `${what}: ${choice.why}${eps.length ? ` — ${lines}` : ""}; the connection is refused`;
    return { verdict: "denied", steps: [{ stage: "endpoints", result: "denied", detail, endpoints: list }, verdictStep(false, `denied: ${what} has ${choice.why}`)], allowedPorts: "none" };
  }
  const t = verdicts.get(winner) as Trace;
  const allowed = t.verdict === "allowed";
  const pick = allowed ? `${winner.name} admits it` : `no usable endpoint admits it; following ${winner.name}`;
  const steps: TraceStep[] = [
    { stage: "endpoints", result: allowed ? "allowed" : "denied", detail: `${what}: ${choice.why} — ${lines}; ${pick}`, source: { file: winner.source.file, line: winner.source.line }, endpoints: list },
    routeStep(ctx, hop, winner),
    ...t.steps.filter((s) => s.stage === "egress-policy" || s.stage === "ingress-policy" || s.stage === "route"),
  ];
  const reason = t.steps.find((s) => s.stage === "verdict")?.detail ?? "";
  steps.push(verdictStep(allowed, allowed ? `allowed via ${winner.name} (${formatIp(winner.address)}:${winner.port})` : reason));
  return { verdict: t.verdict, steps, allowedPorts: t.allowedPorts };
}

function routeStep(ctx: ServiceContext, hop: Hop, e: ServiceEndpoint): TraceStep {
  const from = hop.srcNode;
  const to = e.nodeName;
  const target = `${formatIp(e.address)}:${e.port}`;
  if (from === undefined || to === undefined) return { stage: "route", result: "info", detail: `to ${e.name} at ${target}${to !== undefined ? ` on node ${to}` : ""} (the source's node is not known)` };
  if (hop.legs !== undefined && hop.node !== undefined && hop.node !== from) {
    return { stage: "route", result: "info", detail: `to ${e.name} at ${target}: from node ${from} to node ${hop.node}, which translates it${to !== hop.node ? `, then to node ${to}` : ""}` };
  }
  const node = ctx.cluster.nodes.find((n) => n.name === to);
  const where = from === to ? `same node ${to}: through the node's bridge` : `from node ${from} to node ${to}${node?.podCIDRs.length ? ` (podCIDR ${node.podCIDRs.join(",")})` : ""}`;
  return { stage: "route", result: "info", detail: `to ${e.name} at ${target}, ${where}` };
}

export function verdictStep(ok: boolean, detail: string): TraceStep {
  return { stage: "verdict", result: ok ? "allowed" : "denied", detail };
}
