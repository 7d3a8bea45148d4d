/**
 * @module service-dns
 * The `dns` stage of a trace: can the source reach the cluster DNS Service (kube-system/kube-dns,
 * UDP 53 after DNAT, the same policy check as any connection), and what does its resolver get
 * for the name, query by query (search list, ndots:5).
 */
import { formatIp } from "../model/index.js";
import { podResolver, resolveName, type PodDnsSettings, type Resolution } from "../dns/index.js";
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
      if (a.rcode !== "NOERROR") return `${q.name} ${a.rcode === "NODATA" ? `${q.qtype} ` : ""}${a.rcode}`;
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

/** The pod's DNS settings (spec.dnsPolicy / dnsConfig) behind a source party. */
function dnsSettings(ctx: ServiceContext, src: Party): PodDnsSettings | undefined {
  const s = src.type === "node" ? ctx.topology.subjects[src.node] : undefined;
  if (!s) return undefined;
  if (s.kind === "Pod") return ctx.cluster.pods.find((p) => p.namespace === s.namespace && p.name === s.name)?.dns;
  return ctx.cluster.workloads.find((w) => w.kind === s.kind && w.namespace === s.namespace && w.name === s.name)?.dns;
}

export function dnsStage(ctx: ServiceContext, src: Party, host: string): DnsStage {
  const subject = src.type === "node" ? ctx.topology.subjects[src.node] : undefined;
  const ns = subject?.namespace ?? "default";
  const resolver = podResolver(dnsSettings(ctx, src), subject?.hostNetwork ?? false, ns, ctx.zone.clusterDomain);
  if (resolver.kind === "node") return { ok: false, step: { stage: "dns", result: "denied", detail: `${host}: ${resolver.why}; kwire does not model the node's resolvers, and cluster names do not resolve there` } };
  const kubeDns = ctx.layer.frontend("kube-system", "kube-dns");
  if (resolver.kind === "none") {
    const cluster = kubeDns?.clusterIPs.map(formatIp) ?? [];
    const ours = resolver.nameservers.filter((n) => cluster.includes(n));
    if (ours.length === 0) return { ok: false, step: { stage: "dns", result: "denied", detail: `${host}: ${resolver.why}; its nameservers ${resolver.nameservers.join(", ")} are not the cluster DNS Service${cluster.length ? ` (${cluster.join(", ")})` : " (no kube-system/kube-dns in the input)"}: answers come from outside the model` } };
  }
  const reach = dnsReachable(ctx, src);
  if (reach && !reach.ok) return { ok: false, step: { stage: "dns", result: "denied", detail: `${host}: ${reach.detail}` } };
  const conf = resolver.conf;
  const r = resolveName(ctx.zone, host, "address", conf);
  const policy = resolver.why === "dnsPolicy ClusterFirst" ? "" : ` (${resolver.why})`;
  const reached = reach ? `${reach.detail}; ` : "no kube-system/kube-dns Service in the input: DNS reachability not checked; ";
  const queries = `${reached}search ${conf.search.join(" ") || "(none)"}, ndots:${conf.ndots}${policy}: ${describeResolution(r)}`;
  if (r.answered) return { ok: true, resolution: r, step: { stage: "dns", result: "allowed", detail: queries } };
  if (r.forwarded) return { ok: false, resolution: r, step: { stage: "dns", result: "denied", detail: `${queries} — the name is not in the cluster: its address is outside the model; trace the address itself (kwire trace SRC IP:PORT)` } };
  return { ok: false, resolution: r, step: { stage: "dns", result: "denied", detail: `${queries} — no query got an answer` } };
}
