import { describe, expect, it } from "vitest";
import { decodeIpam } from "./config.js";

const problem = (raw: unknown): string => {
  const d = decodeIpam(raw);
  return d.ok ? "ok" : `${d.issue.field}: ${d.issue.message}`;
};

describe("ipam config", () => {
  it("accepts host-local ranges and fills dataDir", () => {
    const d = decodeIpam({ type: "host-local", ranges: [[{ subnet: "10.1.0.0/16" }], [{ subnet: "fd01::/64" }]], routes: [{ dst: "0.0.0.0/0" }] });
    expect(d.ok && d.value.dataDir).toBe("/var/lib/cni/networks");
    expect(d.ok && d.value.rangeSets.length).toBe(2);
  });
  it("accepts the legacy single-range form", () => {
    const d = decodeIpam({ type: "host-local", subnet: "10.2.0.0/24", gateway: "10.2.0.254" });
    expect(d.ok && d.value.rangeSets[0]?.length).toBe(1);
  });
  it("names unsupported ipam types", () => {
    expect(problem({ type: "dhcp", ranges: [] })).toBe('ipam.type: ipam.type "dhcp" is not supported (kwire has built-in IPAM: "host-local" or "kwire")');
  });
  it("names the field and value of a bad subnet", () => {
    expect(problem({ type: "host-local", ranges: [[{ subnet: "10.0.0/24" }]] })).toBe('ipam.ranges[0][0].subnet: invalid subnet "10.0.0/24" (want ADDRESS/PREFIX)');
  });
  it("rejects overlapping range sets naming both", () => {
    expect(problem({ type: "host-local", ranges: [[{ subnet: "10.0.0.0/16" }], [{ subnet: "10.0.1.0/24" }]] })).toContain("10.0.0.0/16 (ipam.ranges[0][0]) and 10.0.1.0/24 (ipam.ranges[1][0]) overlap");
  });
  it("rejects bad routes and relative dataDir", () => {
    expect(problem({ type: "host-local", ranges: [[{ subnet: "10.0.0.0/24" }]], routes: [{ dst: "nope" }] })).toBe('ipam.routes[0].dst: ipam.routes[0].dst "nope" is not a CIDR');
    expect(problem({ type: "host-local", ranges: [[{ subnet: "10.0.0.0/24" }]], dataDir: "rel" })).toBe('ipam.dataDir: ipam.dataDir "rel" must be an absolute path');
  });
});
