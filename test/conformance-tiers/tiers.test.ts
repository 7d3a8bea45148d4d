/**
 * network-policy-api conformance (kubernetes-sigs/network-policy-api conformance/tests/*.go)
 * against kwire's two engines. One test per upstream `t.Run` block and engine: the step's
 * manifests (after the mutations of the earlier blocks, as upstream applies them to one
 * cluster) must load without errors and every probe must get upstream's verdict.
 * Each case names its Go test and manifest with the commit read; see harness.ts.
 */
import { describe, expect, it } from "vitest";
import { GRESS_CASES } from "./cases-gress.js";
import { PROTOCOL_RULE_CASES } from "./cases-protocol-rules.js";
import { SEMANTICS_CASES } from "./cases-semantics.js";
import { clusterRulesOf } from "../../src/model/index.js";
import { loadStep, stepManifest, stepProblems, type EngineName, type TierCase } from "./harness.js";

export const ALL_CASES: readonly TierCase[] = [...PROTOCOL_RULE_CASES, ...GRESS_CASES, ...SEMANTICS_CASES];

for (const engine of ["fast", "reference"] as const satisfies readonly EngineName[]) {
  describe(`network-policy-api conformance, ${engine} engine`, () => {
    for (const c of ALL_CASES) {
      describe(`${c.name} [${c.test}; manifest ${c.manifest}]`, () => {
        c.steps.forEach((step, i) => {
          it(`${i + 1}. ${step.title}`, () => {
            const problems = stepProblems(c, i, engine);
            if (problems.length > 0) expect.fail(`\n${problems.join("\n")}`);
          });
        });
      });
    }
  });
}

describe("the suite itself", () => {
  it("has a probe in every step and a unique title per case", () => {
    const names = ALL_CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of ALL_CASES) for (const s of c.steps) expect(s.probes.length, `${c.name}: ${s.title}`).toBeGreaterThan(0);
  });

  // Upstream's named-port probes also pass if the rule keeps its number (UDP/53): check that the
  // mutated rule is the named one kwire evaluates, so the named-port case cannot pass vacuously.
  it("evaluates the named-port case with rule 5 as `destinationNamedPort: dns`", () => {
    const c = ALL_CASES.find((x) => x.name.startsWith("CNPAdminTierIngressNamedPort"));
    if (!c) throw new Error("no named-port case");
    const policy = loadStep(stepManifest(c, 0)).cluster.clusterPolicies.find((x) => x.name === "ingress-udp");
    if (!policy) throw new Error("ingress-udp did not load");
    const rule = clusterRulesOf(policy, "Ingress")[5];
    expect(rule?.name).toBe("allow-from-gryffindor-at-port-53");
    expect(rule?.rule.ports).not.toBe("All");
    const ports = rule?.rule.ports === "All" ? [] : (rule?.rule.ports ?? []);
    expect(ports.map((x) => x.port)).toEqual([
      { type: "Named", name: "dns" },
      { type: "Named", name: "dns" },
      { type: "Named", name: "dns" },
    ]);
  });
});
