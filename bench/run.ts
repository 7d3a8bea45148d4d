/**
 * @module run
 * `npm run bench`. Engine cases are shaped like production clusters (bench/generate.ts, issue 11):
 * at 100k pods / 10k policies for each input shape (a: pods without their owner objects, b:
 * Deployments only, c: Deployments and their pods), plus 10k distinct ipBlocks and a bad-input
 * case. Each case runs in a fresh process:
 * - the whole `kwire matrix --level workload -o summary --json` process (wall and peak RSS, from
 *   /usr/bin/time), and the full workload matrix as JSON (`-o json`, written to /dev/null);
 * - load / analysis / workload summary / pod summary / one trace, timed separately (engine-case);
 * - the naive reference engine on the same inputs at a size where it finishes, as the ratio's
 *   baseline, in the same run;
 * - incremental updates (bench/incremental.ts): a policy edit, a workload's and a namespace's
 *   labels, from the analysis before to the changed connections.
 * Then `kwire lint`, the lab's CNI plugin against Debian's bridge plugin and the lab (nftables
 * compile + apply, `lab up`) when running as root. Prints a Markdown report and writes
 * bench/results.json. `KWIRE_BENCH_ONLY=engine` skips lint, CNI and lab;
 * `KWIRE_BENCH_SECTIONS=cli,json,stages,ratio,incremental` (any subset) picks the engine sections.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCluster, type GenerateOptions, type Layout, type Shape } from "./generate.js";

interface CaseResult {
  engine: string; shape: string; pods: number; policies: number; workloads: number; ipBlocks: number; inputMB: number;
  loadMs: number; analysisMs: number; matrixMs: number; podMatrixMs: number;
  loadCpuMs: number; analysisCpuMs: number; matrixCpuMs: number; podMatrixCpuMs: number; traceIndexMs: number; traceMs: number; traceCpuMs: number; rssMB: number;
  errors: number; classes: number; endpoints: number; podEndpoints: number; allowedPairs: number; deniedPairs: number;
  podAllowedPairs: number; podDeniedPairs: number;
}

interface ProcessResult { wallMs: number; cpuMs: number; rssMB: number; exit: number; stdoutBytes: number; timedOut: boolean }

const here = fileURLToPath(new URL(".", import.meta.url));
/** The executable users run: the bundled CLI (rolldown.config.mjs), built by `npm run bench`. */
const CLI = `${here}../src/cli/kwire.js`;
const REFERENCE_BUDGET_MS = 300_000;
const SHAPES: readonly { shape: Shape; label: string }[] = [
  { shape: "pods", label: "(a) pods, no owner objects" },
  { shape: "deployments", label: "(b) Deployments only" },
  { shape: "both", label: "(c) Deployments + pods" },
];

function runCase(shape: Shape, pods: number, policies: number, engine: "fast" | "reference", extra: { ipBlocks?: number; invalid?: number; anps?: number; layout?: Layout } = {}, timeoutMs = 600_000): CaseResult | "timeout" {
  const args = [`${here}engine-case.js`, shape, String(pods), String(policies), engine, String(extra.ipBlocks ?? 0), String(extra.invalid ?? 0), String(extra.anps ?? 0), extra.layout ?? "documents"];
  const r = spawnSync(process.execPath, ["--max-old-space-size=6000", ...args], { encoding: "utf8", timeout: timeoutMs });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") return "timeout";
  if (r.status !== 0) throw new Error(`bench case ${engine} ${shape} ${pods} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as CaseResult;
}

/** A fresh Node process running `args`: wall time, CPU and peak RSS (GNU time's %U+%S and %M, KiB). */
function timed(args: readonly string[], timeoutMs: number): ProcessResult {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "KWIRE_RSS_KB=%M KWIRE_CPU_S=%U+%S", process.execPath, ...args], {
    encoding: "utf8", timeout: timeoutMs, maxBuffer: 4 * 1024 ** 3, killSignal: "SIGKILL",
  });
  const wallMs = performance.now() - t0;
  const timedOut = !!r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
  const rss = /KWIRE_RSS_KB=(\d+)/.exec(r.stderr ?? "");
  const cpu = /KWIRE_CPU_S=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? "");
  const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN;
  return { wallMs, cpuMs, rssMB: rss ? Math.round(Number(rss[1]) / 1024) : NaN, exit: r.status ?? -1, stdoutBytes: (r.stdout ?? "").length, timedOut };
}

/** The whole CLI process on a generated input file. */
const runCli = (file: string, args: readonly string[], timeoutMs: number): ProcessResult => timed([CLI, ...args, "-f", file], timeoutMs);

/** The bench's own Node processes (the floor, `-e 0`), which must succeed. */
function runNode(args: readonly string[], timeoutMs: number): ProcessResult {
  const r = timed(args, timeoutMs);
  if (r.exit !== 0) throw new Error(`bench: node ${args.join(" ")} failed (exit ${r.exit}${r.timedOut ? ", timed out" : ""})`);
  return r;
}

/** The median element by `key` (the lower middle one of an even count). */
function medianBy<T>(xs: readonly T[], key: (x: T) => number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[(xs.length - 1) >> 1] as T;
}

/** Whole-process runs per case: the machine is shared, one run alone varied by ±20%. */
const CLI_RUNS = Number(process.env["KWIRE_BENCH_CLI_RUNS"] ?? 3);

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function writeInput(dir: string, name: string, opts: GenerateOptions): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, generateCluster(opts).text);
  return file;
}

/** Case keys to leave out (e.g. `ipblocks-100k,json` for a baseline known to time out). */
const SKIP = new Set((process.env["KWIRE_BENCH_SKIP"] ?? "").split(","));
const SECTIONS = new Set((process.env["KWIRE_BENCH_SECTIONS"] ?? "cli,json,stages,ratio,incremental").split(","));

async function main(): Promise<void> {
  // The CLI reads package.json beside its code (src/cli/assets.ts): give the bench build one.
  if (!existsSync(`${here}../package.json`)) copyFileSync(`${here}../../package.json`, `${here}../package.json`);
  const out: string[] = [];
  const log = (s: string): void => {
    out.push(s);
    console.log(s);
  };
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  const dir = mkdtempSync(join(tmpdir(), "kwire-bench-"));
  const cli: Record<string, unknown>[] = [];
  try {
    if (SECTIONS.has("cli")) {
      log("## `kwire matrix --level workload -o summary --json`, the whole process\n");
      log(`Median of ${CLI_RUNS} runs each, interleaved with the floor: a fresh Node process that only reads the file and JSON.parses`);
      log("every document (bench/parse-floor.ts), in the same minutes. Start alone (`node -e 0`): see below the table.\n");
      log("| input | wall | CPU (user+sys) | peak RSS | floor: read + JSON.parse | ratio to the floor |");
      log("|---|---:|---:|---:|---:|---:|");
    }
    const summaryArgs = ["matrix", "--level", "workload", "-o", "summary", "--json"];
    const cliCases: { label: string; key: string; opts: GenerateOptions }[] = [
      { label: "10k pods / 1k policies (c)", key: "c-10k", opts: { pods: 10_000, policies: 1_000, shape: "both" } },
      ...SHAPES.map(({ shape, label }) => ({ label: `100k pods / 10k policies, ${label}`, key: `${shape}-100k`, opts: { pods: 100_000, policies: 10_000, shape } })),
      { label: "100k pods / 10k policies, (a) as one List (`kubectl get -o json`)", key: "pods-list-100k", opts: { pods: 100_000, policies: 10_000, shape: "pods", layout: "list" } },
      { label: "100k pods / 10k policies (c), 10k distinct ipBlocks", key: "ipblocks-100k", opts: { pods: 100_000, policies: 10_000, shape: "both", ipBlocks: 10_000 } },
      { label: "10k pods / 1k policies (c), 298 invalid policies", key: "invalid-10k", opts: { pods: 10_000, policies: 1_000, shape: "both", invalidPolicies: 298 } },
    ];
    const starts: number[] = [];
    for (const c of SECTIONS.has("cli") ? cliCases.filter((x) => !SKIP.has(x.key)) : []) {
      const file = writeInput(dir, c.key, c.opts);
      const runs: ProcessResult[] = [];
      const floors: ProcessResult[] = [];
      for (let i = 0; i < CLI_RUNS; i++) {
        runs.push(runCli(file, summaryArgs, 300_000));
        floors.push(runNode([`${here}parse-floor.js`, file], 300_000));
        starts.push(runNode(["-e", "0"], 60_000).wallMs);
      }
      rmSync(file);
      const r = runs.find((x) => x.timedOut) ?? medianBy(runs, (x) => x.wallMs);
      const floor = medianBy(floors, (x) => x.wallMs);
      const wall = r.timedOut ? `> ${sec(r.wallMs)} (killed)` : sec(r.wallMs);
      log(`| ${c.label} | ${wall} | ${r.timedOut ? "" : sec(r.cpuMs)} | ${r.rssMB} MB | ${sec(floor.wallMs)} | ${r.timedOut ? "" : `${(r.wallMs / floor.wallMs).toFixed(2)}×`} |${r.exit !== 0 && !r.timedOut ? ` (exit ${r.exit})` : ""}`);
      cli.push({ case: c.key, ...r, runsWallMs: runs.map((x) => Math.round(x.wallMs)), floorWallMs: Math.round(floor.wallMs), floorRssMB: floor.rssMB });
    }
    if (starts.length > 0) {
      const start = medianBy(starts, (x) => x);
      log(`\nNode's own start (\`node -e 0\`, median of ${starts.length}, same minutes): ${fmt(start)} ms.`);
      results["nodeStartMs"] = Math.round(start);
    }
    if (SECTIONS.has("json") && !SKIP.has("json")) {
      log("\n## Full workload matrix as JSON (`-o json`, 10k workloads, 100k pods / 10k policies (c))\n");
      const file = writeInput(dir, "json", { pods: 100_000, policies: 10_000, shape: "both" });
      const r = runCli(file, ["matrix", "--level", "workload", "-o", "json"], 180_000);
      rmSync(file);
      log(`wall ${r.timedOut ? `> ${sec(r.wallMs)} (killed)` : `${sec(r.wallMs)}, CPU ${sec(r.cpuMs)}`}, peak RSS ${r.rssMB} MB, ${(r.stdoutBytes / 1e6).toFixed(0)} MB of JSON${r.exit !== 0 && !r.timedOut ? `, exit ${r.exit}` : ""}`);
      cli.push({ case: "json-100k", ...r });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  results["cli"] = cli;

  const stages: (CaseResult | { shape: string; timeout: true })[] = [];
  if (SECTIONS.has("stages")) {
    log("\n## Stages (fast engine), 100k pods / 10k policies, each in a fresh process\n");
    log("CPU time (user+sys) of each stage, wall time in parentheses.\n");
    log("| input | classes | load | analysis | workload summary | pod summary | one trace | peak RSS |");
    log("|---|---:|---:|---:|---:|---:|---:|---:|");
    // Policy tiers: each shape again with 100 AdminNetworkPolicies and a BaselineAdminNetworkPolicy.
    const stageCases: { shape: Shape; label: string; ipBlocks?: number; anps?: number; layout?: Layout }[] = [
      ...SHAPES,
      { shape: "pods", label: "(a) as one List", layout: "list" },
      { shape: "both", label: "(c), 10k distinct ipBlocks", ipBlocks: 10_000 },
      ...SHAPES.map((x) => ({ ...x, label: `${x.label} + 100 ANPs + BANP`, anps: 100 })),
    ];
    for (const c of stageCases.filter((x) => !(x.ipBlocks && SKIP.has("ipblocks-100k")) && !(x.anps && SKIP.has("tiers-100k")))) {
      const r = runCase(c.shape, 100_000, 10_000, "fast", { ...(c.ipBlocks ? { ipBlocks: c.ipBlocks } : {}), ...(c.anps ? { anps: c.anps } : {}), ...(c.layout ? { layout: c.layout } : {}) });
      if (r === "timeout") {
        log(`| ${c.label} | | | > 600 s in all (killed) | | | | |`);
        stages.push({ shape: c.shape, timeout: true });
        continue;
      }
      const st = (cpuMs: number, wallMs: number): string => `${fmt(cpuMs)} ms (${fmt(wallMs)})`;
      log(`| ${c.label} | ${r.classes} | ${st(r.loadCpuMs, r.loadMs)} | ${st(r.analysisCpuMs, r.analysisMs)} | ${st(r.matrixCpuMs, r.matrixMs)} | ${st(r.podMatrixCpuMs, r.podMatrixMs)} | ${r.traceCpuMs} ms (${r.traceMs}) | ${r.rssMB} MB |`);
      stages.push(r);
    }
  }
  results["stages"] = stages;

  const ratios: unknown[] = [];
  if (SECTIONS.has("ratio")) {
    log("\n## Fast vs reference engine (same run, same inputs; CPU time of analysis + workload summary + pod summary)\n");
    log("| input | pods | policies | reference | fast | ratio |");
    log("|---|---:|---:|---:|---:|---:|");
  }
  const ratioCases: { shape: Shape; label: string; anps?: number }[] = [...SHAPES, { shape: "both", label: "(c) + 20 ANPs + BANP", anps: 20 }];
  for (const { shape, label, anps } of SECTIONS.has("ratio") ? ratioCases : []) {
    for (const pods of [250, 500]) {
      const policies = pods / 10;
      const extra = anps ? { anps } : {};
      const f = runCase(shape, pods, policies, "fast", extra);
      const ref = runCase(shape, pods, policies, "reference", extra, REFERENCE_BUDGET_MS);
      if (f === "timeout") throw new Error("fast engine timed out");
      const fastMs = f.analysisCpuMs + f.matrixCpuMs + f.podMatrixCpuMs;
      if (ref === "timeout") {
        log(`| ${label} | ${pods} | ${policies} | > ${REFERENCE_BUDGET_MS / 1000} s (did not finish) | ${fmt(fastMs)} ms | ≥ ${fmt(REFERENCE_BUDGET_MS / fastMs)}× |`);
        ratios.push({ shape, pods, policies, referenceMs: null, fastMs, ratioAtLeast: REFERENCE_BUDGET_MS / fastMs });
        continue;
      }
      if (ref.allowedPairs !== f.allowedPairs || ref.deniedPairs !== f.deniedPairs || ref.podAllowedPairs !== f.podAllowedPairs) {
        throw new Error(`engines disagree: ${shape} at ${pods} pods`);
      }
      const refMs = ref.analysisCpuMs + ref.matrixCpuMs + ref.podMatrixCpuMs;
      log(`| ${label} | ${pods} | ${policies} | ${fmt(refMs)} ms | ${fmt(fastMs)} ms | ${fmt(refMs / fastMs)}× |`);
      ratios.push({ shape, pods, policies, referenceMs: refMs, fastMs, ratio: refMs / fastMs });
    }
  }
  results["reference"] = ratios;

  const incremental: unknown[] = [];
  if (SECTIONS.has("incremental")) {
    log("\n## Incremental update, 100k pods / 10k policies (c): the changed connections at workload level, each in a fresh process\n");
    log("CPU time (best of 5) from the analysis before to the changed connections (`incrementalChanges` + `incrementalMatrixChanges`).\n");
    log("| change | CPU | wall | changed connections |");
    log("|---|---:|---:|---:|");
    for (const anps of [0, 100]) {
      const r = spawnSync(process.execPath, ["--max-old-space-size=6000", `${here}incremental.js`, "both", "100000", "10000", String(anps)], { encoding: "utf8", timeout: 300_000, killSignal: "SIGKILL" });
      const tiers = anps ? " (+ 100 ANPs + BANP)" : "";
      if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
        log(`| all three${tiers} | > 300 s for 3 × 6 runs (killed) | | |`);
        incremental.push({ anps, timeout: true });
        continue;
      }
      if (r.status !== 0) throw new Error(`incremental bench failed: ${r.stderr}`);
      const x = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as Record<"policy" | "workload" | "namespace", { cpuMs: number; wallMs: number; changed: number }>;
      log(`| one NetworkPolicy edited${tiers} | ${fmt(x.policy.cpuMs)} ms | ${fmt(x.policy.wallMs)} ms | ${x.policy.changed} |`);
      log(`| one workload's labels${tiers} | ${fmt(x.workload.cpuMs)} ms | ${fmt(x.workload.wallMs)} ms | ${x.workload.changed} |`);
      log(`| one namespace's labels${tiers} | ${fmt(x.namespace.cpuMs)} ms | ${fmt(x.namespace.wallMs)} ms | ${x.namespace.changed} |`);
      incremental.push({ anps, ...x });
    }
  }
  results["incremental"] = incremental;
  if (process.env["KWIRE_BENCH_ONLY"] === "engine") {
    writeFileSync(`${here}../../bench/results.json`, JSON.stringify(results, null, 2) + "\n");
    return;
  }

  log("\n## kwire lint (in a fresh process)\n");
  const lint = spawnSync(process.execPath, ["--max-old-space-size=6000", "--input-type=module", "-e",
    `import(${JSON.stringify(`${here}lint.js`)}).then((m) => m.benchLint((s) => console.log(s)))`], { encoding: "utf8", timeout: 600_000 });
  for (const line of (lint.stdout ?? "").trim().split("\n")) if (line) log(line);
  if (lint.status !== 0) log(`(lint benchmark failed: ${(lint.stderr ?? "").trim().split("\n").pop() ?? ""})`);
  log("\n## Bad input: 1,000 diagnostics vs the same input clean (same process)\n"); results["badInput"] = ((await import(`${here}bad-input.js`)) as { benchBadInput: (log: (s: string) => void) => Record<string, number> }).benchBadInput(log);
  const cniBench = `${here}cni.js`;
  if (process.getuid?.() === 0 && existsSync(cniBench) && existsSync("/usr/lib/cni/bridge")) {
    log("\n## CNI plugin: kwire-cni vs Debian's bridge plugin (same run)\n");
    const mod = (await import(cniBench)) as { benchCni: (log: (s: string) => void) => Promise<Record<string, number>> };
    results["cni"] = await mod.benchCni(log);
  } else log("\n(CNI benchmark skipped: needs root, the built lab and /usr/lib/cni/bridge)");
  const labBench = `${here}lab.js`;
  if (process.getuid?.() === 0 && existsSync(labBench)) {
    log("\n## Lab: nftables compile + apply, lab up\n");
    const mod = (await import(labBench)) as { benchLab: (log: (s: string) => void) => Promise<Record<string, number>> };
    results["lab"] = await mod.benchLab(log);
  } else log("\n(lab benchmark skipped: needs root)");
  writeFileSync(`${here}../../bench/results.json`, JSON.stringify(results, null, 2) + "\n");
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
