/**
 * `runLint` on a generated ~2k-pod cluster (bench/generate.ts) runs to the end and reports what
 * the generator plants: per-workload ingress rules from pods whose namespace-wide default-deny
 * egress (DNS only) never lets them out, rules covered by another in the same namespace, and —
 * since every policy selects its own workload's pods — no policy selecting nothing. No timing
 * assertion: bench/lint.ts measures.
 */
import { describe, expect, it } from "vitest";
import { generateCluster } from "../../bench/generate.js";
import { runLint } from "../../src/lint/index.js";
import { loadCluster } from "../../src/parse/index.js";

describe("lint at scale", () => {
  it("a 2k-pod / 200-policy generated cluster", () => {
    const g = generateCluster({ pods: 2000, policies: 200 });
    const { cluster } = loadCluster([{ path: "synthetic.yaml", text: g.text }]);
    const findings = runLint(cluster);
    const count = (code: string): number => findings.filter((f) => f.code === code).length;
    expect(count("policy-selects-no-pods")).toBe(0);
    expect(count("ingress-without-egress")).toBeGreaterThan(0);
    expect(count("policy-rule-shadowed")).toBeGreaterThan(0);
    expect(count("dns-egress-blocked")).toBe(0);
    const dead = findings.find((f) => f.code === "ingress-without-egress");
    expect(dead?.message).toMatch(/^ingress\[\d\] admits .+, but (its|their) egress is isolated/);
    expect(dead?.source.file).toBe("synthetic.yaml");
  });
});
