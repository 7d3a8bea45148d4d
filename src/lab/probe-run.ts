/**
 * @module lab/probe-run
 * `kwire lab probe` without the printing: rebuild the lab cluster from the state, predict every
 * cell — pod → pod with the fast engine, pod → Service (ClusterIP, NodePort) and DNS lookups with
 * the service-aware engine (service-cells.ts), HTTP requests from the internet netns through the
 * L7 proxies with `traceAny` (north-south.ts) — probe them, summarize (overall and per kind), and
 * write the flow log and metrics next to the state (`flows.jsonl`, `metrics.json`).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fastAnalysis } from "../engine/index.js";
import { planFamilyCells, summarize, type CellKind, type CellResult, type ProbeSummary } from "./compare.js";
import { createHost } from "./host.js";
import { probeCells, writeFlowLog } from "./prober.js";
import { dnsCells, labServiceContext, serviceCells } from "./service-cells.js";
import { currentLab, placedPods } from "./session.js";
import { labNorthSouth, probeNorthSouth } from "./north-south-lab.js";
import { familyView } from "./model.js";
import { agentKey, familiesOf } from "./plan.js";

/** Why DNS cells of hostNetwork pods are not probed. */
export const HOST_DNS_SKIP = "hostNetwork pod: it uses its node's resolver (dnsPolicy ClusterFirst falls back to Default), which kwire does not model; the lab does not send those lookups";

export interface ProbeRunOptions {
  readonly dir: string;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly flowLog?: string;
  /** Which kinds of cells to probe (default: all). */
  readonly kinds?: readonly CellKind[];
}

export interface ProbeRun {
  readonly results: readonly CellResult[];
  readonly summary: ProbeSummary;
  readonly byKind: Readonly<Record<CellKind, ProbeSummary>>;
  /** Of the DNS cells the model allows, the fraction that resolved as predicted (null: no DNS cells). */
  readonly dnsSuccessRate: number | null;
  readonly serviceSuccessRate: number | null;
  readonly seconds: number;
  readonly flowLog: string;
}

/** `ip netns exec` + glibc per lookup: fewer at once than socket probes. */
const DNS_CONCURRENCY = 16;

export async function runProbe(opts: ProbeRunOptions): Promise<ProbeRun> {
  const t0 = performance.now();
  const { state, lab } = currentLab(opts.dir);
  const kinds = new Set<CellKind>(opts.kinds ?? ["pod", "service", "dns", "north-south"]);
  const families = familiesOf(state.ipFamily ?? "ipv4");
  // Services per family (the node's `ip` and `ip6` Service tables): predicted on the family's view,
  // from the pods' addresses of that family. DNS on the view of the nameserver's family.
  const views = new Map(families.map((f) => {
    const lab1 = familyView(lab, f);
    const pods = placedPods(state).flatMap((p) => {
      const mine = (p.ips ?? [p.ip]).find((x) => x.includes(":") === (f === 6));
      return mine === undefined ? [] : [{ ...p, ip: mine, ips: [mine] }];
    });
    return [f, { ctx: labServiceContext(lab1, state.nodes, state.backend), view: { lab: lab1, pods, nodes: state.nodes } }] as const;
  }));
  const primary = families[0] ?? 4;
  const main = views.get(primary);
  if (main === undefined) throw new Error("lab probe: the lab runs no IP family");
  const dnsFamily = state.dns?.nameserver.includes(":") === true ? 6 : 4;
  const dnsView = views.get(dnsFamily) ?? main;
  const cells = [
    ...(kinds.has("pod") ? planFamilyCells((f) => fastAnalysis(familyView(lab, f)), families) : []),
    ...(kinds.has("service") ? [...views].flatMap(([f, v]) => serviceCells(v.ctx, v.view, f)) : []),
  ];
  const lookups = kinds.has("dns") && state.dns !== undefined ? dnsCells(dnsView.ctx, dnsView.view, state.dns.nameserver, families.includes(6), families.includes(4)) : [];
  const flowLog = opts.flowLog ?? join(opts.dir, "flows.jsonl");
  const netnsOf = new Map(state.pods.map((p) => [p.pod.id, p.pod.netns]));
  const agentOf = new Map(state.pods.map((p) => [p.pod.id, agentKey(p.pod)]));
  const noDns = new Map(state.pods.filter((p) => p.pod.hostNetwork === true).map((p) => [p.pod.id, HOST_DNS_SKIP]));
  const common = { dir: opts.dir, netnsOf, agentOf, noDns, host: createHost(), ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }) };
  // North-south cells: HTTP from the internet netns through the L7 proxies (north-south-lab.ts), predicted on the IPv4 view.
  const v4 = views.get(4)?.view;
  const ns = kinds.has("north-south") && state.northSouth !== undefined && v4 !== undefined ? labNorthSouth(v4.lab, v4.pods, state.nodes, state.backend).cells : [];
  const [sockets, names, http] = await Promise.all([
    probeCells(cells, { ...common, ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }) }),
    probeCells(lookups, { ...common, concurrency: DNS_CONCURRENCY }),
    probeNorthSouth(common.host, ns, opts.timeoutMs ?? 1000),
  ]);
  const results = [...sockets, ...names, ...http];
  writeFlowLog(flowLog, results);
  const summary = summarize(results);
  const byKind = {
    pod: summarize(results.filter((r) => r.kind === "pod")),
    service: summarize(results.filter((r) => r.kind === "service")),
    dns: summarize(results.filter((r) => r.kind === "dns")),
    "north-south": summarize(results.filter((r) => r.kind === "north-south")),
  };
  const rate = (k: CellKind): number | null => (byKind[k].probed === 0 ? null : byKind[k].probeSuccessRate);
  const seconds = (performance.now() - t0) / 1000;
  const run = { results, summary, byKind, dnsSuccessRate: rate("dns"), serviceSuccessRate: rate("service"), seconds, flowLog };
  writeFileSync(join(opts.dir, "metrics.json"), JSON.stringify({ ...summary, seconds, dnsSuccessRate: run.dnsSuccessRate, serviceSuccessRate: run.serviceSuccessRate, byKind }, null, 1) + "\n");
  return run;
}
