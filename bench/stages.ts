/**
 * @module stages
 * Where analysis time goes, stage by stage (a profiling aid, not part of `npm run bench`).
 * Usage: node dist-bench/bench/stages.js PODS POLICIES
 */
import { loadCluster } from "../src/index.js";
import { buildTopology, FastEngine } from "../src/engine/index.js";
import { buildClasses } from "../src/engine/classes.js";
import { generateCluster } from "./generate.js";

const g = generateCluster({ pods: Number(process.argv[2] ?? 100000), policies: Number(process.argv[3] ?? 10000) });
const { cluster } = loadCluster([{ path: "s.yaml", text: g.text }]);
const time = <T>(label: string, f: () => T): T => {
  const t = performance.now();
  const r = f();
  console.log(label.padEnd(12), (performance.now() - t).toFixed(0), "ms");
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
