/**
 * @module trace-any
 * `kwire trace SRC DST` end to end: pods, workloads and plain addresses go straight to
 * `traceConnection` (unchanged); Services, DNS names, URLs, Service addresses and sources
 * outside the cluster go through the Service layer (`traceService`). Pod-to-outside
 * connections gain an `snat` step when the input declares Nodes.
 */
import { formatIp, parseIp, type Ip, type Protocol } from "../model/index.js";
import { frontendAt, isFrontendAddress, nodeAddresses } from "../services/index.js";
import { resolveTarget, type Party } from "./resolve.js";
import { nodeByAddress, type ServiceContext } from "./service-context.js";
import { parseDestination } from "./service-target.js";
import { traceService } from "./trace-pipeline.js";
import { traceConnection, type Trace, type TraceStep } from "./trace.js";

/** The client address `--from internet` stands for (TEST-NET-3, RFC 5737). */
export const INTERNET_CLIENT = "203.0.113.1";

export interface TraceAnyRequest {
  /** Pod/workload/IP text; ignored when `from` or `fromIp` is given. */
  readonly src?: string;
  readonly dst: string;
  readonly protocol: Protocol;
  /** `--port`: overrides the destination's port. */
  readonly port?: number | string;
  readonly namespace: string;
  readonly from?: "internet";
  readonly fromIp?: Ip;
  readonly ingressController?: string;
}

export type TraceAnyResult = { readonly ok: true; readonly trace: Trace } | { readonly ok: false; readonly error: string };

function sourceOf(ctx: ServiceContext, req: TraceAnyRequest): { ok: true; party: Party } | { ok: false; error: string } {
  if (req.fromIp) return { ok: true, party: { type: "address", ip: req.fromIp, label: formatIp(req.fromIp) } };
  if (req.from === "internet") {
    const ip = parseIp(INTERNET_CLIENT) as Ip;
    return { ok: true, party: { type: "address", ip, label: `internet (${INTERNET_CLIENT})` } };
  }
  if (req.src === undefined) return { ok: false, error: "source: give SRC, --from internet or --from-ip IP" };
  const s = resolveTarget(ctx.topology, req.src, req.namespace);
  return s.ok ? { ok: true, party: s.target.party } : { ok: false, error: `source: ${s.error}` };
}

const SHORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function traceAny(ctx: ServiceContext, req: TraceAnyRequest): TraceAnyResult {
  const src = sourceOf(ctx, req);
  if (!src.ok) return src;
  const outside = src.party.type === "address";
  const parsed = parseDestination(req.dst, req.namespace);
  if (!parsed.ok) return { ok: false, error: `destination: ${parsed.error}` };
  let dst = parsed.dst;
  if (req.port !== undefined && dst.type !== "workload") dst = { ...dst, port: req.port };
  if (dst.type === "workload") {
    const d = resolveTarget(ctx.topology, req.dst, req.namespace);
    const [base, portText] = req.dst.split(":");
    if (!d.ok && SHORT_NAME.test(base ?? "") && ctx.cluster.services.some((s) => s.name === base)) {
      const port = req.port ?? (portText === undefined ? undefined : /^\d+$/.test(portText) ? Number(portText) : portText);
      dst = { type: "name", host: base ?? "", ...(port !== undefined ? { port } : {}) };
    } else {
      if (!d.ok) return { ok: false, error: `destination: ${d.error}` };
      return { ok: true, trace: plain(ctx, src.party, d.target.party, req.port ?? d.target.port, req.protocol) };
    }
  }
  if (dst.type === "address" && !viaServiceLayer(ctx, dst.ip, dst.port, req.protocol, outside)) {
    const d = resolveTarget(ctx.topology, formatIp(dst.ip), req.namespace);
    if (!d.ok) return { ok: false, error: `destination: ${d.error}` };
    return { ok: true, trace: plain(ctx, src.party, d.target.party, dst.port, req.protocol) };
  }
  const controller = req.ingressController === undefined ? undefined : resolveTarget(ctx.topology, req.ingressController, req.namespace);
  if (controller && !controller.ok) return { ok: false, error: `--ingress-controller: ${controller.error}` };
  return traceService(ctx, {
    src: src.party,
    outside,
    dst,
    dstLabel: req.dst,
    protocol: req.protocol,
    ...(controller?.ok ? { ingressController: controller.target.party } : {}),
  });
}

/** Whether an address (and port) is for the Service layer: a frontend, or a node from outside. */
function viaServiceLayer(ctx: ServiceContext, ip: Ip, port: number | string | undefined, protocol: Protocol, outside: boolean): boolean {
  if (isFrontendAddress(ctx.layer.frontends, ip)) return true;
  if (typeof port === "number" && frontendAt(ctx.layer.frontends, ctx.layer.nodes, ip, port, protocol)) return true;
  return outside && nodeByAddress(ctx.layer.nodes, ip) !== undefined;
}

/** The original pod/workload/address trace, plus the SNAT of pod traffic leaving the cluster. */
function plain(ctx: ServiceContext, src: Party, dst: Party, port: number | string | undefined, protocol: Protocol): Trace {
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
