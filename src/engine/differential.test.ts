/**
 * Two engines, one answer: on random clusters the fast engine must give the reference engine's
 * verdicts, ports and deciding rules for every pair, and the same matrices at every level.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCluster } from "../parse/index.js";
import { matrixJson } from "../report/index.js";
import { buildClasses } from "./classes.js";
import { buildTopology, computeMatrix, computeSummary, fastAnalysis, FastEngine, referenceAnalysis, type Level } from "./index.js";
import { clusterArb, tieredClusterArb, type GeneratedCluster } from "./testing/arbitrary.js";

function load(manifests: unknown[]) {
  const text = manifests.map((m) => JSON.stringify(m)).join("\n---\n");
  return loadCluster([{ path: "gen.yaml", text }]);
}

/** The fast engine of generated manifests (undefined when the cluster needs the general engine). */
function fastEngineOf(manifests: unknown[]): { topo: ReturnType<typeof buildTopology>; fast: FastEngine } | undefined {
  const { cluster } = load(manifests);
  const topo = buildTopology(cluster);
  const fast = fastAnalysis(cluster, topo);
  return fast instanceof FastEngine ? { topo, fast } : undefined;
}

const ARBS: readonly (readonly [string, fc.Arbitrary<GeneratedCluster>, number])[] = [
  ["random clusters", clusterArb, 1],
  ["tiers-heavy clusters (many ANPs with Allow/Deny/Pass, CNPs, a BANP)", tieredClusterArb, 0.5],
];

describe.each(ARBS)("fast engine ≡ reference engine (property, fast-check): %s", (_, arb, share) => {
  it("same explanation (ports, isolating policies, allowing rules) for every pair of nodes", () => {
    fc.assert(
      fc.property(arb, ({ manifests }) => {
        const { cluster, diagnostics } = load(manifests);
        expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const topo = buildTopology(cluster);
        const fast = fastAnalysis(cluster, topo);
        const ref = referenceAnalysis(cluster, topo);
        for (let a = 0; a < ref.nodeCount; a++) {
          for (let b = 0; b < ref.nodeCount; b++) {
            if (a >= topo.subjects.length && b >= topo.subjects.length) continue;
            expect(fast.explain(a, b), `pair ${a}→${b}`).toEqual(ref.explain(a, b));
          }
        }
      }),
      { numRuns: Math.round(300 * share) },
    );
  });

  it("same matrix JSON and summary at every level, with and without self pairs", () => {
    fc.assert(
      fc.property(arb, fc.constantFrom<Level>("pod", "workload", "namespace"), fc.boolean(), ({ manifests }, level, includeSelf) => {
        const { cluster } = load(manifests);
        const topo = buildTopology(cluster);
        const fast = fastAnalysis(cluster, topo);
        const ref = referenceAnalysis(cluster, topo);
        const opts = { level, includeSelf };
        expect(JSON.stringify(matrixJson(computeMatrix(fast, opts)))).toBe(JSON.stringify(matrixJson(computeMatrix(ref, opts))));
        const fs = computeSummary(fast, opts, cluster.networkPolicies.length);
        const rs = computeSummary(ref, opts, cluster.networkPolicies.length);
        expect({ ...fs, engine: "", classes: 0 }).toEqual({ ...rs, engine: "", classes: 0 });
      }),
      { numRuns: Math.round(300 * share) },
    );
  });

  it("a row's ingress part from a pod's identity (ingressFrom, incremental.ts) is its class's row", () => {
    fc.assert(
      fc.property(arb, ({ manifests }) => {
        const engine = fastEngineOf(manifests);
        if (!engine) return;
        const { topo, fast } = engine;
        for (const info of buildClasses(topo).infos) {
          if (!info.subject) continue;
          const c = fast.classOf[info.representative] as number;
          const byClass = [...fast.profiledRow(c).ingress];
          expect([...fast.ingressFrom(fast.ruleMembership(info.subject))], `class ${c}`).toEqual(byClass);
        }
      }),
      { numRuns: Math.round(200 * share) },
    );
  });

  it("a relabelled class's pod: its class's rule membership but for the rules that see the change (rulesSeeing) is what matching every rule gives", () => {
    fc.assert(
      fc.property(arb, ({ manifests }) => {
        const engine = fastEngineOf(manifests);
        if (!engine) return;
        const { topo, fast } = engine;
        const subjects = buildClasses(topo).infos.flatMap((info) => (info.subject ? [{ a: info.subject, c: fast.classOf[info.representative] as number }] : []));
        subjects.forEach(({ a, c }, i) => {
          // Another class's pod labels and namespace labels, in a's namespace (incremental.ts: a What-if relabel).
          const other = subjects[(i + 1) % subjects.length]?.a ?? a;
          for (const b of [{ ...a, labels: other.labels }, { ...a, namespaceLabels: other.namespaceLabels }, { ...a, labels: other.labels, namespaceLabels: other.namespaceLabels }]) {
            const pods = fast.rulesSeeing("pods", a.labels, b.labels);
            const ns = fast.rulesSeeing("namespaces", a.namespaceLabels, b.namespaceLabels);
            const like = fast.ruleMembership(b, { cls: c, recheck: pods.map((x, r) => x | (ns[r] as number)) });
            const full = fast.ruleMembership(b);
            expect([...fast.ingressFrom(like)], `class ${c}`).toEqual([...fast.ingressFrom(full)]);
            const column = (f: (k: number) => number): number[] => Array.from({ length: fast.classCount }, (_, k) => f(k));
            expect(column(fast.egressToward(c, like, fast.egressToward(c))), `class ${c}`).toEqual(column(fast.egressToward(c, full)));
          }
        });
      }),
      { numRuns: Math.round(200 * share) },
    );
  });
});
