/**
 * The outside world's partition (external.ts) against its definition: two addresses share a cell
 * exactly when every ipBlock (cidr minus except, networking.k8s.io/v1 IPBlock:
 * https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec)
 * contains both or neither. The oracle tests each ipBlock at each boundary point, the
 * points × blocks evaluation the sweep replaced.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ipSetContains, ipSetOfCidr, ipSetSubtract, maxValue, parseCidr, type IpSet, type NetworkPolicy } from "../model/index.js";
import { externalCells } from "./external.js";

const set = (cidr: string, except: readonly string[] = []): IpSet => {
  const parse = (t: string) => {
    const p = parseCidr(t);
    if (!p.ok) throw new Error(t);
    return p.cidr;
  };
  return except.reduce((s, e) => ipSetSubtract(s, ipSetOfCidr(parse(e))), ipSetOfCidr(parse(cidr)));
};

const policyWith = (sets: readonly IpSet[]): NetworkPolicy => ({
  kind: "NetworkPolicy", namespace: "x", name: "p", podSelector: { matchLabels: {}, matchExpressions: [] }, policyTypes: ["Ingress"], egress: [],
  ingress: [{ peers: sets.map((s) => ({ type: "IPBlock" as const, set: s, cidr: "", except: [] })), ports: "All", source: { file: "t", line: 1 } }],
  source: { file: "t", line: 1 },
} as unknown as NetworkPolicy);

/** Which blocks contain `v`: the signature of its cell. */
const signature = (sets: readonly IpSet[], v: bigint): string => sets.map((s, k) => (ipSetContains(s, 4, v) ? k : -1)).filter((k) => k >= 0).join(",");

function checkPartition(sets: readonly IpSet[]): void {
  const cells = externalCells([policyWith(sets)]).filter((c) => c.family === 4);
  // The cells tile the whole address space.
  const all = cells.flatMap((c) => c.intervals).sort((a, b) => (a.lo < b.lo ? -1 : 1));
  let next = 0n;
  for (const iv of all) {
    expect(iv.lo).toBe(next);
    next = iv.hi + 1n;
  }
  expect(next).toBe(maxValue(4) + 1n);
  // Within a cell every boundary point has the cell's signature; across cells signatures differ.
  const sigs = cells.map((c) => {
    const own = signature(sets, c.representative);
    for (const iv of c.intervals) {
      expect(signature(sets, iv.lo)).toBe(own);
      expect(signature(sets, iv.hi)).toBe(own);
    }
    return own;
  });
  expect(new Set(sigs).size).toBe(sigs.length);
}

describe("external cells: a sweep over sorted boundaries", () => {
  it("a /8 with a /16 except, twice in one /8: four cells (the issue 11 shape)", () => {
    const sets = [set("11.0.0.0/8", ["11.1.0.0/16"]), set("11.0.0.0/8", ["11.2.0.0/16"])];
    checkPartition(sets);
    const cells = externalCells([policyWith(sets)]).filter((c) => c.family === 4);
    // outside 11/8; 11/8 minus both /16s; 11.1/16 (only in the second); 11.2/16 (only in the first)
    expect(cells.map((c) => c.cidrs.join(" ")).sort()).toEqual([
      "0.0.0.0/5 8.0.0.0/7 10.0.0.0/8 12.0.0.0/6 16.0.0.0/4 32.0.0.0/3 64.0.0.0/2 128.0.0.0/1",
      "11.0.0.0/16 11.3.0.0/16 11.4.0.0/14 11.8.0.0/13 11.16.0.0/12 11.32.0.0/11 11.64.0.0/10 11.128.0.0/9",
      "11.1.0.0/16",
      "11.2.0.0/16",
    ].sort());
  });

  it("matches the pointwise definition on random ipBlocks", () => {
    const cidrArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(8, 16, 24)).map(([a, b, p]) => `${10 + a}.${b}.0.0/${p}`);
    const blockArb = fc.tuple(cidrArb, fc.array(cidrArb, { maxLength: 2 })).map(([cidr, excepts]) => {
      const c = parseCidr(cidr);
      // except must lie inside cidr (the API rejects the rest); keep the ones that do.
      const inside = excepts.filter((e) => {
        const x = parseCidr(e);
        return c.ok && x.ok && x.cidr.prefix > c.cidr.prefix && (x.cidr.base >> BigInt(32 - c.cidr.prefix)) === (c.cidr.base >> BigInt(32 - c.cidr.prefix));
      });
      return set(cidr, inside);
    });
    fc.assert(fc.property(fc.array(blockArb, { minLength: 1, maxLength: 8 }), (sets) => checkPartition(sets)), { numRuns: 200 });
  });

  it("10k distinct ipBlocks are partitioned without testing every block at every point", () => {
    const sets = Array.from({ length: 10_000 }, (_, i) => set(`${10 + (i % 200)}.0.0.0/8`, [`${10 + (i % 200)}.${Math.floor(i / 200)}.0.0/16`]));
    const cells = externalCells([policyWith(sets)]);
    // per /8: the rest of the /8, and each of its 50 excepted /16s; plus the rest of IPv4, and IPv6.
    expect(cells.filter((c) => c.family === 4).length).toBe(200 * 51 + 1);
    expect(cells.filter((c) => c.family === 6).map((c) => c.cidrs)).toEqual([["::/0"]]);
  });
});
