/**
 * @module stages
 * Where analysis time goes, stage by stage, in CPU time (a profiling aid, not part of `npm run bench`).
 * Usage: node dist-bench/bench/stages.js SHAPE PODS POLICIES
 */
import { loadCluster } from "../src/index.js";
import { buildTopology, FastEngine } from "../src/engine/index.js";
import { buildClasses } from "../src/engine/classes.js";
import { generateCluster, type Shape } from "./generate.js";

const shape = (["pods", "deployments", "both"] as const).find((s) => s === process.argv[2]) ?? "both";
const g = generateCluster({ shape: shape satisfies Shape, pods: Number(process.argv[3] ?? 100000), policies: Number(process.argv[4] ?? 10000) });
const { cluster } = loadCluster([{ path: "s.json", text: g.text }]);
const time = <T>(label: string, f: () => T): T => {
  const c = process.cpuUsage();
  const r = f();
  const d = process.cpuUsage(c);
  console.log(label.padEnd(12), ((d.user + d.system) / 1000).toFixed(0), "ms CPU");
  return r;
};
const topo = time("topology", () => buildTopology(cluster));
time("classes", () => buildClasses(topo));
const e = time("engine", () => new FastEngine(cluster, topo));
const row = new Uint32Array(e.classCount);
time("first row", () => e.classRow(0, row));
time("1000 rows", () => {
  for (let a = 0; a < 1000; a++) e.classRow(a, row);
});
