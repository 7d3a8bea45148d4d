import { describe, expect, it } from "vitest";
import { formatIp, parseIp, type Ip } from "./ip.js";

const v6 = (text: string): bigint => {
  const ip = parseIp(text);
  if (!ip || ip.family !== 6) throw new Error(`not IPv6: ${text}`);
  return ip.value;
};
const fmt6 = (value: bigint): string => formatIp({ family: 6, value });

describe("parseIp: IPv4 dotted quad", () => {
  it.each([
    ["0.0.0.0", 0n],
    ["10.0.0.1", 0x0a000001n],
    ["192.168.1.255", 0xc0a801ffn],
    ["255.255.255.255", 0xffffffffn],
  ])("%s", (text, value) => {
    expect(parseIp(text)).toEqual({ family: 4, value });
  });

  it.each(["256.0.0.1", "1.2.3", "1.2.3.4.5", "1.2.3.-4", "a.b.c.d", "", "1..2.3"])("rejects %j", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it("rejects leading zeros (\"010.0.0.1\" is octal to some parsers; Go's net.ParseIP refuses it since 1.17)", () => {
    expect(parseIp("010.0.0.1")).toBeUndefined();
    expect(parseIp("10.0.0.01")).toBeUndefined();
    expect(parseIp("10.0.0.0")).toBeDefined();
  });
});

describe("parseIp: IPv6 (RFC 4291 §2.2 text forms)", () => {
  it.each([
    ["::", 0n],
    ["::1", 1n],
    ["1::", 1n << 112n],
    ["2001:db8::1", 0x20010db8000000000000000000000001n],
    ["2001:DB8:0:0:8:800:200C:417A", 0x20010db80000000000080800200c417an],
    ["fe80::1:2", 0xfe800000000000000000000000010002n],
    ["1:2:3:4:5:6:7:8", 0x00010002000300040005000600070008n],
  ])("%s", (text, value) => {
    expect(parseIp(text)).toEqual({ family: 6, value });
  });

  it("\"::\" may stand for a single group of zeros on input (1:2:3:4:5:6:7::)", () => {
    expect(v6("1:2:3:4:5:6:7::")).toBe(0x00010002000300040005000600070000n);
  });

  it("accepts the mixed form x:x:x:x:x:x:d.d.d.d (\"::ffff:192.0.2.1\" is an IPv4-mapped address)", () => {
    expect(v6("::ffff:192.0.2.1")).toBe(0xffffc0000201n);
    expect(v6("64:ff9b::192.0.2.33")).toBe(0x0064ff9b0000000000000000c0000221n);
    expect(v6("1:2:3:4:5:6:1.2.3.4")).toBe(0x00010002000300040005000601020304n);
  });

  it.each([
    "1::2::3", // "::" at most once
    "1:2:3:4:5:6:7:8:9", // nine groups
    "1:2:3:4:5:6:7", // seven groups without "::"
    "12345::", // a group has at most four hex digits
    "1:2:3:4:5:6:7:8::", // "::" must stand for at least one group
    "g::1",
    "fe80::1%eth0", // zone ids are not addresses
    "1.2.3.4::",
    "::1.2.3.256",
    ":1::",
  ])("rejects %j", (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe("formatIp: RFC 5952 canonical text", () => {
  it("IPv4 as dotted decimal", () => {
    expect(formatIp({ family: 4, value: 0x0a000001n })).toBe("10.0.0.1");
    expect(formatIp({ family: 4, value: 0n })).toBe("0.0.0.0");
  });

  it("§4.1 leading zeros in a group MUST be suppressed", () => {
    expect(fmt6(v6("2001:0db8:0001:0002:0003:0004:0005:0006"))).toBe("2001:db8:1:2:3:4:5:6");
  });

  it("§4.2.1 \"::\" MUST shorten as much as possible", () => {
    expect(fmt6(v6("2001:db8:0:0:0:0:2:1"))).toBe("2001:db8::2:1");
    expect(fmt6(0n)).toBe("::");
    expect(fmt6(1n)).toBe("::1");
    expect(fmt6(1n << 112n)).toBe("1::");
  });

  it("§4.2.2 \"::\" MUST NOT be used to shorten just one 16-bit 0 field", () => {
    expect(fmt6(v6("2001:db8:0:1:1:1:1:1"))).toBe("2001:db8:0:1:1:1:1:1");
  });

  it("§4.2.3 the longest run of zeros is shortened; on a tie, the first", () => {
    expect(fmt6(v6("2001:0:0:1:0:0:0:1"))).toBe("2001:0:0:1::1");
    expect(fmt6(v6("2001:db8:0:0:1:0:0:1"))).toBe("2001:db8::1:0:0:1");
  });

  it("§4.3 hex digits MUST be lowercase", () => {
    expect(fmt6(v6("2001:DB8::ABCD"))).toBe("2001:db8::abcd");
  });

  it("§5 IPv4-mapped addresses are RECOMMENDED in mixed notation (::ffff:192.0.2.1)", () => {
    const ip = parseIp("::ffff:192.0.2.1");
    expect(ip && formatIp(ip)).toBe("::ffff:192.0.2.1");
    const hex = parseIp("::ffff:c000:201");
    expect(hex && formatIp(hex)).toBe("::ffff:192.0.2.1");
  });

  it("round-trips: format(parse(x)) is canonical and parses back to the same value", () => {
    const samples: Ip[] = [
      { family: 6, value: 0x20010db8000000000000000000000001n },
      { family: 6, value: (1n << 128n) - 1n },
      { family: 6, value: 0xfe800000000000000000000000010002n },
      { family: 4, value: 0xc0000201n },
    ];
    for (const ip of samples) expect(parseIp(formatIp(ip))).toEqual(ip);
  });
});
