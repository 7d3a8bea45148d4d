/**
 * @module load-case
 * The load stage alone (parse + decode) in a fresh process: generate a cluster as engine-case
 * does, load it, print load CPU and wall time, the counts, and a digest of the decoded model and
 * diagnostics (so two builds can be compared for identical output). With a file name as the last
 * argument, also writes the model as JSON there.
 * Usage: node dist-bench/bench/load-case.js SHAPE PODS POLICIES [ANPS] [DUMP_FILE] [LAYOUT]
 */
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadCluster } from "../src/index.js";
import { generateCluster, type Shape } from "./generate.js";

const shape = (["pods", "deployments", "both"] as const).find((s) => s === process.argv[2]) ?? "both";
const pods = Number(process.argv[3] ?? 10000);
const policies = Number(process.argv[4] ?? 1000);
const adminPolicies = Number(process.argv[5] ?? 0);
const dump = process.argv[6] || undefined;
const layout = process.argv[7] === "list" ? "list" : "documents";

const g = generateCluster({ pods, policies, shape: shape satisfies Shape, ...(adminPolicies > 0 ? { adminPolicies } : {}), layout });
const t = performance.now();
const c = process.cpuUsage();
const loaded = loadCluster([{ path: "synthetic.json", text: g.text }]);
const loadMs = Math.round((performance.now() - t) * 10) / 10;
const d = process.cpuUsage(c);
const loadCpuMs = Math.round((d.user + d.system) / 100) / 10;
const json = JSON.stringify({ cluster: loaded.cluster, diagnostics: loaded.diagnostics, counts: loaded.counts, skipped: loaded.skippedObjects },
  (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
if (dump) writeFileSync(dump, json);
console.log(JSON.stringify({
  shape, layout, pods: g.pods, policies: g.policies, anps: adminPolicies, inputMB: Math.round(g.text.length / 1e5) / 10,
  loadMs, loadCpuMs, diagnostics: loaded.diagnostics.length, counts: loaded.counts,
  model: createHash("sha256").update(json).digest("hex").slice(0, 16),
}));
