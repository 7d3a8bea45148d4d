import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ALL_PORTS,
  EMPTY_PORTS,
  allPortsOf,
  containsPort,
  formatPortSet,
  intersectPorts,
  isAllPorts,
  isEmptyPorts,
  portSetKey,
  portSetToList,
  portsOf,
  unionPorts,
  type PortSet,
} from "./port-set.js";
import { PROTOCOLS } from "./protocol.js";

const tcp = (from: number, to = from): PortSet => portsOf("TCP", from, to);

describe("unionPorts: NetworkPolicy port lists are ORed", () => {
  it("merges overlapping and adjacent ranges (80 ∪ 81-90 = 80-90)", () => {
    expect(unionPorts(tcp(80), tcp(81, 90)).TCP).toEqual([{ from: 80, to: 90 }]);
    expect(unionPorts(tcp(80, 100), tcp(90, 110)).TCP).toEqual([{ from: 80, to: 110 }]);
    expect(unionPorts(tcp(443), tcp(80)).TCP).toEqual([{ from: 80, to: 80 }, { from: 443, to: 443 }]);
  });

  it("keeps protocols apart (\"protocol … defaults to TCP\"; TCP/53 and UDP/53 are different ports)", () => {
    const dns = unionPorts(portsOf("UDP", 53, 53), tcp(53));
    expect(dns).toEqual({ TCP: [{ from: 53, to: 53 }], UDP: [{ from: 53, to: 53 }], SCTP: [] });
    expect(containsPort(dns, "SCTP", 53)).toBe(false);
  });

  it("every port of every protocol is ALL_PORTS", () => {
    const all = PROTOCOLS.reduce((acc, p) => unionPorts(acc, allPortsOf(p)), EMPTY_PORTS);
    expect(isAllPorts(all)).toBe(true);
    expect(portSetKey(all)).toBe(portSetKey(ALL_PORTS));
  });
});

describe("intersectPorts: egress at the source AND ingress at the destination", () => {
  it("keeps the common part of each protocol", () => {
    expect(intersectPorts(tcp(80, 100), tcp(90, 200)).TCP).toEqual([{ from: 90, to: 100 }]);
    expect(intersectPorts(unionPorts(tcp(1, 10), tcp(20, 30)), tcp(5, 25)).TCP).toEqual([{ from: 5, to: 10 }, { from: 20, to: 25 }]);
    expect(isEmptyPorts(intersectPorts(tcp(53), portsOf("UDP", 53, 53)))).toBe(true);
    expect(intersectPorts(ALL_PORTS, tcp(8080))).toEqual(tcp(8080));
  });

  it("property: membership of ∪ and ∩ is OR and AND of membership", () => {
    const range = fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 })).map(([a, b]) => tcp(Math.min(a, b), Math.max(a, b)));
    const ports = fc.array(range, { maxLength: 4 }).map((rs) => rs.reduce(unionPorts, EMPTY_PORTS));
    fc.assert(
      fc.property(ports, ports, fc.integer({ min: 1, max: 61 }), (a, b, p) => {
        expect(containsPort(unionPorts(a, b), "TCP", p)).toBe(containsPort(a, "TCP", p) || containsPort(b, "TCP", p));
        expect(containsPort(intersectPorts(a, b), "TCP", p)).toBe(containsPort(a, "TCP", p) && containsPort(b, "TCP", p));
        // Canonical: equal sets have equal keys however they were built.
        expect(portSetKey(unionPorts(a, b))).toBe(portSetKey(unionPorts(b, a)));
      }),
      { numRuns: 500 },
    );
  });
});

describe("rendering", () => {
  it("formatPortSet: all, none, per-protocol ranges, and TCP:all", () => {
    expect(formatPortSet(ALL_PORTS)).toBe("all");
    expect(formatPortSet(EMPTY_PORTS)).toBe("none");
    expect(formatPortSet(unionPorts(unionPorts(tcp(80), tcp(8080, 8090)), portsOf("UDP", 53, 53)))).toBe("TCP:80,8080-8090 UDP:53");
    expect(formatPortSet(allPortsOf("TCP"))).toBe("TCP:all");
  });

  it("portSetToList: CONTRACT.md order, TCP then UDP then SCTP, each by port", () => {
    const p = unionPorts(unionPorts(portsOf("SCTP", 9899, 9899), portsOf("UDP", 53, 53)), unionPorts(tcp(443), tcp(80)));
    expect(portSetToList(p)).toEqual([
      { protocol: "TCP", from: 80, to: 80 },
      { protocol: "TCP", from: 443, to: 443 },
      { protocol: "UDP", from: 53, to: 53 },
      { protocol: "SCTP", from: 9899, to: 9899 },
    ]);
  });
});
