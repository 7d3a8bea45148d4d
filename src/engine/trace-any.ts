/**
 * @module trace-any
 * `kwire trace SRC DST` end to end: pods, workloads and plain addresses go straight to
 * `traceConnection` (unchanged); Services, DNS names, URLs, Service addresses and sources
 * outside the cluster go through the Service layer (`traceService`). Pod-to-outside
 * connections gain an `snat` step when the input declares Nodes.
 */
import { formatIp, parseIp, type Ip, type Protocol } from "../model/index.js";
import { frontendAt, isFrontendAddress } from "../services/index.js";
import { resolveTarget, type Party } from "./resolve.js";
import { nodeByAddress, type ServiceContext } from "./service-context.js";
import { parseDestination } from "./service-target.js";
import { traceService } from "./trace-pipeline.js";
import { plainTrace } from "./trace-kit.js";
import { gatewayAt } from "./gateway-trace.js";
import { hostPortAt } from "./hostport-trace.js";
import type { Trace } from "./trace.js";

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
  /** `--external-ip NAME=IP`: addresses of names resolved outside the cluster. */
  readonly externalIps?: ReadonlyMap<string, Ip>;
  /** Whether the CNI maps hostPorts (from a CNI configuration in the input); undefined when none was read. */
  readonly portMappings?: boolean;
  /** HTTP method and headers of a URL request (Gateway API matches). */
  readonly method?: string;
  readonly headers?: ReadonlyMap<string, string>;
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
      return { ok: true, trace: plainTrace(ctx, src.party, d.target.party, req.port ?? d.target.port, req.protocol) };
    }
  }
  const toGateway = dst.type === "address" && dst.url !== undefined && gatewayAt(ctx, dst.ip) !== undefined;
  if (dst.type === "address" && !toGateway && !viaServiceLayer(ctx, dst.ip, dst.port, req.protocol, outside)) {
    const d = resolveTarget(ctx.topology, formatIp(dst.ip), req.namespace);
    if (!d.ok) return { ok: false, error: `destination: ${d.error}` };
    return { ok: true, trace: plainTrace(ctx, src.party, d.target.party, dst.port, req.protocol) };
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
    ...(req.externalIps ? { externalIps: req.externalIps } : {}),
    ...(req.portMappings !== undefined ? { portMappings: req.portMappings } : {}),
    ...(req.method !== undefined ? { method: req.method } : {}),
    ...(req.headers ? { headers: req.headers } : {}),
  });
}

/** Whether an address (and port) is for the Service layer: a frontend, or a node from outside. */
function viaServiceLayer(ctx: ServiceContext, ip: Ip, port: number | string | undefined, protocol: Protocol, outside: boolean): boolean {
  if (isFrontendAddress(ctx.layer.frontends, ip)) return true;
  if (typeof port === "number" && hostPortAt(ctx, ip, port, protocol)) return true;
  if (typeof port === "number" && frontendAt(ctx.layer.frontends, ctx.layer.nodes, ip, port, protocol)) return true;
  return outside && nodeByAddress(ctx.layer.nodes, ip) !== undefined;
}
