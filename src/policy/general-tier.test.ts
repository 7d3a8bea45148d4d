/**
 * The general fold against a naive per-packet walk written straight from Calico's tier text
 * (docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy): for one port, go
 * through the counted tiers in order; the first matching Allow/Deny decides; Log goes on; Pass
 * jumps to the next tier; at the end of a counted tier apply its default action; after the last
 * tier allow. Random tiers, random rules, every port of a small range.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containsPort, portsOf, unionPorts, EMPTY_PORTS, type PortSet, unknownSource } from "../model/index.js";
import { compareGeneralPolicies, compareGeneralTiers, foldGeneralTiers, type GeneralAction, type GeneralTierInput } from "./general-tier.js";
import { PORT_SET_OPS } from "./tiers.js";

interface Rule {
  readonly action: GeneralAction;
  readonly ranges: readonly (readonly [number, number])[];
}
interface Tier {
  readonly counted: boolean;
  readonly defaultAction: "Deny" | "Pass";
  readonly rules: readonly Rule[];
}

const MAX = 12;

function ports(r: Rule): PortSet {
  return r.ranges.reduce<PortSet>((s, [a, b]) => unionPorts(s, portsOf("TCP", Math.min(a, b), Math.max(a, b))), EMPTY_PORTS);
}

function naive(tiers: readonly Tier[], port: number): boolean {
  for (const t of tiers) {
    if (!t.counted) continue;
    let passed = false;
    for (const r of t.rules) {
      if (!r.ranges.some(([a, b]) => port >= Math.min(a, b) && port <= Math.max(a, b))) continue;
      if (r.action === "Log") continue;
      if (r.action === "Pass") {
        passed = true;
        break;
      }
      return r.action === "Allow";
    }
    if (!passed && t.defaultAction === "Deny") return false;
  }
  return true;
}

function inputs(tiers: readonly Tier[]): GeneralTierInput<PortSet>[] {
  return tiers.map((t, i) => ({
    tier: `t${i}`,
    defaultAction: t.defaultAction,
    selectedBy: t.counted ? ["p"] : [],
    matched: t.rules.map((r, index) => ({ origin: { kind: "k", policy: "p", tier: `t${i}`, order: undefined, action: r.action, direction: "Ingress", index, source: unknownSource }, ports: ports(r) })),
  }));
}

const rule: fc.Arbitrary<Rule> = fc.record({
  action: fc.constantFrom<GeneralAction>("Allow", "Deny", "Pass", "Log"),
  ranges: fc.array(fc.tuple(fc.integer({ min: 1, max: MAX }), fc.integer({ min: 1, max: MAX })), { minLength: 1, maxLength: 2 }),
});
const tier: fc.Arbitrary<Tier> = fc.record({ counted: fc.boolean(), defaultAction: fc.constantFrom<"Deny" | "Pass">("Deny", "Pass"), rules: fc.array(rule, { maxLength: 4 }) });

describe("foldGeneralTiers ≡ a per-port walk of the tiers", () => {
  it("agrees on every port for random tiers (Allow, Deny, Pass, Log; Deny/Pass defaults; uncounted tiers)", () => {
    fc.assert(
      fc.property(fc.array(tier, { maxLength: 4 }), (tiers) => {
        const fold = foldGeneralTiers(inputs(tiers), PORT_SET_OPS);
        for (let p = 1; p <= MAX + 1; p++) expect(containsPort(fold.allowed, "TCP", p)).toBe(naive(tiers, p));
      }),
      { numRuns: 500 },
    );
  });
});

describe("ordering helpers (felix policy_sorter.go)", () => {
  it("tiers: order ascending, no order last, ties by name", () => {
    const t = [{ name: "b", order: 5 }, { name: "z", order: undefined }, { name: "a", order: 5 }, { name: "c", order: 1 }, { name: "y", order: undefined }];
    expect([...t].sort(compareGeneralTiers).map((x) => x.name)).toEqual(["c", "a", "b", "y", "z"]);
  });

  it("policies: order ascending, none = +Inf (equal to itself, then by name)", () => {
    const o = (sortName: string, order: number | undefined) => ({ kind: "k", policy: sortName, namespace: undefined, sortName, tier: "t", order, source: unknownSource });
    const list = [o("d", undefined), o("c", 2), o("b", undefined), o("a", 2), o("e", -1)];
    expect([...list].sort(compareGeneralPolicies).map((x) => x.sortName)).toEqual(["e", "a", "c", "b", "d"]);
  });
});
