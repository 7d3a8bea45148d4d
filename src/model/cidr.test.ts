import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidrContainsIp, formatCidr, isStrictSubset, lastOf, maskOf, parseCidr, rangeToCidrs, type Cidr } from "./cidr.js";
import { parseIp } from "./ip.js";

function cidr(text: string): Cidr {
  const p = parseCidr(text);
  if (!p.ok) throw new Error(p.reason);
  return p.cidr;
}
const ip4 = (text: string): bigint => parseIp(text)?.value ?? -1n;

describe("parseCidr", () => {
  it("reads address/prefix for both families", () => {
    expect(parseCidr("10.0.0.0/8")).toEqual({ ok: true, cidr: { family: 4, base: 0x0a000000n, prefix: 8 }, hostBitsSet: false, prefixLeadingZeros: false, ipv4Mapped: false });
    expect(parseCidr("::/0")).toEqual({ ok: true, cidr: { family: 6, base: 0n, prefix: 0 }, hostBitsSet: false, prefixLeadingZeros: false, ipv4Mapped: false });
    expect(parseCidr("2001:db8::/32")).toMatchObject({ ok: true, cidr: { family: 6, prefix: 32 } });
  });

  it("host bits are cleared and flagged (\"10.1.2.3/8\" is the block 10.0.0.0/8, as Go's net.ParseCIDR)", () => {
    expect(parseCidr("10.1.2.3/8")).toEqual({ ok: true, cidr: { family: 4, base: 0x0a000000n, prefix: 8 }, hostBitsSet: true, prefixLeadingZeros: false, ipv4Mapped: false });
  });

  // k8s.io/apimachinery/pkg/api/validation/ip.go parseCIDR: netutils.ParseCIDRSloppy accepts
  // leading 0s in the prefix length (and reads them as decimal); only StrictIPCIDRValidation
  // (alpha, off by default since 1.33) rejects "must not have leading 0s in IP or prefix length".
  it("a prefix length with leading zeros is read as the API reads it (\"10.0.0.0/08\" is /8), and flagged", () => {
    expect(parseCidr("10.0.0.0/08")).toEqual({ ok: true, cidr: { family: 4, base: 0x0a000000n, prefix: 8 }, hostBitsSet: false, prefixLeadingZeros: true, ipv4Mapped: false });
  });

  it("an IPv4 octet with a leading zero is refused with the reason (decimal for the API, octal for libc)", () => {
    const p = parseCidr("010.0.0.0/8");
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(/"010\.0\.0\.0" has an octet with a leading 0: the API server reads it as decimal, but other software \(libc\) as octal/);
  });

  it("an IPv4-mapped IPv6 CIDR is flagged (\"must not have an IPv4-mapped IPv6 address\" under strict validation)", () => {
    expect(parseCidr("::ffff:10.0.0.0/104")).toMatchObject({ ok: true, ipv4Mapped: true, cidr: { family: 6, prefix: 104 } });
  });

  it.each([
    ["10.0.0.0", /needs a prefix length/],
    ["10.0.0.0/33", /prefix length 33 exceeds 32 for IPv4/],
    ["::/129", /prefix length 129 exceeds 128 for IPv6/],
    ["banana/8", /"banana" is not an IPv4 or IPv6 address/],
    ["10.0.0.0/", /prefix length "" is not a number/],
    ["10.0.0.0/-1", /prefix length "-1" is not a number/],
    ["10.0.0.0/8/8", /prefix length "8\/8" is not a number/],
  ])("rejects %j with a reason naming the value", (text, reason) => {
    const p = parseCidr(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(reason);
  });
});

describe("CIDR math", () => {
  it("maskOf and lastOf: /0 spans the family, /32 and /128 are one address", () => {
    expect(maskOf(4, 8)).toBe(0xff000000n);
    expect(maskOf(4, 0)).toBe(0n);
    expect(lastOf(cidr("10.0.0.0/8"))).toBe(ip4("10.255.255.255"));
    expect(lastOf(cidr("0.0.0.0/0"))).toBe(0xffffffffn);
    expect(lastOf(cidr("10.0.0.7/32"))).toBe(ip4("10.0.0.7"));
    expect(lastOf(cidr("::/0"))).toBe((1n << 128n) - 1n);
    expect(lastOf(cidr("2001:db8::1/128"))).toBe(cidr("2001:db8::1/128").base);
  });

  it("cidrContainsIp: first and last address in, neighbours and the other family out", () => {
    const c = cidr("192.168.0.0/16");
    expect(cidrContainsIp(c, { family: 4, value: ip4("192.168.0.0") })).toBe(true);
    expect(cidrContainsIp(c, { family: 4, value: ip4("192.168.255.255") })).toBe(true);
    expect(cidrContainsIp(c, { family: 4, value: ip4("192.169.0.0") })).toBe(false);
    expect(cidrContainsIp(c, { family: 4, value: ip4("192.167.255.255") })).toBe(false);
    expect(cidrContainsIp(cidr("::/0"), { family: 4, value: 0n })).toBe(false);
  });

  it("isStrictSubset: \"except … values will be rejected if they are outside the cidr range\", and except equal to cidr is not strict", () => {
    expect(isStrictSubset(cidr("10.1.0.0/16"), cidr("10.0.0.0/8"))).toBe(true);
    expect(isStrictSubset(cidr("10.0.0.0/8"), cidr("10.0.0.0/8"))).toBe(false);
    expect(isStrictSubset(cidr("11.0.0.0/16"), cidr("10.0.0.0/8"))).toBe(false);
    expect(isStrictSubset(cidr("10.0.0.0/8"), cidr("10.1.0.0/16"))).toBe(false);
    expect(isStrictSubset(cidr("::/1"), cidr("0.0.0.0/0"))).toBe(false);
  });

  it("formatCidr prints the block's first address (RFC 5952 for IPv6)", () => {
    expect(formatCidr(cidr("10.1.2.3/8"))).toBe("10.0.0.0/8");
    expect(formatCidr(cidr("2001:0DB8:0:0::/32"))).toBe("2001:db8::/32");
  });
});

describe("rangeToCidrs: the minimal list of CIDR blocks covering [lo, hi] exactly", () => {
  const texts = (lo: string, hi: string): string[] => rangeToCidrs(4, ip4(lo), ip4(hi)).map(formatCidr);

  it("an aligned block is one CIDR", () => {
    expect(texts("10.0.0.0", "10.0.0.255")).toEqual(["10.0.0.0/24"]);
    expect(texts("0.0.0.0", "255.255.255.255")).toEqual(["0.0.0.0/0"]);
    expect(texts("10.0.0.5", "10.0.0.5")).toEqual(["10.0.0.5/32"]);
    expect(rangeToCidrs(6, 0n, (1n << 128n) - 1n).map(formatCidr)).toEqual(["::/0"]);
  });

  it("an unaligned range splits at alignment boundaries", () => {
    expect(texts("10.0.0.1", "10.0.0.6")).toEqual(["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"]);
  });

  it("0.0.0.0/0 minus 10.0.0.0/8 is eight blocks", () => {
    expect([...texts("0.0.0.0", "9.255.255.255"), ...texts("11.0.0.0", "255.255.255.255")]).toEqual([
      "0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1",
    ]);
  });

  it("an empty range (lo > hi) has no blocks", () => {
    expect(rangeToCidrs(4, 5n, 4n)).toEqual([]);
  });

  it("property: the blocks are aligned, contiguous, cover exactly [lo, hi], and no two neighbours could merge", () => {
    const addr = fc.bigInt({ min: 0n, max: 0xffffffffn });
    fc.assert(
      fc.property(addr, addr, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const blocks = rangeToCidrs(4, lo, hi);
        let next = lo;
        for (const c of blocks) {
          expect(c.base).toBe(next);
          expect(c.base & ~maskOf(4, c.prefix) & 0xffffffffn).toBe(0n);
          next = lastOf(c) + 1n;
        }
        expect(next).toBe(hi + 1n);
        for (let i = 0; i + 1 < blocks.length; i++) {
          const x = blocks[i] as Cidr;
          const y = blocks[i + 1] as Cidr;
          // Two equal-size neighbours forming an aligned block of twice the size would be one CIDR.
          const mergeable = x.prefix === y.prefix && x.prefix > 0 && (x.base & ~maskOf(4, x.prefix - 1) & 0xffffffffn) === 0n;
          expect(mergeable).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
