/**
 * @module nft/tiers.lab.test
 * The tiered policy table in a real kernel (root + nft; skipped with the reason otherwise). A
 * throwaway node netns `kw-t-nt<pid>-node` routes between three pod netns (web/front, web/api,
 * ops/probe of fixtures/scenarios/lab-nft-tiers/cluster.yaml, at their podIPs); the compiled
 * `inet kwire` table is loaded into the node netns with one `nft -f`, so every pod-to-pod packet
 * crosses its forward hook. Real TCP connections then show an Admin Deny, a Pass handed to the
 * NetworkPolicy tier that denies, a Pass that falls to the Baseline deny, an Admin Accept, and a
 * NetworkPolicy allow — each also as the engine predicts it. Afterwards nothing is left: no netns
 * of ours, no server process.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTopology, fastAnalysis } from "../engine/index.js";
import { containsPort } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { inNetns, labSkipReason, netnsAdd, netnsDel } from "../lab/cni/testing/lab.js";
import { compilePolicyTables } from "./compile-policy.js";
import { replaceScript } from "./print.js";
import { nftPodsOf } from "./testing/differential.js";

const skip = labSkipReason();
const NS = `kw-t-nt${process.pid}`;
const NODE = `${NS}-node`;
const GATEWAY = "169.254.1.1";

const { cluster } = loadCluster([{ path: "cluster.yaml", text: readFileSync(join(import.meta.dirname, "../../fixtures/scenarios/lab-nft-tiers/cluster.yaml"), "utf8") }]);
const pods = nftPodsOf(cluster, () => "node-a");

/** The pods of the fixture, their netns and the TCP ports a server listens on in each. */
const POD = {
  front: { id: "web/front", ip: "10.0.1.1", netns: `${NS}-front`, listen: [80, 443] },
  api: { id: "web/api", ip: "10.0.1.2", netns: `${NS}-api`, listen: [22, 8080] },
  probe: { id: "ops/probe", ip: "10.0.2.1", netns: `${NS}-probe`, listen: [] },
} as const;
type PodKey = keyof typeof POD;

const servers: ChildProcess[] = [];

function sh(netns: string, script: string): string {
  return inNetns(netns, ["sh", "-ec", script]);
}

/** Calico-style routed pods: /32 address, default route via a link-local gateway on the host veth. */
function wire(key: PodKey, i: number): void {
  const p = POD[key];
  netnsAdd(p.netns);
  sh(NODE, `ip link add kwt${i} type veth peer name eth0 netns ${p.netns}
ip addr add ${GATEWAY}/32 dev kwt${i}
ip link set kwt${i} up
ip route add ${p.ip}/32 dev kwt${i}`);
  sh(p.netns, `ip link set lo up
ip addr add ${p.ip}/32 dev eth0
ip link set eth0 up
ip route add ${GATEWAY} dev eth0
ip route add default via ${GATEWAY} dev eth0`);
}

/** A TCP server on every port of the pod (a connection that completes is an accept). */
function serve(key: PodKey): void {
  const p = POD[key];
  if (p.listen.length === 0) return;
  const code = `const net = require("node:net"); for (const port of ${JSON.stringify(p.listen)}) net.createServer((s) => { s.on("error", () => undefined); s.end("ok"); }).listen(port, "0.0.0.0");`;
  servers.push(spawn("nsenter", [`--net=/var/run/netns/${p.netns}`, "--", process.execPath, "-e", code], { stdio: "ignore" }));
}

/** A TCP connection from `src` to `dst:port`: completes, or times out (a dropped SYN; 2 s), or fails otherwise (refused, unreachable). */
function connect(src: PodKey, dst: PodKey, port: number): "connected" | "timeout" | "failed" {
  const r = spawnSync("nsenter", [`--net=/var/run/netns/${POD[src].netns}`, "--", "timeout", "2", "bash", "-c", `exec 3<>/dev/tcp/${POD[dst].ip}/${port}`], { stdio: "ignore" });
  return r.status === 0 ? "connected" : r.status === 124 ? "timeout" : "failed";
}

function waitListening(key: PodKey): void {
  const p = POD[key];
  for (const port of p.listen) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        inNetns(p.netns, ["timeout", "1", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`${p.id} does not listen on ${port}`);
      }
    }
  }
}

function teardown(): void {
  for (const s of servers.splice(0)) if (s.exitCode === null) s.kill("SIGKILL");
  netnsDel(NODE, ...Object.values(POD).map((p) => p.netns));
}

/** The engine's answer for the same connection. */
const analysis = fastAnalysis(cluster, buildTopology(cluster));
function predicted(src: PodKey, dst: PodKey, port: number): boolean {
  const index = new Map(analysis.topology.subjects.map((s, i) => [s.id, i]));
  return containsPort(analysis.explain(index.get(POD[src].id) ?? -1, index.get(POD[dst].id) ?? -1).ports, "TCP", port);
}

// The verdicts stated in the fixture's header (ClusterNetworkPolicySpec, network-policy-api v1alpha2).
const CASES: readonly [string, PodKey, PodKey, number, boolean][] = [
  ["Admin Deny: ops/probe -> web/api TCP/22 is dropped", "probe", "api", 22, false],
  ["Admin Pass -> NetworkPolicy deny: ops/probe -> web/api TCP/8080 is dropped", "probe", "api", 8080, false],
  ["NetworkPolicy allow: web/front -> web/api TCP/8080 connects", "front", "api", 8080, true],
  ["NetworkPolicy deny: web/front -> web/api TCP/22 is dropped", "front", "api", 22, false],
  ["Admin Pass -> Baseline deny: ops/probe -> web/front TCP/80 is dropped", "probe", "front", 80, false],
  ["Admin Accept: ops/probe -> web/front TCP/443 connects", "probe", "front", 443, true],
];

describe.skipIf(skip !== undefined)(`tiered policy in a real kernel${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  beforeAll(() => {
    teardown();
    netnsAdd(NODE);
    sh(NODE, "ip link set lo up\nsysctl -qw net.ipv4.ip_forward=1");
    (Object.keys(POD) as PodKey[]).forEach((k, i) => wire(k, i));
    for (const k of Object.keys(POD) as PodKey[]) serve(k);
    for (const k of Object.keys(POD) as PodKey[]) waitListening(k);
  });

  it("without the table every connection below completes (the drops are the table's)", () => {
    expect(CASES.map(([, src, dst, port]) => `${src}->${dst}:${port} ${connect(src, dst, port)}`)).toEqual(CASES.map(([, src, dst, port]) => `${src}->${dst}:${port} connected`));
  });

  it("loads the compiled table into the node netns with one nft -f", () => {
    const [table, ...more] = compilePolicyTables({ policies: cluster.networkPolicies, clusterPolicies: cluster.clusterPolicies, pods }, "node-a");
    if (table === undefined || more.length > 0) throw new Error("expected one table");
    inNetns(NODE, ["nft", "-f", "-"], replaceScript(table));
    const listed = inNetns(NODE, ["nft", "list", "table", "inet", "kwire"]);
    expect(listed).toMatch(/goto in-web-np-[0-9a-f]{8}/);
    expect(listed).toMatch(/ip saddr \. ip daddr @hairpin-tiered goto in-web-baseline-[0-9a-f]{8}/);
  });

  afterAll(async () => {
    const procs = [...servers];
    teardown();
    await Promise.all(procs.map((s) => (s.exitCode !== null || s.signalCode !== null ? undefined : new Promise((r) => s.once("exit", r)))));
    const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").filter((l) => l.startsWith(NS));
    expect(left, "netns left behind").toEqual([]);
    expect(procs.filter((s) => s.exitCode === null && s.signalCode === null).map((s) => s.pid), "servers left running").toEqual([]);
  });

  for (const [title, src, dst, port, want] of CASES) {
    it(title, () => {
      expect(predicted(src, dst, port), "engine").toBe(want);
      expect(connect(src, dst, port), "kernel").toBe(want ? "connected" : "timeout");
    });
  }
});
