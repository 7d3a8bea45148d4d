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
import { clusterArb } from "./testing/arbitrary.js";

describe("matrix summary ≡ counting the matrix", () => {
  it("allowed, denied and reachable-from-outside counts match the listed connections", () => {
    fc.assert(
      fc.property(
        clusterArb,
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
          const ext = m.endpoints.filter((e) => e.kind === "IPBlock").length;
          const inN = m.endpoints.length - ext;
          const selfPairs = includeSelf || level === "namespace" ? inN : 0;
          expect(s.endpoints).toBe(m.endpoints.length);
          expect(s.externalEndpoints).toBe(ext);
          expect(s.allowedPairs).toBe(m.connections.length);
          expect(s.allowedPairs + s.deniedPairs).toBe(inN * (inN - 1) + 2 * inN * ext + selfPairs);
          const reached = new Set(m.connections.filter((c) => m.endpoints[c.src]?.kind === "IPBlock").map((c) => c.dst));
          expect(s.reachableFromOutside).toBe(reached.size);
        },
      ),
      { numRuns: 400 },
    );
  });
});
