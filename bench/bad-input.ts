/**
 * @module bad-input (bench)
 * The cost of diagnostics (issue 11: "1,000 diagnostics add ≤ 10% to the run"): a ~4 MB
 * single-line JSON PodList (what `kubectl get pods -A -o json | jq -c` gives), loaded clean and
 * with 1,000 of its pods carrying a bad entry (`containerPort: 70000`: an error on a scalar,
 * whose exact line and column must be found; the entry is dropped and the pod kept, so both
 * inputs decode the same objects and the difference is the diagnostics alone), in the same
 * process. Reports the median of several loads of each and the ratio; loading is where
 * diagnostics cost, so the ratio is over loading alone (the stricter measure: analysis adds the
 * same time to both).
 */
import { loadCluster } from "../src/index.js";

const PODS = 12_000;
const BROKEN = 1_000;
const ROUNDS = 5;

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function podList(broken: number): string {
  const every = Math.floor(PODS / Math.max(1, broken));
  const items = Array.from({ length: PODS }, (_, i) => {
    const bad = broken > 0 && i % every === 0 && i / every < broken;
    return {
      metadata: { name: `web-${i}-7d4b9c5f8-x2x9z`, namespace: `ns-${i % 50}`, labels: { app: `app-${i % 400}`, tier: "web", version: "v2" } },
      spec: { nodeName: `node-${i % 20}`, containers: [{ name: "web", image: "nginx:1.27", ports: [{ name: "metrics", containerPort: bad ? 70000 : 9090, protocol: "TCP" }, { name: "http", containerPort: 8080, protocol: "TCP" }] }] },
      status: { phase: "Running", podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, conditions: [{ type: "Ready", status: "True" }] },
    };
  });
  return JSON.stringify({ apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "1" }, items });
}

function loadMs(text: string): { ms: number; errors: number } {
  const t = performance.now();
  const load = loadCluster([{ path: "pods.json", text }]);
  return { ms: performance.now() - t, errors: load.diagnostics.filter((d) => d.severity === "error").length };
}

/** Medians of ROUNDS loads of each input, interleaved (clean, broken, clean, …) so neither gains from order. */
function medians(a: string, b: string): [{ ms: number; errors: number }, { ms: number; errors: number }] {
  const ra: { ms: number; errors: number }[] = [];
  const rb: { ms: number; errors: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ra.push(loadMs(a));
    rb.push(loadMs(b));
  }
  const median = (xs: { ms: number; errors: number }[]): { ms: number; errors: number } => [...xs].sort((x, y) => x.ms - y.ms)[Math.floor(xs.length / 2)] ?? { ms: 0, errors: 0 };
  return [median(ra), median(rb)];
}

export function benchBadInput(log: (s: string) => void): Record<string, number> {
  const clean = podList(0);
  const broken = podList(BROKEN);
  medians(clean, broken); // warm up the JIT on both paths before measuring
  const [a, b] = medians(clean, broken);
  log("| input | size | errors | load (median of 5, interleaved) | ratio |");
  log("|---|---:|---:|---:|---:|");
  log(`| ${PODS} pods, one line of JSON | ${(clean.length / 1e6).toFixed(1)} MB | ${a.errors} | ${fmt(a.ms)} ms | 1.00× (baseline) |`);
  log(`| the same, ${BROKEN} pods with a bad containerPort entry | ${(broken.length / 1e6).toFixed(1)} MB | ${b.errors} | ${fmt(b.ms)} ms | ${(b.ms / a.ms).toFixed(2)}× |`);
  return { cleanLoadMs: Math.round(a.ms), brokenLoadMs: Math.round(b.ms), diagnostics: b.errors, ratio: Number((b.ms / a.ms).toFixed(3)) };
}
