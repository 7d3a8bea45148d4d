/**
 * @module nft/compile-tiers.test
 * The policy tiers in nftables (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * ClusterNetworkPolicy around NetworkPolicy), checked against the engine packet by packet:
 *  - the network-policy-api conformance cases (test/conformance-tiers, upstream
 *    kubernetes-sigs/network-policy-api conformance/tests/*.go, each case names its Go file and
 *    commit): every upstream probe gets upstream's verdict from the tables, and every pair of the
 *    topology agrees with the engine on the probed ports, in one table per node and in shards;
 *  - random clusters (src/engine/testing/arbitrary.ts: NetworkPolicy, ANP, BANP, CNP mixed);
 *  - a golden tiered ruleset and a few traced packets that show Deny, Pass → goto and hairpin.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Cluster } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { clusterArb } from "../engine/testing/arbitrary.js";
import { GRESS_CASES } from "../../test/conformance-tiers/cases-gress.js";
import { PROTOCOL_RULE_CASES } from "../../test/conformance-tiers/cases-protocol-rules.js";
import { SEMANTICS_CASES } from "../../test/conformance-tiers/cases-semantics.js";
import { loadStep, stepManifest, type TierCase } from "../../test/conformance-tiers/harness.js";
import { PODS, podId } from "../../test/conformance-tiers/topology.js";
import { printTable } from "./print.js";
import { traceForward, type Packet } from "./tracer.js";
import { admitted, disagreements, L4, nftPodsOf, nodeTables, type Probe } from "./testing/differential.js";
import type { NftPod } from "./rule-matches.js";

/** Replica 0 of each house on node-a, replica 1 on node-b: same-node and cross-node pairs in every case. */
const conformancePods = (cluster: Cluster): NftPod[] => nftPodsOf(cluster, (id) => (id.endsWith("-0") ? "node-a" : "node-b"));

const ALL_CASES: readonly TierCase[] = [...PROTOCOL_RULE_CASES, ...GRESS_CASES, ...SEMANTICS_CASES];

const ipOf = (name: (typeof PODS)[number]["name"]): string => PODS.find((p) => p.name === name)?.ip ?? "";

describe("network-policy-api conformance through the compiled tables", () => {
  for (const c of ALL_CASES) {
    describe(`${c.name} [${c.test}]`, () => {
      c.steps.forEach((step, i) => {
        const { cluster } = loadStep(stepManifest(c, i));
        const pods = conformancePods(cluster);
        const probes: Probe[] = [...new Map(step.probes.map((x) => [`${x.protocol}/${x.port}`, { protocol: x.protocol, port: x.port }])).values()];

        it(`${i + 1}. ${step.title}: upstream's verdict for every probe`, () => {
          const tables = nodeTables(cluster, pods);
          const node = (name: string): string => (name.endsWith("-0") ? "node-a" : "node-b");
          const wrong = step.probes.flatMap((x) => {
            const got = admitted(tables, node(x.from), node(x.to), { saddr: ipOf(x.from), daddr: ipOf(x.to), protocol: L4[x.protocol], dport: x.port });
            return got === x.allowed ? [] : [`${podId(x.from)} -> ${podId(x.to)} ${x.protocol}/${x.port}: upstream ${x.allowed}, nft ${got}`];
          });
          expect(wrong).toEqual([]);
        });

        it(`${i + 1}. ${step.title}: every pair agrees with the engine (hairpin included)`, () => {
          expect(disagreements(cluster, pods, probes, nodeTables(cluster, pods), { hairpin: true })).toEqual([]);
        });

        it(`${i + 1}. ${step.title}: the same in 3 namespace shards on one node`, () => {
          const one = pods.map((p) => ({ ...p, node: "node-all" }));
          expect(disagreements(cluster, one, probes, nodeTables(cluster, one, 3), { hairpin: true })).toEqual([]);
        });
      });
    });
  }

  it("the differential can fail: without the cluster policies the tables disagree with the engine", () => {
    const c = ALL_CASES.find((x) => x.name.startsWith("CNPAdminTierHairpin"));
    if (!c) throw new Error("no hairpin case");
    const { cluster } = loadStep(stepManifest(c, 0));
    const pods = conformancePods(cluster);
    const blind = nodeTables({ ...cluster, clusterPolicies: [] }, pods);
    expect(disagreements(cluster, pods, [{ protocol: "TCP", port: 80 }], blind, { hairpin: true })).toContain(
      `${podId("harry-potter-0")} -> ${podId("harry-potter-0")} (hairpin) TCP/80: engine false, nft true`,
    );
  });
});

/**
 * Random clusters as IPv4 lab pods: every workload becomes its replicas as bare Pods, and every
 * pod gets a distinct IPv4 address (its generated one when it is IPv4 and unused, so the
 * generator's ipBlocks and `networks` still cut through pods), on two nodes alternately.
 */
const SPARE = ["10.0.0.3", "10.0.1.6", "192.168.1.11", "172.16.0.4", "10.0.0.4", "10.0.1.7", "192.168.1.12", "172.16.0.5", "10.0.0.5", "10.0.1.8", "10.0.2.1", "10.1.0.1", "10.0.0.6", "10.0.1.9"];

interface Manifest {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly labels?: unknown };
  readonly spec?: { readonly replicas?: number; readonly template?: { readonly metadata?: { readonly labels?: unknown }; readonly spec?: unknown } };
  readonly status?: { readonly podIP?: string };
}

function asIpv4Pods(manifests: readonly unknown[]): unknown[] {
  const used = new Set<string>();
  const spare = [...SPARE];
  const address = (want: string | undefined): string => {
    const ip = want !== undefined && !want.includes(":") && !used.has(want) ? want : spare.find((x) => !used.has(x));
    if (ip === undefined) throw new Error("out of spare addresses");
    used.add(ip);
    return ip;
  };
  return manifests.flatMap((raw): unknown[] => {
    const m = raw as Manifest;
    if (m.kind === "Pod") return [{ ...m, status: { podIP: address(m.status?.podIP) } }];
    if (m.kind !== "Deployment") return [raw];
    return Array.from({ length: m.spec?.replicas ?? 1 }, (_, r) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `${m.metadata?.name ?? "w"}-${r}`, namespace: m.metadata?.namespace, labels: m.spec?.template?.metadata?.labels ?? {} },
      spec: m.spec?.template?.spec,
      status: { podIP: address(undefined) },
    }));
  });
}

/** Every port the generator names (arbitrary.ts portArb, anpPortArb, cnpProtoArb, containerPortArb), and one it never names. */
const GENERATOR_PROBES: readonly Probe[] = [
  ...[50, 53, 80, 81, 85, 90, 5353, 8080, 9000].map((port) => ({ protocol: "TCP" as const, port })),
  ...[53, 80, 81, 90, 5353, 8080].map((port) => ({ protocol: "UDP" as const, port })),
  ...[53, 80, 90].map((port) => ({ protocol: "SCTP" as const, port })),
];

describe("random clusters: the compiled tables agree with the engine (property, fast-check)", () => {
  it("every pair and every generator port, hairpin included, on two nodes", () => {
    fc.assert(
      fc.property(clusterArb, ({ manifests }) => {
        const text = asIpv4Pods(manifests).map((m) => JSON.stringify(m)).join("\n---\n");
        const { cluster, diagnostics } = loadCluster([{ path: "gen.yaml", text }]);
        expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const pods = nftPodsOf(cluster, (_id, i) => (i % 2 === 0 ? "node-a" : "node-b"));
        expect(pods.every((p) => p.ips.some((ip) => ip.family === 4))).toBe(true);
        expect(disagreements(cluster, pods, GENERATOR_PROBES, nodeTables(cluster, pods), { hairpin: true })).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

/** fixtures/scenarios/lab-nft-tiers/cluster.yaml: its header lists the verdicts these tests check. */
const TIERED = readFileSync(join(import.meta.dirname, "../../fixtures/scenarios/lab-nft-tiers/cluster.yaml"), "utf8");

describe("a tiered cluster in nft", () => {
  const { cluster } = loadCluster([{ path: "cluster.yaml", text: TIERED }]);
  const pods = nftPodsOf(cluster, (id) => (id.startsWith("ops/") ? "node-b" : "node-a"));
  const tables = nodeTables(cluster, pods);
  const nodeA = tables.get("node-a")?.[0];
  if (nodeA === undefined) throw new Error("no table for node-a");
  const tcp = (saddr: string, daddr: string, dport: number): Packet => ({ saddr, daddr, protocol: "tcp", dport });

  it("renders the golden ruleset (fixtures/scenarios/lab-nft-tiers)", async () => {
    await expect(printTable(nodeA)).toMatchFileSnapshot("../../fixtures/scenarios/lab-nft-tiers/expected/node-a.nft");
  });

  it("Admin Deny: ops → web/api TCP/22 is dropped by ops-guard ingress[0]", () => {
    const r = traceForward(nodeA, tcp("10.0.2.1", "10.0.1.2", 22));
    expect(r.verdict).toBe("drop");
    expect(r.path.at(-1)).toMatch(/drop comment "ClusterNetworkPolicy\/ops-guard ingress\[0\] Deny/);
  });

  it("Admin Pass → NetworkPolicy: ops → web/api TCP/8080 (its named port http) goes to the NetworkPolicy tier, which drops it", () => {
    const r = traceForward(nodeA, tcp("10.0.2.1", "10.0.1.2", 8080));
    expect(r.verdict).toBe("drop");
    expect(r.path.some((l) => /goto in-web-/.test(l) && /ops-guard ingress\[1\] Pass/.test(l))).toBe(true);
    expect(r.path.at(-1)).toMatch(/drop comment "ingress isolated by web\/api-from-front"/);
  });

  it("Admin Pass → NetworkPolicy: web/front → web/api TCP/8080 is accepted by the NetworkPolicy", () => {
    expect(traceForward(nodeA, tcp("10.0.1.1", "10.0.1.2", 8080)).verdict).toBe("accept");
  });

  it("Admin Pass → (no NetworkPolicy) → Baseline: ops → web/front TCP/80 is dropped by the BANP", () => {
    const r = traceForward(nodeA, tcp("10.0.2.1", "10.0.1.1", 80));
    expect(r.verdict).toBe("drop");
    expect(r.path.at(-1)).toMatch(/BaselineAdminNetworkPolicy\/default ingress\[0\] Deny/);
  });

  it("Admin Accept: ops → web/front TCP/443 is accepted before the Baseline deny", () => {
    expect(traceForward(nodeA, tcp("10.0.2.1", "10.0.1.1", 443)).verdict).toBe("accept");
  });

  it("hairpin: web/api to itself skips its NetworkPolicy but not the Baseline deny", () => {
    const r = traceForward(nodeA, tcp("10.0.1.2", "10.0.1.2", 8080));
    expect(r.verdict).toBe("drop");
    expect(r.path.some((l) => /@hairpin-tiered goto in-web-baseline-/.test(l))).toBe(true);
  });

  it("agrees with the engine on every pair", () => {
    const probes: Probe[] = [22, 80, 443, 8080].map((port) => ({ protocol: "TCP", port }));
    expect(disagreements(cluster, pods, probes, tables, { hairpin: true })).toEqual([]);
  });
});
