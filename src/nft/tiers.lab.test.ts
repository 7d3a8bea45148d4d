/**
 * @module nft/tiers.lab.test
 * The tiered policy table in a real kernel (root + nft; skipped with the reason otherwise). A
 * throwaway node netns routes between three pod netns (web/front, web/api, ops/probe of
 * fixtures/scenarios/lab-nft-tiers/cluster.yaml, at their podIPs; test/nft/plane.ts); the compiled
 * `inet kwire` table is loaded into the node netns with one `nft -f`, so every pod-to-pod packet
 * crosses its forward hook. Real TCP connections then show an Admin Deny, a Pass handed to the
 * NetworkPolicy tier that denies, a Pass that falls to the Baseline deny, an Admin Accept, and a
 * NetworkPolicy allow — each also as the engine predicts it. Without the table every one of them
 * connects. Afterwards nothing is left: no netns of ours, no server process.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTopology, fastAnalysis } from "../engine/index.js";
import { containsPort } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { inNetns, labSkipReason } from "../lab/cni/testing/lab.js";
import { compilePolicyTables } from "./compile-policy.js";
import { replaceScript } from "./print.js";
import { nftPodsOf } from "./testing/differential.js";
import { Plane, type NetPod } from "../../test/nft/plane.js";

const skip = labSkipReason();
const { cluster } = loadCluster([{ path: "cluster.yaml", text: readFileSync(join(import.meta.dirname, "../../fixtures/scenarios/lab-nft-tiers/cluster.yaml"), "utf8") }]);
const pods = nftPodsOf(cluster, () => "node-a");

/** The fixture's pods and the TCP ports a server listens on in each. */
const POD = {
  front: { id: "web/front", ip: "10.0.1.1", node: "node-a", tcp: [80, 443], udp: [] },
  api: { id: "web/api", ip: "10.0.1.2", node: "node-a", tcp: [22, 8080], udp: [] },
  probe: { id: "ops/probe", ip: "10.0.2.1", node: "node-a", tcp: [], udp: [] },
} as const satisfies Record<string, NetPod>;
type PodKey = keyof typeof POD;
const plane = new Plane(`kw-t-nt${process.pid}`);

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
  beforeAll(async () => {
    plane.up(["node-a"], Object.values(POD));
    await plane.ready(Object.values(POD));
  });

  afterAll(async () => {
    const { running } = await plane.teardown();
    expect(running, "servers left running").toEqual([]);
  });

  it("without the table every connection below completes (the drops are the table's)", async () => {
    const got = await Promise.all(CASES.map(async ([, src, dst, port]) => `${src}->${dst}:${port} ${await plane.probe(POD[src].id, POD[dst], "TCP", port)}`));
    expect(got).toEqual(CASES.map(([, src, dst, port]) => `${src}->${dst}:${port} connected`));
  });

  it("loads the compiled table into the node netns with one nft -f", () => {
    const [table, ...more] = compilePolicyTables({ policies: cluster.networkPolicies, clusterPolicies: cluster.clusterPolicies, pods }, "node-a");
    if (table === undefined || more.length > 0) throw new Error("expected one table");
    plane.load("node-a", replaceScript(table));
    const listed = inNetns(plane.nodeNetns.get("node-a") ?? "", ["nft", "list", "table", "inet", "kwire"]);
    expect(listed).toMatch(/goto in-web-np-[0-9a-f]{8}/);
    expect(listed).toMatch(/ip saddr \. ip daddr @hairpin-tiered goto in-web-baseline-[0-9a-f]{8}/);
  });

  for (const [title, src, dst, port, want] of CASES) {
    it(title, async () => {
      expect(predicted(src, dst, port), "engine").toBe(want);
      expect(await plane.probe(POD[src].id, POD[dst], "TCP", port), "kernel").toBe(want ? "connected" : "timeout");
    });
  }
});
