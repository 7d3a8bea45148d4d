import { describe, expect, it } from "vitest";
import { formatIp, parseIp } from "./addr.js";
import { canonicalizeRange, candidates, checkRangeSets, rangeSize, type Range } from "./range.js";

function range(subnet: string, extra: { rangeStart?: string; rangeEnd?: string; gateway?: string } = {}): Range {
  const r = canonicalizeRange({ subnet, ...extra }, "r");
  if (!r.ok) throw new Error(r.issue.message);
  return r.value;
}

describe("range | canonicalize (host-local defaults)", () => {
  it("defaults rangeStart and gateway to network+1, rangeEnd to broadcast-1 for IPv4", () => {
    const r = range("10.0.0.0/24");
    expect([formatIp(r.rangeStart), formatIp(r.rangeEnd), formatIp(r.gateway)]).toEqual(["10.0.0.1", "10.0.0.254", "10.0.0.1"]);
  });
  it("defaults rangeEnd to the last address for IPv6", () => {
    expect(formatIp(range("fd00::/120").rangeEnd)).toBe("fd00::ff");
  });
  it("names the value when the subnet has host bits set", () => {
    const r = canonicalizeRange({ subnet: "10.0.0.5/24" }, "ipam.ranges[0][0]");
    expect(r).toEqual({ ok: false, issue: { field: "ipam.ranges[0][0].subnet", message: "subnet 10.0.0.5/24 has host bits set (the network address for /24 is 10.0.0.0)" } });
  });
  it("rejects rangeStart outside the subnet, quoting both", () => {
    const r = canonicalizeRange({ subnet: "10.0.0.0/24", rangeStart: "10.0.1.5" }, "x");
    expect(r.ok ? "" : r.issue.message).toBe("rangeStart 10.0.1.5 not in network 10.0.0.0/24");
  });
  it("rejects a network too small to allocate from", () => {
    const r = canonicalizeRange({ subnet: "10.0.0.0/31" }, "x");
    expect(r.ok ? "" : r.issue.message).toBe("network 10.0.0.0/31 too small to allocate from");
  });
});

describe("range | range sets", () => {
  it("reports overlapping subnets naming both and where they are", () => {
    const issue = checkRangeSets([[range("10.0.0.0/24")], [range("10.0.0.0/24")]], "ipam.ranges");
    expect(issue?.message).toBe("subnets 10.0.0.0/24 (ipam.ranges[0][0]) and 10.0.0.0/24 (ipam.ranges[1][0]) overlap");
  });
  it("allows disjoint ranges of one subnet", () => {
    const a = range("10.0.0.0/24", { rangeStart: "10.0.0.10", rangeEnd: "10.0.0.19" });
    const b = range("10.0.0.0/24", { rangeStart: "10.0.0.20", rangeEnd: "10.0.0.29" });
    expect(checkRangeSets([[a, b]], "r")).toBeUndefined();
  });
  it("rejects mixed families in one set", () => {
    expect(checkRangeSets([[range("10.0.0.0/24"), range("fd00::/64")]], "r")?.message).toBe("range set 0 mixes address families: subnets 10.0.0.0/24 and fd00::/64");
  });
  it("iterates round-robin after the last reserved address, wrapping and skipping the gateway", () => {
    const set = [range("10.0.0.0/29")];
    const order = (last?: string) => [...candidates(set, last === undefined ? undefined : parseIp(last))].map((c) => formatIp(c.ip));
    expect(order()).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]);
    expect(order("10.0.0.4")).toEqual(["10.0.0.5", "10.0.0.6", "10.0.0.2", "10.0.0.3", "10.0.0.4"]);
    expect(rangeSize(set[0] ?? range("10.0.0.0/29"))).toBe(5n);
  });
  it("continues into the next range of the set", () => {
    const set = [range("10.0.0.0/30"), range("10.0.1.0/30")];
    expect([...candidates(set, parseIp("10.0.0.2"))].map((c) => formatIp(c.ip))).toEqual(["10.0.1.2", "10.0.0.2"]);
  });
});
