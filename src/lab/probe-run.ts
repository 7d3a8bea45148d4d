/**
 * @module lab/probe-run
 * `kwire lab probe` without the printing: rebuild the lab cluster from the state, predict every
 * cell with the fast engine, probe them, summarize, and write the flow log and metrics next to the
 * state (`flows.jsonl`, `metrics.json`).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fastAnalysis } from "../engine/index.js";
import { planCells, summarize, type CellResult, type ProbeSummary } from "./compare.js";
import { probeCells } from "./prober.js";
import { currentLab } from "./session.js";

export interface ProbeRunOptions {
  readonly dir: string;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly flowLog?: string;
}

export interface ProbeRun {
  readonly results: readonly CellResult[];
  readonly summary: ProbeSummary;
  readonly seconds: number;
  readonly flowLog: string;
}

export async function runProbe(opts: ProbeRunOptions): Promise<ProbeRun> {
  const t0 = performance.now();
  const { state, lab } = currentLab(opts.dir);
  const cells = planCells(fastAnalysis(lab));
  const flowLog = opts.flowLog ?? join(opts.dir, "flows.jsonl");
  const netnsOf = new Map(state.pods.map((p) => [p.pod.id, p.pod.netns]));
  const results = await probeCells(cells, {
    dir: opts.dir, netnsOf, flowLog,
    ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
  });
  const summary = summarize(results);
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(join(opts.dir, "metrics.json"), JSON.stringify({ ...summary, seconds, dnsSuccessRate: null }, null, 1) + "\n");
  return { results, summary, seconds, flowLog };
}
