/**
 * @module run
 * `npm run bench`: the fast engine at 10k pods / 1k policies and 100k pods / 10k policies, and
 * its ratio to the naive reference engine measured in the same run (each case in its own
 * process; the reference gets 60 s per size). Then the lab's CNI plugin against Debian's bridge
 * plugin and the lab (nftables compile + apply, `lab up`) when running as root. Prints a Markdown
 * report and writes bench/results.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface CaseResult {
  engine: string; pods: number; policies: number; workloads: number; inputMB: number;
  loadMs: number; analysisMs: number; matrixMs: number; traceMs: number; rssMB: number;
  errors: number; classes: number; allowedPairs: number; deniedPairs: number;
}

const here = fileURLToPath(new URL(".", import.meta.url));
const REFERENCE_BUDGET_MS = 60_000;

function runCase(pods: number, policies: number, engine: "fast" | "reference", timeoutMs = 600_000): CaseResult | "timeout" {
  const r = spawnSync(process.execPath, ["--max-old-space-size=6000", `${here}engine-case.js`, String(pods), String(policies), engine], { encoding: "utf8", timeout: timeoutMs });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") return "timeout";
  if (r.status !== 0) throw new Error(`bench case ${engine} ${pods} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as CaseResult;
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

async function main(): Promise<void> {
  const out: string[] = [];
  const log = (s: string): void => {
    out.push(s);
    console.log(s);
  };
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  log("## Engine (fast), synthetic clusters\n");
  log("| pods | policies | workloads | input | load | analysis | workload matrix (summary) | one trace | peak RSS | classes | allowed pairs |");
  log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const sizes: [number, number][] = [[10_000, 1_000], [100_000, 10_000]];
  const fast: CaseResult[] = [];
  for (const [pods, policies] of sizes) {
    const r = runCase(pods, policies, "fast");
    if (r === "timeout") throw new Error("fast engine timed out");
    fast.push(r);
    log(`| ${r.pods} | ${r.policies} | ${r.workloads} | ${r.inputMB} MB | ${fmt(r.loadMs)} ms | ${fmt(r.analysisMs)} ms | ${fmt(r.matrixMs)} ms | ${r.traceMs} ms | ${r.rssMB} MB | ${r.classes} | ${r.allowedPairs} |`);
  }
  results["fast"] = fast;
  log("\n## Fast vs reference engine (same run, same inputs; analysis + workload matrix)\n");
  log("| pods | policies | reference | fast | ratio |");
  log("|---:|---:|---:|---:|---:|");
  const ratios: unknown[] = [];
  for (const pods of [250, 500, 1000, 2000, 5000, 10_000]) {
    const policies = pods / 10;
    const f = runCase(pods, policies, "fast");
    const ref = runCase(pods, policies, "reference", REFERENCE_BUDGET_MS);
    if (f === "timeout") throw new Error("fast engine timed out");
    const fastMs = f.analysisMs + f.matrixMs;
    if (ref === "timeout") {
      log(`| ${pods} | ${policies} | > ${REFERENCE_BUDGET_MS / 1000} s (did not finish) | ${fmt(fastMs)} ms | ≥ ${fmt(REFERENCE_BUDGET_MS / fastMs)}× |`);
      ratios.push({ pods, policies, referenceMs: null, fastMs, ratioAtLeast: REFERENCE_BUDGET_MS / fastMs });
      continue;
    }
    if (ref.allowedPairs !== f.allowedPairs || ref.deniedPairs !== f.deniedPairs) throw new Error(`engines disagree at ${pods} pods`);
    const refMs = ref.analysisMs + ref.matrixMs;
    log(`| ${pods} | ${policies} | ${fmt(refMs)} ms | ${fmt(fastMs)} ms | ${fmt(refMs / fastMs)}× |`);
    ratios.push({ pods, policies, referenceMs: refMs, fastMs, ratio: refMs / fastMs });
  }
  results["reference"] = ratios;
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
