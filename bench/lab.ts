/**
 * @module bench/lab
 * The lab's data-plane costs: compiling NetworkPolicy (5k policies over a 10k-pod synthetic
 * cluster) and 10k Services (the lab's compact nftables layout) into rulesets and loading them with
 * `nft -f` into a fresh throwaway netns — separately and in one transaction, as `lab up` does —
 * reported beside a baseline `nft -f` of a trivial ruleset with the same number of rules, measured
 * in the same run; kube-proxy's own layout at 1k Services for contrast; and `lab up` (+ `lab down`)
 * time for a 50-pod cluster on 2 nodes; and per backend (routes, host-gw, vxlan, bgp) the
 * cross-node pod-to-pod TCP throughput (iperf3, 2 s) and RTT (ping, 20) against the same-node veth
 * baseline measured in the same lab (alternating, median of 3), reported as ratios (the overlay's cost). Skips (empty record)
 * without root or nft; the backend part without iperf3 (bgp without bird).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCluster } from "./generate.js";
import { labSkipReason, netnsAdd, netnsDel } from "../src/lab/cni/testing/lab.js";
import { createHost, labClean, labUp, LAB_BACKENDS, loadLabCluster, type Host, type LabState } from "../src/lab/index.js";
import { onPath } from "../src/lab/session.js";
import { startInNetns, stopChildren } from "../src/lab/proc.js";
import { buildTopology } from "../src/engine/index.js";
import type { Cluster } from "../src/model/index.js";
import { compilePolicyTables, policyTableNames, replaceAllScript, type NftPod } from "../src/nft/index.js";
import { loadCluster } from "../src/parse/index.js";
import { buildSnapshot, renderCompactNftables, renderProxyRules } from "../src/services/kube-proxy/index.js";
import { buildServiceLayer } from "../src/services/index.js";

const NETNS = "kw-bench-nft";

/** `nft -f` of `text` in a fresh throwaway netns (so no earlier table is replaced): wall ms. */
function nftLoad(text: string): number {
  netnsDel(NETNS);
  netnsAdd(NETNS);
  const t0 = performance.now();
  execFileSync("nsenter", [`--net=/var/run/netns/${NETNS}`, "--", "nft", "-f", "-"], { input: text, stdio: ["pipe", "ignore", "pipe"], maxBuffer: 1 << 28 });
  return performance.now() - t0;
}

/** The median of `runs` loads (the machine has 2 cores; single loads vary by ±15%). */
function nftLoadMedian(text: string, runs = 3): number {
  const xs = Array.from({ length: runs }, () => nftLoad(text)).sort((a, b) => a - b);
  return xs[Math.floor(runs / 2)] ?? NaN;
}

const ipOf = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/**
 * The baseline: nft itself loading the same number of rules (distinct address matches in one
 * chain) and set elements (one plain `ipv4_addr` set) in their simplest form.
 */
function trivial(name: string, rules: number, elements = 0): string {
  const lines = Array.from({ length: rules }, (_, i) => `\t\tip daddr ${ipOf(i)} accept`);
  const set = elements === 0 ? "" : `\tset s {\n\t\ttype ipv4_addr\n\t\telements = { ${Array.from({ length: elements }, (_, i) => ipOf(i)).join(", ")} }\n\t}\n`;
  return `add table inet ${name}\ndelete table inet ${name}\ntable inet ${name} {\n${set}\tchain c {\n${lines.join("\n")}\n\t}\n}\n`;
}

/** Elements of every set and map in an `nft -f` text. */
const countElements = (text: string): number => {
  let n = 0;
  for (const m of text.matchAll(/elements = \{([^}]*)\}/g)) n += (m[1] ?? "").split(",").filter((x) => x.trim() !== "").length;
  return n;
};

const countRules = (text: string): number => text.split("\n").filter((l) => /\b(accept|drop|return|jump|goto|dnat|snat|masquerade|vmap|reject)\b/.test(l) && !/^\s*(type|policy)\b/.test(l) && !/\s:\s/.test(l)).length;

/**
 * The benchmark cluster: 10k pods / 5k policies (bench/generate.ts) plus `services` ClusterIP
 * Services. Service i selects Deployment i mod D (its `app` label) in that Deployment's namespace,
 * so each has that Deployment's 10 pods as endpoints. With `distinctPorts`, every Service has its
 * own targetPort (containerPort numbers are not checked for numeric targetPorts), so no two
 * Services share an endpoint list: the worst case for the compact renderer's endpoint groups.
 */
function benchCluster(policies: number, services: number, distinctPorts: boolean): Cluster {
  const gen = generateCluster({ pods: 10_000, policies });
  const base = loadCluster([{ path: "generated.yaml", text: gen.text }]).cluster;
  const deployments = base.workloads.filter((w) => w.kind === "Deployment");
  const docs = Array.from({ length: services }, (_, i) => {
    const w = deployments[i % deployments.length];
    return JSON.stringify({
      apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, namespace: w?.namespace ?? "default" },
      spec: { clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, selector: { app: w?.labels["app"] ?? "none" }, ports: [{ port: 80, targetPort: distinctPorts ? 10_000 + i : 8080 }] },
    });
  });
  return loadCluster([{ path: "generated.yaml", text: gen.text }, { path: "services.json", text: docs.join("\n---\n") }]).cluster;
}

const nftPodsOf = (cluster: Cluster): NftPod[] => buildTopology(cluster).subjects.map((s) => ({ ...s, node: "bench" }));

function policyBench(log: (s: string) => void, cluster: Cluster): Record<string, number> {
  const t0 = performance.now();
  const tables = compilePolicyTables({ policies: cluster.networkPolicies, clusterPolicies: cluster.clusterPolicies, pods: nftPodsOf(cluster) }, "bench");
  const text = replaceAllScript(tables, policyTableNames());
  const compileMs = performance.now() - t0;
  const rules = countRules(text);
  const elements = countElements(text);
  const applyMs = nftLoadMedian(text);
  const baseMs = nftLoadMedian(trivial("kwire-baseline", rules, elements));
  log(`lab: policy for 10000 pods, ${cluster.networkPolicies.length} policies: ${tables.length} table(s), ${rules} rules, ${tables.reduce((a, t) => a + t.sets.length, 0)} sets, ${elements} elements, ${(text.length / 1e6).toFixed(1)} MB; compile ${compileMs.toFixed(0)} ms, nft -f ${applyMs.toFixed(0)} ms (nft with as many plain rules and set elements: ${baseMs.toFixed(0)} ms)`);
  return { nft_policy_compile_ms: compileMs, nft_policy_apply_ms: applyMs, nft_policy_rules: rules, nft_policy_tables: tables.length, nft_policy_baseline_ms: baseMs, nft_policy_apply_ratio: applyMs / baseMs };
}

const PROXY_OPTS = { nodeName: "node-0", nodeIPs: [], masqueradeAll: false } as const;

/** kube-proxy's exact nftables rendering (per-Service and per-endpoint chains), for comparison. */
function kubeProxyBench(log: (s: string) => void, count: number): Record<string, number> {
  const cluster = benchCluster(0, count, false);
  const t0 = performance.now();
  const text = renderProxyRules(cluster, "nftables", PROXY_OPTS, buildServiceLayer(cluster, []));
  const compileMs = performance.now() - t0;
  const applyMs = nftLoad(text);
  log(`lab: kube-proxy's own nftables layout, ${count} Services: ${countRules(text)} rules; render ${compileMs.toFixed(0)} ms, nft -f ${applyMs.toFixed(0)} ms`);
  return { [`nft_kubeproxy_${count}_apply_ms`]: applyMs };
}

/**
 * The target: 10k Services + 5k policies, compiled (policy tables + the lab's compact Service
 * table) and applied in ONE `nft -f` transaction, as `lab up` does on each node.
 */
function combinedBench(log: (s: string) => void, services: number, distinctPorts: boolean): Record<string, number> {
  const cluster = benchCluster(5_000, services, distinctPorts);
  const t0 = performance.now();
  const tables = compilePolicyTables({ policies: cluster.networkPolicies, clusterPolicies: cluster.clusterPolicies, pods: nftPodsOf(cluster) }, "bench");
  const policyText = replaceAllScript(tables, policyTableNames());
  const t1 = performance.now();
  const svcText = renderCompactNftables(buildSnapshot(cluster, buildServiceLayer(cluster, [])), PROXY_OPTS);
  const t2 = performance.now();
  const svcApply = nftLoadMedian(svcText);
  const both = `${policyText}\n${svcText}`;
  const applyMs = nftLoadMedian(both);
  const elements = countElements(both);
  const baseMs = nftLoadMedian(trivial("kwire-baseline", countRules(both), elements));
  const tag = distinctPorts ? "every Service its own endpoint list" : "10 Services per Deployment";
  log(`lab: ${services} Services (${tag}) + ${cluster.networkPolicies.length} policies in one transaction: compile ${(t1 - t0).toFixed(0)} ms policy + ${(t2 - t1).toFixed(0)} ms Services, nft -f ${applyMs.toFixed(0)} ms (Services alone ${svcApply.toFixed(0)} ms; nft with as many plain rules and set elements, ${countRules(both)} and ${elements}: ${baseMs.toFixed(0)} ms)`);
  const k = distinctPorts ? "_distinct" : "";
  return {
    [`nft_combined${k}_compile_ms`]: t2 - t0, [`nft_combined${k}_apply_ms`]: applyMs, [`nft_services${k}_apply_ms`]: svcApply,
    [`nft_combined${k}_baseline_ms`]: baseMs, [`nft_combined${k}_apply_ratio`]: applyMs / baseMs,
  };
}

async function labUpBench(log: (s: string) => void): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "kwire-bench-lab-"));
  const host = createHost();
  const gen = generateCluster({ pods: 50, policies: 20 });
  const files = [{ path: "generated.yaml", text: gen.text }];
  try {
    await labClean(host, dir);
    const t0 = performance.now();
    // The generated pods declare addresses outside the lab's pod CIDRs: the lab assigns its own
    // (what `kwire lab up --renumber` does); only the time to bring them up is measured here.
    const state = await labUp(loadLabCluster(files).cluster, { host, dir, files, nodes: 2, renumber: true, log: () => undefined });
    const upMs = performance.now() - t0;
    const t1 = performance.now();
    await labClean(host, dir);
    const downMs = performance.now() - t1;
    log(`lab: up ${state.pods.length} pods on 2 nodes in ${upMs.toFixed(0)} ms (${Object.entries(state.timings).map(([k, v]) => `${k} ${(v * 1000).toFixed(0)}`).join(", ")}); down ${downMs.toFixed(0)} ms`);
    return { lab_up_pods: state.pods.length, lab_up_ms: upMs, lab_down_ms: downMs };
  } finally {
    await labClean(host, dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Three pods: a and b on node-0 (same node, the veth + bridge baseline), c on node-1. */
const TRIO = ["a", "b", "c"].map((n, i) => `apiVersion: v1
kind: Pod
metadata: { name: ${n}, namespace: bench }
spec: { nodeName: node-${i < 2 ? 0 : 1}, containers: [{ name: c, image: i, ports: [{ containerPort: 8080 }] }] }`).join("\n---\n");

const IPERF_PORT = 5201;

async function waitListening(host: Host, netns: string, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await host.exec(["ss", "-Hltn", `sport = :${port}`], { netns });
    if (r.stdout.trim() !== "") return;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`iperf3 server in ${netns} did not listen on ${port}`);
}

/** TCP throughput (bits/s, iperf3 -t 2, received) and ping RTT (ms, avg of 20) from pod `src` to `dst`. */
async function pathCost(host: Host, dir: string, state: LabState, src: string, dst: string): Promise<{ bps: number; rttMs: number }> {
  const s = state.pods.find((p) => p.pod.name === src);
  const d = state.pods.find((p) => p.pod.name === dst);
  if (s === undefined || d?.ip === undefined) throw new Error(`bench pods ${src}/${dst} missing`);
  const server = startInNetns(d.pod.netns, ["iperf3", "-s", "-1", "-p", String(IPERF_PORT)], join(dir, `iperf-${dst}.log`), `iperf3 in ${d.pod.id}`);
  try {
    await waitListening(host, d.pod.netns, IPERF_PORT);
    const r = await host.exec(["iperf3", "-c", d.ip, "-p", String(IPERF_PORT), "-t", "2", "-J"], { netns: s.pod.netns });
    const v: unknown = JSON.parse(r.stdout);
    const bps = (v as { end?: { sum_received?: { bits_per_second?: number } } }).end?.sum_received?.bits_per_second ?? NaN;
    const p = await host.exec(["ping", "-n", "-q", "-c", "20", "-i", "0.01", d.ip], { netns: s.pod.netns });
    const m = /= [\d.]+\/([\d.]+)\//.exec(p.stdout);
    return { bps, rttMs: m === null ? NaN : Number(m[1]) };
  } finally {
    await stopChildren([server]);
  }
}

const RUNS = 3;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const medianCost = (xs: readonly { bps: number; rttMs: number }[]): { bps: number; rttMs: number } => ({ bps: median(xs.map((x) => x.bps)), rttMs: median(xs.map((x) => x.rttMs)) });

/** Per backend: cross-node vs same-node throughput and RTT in one lab, as ratios. */
export async function backendBench(log: (s: string) => void): Promise<Record<string, number>> {
  if (!onPath("iperf3")) {
    log("lab: backend throughput skipped (needs iperf3: apt-get install iperf3)");
    return {};
  }
  const out: Record<string, number> = {};
  const host = createHost();
  const files = [{ path: "trio.yaml", text: TRIO }];
  log("\n| backend | same-node Gbit/s | cross-node Gbit/s | throughput ratio | same-node RTT | cross-node RTT | RTT ratio |");
  log("|---|---:|---:|---:|---:|---:|---:|");
  for (const backend of LAB_BACKENDS) {
    if (backend === "bgp" && !onPath("bird")) {
      log(`| bgp | skipped: needs bird (apt-get install bird2) | | | | | |`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), "kwire-bench-be-"));
    try {
      await labClean(host, dir);
      const state = await labUp(loadLabCluster(files).cluster, { host, dir, files, nodes: 2, backend, log: () => undefined });
      // Alternate same/cross three times and take medians: the machine is shared, single runs vary.
      const sames: { bps: number; rttMs: number }[] = [];
      const crosses: { bps: number; rttMs: number }[] = [];
      for (let i = 0; i < RUNS; i++) {
        sames.push(await pathCost(host, dir, state, "a", "b"));
        crosses.push(await pathCost(host, dir, state, "a", "c"));
      }
      const same = medianCost(sames);
      const cross = medianCost(crosses);
      const k = backend.replace("-", "_");
      Object.assign(out, {
        [`${k}_same_node_gbps`]: same.bps / 1e9, [`${k}_cross_node_gbps`]: cross.bps / 1e9, [`${k}_throughput_ratio`]: cross.bps / same.bps,
        [`${k}_same_node_rtt_ms`]: same.rttMs, [`${k}_cross_node_rtt_ms`]: cross.rttMs, [`${k}_rtt_ratio`]: cross.rttMs / same.rttMs,
      });
      log(`| ${backend} | ${(same.bps / 1e9).toFixed(2)} | ${(cross.bps / 1e9).toFixed(2)} | ${(cross.bps / same.bps).toFixed(2)}× | ${same.rttMs.toFixed(3)} ms | ${cross.rttMs.toFixed(3)} ms | ${(cross.rttMs / same.rttMs).toFixed(2)}× |`);
    } finally {
      await labClean(host, dir);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log("\n(throughput ratio = cross-node / same-node in the same lab: below 1 is what the path between nodes costs; RTT ratio above 1 likewise)");
  return out;
}

export async function benchLab(log: (s: string) => void): Promise<Record<string, number>> {
  const skip = labSkipReason();
  if (skip !== undefined) {
    log(`lab: skipped (${skip})`);
    return {};
  }
  const out: Record<string, number> = {};
  const services = Number(process.env["KWIRE_BENCH_SERVICES"] ?? "10000");
  try {
    Object.assign(out, policyBench(log, benchCluster(5_000, 0, false)));
    Object.assign(out, combinedBench(log, services, false));
    Object.assign(out, combinedBench(log, services, true));
    // kube-proxy's own layout for contrast (nft 1.0.6 loads it superlinearly: 3k ≈ 7–13 s).
    Object.assign(out, kubeProxyBench(log, 1000));
  } finally {
    netnsDel(NETNS);
  }
  Object.assign(out, await labUpBench(log));
  Object.assign(out, await backendBench(log));
  return out;
}
