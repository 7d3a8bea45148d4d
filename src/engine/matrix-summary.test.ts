/**
 * The summary counts what the matrix lists (CONTRACT.md: "-o summary prints counts only … it must
 * compute the full matrix without printing it"): on random clusters, at every level, with and
 * without self pairs and a namespace filter, for both engines (the reference has one class per
 * node, so every endpoint with several members takes the multi-class path).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCluster } from "../parse/index.js";
import { buildTopology, computeMatrix, computeSummary, fastAnalysis, referenceAnalysis, type Level } from "./index.js";
import { clusterArb, tieredClusterArb } from "./testing/arbitrary.js";

describe("matrix summary ≡ counting the matrix", () => {
  it.each([
    ["random clusters", clusterArb, 400],
    ["tiers-heavy clusters", tieredClusterArb, 200],
  ] as const)("allowed, denied and reachable-from-outside counts match the listed connections (%s)", (_, arb, numRuns) => {
    fc.assert(
      fc.property(
        arb,
        fc.constantFrom<Level>("pod", "workload", "namespace"),
        fc.boolean(),
        fc.constantFrom(undefined, ["x"], ["x", "z"]),
        fc.boolean(),
        ({ manifests }, level, includeSelf, namespaces, reference) => {
          const { cluster } = loadCluster([{ path: "gen.yaml", text: manifests.map((m) => JSON.stringify(m)).join("\n---\n") }]);
          const topo = buildTopology(cluster);
          const a = reference ? referenceAnalysis(cluster, topo) : fastAnalysis(cluster, topo);
          const opts = { level, includeSelf, ...(namespaces ? { namespaces } : {}) };
          const m = computeMatrix(a, opts);
          const s = computeSummary(a, opts, cluster.networkPolicies.length);
          // -n: the matrix lists the connections with at least one end in the namespaces (and the
          // endpoints they touch); the summary counts those pairs and the endpoints in the namespaces.
          const all = computeMatrix(a, { level, includeSelf });
          const ext = all.endpoints.filter((e) => e.kind === "IPBlock").length;
          const nsOf = (e: (typeof all.endpoints)[number]): string | undefined => (e.kind === "Namespace" ? e.name : e.namespace);
          const inNs = (e: (typeof all.endpoints)[number]): boolean => e.kind !== "IPBlock" && (!namespaces || (namespaces as readonly string[]).includes(nsOf(e) ?? ""));
          const pairs = (n: number): number => n * (n - 1) + 2 * n * ext + (includeSelf || level === "namespace" ? n : 0);
          const inN = all.endpoints.filter((e) => e.kind !== "IPBlock").length;
          const outN = inN - all.endpoints.filter(inNs).length;
          expect(s.endpoints).toBe(all.endpoints.filter(inNs).length + ext);
          expect(s.externalEndpoints).toBe(ext);
          expect(s.allowedPairs).toBe(m.connections.length);
          expect(s.allowedPairs + s.deniedPairs).toBe(pairs(inN) - (namespaces ? pairs(outN) : 0));
          const reached = new Set(m.connections.filter((c) => m.endpoints[c.src]?.kind === "IPBlock").map((c) => c.dst));
          expect(s.reachableFromOutside).toBe(reached.size);
        },
      ),
      { numRuns },
    );
  });
});
