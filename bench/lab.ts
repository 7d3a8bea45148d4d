/**
 * @module bench/lab
 * The lab's data-plane costs: compiling NetworkPolicy (5k policies over a 10k-pod synthetic
 * cluster) and 10k Services (kube-proxy's nftables rendering) into rulesets and loading them with
 * `nft -f` into a throwaway netns, reported as ratios to a baseline `nft -f` of a trivial ruleset
 * with the same number of rules, measured in the same run; and `lab up` (+ `lab down`) time for a
 * 50-pod cluster on 2 nodes. Skips (empty record) without root or nft.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCluster } from "./generate.js";
import { labSkipReason, netnsAdd, netnsDel } from "../src/lab/cni/testing/lab.js";
import { createHost, labClean, labUp, loadLabCluster } from "../src/lab/index.js";
import { buildTopology } from "../src/engine/index.js";
import { compilePolicyTable, replaceScript, type NftPod } from "../src/nft/index.js";
import { loadCluster } from "../src/parse/index.js";
import { renderProxyRules } from "../src/services/kube-proxy/index.js";

const NETNS = "kw-bench-nft";

function nftLoad(text: string): number {
  const t0 = performance.now();
  execFileSync("nsenter", [`--net=/var/run/netns/${NETNS}`, "--", "nft", "-f", "-"], { input: text, stdio: ["pipe", "ignore", "pipe"], maxBuffer: 1 << 28 });
  return performance.now() - t0;
}

/** A trivial table with `rules` rules (distinct address matches) in one chain: the baseline. */
function trivial(name: string, rules: number): string {
  const lines = Array.from({ length: rules }, (_, i) => `\t\tip daddr 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} accept`);
  return `add table inet ${name}\ndelete table inet ${name}\ntable inet ${name} {\n\tchain c {\n${lines.join("\n")}\n\t}\n}\n`;
}

const countRules = (text: string): number => text.split("\n").filter((l) => /\b(accept|drop|return|jump|goto|dnat|snat|masquerade|vmap)\b/.test(l) && !/^\s*(type|policy)\b/.test(l)).length;

function policyBench(log: (s: string) => void): Record<string, number> {
  const gen = generateCluster({ pods: 10_000, policies: 5_000 });
  const cluster = loadCluster([{ path: "generated.yaml", text: gen.text }]).cluster;
  const t0 = performance.now();
  const pods: NftPod[] = buildTopology(cluster).subjects.map((s) => ({ ...s, node: "bench" }));
  const text = replaceScript(compilePolicyTable({ policies: cluster.networkPolicies, pods }, "bench"));
  const compileMs = performance.now() - t0;
  const rules = countRules(text);
  const applyMs = nftLoad(text);
  const baseMs = nftLoad(trivial("kwire-baseline", rules));
  log(`lab: policy ruleset for ${gen.pods} pods, ${gen.policies} policies: ${rules} rules, ${(text.length / 1e6).toFixed(1)} MB; compile ${compileMs.toFixed(0)} ms, nft -f ${applyMs.toFixed(0)} ms (trivial ruleset of the same size ${baseMs.toFixed(0)} ms)`);
  return { nft_policy_compile_ms: compileMs, nft_policy_apply_ms: applyMs, nft_policy_rules: rules, nft_policy_baseline_ms: baseMs, nft_policy_apply_ratio: applyMs / baseMs };
}

/**
 * ClusterIP Services over the generated workloads, rendered by kube-proxy's nftables mode: each
 * Service selects one Deployment (its `app` label) in that Deployment's namespace, so each has
 * that Deployment's pods (10) as endpoints, as a typical Service does.
 */
function serviceBench(log: (s: string) => void, count: number): Record<string, number> {
  const gen = generateCluster({ pods: 10_000, policies: 0 });
  const base = loadCluster([{ path: "generated.yaml", text: gen.text }]).cluster;
  const deployments = base.workloads.filter((w) => w.kind === "Deployment");
  const docs = Array.from({ length: count }, (_, i) => {
    const w = deployments[i % deployments.length];
    return JSON.stringify({
      apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, namespace: w?.namespace ?? "default" },
      spec: { clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, selector: { app: w?.labels["app"] ?? "none" }, ports: [{ port: 80, targetPort: 8080 }] },
    });
  });
  const cluster = loadCluster([{ path: "generated.yaml", text: gen.text }, { path: "services.json", text: docs.join("\n---\n") }]).cluster;
  const t0 = performance.now();
  const text = renderProxyRules(cluster, "nftables", { nodeName: "node-0", nodeIPs: [], masqueradeAll: false });
  const compileMs = performance.now() - t0;
  const rules = countRules(text);
  const applyMs = nftLoad(text);
  const baseMs = nftLoad(trivial("kwire-baseline-svc", rules));
  log(`lab: ${cluster.services.length} Services: ${rules} rules; render ${compileMs.toFixed(0)} ms, nft -f ${applyMs.toFixed(0)} ms (trivial ${baseMs.toFixed(0)} ms)`);
  return { nft_services_compile_ms: compileMs, nft_services_apply_ms: applyMs, nft_services_rules: rules, nft_services_baseline_ms: baseMs, nft_services_apply_ratio: applyMs / baseMs };
}

async function labUpBench(log: (s: string) => void): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "kwire-bench-lab-"));
  const host = createHost();
  const gen = generateCluster({ pods: 50, policies: 20 });
  const files = [{ path: "generated.yaml", text: gen.text }];
  try {
    await labClean(host, dir);
    const t0 = performance.now();
    const state = await labUp(loadLabCluster(files).cluster, { host, dir, files, nodes: 2, log: () => undefined });
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

export async function benchLab(log: (s: string) => void): Promise<Record<string, number>> {
  const skip = labSkipReason();
  if (skip !== undefined) {
    log(`lab: skipped (${skip})`);
    return {};
  }
  netnsDel(NETNS);
  netnsAdd(NETNS);
  const out: Record<string, number> = {};
  try {
    Object.assign(out, policyBench(log));
    try {
      // nftables 1.0.6 (Debian bookworm) loads kube-proxy's per-endpoint chains superlinearly
      // (1k Services ≈ 0.8 s, 3k ≈ 7 s, 10k did not finish in 3 min here), so the default sizes
      // stop at 3k; KWIRE_BENCH_SERVICES=10000 asks for more.
      const sizes = (process.env["KWIRE_BENCH_SERVICES"] ?? "1000,3000").split(",").map(Number).filter((n) => n > 0);
      for (const n of sizes) {
        const r = serviceBench(log, n);
        for (const [k, v] of Object.entries(r)) out[`${k}_${n}`] = v;
      }
    } catch (e) {
      log(`lab: Services benchmark failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  } finally {
    netnsDel(NETNS);
  }
  Object.assign(out, await labUpBench(log));
  return out;
}
