import { describe, expect, it } from "vitest";
import { cidrContains, cidrsOverlap, formatIp, lastOf, network, parseIp, parseIpPrefix } from "./addr.js";

const roundTrip = (s: string): string | undefined => {
  const ip = parseIp(s);
  return ip === undefined ? undefined : formatIp(ip);
};

describe("addr | parse and format", () => {
  it("round-trips IPv4", () => {
    expect(roundTrip("10.0.0.1")).toBe("10.0.0.1");
    expect(roundTrip("255.255.255.255")).toBe("255.255.255.255");
  });
  it("rejects malformed IPv4", () => {
    for (const s of ["10.0.0", "10.0.0.256", "01.2.3.4", "1.2.3.4.5", "a.b.c.d", ""]) expect(parseIp(s)).toBeUndefined();
  });
  it("formats IPv6 canonically (RFC 5952)", () => {
    expect(roundTrip("fd00:0:0:0:0:0:0:1")).toBe("fd00::1");
    expect(roundTrip("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(roundTrip("2001:DB8::")).toBe("2001:db8::");
    expect(roundTrip("::")).toBe("::");
    expect(roundTrip("1:0:1:1:1:1:1:1")).toBe("1:0:1:1:1:1:1:1");
    expect(roundTrip("::ffff:1.2.3.4")).toBe("::ffff:102:304");
  });
  it("rejects malformed IPv6", () => {
    for (const s of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3"]) expect(parseIp(s)).toBeUndefined();
  });
});

describe("addr | CIDR", () => {
  it("computes network, last address and containment", () => {
    const p = parseIpPrefix("10.1.2.3/16");
    expect(p).toBeDefined();
    if (p === undefined) return;
    const net = { ip: network(p.ip, p.prefix), prefix: p.prefix };
    expect(formatIp(net.ip)).toBe("10.1.0.0");
    expect(formatIp(lastOf(net))).toBe("10.1.255.255");
    expect(cidrContains(net, parseIp("10.1.9.9") ?? net.ip)).toBe(true);
    expect(cidrContains(net, parseIp("10.2.0.0") ?? net.ip)).toBe(false);
  });
  it("detects overlap in either direction, never across families", () => {
    const c = (s: string) => {
      const p = parseIpPrefix(s);
      if (p === undefined) throw new Error(s);
      return { ip: network(p.ip, p.prefix), prefix: p.prefix };
    };
    expect(cidrsOverlap(c("10.0.0.0/24"), c("10.0.0.128/25"))).toBe(true);
    expect(cidrsOverlap(c("10.0.0.128/25"), c("10.0.0.0/24"))).toBe(true);
    expect(cidrsOverlap(c("10.0.0.0/25"), c("10.0.0.128/25"))).toBe(false);
    expect(cidrsOverlap(c("::/0"), c("0.0.0.0/0"))).toBe(false);
  });
});
