import { describe, expect, it } from "vitest";
import { masqAddScript, masqDelScript } from "./masq.js";
import { fnv64, hostVethName, macFor } from "./names.js";
import { chainResult, convertResult, decodeResult } from "./result.js";

describe("result", () => {
  it("drops ips[].version from 1.0.0 on and adds it before", () => {
    const r = { cniVersion: "0.3.1", ips: [{ address: "fd00::2/64", version: "6" as const }] };
    expect(convertResult(r, "1.0.0").ips).toEqual([{ address: "fd00::2/64" }]);
    expect(convertResult({ cniVersion: "1.0.0", ips: [{ address: "10.0.0.2/24" }] }, "0.4.0").ips).toEqual([{ address: "10.0.0.2/24", version: "4" }]);
  });
  it("chains after prevResult, shifting interface indices", () => {
    const r = chainResult({ cniVersion: "1.0.0", interfaces: [{ name: "a" }] }, { cniVersion: "1.0.0", interfaces: [{ name: "b" }], ips: [{ interface: 0, address: "10.0.0.2/24" }] });
    expect(r.ips).toEqual([{ interface: 1, address: "10.0.0.2/24" }]);
  });
  it("decodes results and explains bad ones", () => {
    expect(decodeResult({ cniVersion: "1.0.0", ips: [{ address: "10.0.0.2/24", interface: -1 }] })).toBe("ips[0].interface must be a non-negative integer");
    expect(decodeResult("x")).toBe("prevResult must be an object");
  });
});

describe("names", () => {
  it("host veth names are deterministic, kw-prefixed and fit IFNAMSIZ", () => {
    expect(hostVethName("abc", "eth0")).toBe(hostVethName("abc", "eth0"));
    expect(hostVethName("abc", "eth0")).not.toBe(hostVethName("abc", "eth1"));
    expect(hostVethName("x".repeat(200), "eth0")).toMatch(/^kwv[0-9a-f]{12}$/);
    expect(fnv64("")).toBe("cbf29ce484222325");
  });
  it("MACs are locally administered unicast", () => {
    for (const seed of ["a", "b", "c", "d"]) {
      const first = parseInt(macFor(seed).slice(0, 2), 16);
      expect(first & 0x03).toBe(0x02);
    }
  });
});

describe("masq", () => {
  it("renders per-attachment chains reached through a verdict map", () => {
    const text = masqAddScript("kw-1", [{ ip: "10.0.0.2", subnet: "10.0.0.0/24" }], "kwire-cni n/c/eth0");
    expect(text).toContain('add rule inet kwire-cni kw-1 ip daddr 10.0.0.0/24 accept comment "kwire-cni n/c/eth0"');
    expect(text).toContain("add element inet kwire-cni masq4 { 10.0.0.2 : jump kw-1 }");
    expect(masqDelScript("kw-1", ["fd00::2"]).split("\n").slice(-4)).toEqual([
      "delete element inet kwire-cni masq6 { fd00::2 }",
      "flush chain inet kwire-cni kw-1",
      "delete chain inet kwire-cni kw-1",
      "",
    ]);
  });
});
