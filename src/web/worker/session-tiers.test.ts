/**
 * The worker's engine side with tiered policies (AdminNetworkPolicy, NetworkPolicy,
 * BaselineAdminNetworkPolicy): the policy list in evaluation order with tiers and priorities,
 * a cluster policy's detail with rule actions, findings for unmodelled kinds, and what-if.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Session } from "./session.js";

const read = (p: string): { path: string; text: string } => ({ path: p, text: readFileSync(p, "utf8") });
const FILES = [read("fixtures/examples/anp/cluster.yaml"), read("fixtures/examples/anp/policies.yaml")];

describe("Session with policy tiers", () => {
  const s = new Session();
  const loaded = s.load(FILES);

  it("lists policies in evaluation order, each with its tier, kind and priority", () => {
    expect(loaded.policies.map((p) => [p.tier, p.kind, p.name])).toEqual([
      ["Admin", "AdminNetworkPolicy", "pass-example"],
      ...loaded.policies.filter((p) => p.tier === "NetworkPolicy").map((p) => ["NetworkPolicy", "NetworkPolicy", p.name]),
      ["Baseline", "BaselineAdminNetworkPolicy", "default"],
    ]);
    expect(loaded.policies[0]?.priority).toBe(10);
  });

  it("describes a cluster policy: its subject, and each rule's action and peers", () => {
    const d = s.policy("base", "AdminNetworkPolicy/pass-example");
    expect(d.tier).toBe("Admin");
    expect(d.rules.map((r) => [r.direction, r.action])).toEqual([["Ingress", "Pass"], ["Egress", "Deny"]]);
    expect(d.selected.every((w) => w.startsWith("network-policy-conformance-gryffindor/"))).toBe(true);
  });

  it("what-if: turning the egress Deny into Allow opens gryffindor → slytherin", () => {
    const edited = FILES.map((f) => (f.path.endsWith("policies.yaml") ? { ...f, text: f.text.replace('action: "Deny"', 'action: "Allow"') } : f));
    const w = s.whatIf(edited);
    expect(w.diff.added.some((c) => c.src.startsWith("network-policy-conformance-gryffindor/") && c.dst.startsWith("network-policy-conformance-slytherin/"))).toBe(true);
  });

  it("an unmodelled policy kind is a finding, not silence", () => {
    const r = new Session().load([...FILES, { path: "cnp.yaml", text: "apiVersion: crd.antrea.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: default}\nspec: {appliedTo: [{podSelector: {}}]}\n" }]);
    expect(r.findings.find((f) => f.code === "policy-kind-not-modelled")).toMatchObject({ severity: "error", file: "cnp.yaml", line: 1 });
  });
});
