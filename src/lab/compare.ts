/**
 * @module lab/compare
 * Model against reality, cell by cell (cyclonus' comparisontable.go): which cells to probe — every
 * (source pod, destination pod, served port, protocol) with the model's prediction
 * (`explain(src, dst).ports` contains the port) — and, once probed, the mismatches, a summary and
 * the metrics (agreement, connect success, RTT percentiles). Pure: no I/O.
 */
import type { Analysis } from "../engine/index.js";
import { containsPort, formatIp, type Protocol } from "../model/index.js";

/** pod: pod → pod address; service: pod → ClusterIP or NodePort; dns: a name looked up in the pod; north-south: an HTTP request from the internet netns through an L7 proxy (north-south.ts). */
export type CellKind = "pod" | "service" | "dns" | "north-south";

export interface Cell {
  readonly kind: CellKind;
  readonly src: string;
  readonly dst: string;
  readonly dstIp: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly predicted: boolean;
  /** Pod ids whose answer counts as reaching the destination (default: `[dst]`). */
  readonly accept?: readonly string[];
  /** Tries until one connects (random endpoint choice among endpoints the model judges differently). */
  readonly attempts?: number;
  /** dns: the name looked up; the addresses the model predicts. */
  readonly name?: string;
  /** dns: the record type asked for (default A; AAAA looks up IPv6 addresses only). */
  readonly qtype?: "A" | "AAAA";
  readonly expect?: readonly string[];
}

export type ProbeVerdict = "connected" | "refused" | "timeout" | "error" | "skipped";

export interface CellResult extends Cell {
  /** Connected (and answered by the destination pod); undefined when the cell was skipped. */
  readonly observed: boolean | undefined;
  readonly verdict: ProbeVerdict;
  readonly latencyMs: number;
  readonly reply?: string;
  readonly skipReason?: string;
}

export const SCTP_SKIP = "SCTP: this kernel has no SCTP (socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP) fails with EPROTONOSUPPORT) and Node has no SCTP sockets";

/**
 * Every cell between distinct pods of the analysis that have an address of `family` (default
 * IPv4), to the destination's address of that family. Self pairs are left out (loopback never
 * leaves the pod). For exact predictions the analysis should be of the family's view of the
 * cluster (`familyView`): an ipBlock admits only addresses of its own family.
 */
export function planCells(a: Analysis, family: 4 | 6 = 4): Cell[] {
  const subjects = a.topology.subjects;
  const cells: Cell[] = [];
  subjects.forEach((src, si) => {
    if (!src.ips.some((ip) => ip.family === family)) return;
    subjects.forEach((dst, di) => {
      const dstIp = dst.ips.find((ip) => ip.family === family);
      if (si === di || dstIp === undefined) return;
      const allowed = a.explain(si, di).ports;
      const seen = new Set<string>();
      for (const cp of dst.ports) {
        const key = `${cp.protocol}/${cp.containerPort}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const ipText = formatIp(dstIp);
        cells.push({ kind: "pod", src: src.id, dst: dst.id, dstIp: ipText, port: cp.containerPort, protocol: cp.protocol, predicted: containsPort(allowed, cp.protocol, cp.containerPort) });
      }
    });
  });
  return cells.sort((x, y) => (x.src < y.src ? -1 : x.src > y.src ? 1 : x.dst < y.dst ? -1 : x.dst > y.dst ? 1 : x.protocol.localeCompare(y.protocol) || x.port - y.port));
}

/** The pod cells of every family the lab runs, each predicted on that family's view of the cluster. */
export function planFamilyCells(analysisOf: (family: 4 | 6) => Analysis, families: readonly (4 | 6)[]): Cell[] {
  return families.flatMap((f) => planCells(analysisOf(f), f));
}

export const isMismatch = (r: CellResult): boolean => r.observed !== undefined && r.observed !== r.predicted;

export interface ProbeSummary {
  readonly cells: number;
  readonly probed: number;
  readonly skipped: number;
  readonly mismatches: number;
  readonly predictedAllowed: number;
  readonly observedAllowed: number;
  /** Probed cells where reality agreed with the model. */
  readonly agreementRate: number;
  /** Of the cells the model allows, the fraction that connected. */
  readonly probeSuccessRate: number;
  readonly rttP50Ms: number;
  readonly rttP90Ms: number;
  readonly rttP99Ms: number;
  readonly skipReasons: readonly string[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export function summarize(results: readonly CellResult[]): ProbeSummary {
  const probed = results.filter((r) => r.observed !== undefined);
  const agree = probed.filter((r) => r.observed === r.predicted).length;
  const allowed = probed.filter((r) => r.predicted);
  const rtts = probed.filter((r) => r.observed === true).map((r) => r.latencyMs).sort((a, b) => a - b);
  return {
    cells: results.length,
    probed: probed.length,
    skipped: results.length - probed.length,
    mismatches: probed.length - agree,
    predictedAllowed: allowed.length,
    observedAllowed: probed.filter((r) => r.observed === true).length,
    agreementRate: probed.length === 0 ? 1 : round(agree / probed.length),
    probeSuccessRate: allowed.length === 0 ? 1 : round(allowed.filter((r) => r.observed === true).length / allowed.length),
    rttP50Ms: round(percentile(rtts, 50)),
    rttP90Ms: round(percentile(rtts, 90)),
    rttP99Ms: round(percentile(rtts, 99)),
    skipReasons: [...new Set(results.flatMap((r) => (r.skipReason === undefined ? [] : [r.skipReason])))].sort(),
  };
}
