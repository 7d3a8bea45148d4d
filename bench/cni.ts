/**
 * @module bench/cni
 * ADD and DEL latency of kwire-cni against Debian's `/usr/lib/cni/bridge` with host-local IPAM, same
 * run, same shape of config, alternating calls. kwire is measured two ways: as runtimes normally run
 * it — the `bin/kwire-cni` shim talking to a `kwire cni agent` started in the node netns ("agent") —
 * and as the standalone Node plugin (`node bin.js`, a cold start per call). Everything runs inside
 * a throwaway node netns through `nsenter` exactly as the lab runs it; the nsenter cost is measured
 * too and reported, so `*_ratio_net` compares plugin time without that shared overhead. First, the
 * shim's stdin path on 1 MB and 10 MB against the plugin alone (benchShimStdin).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileCni, REPO_ROOT } from "../src/lab/cni/testing/build.js";
import { DEBIAN_CNI_DIR, labSkipReason, netnsAdd, netnsDel, runPlugin, stopAgent, waitForAgent, type PluginRun } from "../src/lab/cni/testing/lab.js";

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/** The kwire-cni entry `file` to measure: the copy built with this bench (fresh), else dist/, else compile one. */
function kwireJs(file: string, tmp: string, log: (line: string) => void): string {
  const sibling = fileURLToPath(new URL(`../src/lab/cni/${file}`, import.meta.url));
  const dist = join(REPO_ROOT, "dist/lab/cni", file);
  const js = existsSync(sibling) ? sibling : existsSync(dist) ? dist : join(compileCni(join(tmp, "build"), ["lab/cni/agent-bin.ts"]), "..", file);
  log(`cni: ${file} = ${js}`);
  return js;
}

const conf = (type: string, bridge: string, subnet: string, dataDir: string) => ({
  cniVersion: "1.0.0", name: `bench-${type}`, type, bridge, isGateway: true,
  ipam: { type: "host-local", dataDir, ranges: [[{ subnet }]], routes: [{ dst: "0.0.0.0/0" }] },
});

function check(r: PluginRun, what: string): number {
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stdout}${r.stderr}`);
  return r.ms;
}

/** Wall ms of `argv` reading `input` on stdin (env: an ADD that fails while decoding, so nothing is created). */
function timeStdin(argv: readonly string[], input: Buffer, env: Record<string, string>): number {
  const [file, ...args] = argv;
  const t0 = performance.now();
  spawnSync(file ?? "", args, { input, env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env }, maxBuffer: 1 << 26 });
  return performance.now() - t0;
}

/**
 * The bin/kwire-cni shim's stdin path (issue 15: it was quadratic — 1 MB 8.7 s, 10 MB over 120 s):
 * the shim falling back to the standalone plugin vs the plugin alone on the same 1 MB and 10 MB
 * config, median of 3, same run. Needs no root.
 */
export function benchShimStdin(log: (line: string) => void): Record<string, number> {
  const shim = join(REPO_ROOT, "bin/kwire-cni");
  const tmp = mkdtempSync(join(tmpdir(), "kw-c-shim-"));
  try {
    const js = kwireJs("bin.js", tmp, log);
    // The shim resolves <its dir>/../dist/lab/cni/bin.js: give it a package layout around the built plugin.
    const pkg = join(tmp, "pkg");
    mkdirSync(join(pkg, "bin"), { recursive: true });
    copyFileSync(shim, join(pkg, "bin", "kwire-cni"));
    mkdirSync(join(pkg, "dist", "lab"), { recursive: true });
    symlinkSync(dirname(js), join(pkg, "dist", "lab", "cni"));
    const env = { CNI_COMMAND: "ADD", CNI_CONTAINERID: "bench", CNI_NETNS: "/var/run/netns/kw-bench-none", CNI_IFNAME: "eth0", CNI_PATH: "/usr/lib/cni", KWIRE_CNI_AGENT: `kw-bench-nobody-${process.pid}`, TMPDIR: tmp };
    const out: Record<string, number> = {};
    for (const mb of [1, 10]) {
      const input = Buffer.from(JSON.stringify({ cniVersion: "0.2.0", name: "b", type: "kwire", pad: "x".repeat(mb * 1_000_000) }));
      const med = (argv: readonly string[]): number => [0, 1, 2].map(() => timeStdin(argv, input, env)).sort((a, b) => a - b)[1] ?? NaN;
      const viaShim = med(["sh", join(pkg, "bin", "kwire-cni")]);
      const alone = med([process.execPath, js]);
      out[`shim_stdin_${mb}mb_ms`] = viaShim;
      out[`plugin_stdin_${mb}mb_ms`] = alone;
      out[`shim_stdin_${mb}mb_ratio`] = viaShim / alone;
      log(`cni: ${mb} MB config on stdin: shim ${viaShim.toFixed(0)} ms, plugin alone ${alone.toFixed(0)} ms (${(viaShim / alone).toFixed(2)}x)`);
    }
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Measure; returns metrics in ms (and ratios). Skips (empty record) without root or Debian plugins. */
export async function benchCni(log: (line: string) => void, iterations = 30): Promise<Record<string, number>> {
  const stdin = benchShimStdin(log);
  const skip = labSkipReason(true);
  if (skip !== undefined) {
    log(`cni: skipped (${skip})`);
    return stdin;
  }
  const shim = join(REPO_ROOT, "bin/kwire-cni");
  if (!existsSync(shim)) {
    log(`cni: skipped (${shim} not found)`);
    return {};
  }
  const tmp = mkdtempSync(join(tmpdir(), "kw-c-bench-"));
  const node = `kw-c-b${process.pid}-n`;
  const pod = `kw-c-b${process.pid}-p`;
  const kw = [process.execPath, kwireJs("bin.js", tmp, log)];
  const agentJs = kwireJs("agent-bin.js", tmp, log);
  const deb = [`${DEBIAN_CNI_DIR}/bridge`];
  const kwConf = conf("kwire", "kw-b-br0", "10.231.0.0/24", join(tmp, "kw"));
  const agConf = conf("kwire", "kw-b-br2", "10.233.0.0/24", join(tmp, "agent"));
  const debConf = conf("bridge", "kw-b-br1", "10.232.0.0/24", join(tmp, "deb"));
  const t: Record<string, number[]> = { kwAdd: [], kwDel: [], agAdd: [], agDel: [], debAdd: [], debDel: [], nsenter: [] };
  let agent: ChildProcess | undefined;
  try {
    netnsAdd(node);
    netnsAdd(pod);
    agent = spawn("nsenter", [`--net=/var/run/netns/${node}`, "--", process.execPath, agentJs, "--verbose"], { stdio: ["ignore", "pipe", "pipe"] });
    log(`cni: ${await waitForAgent(agent)}`);
    let served = 0;
    agent.stderr?.on("data", (c: Buffer) => { served += (c.toString("utf8").match(/: (ADD|DEL) g/g) ?? []).length; });
    const inv = (command: string, id: string) => ({ command, containerID: id, netns: pod, ifname: "eth0" });
    for (let i = -3; i < iterations; i++) {
      const warm = i < 0;
      const g = check(await runPlugin([shim], node, inv("ADD", `g${i}`), agConf), "kwire (agent) ADD");
      const h = check(await runPlugin([shim], node, inv("DEL", `g${i}`), agConf), "kwire (agent) DEL");
      const b = check(await runPlugin(deb, node, inv("ADD", `d${i}`), debConf), "bridge ADD");
      const e = check(await runPlugin(deb, node, inv("DEL", `d${i}`), debConf), "bridge DEL");
      const a = check(await runPlugin(kw, node, inv("ADD", `k${i}`), kwConf), "kwire ADD");
      const d = check(await runPlugin(kw, node, inv("DEL", `k${i}`), kwConf), "kwire DEL");
      const n = (await runPlugin(["true"], node, { command: "VERSION" }, {})).ms;
      if (warm) continue;
      t["kwAdd"]?.push(a); t["kwDel"]?.push(d); t["agAdd"]?.push(g); t["agDel"]?.push(h);
      t["debAdd"]?.push(b); t["debDel"]?.push(e); t["nsenter"]?.push(n);
    }
    await new Promise((r) => setTimeout(r, 50));
    // The shim falls back to the standalone plugin silently; make sure the agent did the work.
    if (served !== 2 * (iterations + 3)) throw new Error(`the agent served ${served} of ${2 * (iterations + 3)} shim calls (is nc from netcat-openbsd installed?)`);
  } finally {
    if (agent !== undefined) await stopAgent(agent);
    netnsDel(node, pod);
    rmSync(tmp, { recursive: true, force: true });
  }
  const m = (k: string, q: number): number => quantile(t[k] ?? [], q);
  const ns = m("nsenter", 0.5);
  const out: Record<string, number> = {
    kwire_add_p50_ms: m("kwAdd", 0.5), kwire_add_p90_ms: m("kwAdd", 0.9),
    kwire_del_p50_ms: m("kwDel", 0.5), kwire_del_p90_ms: m("kwDel", 0.9),
    kwire_agent_add_p50_ms: m("agAdd", 0.5), kwire_agent_add_p90_ms: m("agAdd", 0.9),
    kwire_agent_del_p50_ms: m("agDel", 0.5), kwire_agent_del_p90_ms: m("agDel", 0.9),
    bridge_add_p50_ms: m("debAdd", 0.5), bridge_add_p90_ms: m("debAdd", 0.9),
    bridge_del_p50_ms: m("debDel", 0.5), bridge_del_p90_ms: m("debDel", 0.9),
    nsenter_p50_ms: ns,
  };
  const v = (k: string): number => out[k] ?? NaN;
  Object.assign(out, stdin);
  out["add_ratio"] = v("kwire_add_p50_ms") / v("bridge_add_p50_ms");
  out["del_ratio"] = v("kwire_del_p50_ms") / v("bridge_del_p50_ms");
  out["add_ratio_net"] = (v("kwire_add_p50_ms") - ns) / (v("bridge_add_p50_ms") - ns);
  out["del_ratio_net"] = (v("kwire_del_p50_ms") - ns) / (v("bridge_del_p50_ms") - ns);
  out["agent_add_ratio"] = v("kwire_agent_add_p50_ms") / v("bridge_add_p50_ms");
  out["agent_del_ratio"] = v("kwire_agent_del_p50_ms") / v("bridge_del_p50_ms");
  out["agent_add_ratio_net"] = (v("kwire_agent_add_p50_ms") - ns) / (v("bridge_add_p50_ms") - ns);
  out["agent_del_ratio_net"] = (v("kwire_agent_del_p50_ms") - ns) / (v("bridge_del_p50_ms") - ns);
  const f = (k: string): string => v(k).toFixed(1);
  const r = (k: string): string => `${v(k).toFixed(2)}x`;
  for (const [verb, key] of [["ADD", "add"], ["DEL", "del"]] as const) {
    log(`cni: ${verb} bridge p50 ${f(`bridge_${key}_p50_ms`)} ms p90 ${f(`bridge_${key}_p90_ms`)} | kwire agent p50 ${f(`kwire_agent_${key}_p50_ms`)} p90 ${f(`kwire_agent_${key}_p90_ms`)} (${r(`agent_${key}_ratio`)}) | kwire standalone p50 ${f(`kwire_${key}_p50_ms`)} p90 ${f(`kwire_${key}_p90_ms`)} (${r(`${key}_ratio`)})`);
  }
  log(`cni: nsenter overhead p50 ${ns.toFixed(1)} ms (in all numbers); ratios without it: agent ADD ${r("agent_add_ratio_net")} DEL ${r("agent_del_ratio_net")}, standalone ADD ${r("add_ratio_net")} DEL ${r("del_ratio_net")}`);
  return out;
}
