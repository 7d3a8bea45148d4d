/**
 * EgressReach is the egress half of the fast engine's verdict, compiled again for bulk
 * questions: on random clusters it must give `explain(src, dst).egress` (isolation and ports)
 * for every pair of subject classes, and `reaches` must agree with those ports.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadCluster } from "../parse/index.js";
import { intersectPorts, isEmptyPorts } from "../model/index.js";
import { buildTopology, ClassIndex, EgressReach, fastAnalysis } from "./index.js";
import { clusterArb } from "./testing/arbitrary.js";

describe("EgressReach ≡ explain(…).egress (property, fast-check)", () => {
  it("same isolation and egress ports for every pair of subject classes; reaches agrees", () => {
    fc.assert(
      fc.property(clusterArb, ({ manifests }) => {
        const { cluster } = loadCluster([{ path: "gen.yaml", text: manifests.map((m) => JSON.stringify(m)).join("\n---\n") }]);
        const topo = buildTopology(cluster);
        const an = fastAnalysis(cluster, topo);
        const index = new ClassIndex(topo, an);
        const er = new EgressReach(cluster, index);
        for (let a = 0; a < index.classCount; a++) {
          const src = index.subject(a);
          if (!src || src.hostNetwork) continue;
          const i = index.info(a).representative;
          expect(er.profileOf[a] !== -1, `isolation of class ${a}`).toBe(an.isolated(i, "Egress"));
          if (er.profileOf[a] === -1) continue;
          for (let b = 0; b < index.classCount; b++) {
            const j = index.info(b).representative;
            const want = an.explain(i, j).egress.ports;
            expect(er.ports.get(er.egressPorts(a, b)), `egress ${a}→${b}`).toEqual(want);
            const need = er.ports.intern(intersectPorts(want, want));
            expect(er.reaches(er.profileOf[a] as number, b, need)).toBe(!isEmptyPorts(want));
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
