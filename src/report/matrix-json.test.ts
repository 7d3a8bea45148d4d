/**
 * The streamed ConnectivityMatrix (`kwire matrix -o json`) is byte for byte the document
 * CONTRACT.md describes, as `JSON.stringify(matrixJson(m), null, 2)` prints it, on random
 * clusters at every level (empty connection lists included), whatever the chunking.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildTopology, computeMatrix, fastAnalysis, forEachConnection, type Level } from "../engine/index.js";
import { clusterArb } from "../engine/testing/arbitrary.js";
import { loadCluster } from "../parse/index.js";
import { matrixJson, writeMatrixJson } from "./matrix-json.js";

describe("writeMatrixJson", () => {
  it("equals JSON.stringify(matrixJson(m), null, 2) plus a newline", () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom<Level>("pod", "workload", "namespace"), fc.boolean(), ({ manifests }, level, includeSelf) => {
        const { cluster } = loadCluster([{ path: "gen.yaml", text: manifests.map((m) => JSON.stringify(m)).join("\n---\n") }]);
        const a = fastAnalysis(cluster, buildTopology(cluster));
        const opts = { level, includeSelf };
        const m = computeMatrix(a, opts);
        const chunks: string[] = [];
        writeMatrixJson({ level, analysis: a, endpoints: m.endpoints, forEachConnection: (visit) => forEachConnection(a, m.endpoints, opts, visit) }, (c) => void chunks.push(c));
        expect(chunks.join("")).toBe(JSON.stringify(matrixJson(m), null, 2) + "\n");
      }),
      { numRuns: 200 },
    );
  });
});
