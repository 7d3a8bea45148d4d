/**
 * @module bad-input (bench)
 * The cost of diagnostics (issue 11: "1,000 diagnostics add ≤ 10% to the run"): a ~4 MB
 * single-line JSON PodList (what `kubectl get pods -A -o json | jq -c` gives), loaded clean and
 * with 1,000 of its pods carrying a bad entry (`containerPort: 70000`: an error on a scalar,
 * whose exact line and column must be found; the entry is dropped and the pod kept, so both
 * inputs decode the same objects and the difference is the diagnostics alone), in the same
 * process. Reports the median CPU time (user + system) and wall time of several loads of each
 * and their ratios; loading is where diagnostics cost, so the ratio is over loading alone (the
 * stricter measure: analysis adds the same time to both). CPU time is the steadier of the two on
 * a shared machine.
 */
import { loadCluster } from "../src/index.js";

const PODS = 12_000;
const BROKEN = 1_000;
const ROUNDS = 25;

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

interface Load { ms: number; cpuMs: number; errors: number }

function load(text: string): Load {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = loadCluster([{ path: "pods.json", text }]);
  const d = process.cpuUsage(c);
  return { ms: performance.now() - t, cpuMs: (d.user + d.system) / 1000, errors: r.diagnostics.filter((x) => x.severity === "error").length };
}

/** Medians (wall and CPU apart) of ROUNDS loads of each input, interleaved (clean, broken, clean, …) so neither gains from order. */
function medians(a: string, b: string): [Load, Load] {
  const ra: Load[] = [];
  const rb: Load[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ra.push(load(a));
    rb.push(load(b));
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const of = (xs: Load[]): Load => ({ ms: median(xs.map((x) => x.ms)), cpuMs: median(xs.map((x) => x.cpuMs)), errors: xs[0]?.errors ?? 0 });
  return [of(ra), of(rb)];
}

export function benchBadInput(log: (s: string) => void): Record<string, number> {
  const clean = podList(0);
  const broken = podList(BROKEN);
  medians(clean, broken); // warm up the JIT on both paths before measuring
  const [a, b] = medians(clean, broken);
  log(`| input | size | errors | load CPU (wall), median of ${ROUNDS}, interleaved | ratio CPU (wall) |`);
  log("|---|---:|---:|---:|---:|");
  log(`| ${PODS} pods, one line of JSON | ${(clean.length / 1e6).toFixed(1)} MB | ${a.errors} | ${fmt(a.cpuMs)} ms (${fmt(a.ms)} ms) | 1.00× (baseline) |`);
  log(`| the same, ${BROKEN} pods with a bad containerPort entry | ${(broken.length / 1e6).toFixed(1)} MB | ${b.errors} | ${fmt(b.cpuMs)} ms (${fmt(b.ms)} ms) | ${(b.cpuMs / a.cpuMs).toFixed(2)}× (${(b.ms / a.ms).toFixed(2)}×) |`);
  return {
    cleanLoadMs: Math.round(a.ms), brokenLoadMs: Math.round(b.ms), cleanLoadCpuMs: Math.round(a.cpuMs), brokenLoadCpuMs: Math.round(b.cpuMs),
    diagnostics: b.errors, ratio: Number((b.ms / a.ms).toFixed(3)), cpuRatio: Number((b.cpuMs / a.cpuMs).toFixed(3)),
  };
}
