/**
 * @module engine-case
 * One benchmark case in a fresh process (so peak RSS is its own): generate a cluster, then time
 * load, analysis, the workload matrix summary and traces. Prints one JSON line.
 * Usage: node dist-bench/bench/engine-case.js PODS POLICIES ENGINE
 */
import { computeSummary, loadCluster, PolicyIndex, resolveTarget, traceConnection } from "../src/index.js";
import { buildTopology, fastAnalysis, referenceAnalysis } from "../src/engine/index.js";
import { generateCluster } from "./generate.js";

const pods = Number(process.argv[2] ?? 10000);
const policies = Number(process.argv[3] ?? 1000);
const engine = process.argv[4] === "reference" ? "reference" : "fast";

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;

const g = generateCluster({ pods, policies });
let t = performance.now();
const loaded = loadCluster([{ path: "synthetic.yaml", text: g.text }]);
const loadMs = ms(t);
const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;

t = performance.now();
const topo = buildTopology(loaded.cluster);
const analysis = engine === "reference" ? referenceAnalysis(loaded.cluster, topo) : fastAnalysis(loaded.cluster, topo);
const index = new PolicyIndex(loaded.cluster);
const analysisMs = ms(t);

t = performance.now();
const summary = computeSummary(analysis, { level: "workload" }, loaded.cluster.networkPolicies.length);
const matrixMs = ms(t);

const pairs = g.samplePairs.map(([s, d]) => {
  const a = resolveTarget(topo, s);
  const b = resolveTarget(topo, `${d}:8080`);
  if (!a.ok || !b.ok) throw new Error(`sample pair ${s} → ${d} did not resolve`);
  return { src: a.target.party, dst: b.target.party, protocol: "TCP" as const, port: 8080 };
});
let verdicts = 0;
t = performance.now();
const rounds = Math.max(1, Math.ceil(2000 / pairs.length));
for (let r = 0; r < rounds; r++) for (const p of pairs) if (traceConnection(topo, index, p).verdict === "allowed") verdicts++;
const traceMs = (performance.now() - t) / (rounds * pairs.length);

console.log(JSON.stringify({
  engine, pods: g.pods, policies: g.policies, workloads: g.workloads, namespaces: g.namespaces, inputMB: Math.round(g.text.length / 1e5) / 10,
  loadMs, analysisMs, matrixMs, traceMs: Math.round(traceMs * 1000) / 1000,
  rssMB: Math.round(process.resourceUsage().maxRSS / 1024), errors, classes: summary.classes,
  allowedPairs: summary.allowedPairs, deniedPairs: summary.deniedPairs, tracedAllowed: verdicts,
}));
