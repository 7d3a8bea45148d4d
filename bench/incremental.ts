/**
 * @module incremental (bench)
 * Incremental updates at 100k pods (issue 11: ≤ 50 ms): one policy edited, one workload's labels
 * changed, one namespace's labels changed. Each is timed from the analysis of the cluster before
 * to the changed connections at workload level (`incrementalChanges` + `incrementalMatrixChanges`),
 * The answers are checked against full recomputes in src/engine/incremental.test.ts and
 * test/cli/diff-incremental.test.ts, not here. Prints one JSON line.
 * Usage: node dist-bench/bench/incremental.js SHAPE PODS POLICIES [ANPS]
 */
import { loadCluster } from "../src/index.js";
import { buildTopology, fastAnalysis, incrementalChanges, incrementalMatrixChanges, relabelled, type Subject } from "../src/engine/index.js";
import type { Cluster, NetworkPolicy } from "../src/model/index.js";
import { generateCluster, type Shape } from "./generate.js";

const shape = (["pods", "deployments", "both"] as const).find((s) => s === process.argv[2]) ?? "both";
const pods = Number(process.argv[3] ?? 100000);
const policies = Number(process.argv[4] ?? 10000);
const anps = Number(process.argv[5] ?? 0);

const g = generateCluster({ pods, policies, shape: shape satisfies Shape, ...(anps > 0 ? { adminPolicies: anps } : {}) });
const { cluster } = loadCluster([{ path: "synthetic.json", text: g.text }]);
const topology = buildTopology(cluster);
const before = fastAnalysis(cluster, topology);

/** CPU ms (user + system) and wall ms of `f`, best of `n` runs. */
function timed<T>(n: number, f: () => T): { value: T; cpuMs: number; wallMs: number } {
  let best = { value: f(), cpuMs: Infinity, wallMs: Infinity };
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    const value = f();
    const wallMs = performance.now() - t;
    const d = process.cpuUsage(c);
    const cpuMs = (d.user + d.system) / 1000;
    if (cpuMs < best.cpuMs) best = { value, cpuMs, wallMs };
  }
  return best;
}

function changes(after: Cluster, afterTopology = topology): number {
  const inc = incrementalChanges(before, cluster, { cluster: after, topology: afterTopology });
  if (!inc) throw new Error("not incremental");
  return incrementalMatrixChanges(inc, afterTopology, { level: "workload" }).length;
}

// 1. One policy edited: an egress policy of one app (with ipBlocks) loses its rules.
const target = cluster.networkPolicies.find((p) => p.name.includes("-egress-") && p.egress.some((r) => r.peers !== "All" && r.peers.some((x) => x.type === "IPBlock"))) as NetworkPolicy;
const edited: NetworkPolicy = { ...target, egress: [] };
const policyCluster: Cluster = { ...cluster, networkPolicies: cluster.networkPolicies.map((p) => (p === target ? edited : p)) };
const policy = timed(5, () => changes(policyCluster));

// 2. One workload's labels changed (its pods): the workload that policy selects gets another app
// label (so its own policies no longer select it), tier and team.
const app = target.podSelector.matchLabels["app"];
const wl = (topology.subjects.find((s) => s.namespace === target.namespace && s.labels["app"] === app) as Subject).workloadId;
const members = topology.subjects.flatMap((s, i) => (s.workloadId === wl ? [i] : []));
const first = topology.subjects[members[0] as number] as Subject;
const relabelledWorkload = relabelled(topology, { subjects: members, labels: { ...first.labels, app: "renamed", tier: "db", team: "search" } });
const workload = timed(5, () => changes(cluster, relabelledWorkload));

// 3. One namespace's labels changed: another team and env.
const ns = first.namespace;
const relabelledNs = relabelled(topology, { namespace: ns, labels: { team: "growth", env: "prod" } });
const namespace = timed(5, () => changes(cluster, relabelledNs));

console.log(JSON.stringify({
  shape, pods: g.pods, policies: g.policies, anps, classes: before.classCount,
  policy: { name: `${target.namespace}/${target.name}`, cpuMs: Math.round(policy.cpuMs * 10) / 10, wallMs: Math.round(policy.wallMs * 10) / 10, changed: policy.value },
  workload: { cpuMs: Math.round(workload.cpuMs * 10) / 10, wallMs: Math.round(workload.wallMs * 10) / 10, changed: workload.value, pods: members.length },
  namespace: { cpuMs: Math.round(namespace.cpuMs * 10) / 10, wallMs: Math.round(namespace.wallMs * 10) / 10, changed: namespace.value, namespace: ns },
}));
