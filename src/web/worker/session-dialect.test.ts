/**
 * The worker's engine side under Calico and Cilium: the policy list is the CNI's ordered tiers
 * (Calico tiers by order — docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy —
 * and Cilium's deny-then-allow, docs.cilium.io security/policy/deny), a policy's detail gives each
 * rule's action and the workloads it matches, and the findings list carries the dialect lint checks.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Session } from "./session.js";

const read = (p: string): { path: string; text: string } => ({ path: p, text: readFileSync(p, "utf8") });

describe("Session with Calico tiers", () => {
  const s = new Session();
  const loaded = s.load([read("fixtures/scenarios/lint-dialect/calico.yaml")]);

  it("lists the tiers by order (security 100 before default 1,000,000), policies by order inside each", () => {
    expect(loaded.policies.map((p) => [p.tier, p.kind, `${p.namespace ? `${p.namespace}/` : ""}${p.name}`, p.order])).toEqual([
      ["security", "GlobalNetworkPolicy (Calico)", "security.db-lockdown", 10],
      ["default", "NetworkPolicy (Calico)", "shop/api-allow-web", 10],
      ["default", "NetworkPolicy (Calico)", "shop/api-deny-web", 20],
      ["default", "NetworkPolicy (Calico)", "shop/db-from-web", 100],
      ["default", "NetworkPolicy (Calico)", "shop/typo", undefined],
    ]);
    expect(loaded.policies[0]?.tierLabel).toBe("tier security · order 100 · default Deny");
    expect(loaded.policies[1]?.tierLabel).toBe("tier default · order 1000000 · default Deny");
  });

  it("a policy's detail: selector, selected workloads, each rule's action, peer text and matched workloads", () => {
    const id = loaded.policies.find((p) => p.name === "api-allow-web")?.id ?? "";
    const d = s.policy("base", id);
    expect(d.selector).toBe("selector app == 'api', in namespace shop");
    expect(d.selected).toEqual(["shop/api[Pod]"]);
    expect(d.rules.map((r) => [r.direction, r.index, r.action, r.peers === "all" ? "all" : r.peers.map((p) => [p.text, p.matches])])).toEqual([
      ["Ingress", 0, "Allow", [["source: selector app == 'web'", ["shop/web[Pod]"]]]],
      ["Ingress", 1, "Allow", [["source: selector app == 'webb'", []]]],
    ]);
    expect(() => s.policy("base", "nope")).toThrow(/no policy nope/);
  });

  it("the findings list (the lint worker) shows the Calico checks", () => {
    const codes = s.lint([read("fixtures/scenarios/lint-dialect/calico.yaml")]).findings.map((f) => f.code);
    expect(codes).toEqual(["calico-tier-unreachable", "calico-selector-no-match", "dialect-rule-shadowed", "calico-selector-no-match"]);
  });
});

describe("Session with Cilium tiers", () => {
  const s = new Session();
  const loaded = s.load([read("fixtures/scenarios/lint-dialect/cilium.yaml")]);

  it("lists cilium-deny (deny rules win) before cilium-allow", () => {
    expect(loaded.policies.map((p) => [p.tier, p.kind, p.name])).toEqual([
      ["cilium-deny", "CiliumNetworkPolicy", "web-egress"],
      // The agent's allow-localhost (the local host reaches every local endpoint), shown as what it is.
      ["cilium-allow", "CiliumAgent", "allow-localhost"],
      ["cilium-allow", "CiliumNetworkPolicy", "api-l4"],
      ["cilium-allow", "CiliumNetworkPolicy", "api-l7"],
      ["cilium-allow", "CiliumNetworkPolicy", "web-egress"],
    ]);
    expect(new Set(loaded.policies.map((p) => p.id)).size).toBe(5);
  });

  it("rules show deny names, L7 parts and the uncertainty kwire reports", () => {
    const deny = s.policy("base", loaded.policies[0]?.id ?? "");
    expect(deny.rules.map((r) => [r.direction, r.action, r.name, r.peers === "all" ? [] : r.peers.map((p) => p.matches)])).toEqual([["Egress", "Deny", "egressDeny[0]", [["shop/db[Pod]"]]]]);
    const l7 = s.policy("base", loaded.policies[3]?.id ?? "");
    expect(l7.rules[0]?.ports).toMatch(/^TCP 8080 \+ L7 /);
    // The L4 verdict stands (docs.cilium.io L7 policy): a note, not an uncertainty.
    expect(l7.rules[0]?.note).toMatch(/L7 http rules not modelled/);
    expect(l7.rules[0]?.unmodelled).toBeUndefined();
  });

  it("the findings list shows the Cilium checks", () => {
    const codes = s.lint([read("fixtures/scenarios/lint-dialect/cilium.yaml")]).findings.map((f) => f.code);
    expect(codes).toEqual(["dialect-rule-shadowed", "cilium-l7-ineffective"]);
  });
});
