/**
 * Calico and Cilium on the general tiers: the fast engine (classes, prepared tiers, cached rows)
 * must give the reference engine's verdicts, ports and deciding rules for every pair, on random
 * clusters with Calico tiers/policies/NetworkSets or Cilium CNP/CCNP (allow, deny, entities,
 * CIDRs, default-deny switches) mixed with NetworkPolicies and ANP/BANP.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeCluster } from "../analyze/index.js";
import { loadCluster } from "../parse/index.js";
import { matrixJson } from "../report/index.js";
import { buildTopology, computeMatrix, fastAnalysis, referenceAnalysis } from "./index.js";
import { generalTiersOf } from "../policy/index.js";
import { generalReferenceAnalysis } from "./general.js";
import { clusterArb } from "./testing/arbitrary.js";
import { calicoClusterArb, ciliumClusterArb } from "./testing/dialect-arbitrary.js";

function analyzed(manifests: unknown[], cni: "calico" | "cilium") {
  const text = manifests.map((m) => JSON.stringify(m)).join("\n---\n");
  const load = loadCluster([{ path: "gen.yaml", text }]);
  const a = analyzeCluster(load, { cni });
  if ("error" in a) throw new Error(a.error);
  return { a, load };
}

for (const [name, arb, cni] of [
  ["Calico", calicoClusterArb, "calico"],
  ["Cilium", ciliumClusterArb, "cilium"],
] as const) {
  describe(`${name}: fast engine ≡ reference engine (property, fast-check)`, () => {
    it("the input decodes and the dialect's tiers are enforced", () => {
      fc.assert(
        fc.property(arb, ({ manifests }) => {
          const { a, load } = analyzed(manifests, cni);
          expect(load.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
          // With none of the dialect's objects (and, under Cilium, no ipBlock) the Kubernetes tiers give the same answers.
          const own = cni === "calico" ? load.cluster.calico !== undefined : load.cluster.ciliumPolicies !== undefined;
          if (own) expect(a.cluster.policyDialect).toBe(cni);
        }),
        { numRuns: 100 },
      );
    });

    it("same explanation for every pair of nodes", () => {
      fc.assert(
        fc.property(arb, ({ manifests }) => {
          const { a } = analyzed(manifests, cni);
          const topo = a.analysis.topology;
          const fast = fastAnalysis(a.cluster, topo);
          const ref = referenceAnalysis(a.cluster, topo);
          for (let x = 0; x < ref.nodeCount; x++) {
            for (let y = 0; y < ref.nodeCount; y++) {
              if (x >= topo.subjects.length && y >= topo.subjects.length) continue;
              expect(fast.explain(x, y), `pair ${x}→${y}`).toEqual(ref.explain(x, y));
            }
          }
        }),
        { numRuns: 200 },
      );
    });

    it("same matrix JSON at the pod level", () => {
      fc.assert(
        fc.property(arb, ({ manifests }) => {
          const { a } = analyzed(manifests, cni);
          const topo = a.analysis.topology;
          const opts = { level: "pod" as const, includeSelf: false };
          expect(JSON.stringify(matrixJson(computeMatrix(fastAnalysis(a.cluster, topo), opts)))).toBe(JSON.stringify(matrixJson(computeMatrix(referenceAnalysis(a.cluster, topo), opts))));
        }),
        { numRuns: 100 },
      );
    });
  });
}

/**
 * Found by the property above (seed 1122302306): Calico's `ipVersion` (felix/rules/policy.go:
 * "Skipping rule because it is for a different IP version") lets a rule match only connections of
 * that family, i.e. a family both ends have. An IPv4-only pod's `ipVersion: 4` Allow-all does not
 * reach IPv6 addresses (its node's IPv6 address included): the fast engine grouped peers by the
 * first address's family and allowed them.
 */
describe("Calico ipVersion in the fast engine: the families both ends have", () => {
  const manifests = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "z" } },
    { apiVersion: "v1", kind: "Pod", metadata: { name: "p0", namespace: "z" }, spec: { containers: [{ name: "c", image: "i" }], nodeName: "n1" }, status: { podIP: "10.0.0.1" } },
    { apiVersion: "v1", kind: "Pod", metadata: { name: "p1", namespace: "z" }, spec: { containers: [{ name: "c", image: "i" }], nodeName: "n1" }, status: {} },
    { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, status: { addresses: [{ type: "InternalIP", address: "172.16.0.3" }, { type: "InternalIP", address: "fd00:172:16::3" }] } },
    { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name: "v4-only", namespace: "z" }, spec: { selector: "", egress: [{ action: "Allow", ipVersion: 4, destination: {} }] } },
  ];
  it("IPv4 destinations allowed, IPv6 ones denied, in both engines", () => {
    const { a } = analyzed(manifests, "calico");
    const topo = a.analysis.topology;
    const opts = { level: "pod" as const, includeSelf: false };
    const fast = matrixJson(computeMatrix(fastAnalysis(a.cluster, topo), opts));
    expect(JSON.stringify(fast)).toBe(JSON.stringify(matrixJson(computeMatrix(referenceAnalysis(a.cluster, topo), opts))));
    const from = fast.connections.filter((c) => c.src === "z/p0").map((c) => c.dst);
    expect(from).toContain("ipblock:172.16.0.3/32");
    expect(from).not.toContain("ipblock:fd00:172:16::3/128");
  });
});

describe("the Kubernetes tiers are general tiers (one model)", () => {
  it("kubernetesTiers folded by foldGeneralTiers gives tiers.ts's verdicts for every pair (ANP/BANP/CNP + NetworkPolicy)", () => {
    fc.assert(
      fc.property(clusterArb, ({ manifests }) => {
        const text = manifests.map((m) => JSON.stringify(m)).join("\n---\n");
        const { cluster } = loadCluster([{ path: "gen.yaml", text }]);
        const topo = buildTopology(cluster);
        const ref = referenceAnalysis(cluster, topo);
        const general = generalReferenceAnalysis(topo, generalTiersOf(cluster));
        for (let x = 0; x < ref.nodeCount; x++) {
          for (let y = 0; y < ref.nodeCount; y++) {
            if (x >= topo.subjects.length && y >= topo.subjects.length) continue;
            expect(general.explain(x, y).ports, `pair ${x}→${y}`).toEqual(ref.explain(x, y).ports);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
