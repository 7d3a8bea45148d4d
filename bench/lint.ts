/**
 * @module lint (bench)
 * `kwire lint` at scale: `runLint` (every check, topology and analysis included; loading
 * excluded) on synthetic clusters of 5k pods / 500 policies and 100k pods / 10k policies.
 * Returns the timings by size for bench/results.json.
 */
import { loadCluster } from "../src/index.js";
import { runLint } from "../src/lint/index.js";
import { generateCluster } from "./generate.js";

const SIZES: readonly (readonly [number, number])[] = [[5_000, 500], [100_000, 10_000]];

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export async function benchLint(log: (s: string) => void): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  log("| pods | policies | lint (all checks) | findings |");
  log("|---:|---:|---:|---:|");
  for (const [pods, policies] of SIZES) {
    const g = generateCluster({ pods, policies });
    const { cluster } = loadCluster([{ path: "synthetic.yaml", text: g.text }]);
    const t = performance.now();
    const findings = runLint(cluster);
    const ms = performance.now() - t;
    log(`| ${g.pods} | ${g.policies} | ${fmt(ms)} ms | ${findings.length} |`);
    out[`lint${pods}Ms`] = Math.round(ms);
    out[`lint${pods}Findings`] = findings.length;
    await Promise.resolve();
  }
  return out;
}
