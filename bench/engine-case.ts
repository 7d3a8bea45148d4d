/**
 * @module engine-case
 * One benchmark case in a fresh process (so peak RSS is its own): generate a cluster, then time
 * each stage separately: load (parse + decode), analysis (topology + engine), the workload-level
 * summary, the pod-level summary, and one trace (mean over many). Prints one JSON line.
 * Usage: node dist-bench/bench/engine-case.js SHAPE PODS POLICIES ENGINE [IPBLOCKS] [INVALID] [ANPS] [LAYOUT]
 * (SHAPE: pods | deployments | both; ENGINE: fast | reference; IPBLOCKS: distinct ipBlocks, 0 = default;
 * LAYOUT: documents | list, see generate.ts).
 */
import { computeSummary, loadCluster, PolicyIndex, resolveTarget, traceConnection } from "../src/index.js";
import { buildTopology, fastAnalysis, referenceAnalysis } from "../src/engine/index.js";
import { generateCluster, type Shape } from "./generate.js";

const shape = (["pods", "deployments", "both"] as const).find((s) => s === process.argv[2]) ?? "both";
const pods = Number(process.argv[3] ?? 10000);
const policies = Number(process.argv[4] ?? 1000);
const engine = process.argv[5] === "reference" ? "reference" : "fast";
const ipBlocks = Number(process.argv[6] ?? 0);
const invalidPolicies = Number(process.argv[7] ?? 0);
const adminPolicies = Number(process.argv[8] ?? 0);
const layout = process.argv[9] === "list" ? "list" : "documents";
const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
/** CPU time (user + system) since `c0`, in ms: stable when the machine is shared, unlike wall time. */
const cpu = (c0: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(c0);
  return Math.round((d.user + d.system) / 100) / 10;
};

const g = generateCluster({ pods, policies, shape: shape satisfies Shape, ...(ipBlocks > 0 ? { ipBlocks } : {}), ...(invalidPolicies > 0 ? { invalidPolicies } : {}), ...(adminPolicies > 0 ? { adminPolicies } : {}), layout });
let t = performance.now();
let c = process.cpuUsage();
const loaded = loadCluster([{ path: "synthetic.json", text: g.text }]);
const loadMs = ms(t);
const loadCpuMs = cpu(c);
const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;
t = performance.now();
c = process.cpuUsage();
const topo = buildTopology(loaded.cluster);
const analysis = engine === "reference" ? referenceAnalysis(loaded.cluster, topo) : fastAnalysis(loaded.cluster, topo);
const analysisMs = ms(t);
const analysisCpuMs = cpu(c);
t = performance.now();
c = process.cpuUsage();
const summary = computeSummary(analysis, { level: "workload" }, loaded.cluster.networkPolicies.length);
const matrixMs = ms(t);
const matrixCpuMs = cpu(c);
t = performance.now();
c = process.cpuUsage();
const podSummary = computeSummary(analysis, { level: "pod" }, loaded.cluster.networkPolicies.length);
const podMatrixMs = ms(t);
const podMatrixCpuMs = cpu(c);
t = performance.now();
const index = new PolicyIndex(loaded.cluster);
const traceIndexMs = ms(t);
const pairs = g.samplePairs.map(([s, d]) => {
  const a = resolveTarget(topo, s);
  const b = resolveTarget(topo, `${d}:8080`);
  if (!a.ok || !b.ok) throw new Error(`sample pair ${s} → ${d} did not resolve`);
  return { src: a.target.party, dst: b.target.party, protocol: "TCP" as const, port: 8080 };
});
let verdicts = 0;
t = performance.now();
c = process.cpuUsage();
const rounds = Math.max(1, Math.ceil(2000 / pairs.length));
for (let r = 0; r < rounds; r++) for (const p of pairs) if (traceConnection(topo, index, p).verdict === "allowed") verdicts++;
const traceMs = (performance.now() - t) / (rounds * pairs.length);
const traceCpuMs = cpu(c) / (rounds * pairs.length);
console.log(JSON.stringify({
  engine, shape, pods: g.pods, policies: g.policies, workloads: g.workloads, namespaces: g.namespaces, ipBlocks: g.ipBlocks,
  inputMB: Math.round(g.text.length / 1e5) / 10,
  loadMs, analysisMs, matrixMs, podMatrixMs, loadCpuMs, analysisCpuMs, matrixCpuMs, podMatrixCpuMs, traceIndexMs, traceMs: Math.round(traceMs * 1000) / 1000, traceCpuMs: Math.round(traceCpuMs * 1000) / 1000,
  rssMB: Math.round(process.resourceUsage().maxRSS / 1024), errors, classes: summary.classes,
  endpoints: summary.endpoints, podEndpoints: podSummary.endpoints,
  allowedPairs: summary.allowedPairs, deniedPairs: summary.deniedPairs,
  podAllowedPairs: podSummary.allowedPairs, podDeniedPairs: podSummary.deniedPairs, tracedAllowed: verdicts,
}));
