/**
 * @module bench/cni
 * ADD and DEL latency of `kwire-cni` (node + built bin.js) against Debian's `/usr/lib/cni/bridge` with
 * host-local IPAM, same run, same shape of config, alternating calls. Both run inside a throwaway
 * node netns through `nsenter` exactly as the lab runs them; the nsenter cost is measured too and
 * reported, so `*_ratio_net` compares plugin time without that shared overhead.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileCni, REPO_ROOT } from "../src/lab/cni/testing/build.js";
import { DEBIAN_CNI_DIR, labSkipReason, netnsAdd, netnsDel, runPlugin, type PluginRun } from "../src/lab/cni/testing/lab.js";

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/** The kwire-cni to measure: the copy built with this bench (fresh), else dist/, else compile one. */
function kwireBin(tmp: string, log: (line: string) => void): string {
  const sibling = fileURLToPath(new URL("../src/lab/cni/bin.js", import.meta.url));
  const dist = join(REPO_ROOT, "dist/lab/cni/bin.js");
  const bin = existsSync(sibling) ? sibling : existsSync(dist) ? dist : compileCni(join(tmp, "build"));
  log(`cni: measuring ${bin}`);
  return bin;
}

const conf = (type: string, bridge: string, subnet: string, dataDir: string) => ({
  cniVersion: "1.0.0", name: `bench-${type}`, type, bridge, isGateway: true,
  ipam: { type: "host-local", dataDir, ranges: [[{ subnet }]], routes: [{ dst: "0.0.0.0/0" }] },
});

function check(r: PluginRun, what: string): number {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stdout}${r.stderr}`);
  return r.ms;
}

/** Measure; returns metrics in ms (and ratios). Skips (empty record) without root or Debian plugins. */
export async function benchCni(log: (line: string) => void, iterations = 30): Promise<Record<string, number>> {
  const skip = labSkipReason(true);
  if (skip !== undefined) {
    log(`cni: skipped (${skip})`);
    return {};
  }
  const tmp = mkdtempSync(join(tmpdir(), "kw-bench-cni-"));
  const node = `kw-b-${process.pid}-n`;
  const pod = `kw-b-${process.pid}-p`;
  const kw = [process.execPath, kwireBin(tmp, log)];
  const deb = [`${DEBIAN_CNI_DIR}/bridge`];
  const kwConf = conf("kwire", "kw-b-br0", "10.231.0.0/24", join(tmp, "kw"));
  const debConf = conf("bridge", "kw-b-br1", "10.232.0.0/24", join(tmp, "deb"));
  const t: Record<string, number[]> = { kwAdd: [], kwDel: [], debAdd: [], debDel: [], nsenter: [] };
  try {
    netnsAdd(node);
    netnsAdd(pod);
    const inv = (command: string, id: string) => ({ command, containerID: id, netns: pod, ifname: "eth0" });
    for (let i = -2; i < iterations; i++) {
      const warm = i < 0;
      const a = check(await runPlugin(kw, node, inv("ADD", `k${i}`), kwConf), "kwire ADD");
      const d = check(await runPlugin(kw, node, inv("DEL", `k${i}`), kwConf), "kwire DEL");
      const b = check(await runPlugin(deb, node, inv("ADD", `d${i}`), debConf), "bridge ADD");
      const e = check(await runPlugin(deb, node, inv("DEL", `d${i}`), debConf), "bridge DEL");
      const n = (await runPlugin(["true"], node, { command: "VERSION" }, {})).ms;
      if (warm) continue;
      t["kwAdd"]?.push(a); t["kwDel"]?.push(d); t["debAdd"]?.push(b); t["debDel"]?.push(e); t["nsenter"]?.push(n);
    }
  } finally {
    netnsDel(node, pod);
    rmSync(tmp, { recursive: true, force: true });
  }
  const m = (k: string, q: number): number => quantile(t[k] ?? [], q);
  const ns = m("nsenter", 0.5);
  const out: Record<string, number> = {
    kwire_add_p50_ms: m("kwAdd", 0.5), kwire_add_p90_ms: m("kwAdd", 0.9),
    kwire_del_p50_ms: m("kwDel", 0.5), kwire_del_p90_ms: m("kwDel", 0.9),
    bridge_add_p50_ms: m("debAdd", 0.5), bridge_add_p90_ms: m("debAdd", 0.9),
    bridge_del_p50_ms: m("debDel", 0.5), bridge_del_p90_ms: m("debDel", 0.9),
    nsenter_p50_ms: ns,
  };
  out["add_ratio"] = (out["kwire_add_p50_ms"] ?? NaN) / (out["bridge_add_p50_ms"] ?? NaN);
  out["del_ratio"] = (out["kwire_del_p50_ms"] ?? NaN) / (out["bridge_del_p50_ms"] ?? NaN);
  out["add_ratio_net"] = ((out["kwire_add_p50_ms"] ?? NaN) - ns) / ((out["bridge_add_p50_ms"] ?? NaN) - ns);
  out["del_ratio_net"] = ((out["kwire_del_p50_ms"] ?? NaN) - ns) / ((out["bridge_del_p50_ms"] ?? NaN) - ns);
  const f = (x: number | undefined): string => (x ?? NaN).toFixed(1);
  log(`cni: ADD kwire p50 ${f(out["kwire_add_p50_ms"])} ms p90 ${f(out["kwire_add_p90_ms"])} | bridge p50 ${f(out["bridge_add_p50_ms"])} p90 ${f(out["bridge_add_p90_ms"])} | ratio ${(out["add_ratio"] ?? NaN).toFixed(2)}x`);
  log(`cni: DEL kwire p50 ${f(out["kwire_del_p50_ms"])} ms p90 ${f(out["kwire_del_p90_ms"])} | bridge p50 ${f(out["bridge_del_p50_ms"])} p90 ${f(out["bridge_del_p90_ms"])} | ratio ${(out["del_ratio"] ?? NaN).toFixed(2)}x`);
  log(`cni: nsenter overhead p50 ${f(ns)} ms (in all numbers); ratios without it: ADD ${(out["add_ratio_net"] ?? NaN).toFixed(2)}x DEL ${(out["del_ratio_net"] ?? NaN).toFixed(2)}x`);
  return out;
}
