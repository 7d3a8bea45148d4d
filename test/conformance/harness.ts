/**
 * @module conformance/harness
 * One reachability suite for every engine (hono's `common.case.test.ts` style):
 * `runConformance(name, engineFactory)` loads each case's model and policies through
 * `loadCluster`, exactly as a user's files, and for every probe compares the expected truth
 * table with what kwire answers, three ways:
 *  - `analysis.explain(src, dst).ports` contains the probed (protocol, port);
 *  - `computeMatrix(analysis, { level: "pod" })` lists the pair with a port set containing it;
 *  - optionally, `kwire trace SRC DST:PORT --protocol P` (`runTrace`) says "allowed".
 * Self pairs are ignored against the expectation, as upstream (`ignoreLoopback = true`);
 * instead kwire's own loopback rule is checked: trace allows a pod to reach itself, and the
 * pod matrix leaves self pairs out unless `includeSelf`, which lists them with every port.
 */
import { describe, expect, it } from "vitest";
import type { Analyzed } from "../../src/analyze/index.js";
import { runTrace } from "../../src/cli/commands/trace.js";
import { computeMatrix, type Analysis, type Matrix } from "../../src/engine/index.js";
import { containsPort, isAllPorts, type Cluster, type Protocol } from "../../src/model/index.js";
import { loadCluster, type LoadResult } from "../../src/parse/index.js";
import { CASE_GROUPS } from "./cases.js";
import { caseTitle, type ConformanceCase, type Probe, type Step } from "./dsl.js";
import { ALL_PODS, modelYaml, type PodString } from "./model.js";
import { cell, mismatches, renderDiff, type TruthTable } from "./reachability.js";

export type EngineFactory = (cluster: Cluster) => Analysis;

export interface ConformanceOptions {
  /** Also check `kwire trace` for every pair (engine-independent: run it in one suite). */
  readonly trace?: boolean;
  /** Case title (as printed, with the `[upstream: …]` suffix) → why kwire is known to fail it. */
  readonly knownFailures?: Readonly<Record<string, string>>;
}

type Table = Map<PodString, Map<PodString, boolean>>;

function emptyTable(): Table {
  return new Map(ALL_PODS.map((f) => [f, new Map<PodString, boolean>()]));
}

function set(t: Table, from: PodString, to: PodString, v: boolean): void {
  t.get(from)?.set(to, v);
}

export function loadStep(step: Step): LoadResult {
  const load = loadCluster([
    { path: "model.yaml", text: modelYaml(step.model) },
    { path: "policies.yaml", text: step.policies.join("---\n") },
  ]);
  const errors = load.diagnostics.filter((d) => d.severity === "error");
  expect(errors, "the case's manifests must load without errors").toEqual([]);
  expect(load.cluster.networkPolicies.length, "every NetworkPolicy document must load").toBe(step.policies.length);
  expect(load.cluster.pods.length).toBe(ALL_PODS.length);
  return load;
}

function nodeOf(a: Analysis, pod: PodString): number {
  const i = a.topology.subjects.findIndex((s) => s.id === pod);
  if (i < 0) throw new Error(`pod ${pod} is not in the topology`);
  return i;
}

function explainTable(a: Analysis, p: Probe): Table {
  const t = emptyTable();
  for (const from of ALL_PODS) {
    for (const to of ALL_PODS) set(t, from, to, containsPort(a.explain(nodeOf(a, from), nodeOf(a, to)).ports, p.protocol, p.port));
  }
  return t;
}

/** Pairs the matrix lists with a port set containing the probe; unlisted pairs are denied. */
function matrixTable(m: Matrix, p: Probe): Table {
  const t = emptyTable();
  for (const from of ALL_PODS) for (const to of ALL_PODS) set(t, from, to, false);
  for (const c of m.connections) {
    const src = m.endpoints[c.src];
    const dst = m.endpoints[c.dst];
    if (src?.kind !== "Pod" || dst?.kind !== "Pod") continue;
    const ok = containsPort(m.analysis.ports.get(c.portsId), p.protocol, p.port);
    set(t, src.id as PodString, dst.id as PodString, ok);
  }
  return t;
}

function traceTable(a: Analyzed, p: Probe): Table {
  const t = emptyTable();
  for (const from of ALL_PODS) {
    for (const to of ALL_PODS) {
      const tr = runTrace(a, from, `${to}:${p.port}`, { protocol: p.protocol });
      set(t, from, to, tr.verdict === "allowed");
    }
  }
  return t;
}

/** kwire's loopback rule, which upstream leaves undefined: a pod always reaches itself. */
function loopbackProblems(withSelf: Matrix, observedTrace: TruthTable | undefined): string[] {
  const out: string[] = [];
  const self = withSelf.connections.filter((c) => c.src === c.dst && withSelf.endpoints[c.src]?.kind === "Pod");
  const listed = new Set(self.map((c) => withSelf.endpoints[c.src]?.id));
  for (const pod of ALL_PODS) if (!listed.has(pod)) out.push(`matrix --include-self does not list ${pod} -> ${pod}`);
  for (const c of self) {
    if (!isAllPorts(withSelf.analysis.ports.get(c.portsId))) out.push(`matrix --include-self: ${withSelf.endpoints[c.src]?.id} -> itself is not "all" ports`);
  }
  if (observedTrace) for (const pod of ALL_PODS) if (!cell(observedTrace, pod, pod)) out.push(`trace ${pod} -> ${pod} is not allowed (loopback)`);
  return out;
}

function checkStep(step: Step, stepIndex: number, factory: EngineFactory, opts: ConformanceOptions): string[] {
  const load = loadStep(step);
  const analysis = factory(load.cluster);
  const matrix = computeMatrix(analysis, { level: "pod" });
  const withSelf = computeMatrix(analysis, { level: "pod", includeSelf: true });
  const analyzed: Analyzed = { load, cluster: load.cluster, analysis, notes: [], diagnostics: load.diagnostics };
  const failures: string[] = [];
  const where = (p: Probe): string => `step ${stepIndex + 1}${step.label ? ` (${step.label})` : ""}, probe ${p.protocol}/${p.port}`;
  const selfListed = matrix.connections.filter((c) => c.src === c.dst);
  if (selfListed.length > 0) failures.push(`${where(step.probes[0] as Probe)}: matrix without includeSelf lists ${selfListed.length} self pair(s)`);
  for (const p of step.probes) {
    const expected = p.reachability.expected;
    const observed: [string, TruthTable | undefined][] = [
      ["explain", explainTable(analysis, p)],
      ["matrix --level pod", matrixTable(matrix, p)],
      ["trace", opts.trace ? traceTable(analyzed, p) : undefined],
    ];
    for (const [what, table] of observed) {
      if (table && mismatches(expected, table).length > 0) failures.push(renderDiff(`${where(p)}, ${what}`, expected, table));
    }
    for (const problem of loopbackProblems(withSelf, observed[2]?.[1])) failures.push(`${where(p)}: ${problem}`);
  }
  return failures;
}

export function checkCase(c: ConformanceCase, factory: EngineFactory, opts: ConformanceOptions = {}): string[] {
  return c.steps.flatMap((step, i) => checkStep(step, i, factory, opts));
}

export function runConformance(name: string, factory: EngineFactory, opts: ConformanceOptions = {}): void {
  const known = opts.knownFailures ?? {};
  describe(`NetworkPolicy conformance (upstream e2e truth tables): ${name}`, () => {
    for (const group of CASE_GROUPS) {
      describe(group.name, () => {
        for (const c of group.cases) {
          const title = caseTitle(c);
          const test = known[title] !== undefined ? it.fails : it;
          test(title, () => {
            const failures = checkCase(c, factory, opts);
            if (failures.length > 0) expect.fail(`\n${failures.join("\n\n")}`);
          });
        }
      });
    }
  });
}

/** Every title, to guard the suite's size and keep titles unique. */
export function allTitles(): string[] {
  return CASE_GROUPS.flatMap((g) => g.cases.map(caseTitle));
}
