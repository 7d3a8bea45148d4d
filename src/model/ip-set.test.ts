import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCidr, parseCidr, type Cidr } from "./cidr.js";
import { ipSetContains, ipSetCovers, ipSetOfCidr, ipSetSubtract, ipSetToCidrs, normalizeIntervals, type IpSet } from "./ip-set.js";

function cidr(text: string): Cidr {
  const p = parseCidr(text);
  if (!p.ok) throw new Error(p.reason);
  return p.cidr;
}
const set = (text: string): IpSet => ipSetOfCidr(cidr(text));
const v4 = (lo: bigint, hi: bigint): IpSet => ({ family: 4, intervals: [{ lo, hi }] });

describe("ipSetSubtract: interval subtraction (ipBlock cidr minus except)", () => {
  it("a cut in the middle leaves two intervals", () => {
    expect(ipSetSubtract(v4(0n, 99n), v4(10n, 19n)).intervals).toEqual([{ lo: 0n, hi: 9n }, { lo: 20n, hi: 99n }]);
  });

  it("cuts at either edge leave one interval", () => {
    expect(ipSetSubtract(v4(0n, 99n), v4(0n, 9n)).intervals).toEqual([{ lo: 10n, hi: 99n }]);
    expect(ipSetSubtract(v4(0n, 99n), v4(90n, 200n)).intervals).toEqual([{ lo: 0n, hi: 89n }]);
  });

  it("a cut covering everything leaves nothing; a disjoint cut leaves everything", () => {
    expect(ipSetSubtract(v4(10n, 20n), v4(0n, 99n)).intervals).toEqual([]);
    expect(ipSetSubtract(v4(10n, 20n), v4(21n, 99n)).intervals).toEqual([{ lo: 10n, hi: 20n }]);
  });

  it("several cuts, in any order", () => {
    const cuts: IpSet = { family: 4, intervals: [{ lo: 60n, hi: 69n }, { lo: 10n, hi: 19n }] };
    expect(ipSetSubtract(v4(0n, 99n), cuts).intervals).toEqual([{ lo: 0n, hi: 9n }, { lo: 20n, hi: 59n }, { lo: 70n, hi: 99n }]);
  });

  it("the other address family is untouched", () => {
    expect(ipSetSubtract(set("10.0.0.0/8"), set("::/0"))).toEqual(set("10.0.0.0/8"));
  });

  it("10.0.0.0/8 except 10.1.0.0/16: contains 10.0.0.1 and 10.2.0.0, not 10.1.2.3", () => {
    const s = ipSetSubtract(set("10.0.0.0/8"), set("10.1.0.0/16"));
    expect(ipSetContains(s, 4, 0x0a000001n)).toBe(true);
    expect(ipSetContains(s, 4, 0x0a020000n)).toBe(true);
    expect(ipSetContains(s, 4, 0x0a010203n)).toBe(false);
    expect(ipSetContains(s, 6, 0x0a000001n)).toBe(false);
    expect(ipSetToCidrs(s).map(formatCidr)).toEqual([
      "10.0.0.0/16", "10.2.0.0/15", "10.4.0.0/14", "10.8.0.0/13", "10.16.0.0/12", "10.32.0.0/11", "10.64.0.0/10", "10.128.0.0/9",
    ]);
  });

  it("property: x ∈ a − b ⇔ x ∈ a ∧ x ∉ b", () => {
    const iv = fc.tuple(fc.bigInt({ min: 0n, max: 255n }), fc.bigInt({ min: 0n, max: 255n })).map(([p, q]) => (p <= q ? { lo: p, hi: q } : { lo: q, hi: p }));
    const ipset = fc.array(iv, { maxLength: 4 }).map((ivs): IpSet => ({ family: 4, intervals: normalizeIntervals(ivs) }));
    fc.assert(
      fc.property(ipset, ipset, fc.bigInt({ min: 0n, max: 255n }), (a, b, x) => {
        const d = ipSetSubtract(a, b);
        expect(ipSetContains(d, 4, x)).toBe(ipSetContains(a, 4, x) && !ipSetContains(b, 4, x));
      }),
      { numRuns: 500 },
    );
  });
});

describe("normalizeIntervals", () => {
  it("sorts, merges overlapping and merges adjacent (hi + 1 = lo) intervals", () => {
    expect(normalizeIntervals([{ lo: 20n, hi: 29n }, { lo: 0n, hi: 9n }, { lo: 10n, hi: 12n }, { lo: 25n, hi: 40n }, { lo: 50n, hi: 50n }])).toEqual([
      { lo: 0n, hi: 12n },
      { lo: 20n, hi: 40n },
      { lo: 50n, hi: 50n },
    ]);
  });

  it("a contained interval disappears into its container", () => {
    expect(normalizeIntervals([{ lo: 0n, hi: 100n }, { lo: 5n, hi: 6n }])).toEqual([{ lo: 0n, hi: 100n }]);
  });
});

describe("ipSetCovers and ipSetToCidrs", () => {
  it("covers only ranges lying inside one interval", () => {
    const s = ipSetSubtract(v4(0n, 99n), v4(50n, 50n));
    expect(ipSetCovers(s, 0n, 49n)).toBe(true);
    expect(ipSetCovers(s, 40n, 60n)).toBe(false);
  });

  it("prints a set as the minimal CIDRs of each merged interval", () => {
    const s: IpSet = { family: 4, intervals: [{ lo: 0x0a000000n, hi: 0x0a0000ffn }, { lo: 0x0a000100n, hi: 0x0a0001ffn }] };
    expect(ipSetToCidrs(s).map(formatCidr)).toEqual(["10.0.0.0/23"]);
    expect(ipSetToCidrs(set("fd00::/8")).map(formatCidr)).toEqual(["fd00::/8"]);
  });
});
