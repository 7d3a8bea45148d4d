/**
 * @module service-dns
 * The `dns` stage of a trace: can the source reach the cluster DNS Service (kube-system/kube-dns,
 * UDP 53 after DNAT, the same policy check as any connection), and what does its resolver get
 * for the name, query by query (search list, ndots:5).
 */
import { podResolvConf, resolveName, type Resolution } from "../dns/index.js";
import { usableEndpoints } from "../services/index.js";
import type { ServiceContext } from "./service-context.js";
import type { Party } from "./resolve.js";
import { traceConnection, type TraceStep } from "./trace.js";

export interface DnsStage {
  readonly step: TraceStep;
  readonly resolution?: Resolution;
  readonly ok: boolean;
}

export function describeResolution(r: Resolution): string {
  return r.queries
    .map((q) => {
      const a = q.answer;
      if (a.rcode !== "NOERROR") return `${q.name} ${a.rcode}`;
      return `${q.name} ${a.records.map((x) => `${x.type} ${x.data}${x.port !== undefined ? `:${x.port}` : ""}`).join(", ")}`;
    })
    .join("; ");
}

/** Whether the source may send DNS queries to a kube-dns endpoint (undefined: no kube-dns in the input). */
function dnsReachable(ctx: ServiceContext, src: Party): { ok: boolean; detail: string } | undefined {
  const f = ctx.layer.frontend("kube-system", "kube-dns");
  const port = f?.service.ports.find((p) => p.protocol === "UDP" && p.port === 53) ?? f?.service.ports.find((p) => p.port === 53);
  if (!f || !port) return undefined;
  const eps = usableEndpoints(ctx.layer.endpoints(f.service, port).endpoints, "Cluster", undefined).usable;
  if (eps.length === 0) return { ok: false, detail: "Service kube-system/kube-dns has no ready endpoints" };
  for (const e of eps) {
    const t = traceConnection(ctx.topology, ctx.policies, { src, dst: ctx.partyOf(e), protocol: port.protocol, port: e.port });
    if (t.verdict === "allowed") return { ok: true, detail: `queries reach kube-dns (${e.name}, ${port.protocol}/${e.port})` };
  }
  const t = traceConnection(ctx.topology, ctx.policies, { src, dst: ctx.partyOf(eps[0] as (typeof eps)[number]), protocol: port.protocol, port: (eps[0] as (typeof eps)[number]).port });
  const why = t.steps.find((s) => s.result === "denied")?.detail ?? "denied";
  return { ok: false, detail: `queries cannot reach kube-dns on ${port.protocol}/53: ${why}` };
}

export function dnsStage(ctx: ServiceContext, src: Party, host: string): DnsStage {
  const subject = src.type === "node" ? ctx.topology.subjects[src.node] : undefined;
  const ns = subject?.namespace ?? "default";
  const reach = dnsReachable(ctx, src);
  if (reach && !reach.ok) return { ok: false, step: { stage: "dns", result: "denied", detail: `${host}: ${reach.detail}` } };
  const conf = podResolvConf(ns, ctx.zone.clusterDomain);
  const r = resolveName(ctx.zone, host, "A", conf);
  const net = subject?.hostNetwork ? " (a hostNetwork pod resolves with its node's resolv.conf unless dnsPolicy is ClusterFirstWithHostNet; shown as ClusterFirst)" : "";
  const reached = reach ? `${reach.detail}; ` : "no kube-system/kube-dns Service in the input: DNS reachability not checked; ";
  const queries = `${reached}search ${conf.search.join(" ")}, ndots:${conf.ndots}${net}: ${describeResolution(r)}`;
  if (r.answered) return { ok: true, resolution: r, step: { stage: "dns", result: "allowed", detail: queries } };
  if (r.forwarded) return { ok: false, resolution: r, step: { stage: "dns", result: "denied", detail: `${queries} — the name is not in the cluster: its address is outside the model; trace the address itself (kwire trace SRC IP:PORT)` } };
  return { ok: false, resolution: r, step: { stage: "dns", result: "denied", detail: `${queries} — no query got an answer` } };
}
