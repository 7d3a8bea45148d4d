/**
 * Unit tests of cluster DNS: CoreDNS answers and the pod resolver's search-list expansion.
 */
import { describe, expect, it } from "vitest";
import { parseIp, type Ip } from "../model/index.js";
import { candidates, lookup, makeZone, podResolvConf, resolveName, type DnsServiceView } from "./index.js";

const ip = (t: string): Ip => parseIp(t) as Ip;
const base = { type: "ClusterIP" as const, clusterIPs: [] as Ip[], headless: false, ports: [{ name: "http", protocol: "TCP" as const, port: 80 }], endpoints: [] };
const views: DnsServiceView[] = [
  { ...base, namespace: "x", name: "api", clusterIPs: [ip("10.96.0.5")] },
  { ...base, namespace: "x", name: "db", headless: true, endpoints: [{ address: ip("10.1.0.5"), hostname: "db-0" }, { address: ip("10.1.0.6") }] },
  { ...base, namespace: "x", name: "empty", headless: true },
];
const zone = makeZone("cluster.local", ["x", "y"], views);

describe("CoreDNS records (kubernetes plugin)", () => {
  it("svc.ns.svc.D A → ClusterIP; AAAA on an IPv4-only Service is NODATA", () => {
    expect(lookup(zone, "api.x.svc.cluster.local", "A")).toMatchObject({ rcode: "NOERROR", records: [{ type: "A", data: "10.96.0.5" }] });
    expect(lookup(zone, "api.x.svc.cluster.local.", "AAAA").rcode).toBe("NODATA");
  });
  it("a headless Service answers its ready endpoints; without any it is NXDOMAIN", () => {
    expect(lookup(zone, "db.x.svc.cluster.local", "A")).toMatchObject({ records: [{ data: "10.1.0.5" }, { data: "10.1.0.6" }] });
    expect(lookup(zone, "empty.x.svc.cluster.local", "A").rcode).toBe("NXDOMAIN");
  });
  it("an endpoint without hostname is named by its dashed address", () => {
    expect(lookup(zone, "10-1-0-6.db.x.svc.cluster.local", "A")).toMatchObject({ records: [{ data: "10.1.0.6" }] });
    expect(lookup(zone, "db-0.db.x.svc.cluster.local", "A")).toMatchObject({ records: [{ data: "10.1.0.5" }] });
  });
  it("an unknown namespace or Service is NXDOMAIN; a name outside the domain is forwarded", () => {
    expect(lookup(zone, "api.z.svc.cluster.local", "A").rcode).toBe("NXDOMAIN");
    expect(lookup(zone, "nope.x.svc.cluster.local", "A").rcode).toBe("NXDOMAIN");
    expect(lookup(zone, "example.com", "A").rcode).toBe("FORWARDED");
  });
  it("SRV exists only for named ports with the right protocol label", () => {
    expect(lookup(zone, "_http._tcp.api.x.svc.cluster.local", "SRV")).toMatchObject({ records: [{ data: "api.x.svc.cluster.local", port: 80 }] });
    expect(lookup(zone, "_http._udp.api.x.svc.cluster.local", "SRV").rcode).toBe("NXDOMAIN");
  });
});

describe("resolv.conf expansion (search NS.svc.D svc.D D, ndots:5)", () => {
  const conf = podResolvConf("y", "cluster.local");
  it("fewer than 5 dots: search list first, then the name as is", () => {
    expect(candidates("api.x", conf)).toEqual(["api.x.y.svc.cluster.local", "api.x.svc.cluster.local", "api.x.cluster.local", "api.x"]);
  });
  it("5 dots or more: the name as is first", () => {
    expect(candidates("a.b.c.d.e.f", conf)[0]).toBe("a.b.c.d.e.f");
  });
  it("a trailing dot is absolute: one query", () => {
    expect(candidates("api.x.svc.cluster.local.", conf)).toEqual(["api.x.svc.cluster.local"]);
  });
  it("NXDOMAIN moves on; the first answer with records wins", () => {
    const r = resolveName(zone, "api.x", "A", conf);
    expect(r.queries.map((q) => q.answer.rcode)).toEqual(["NXDOMAIN", "NOERROR"]);
    expect(r.answered?.name).toBe("api.x.svc.cluster.local.");
  });
  // A client asking for an address (getaddrinfo AF_UNSPEC: A and AAAA per candidate, RFC 3493
  // §6.1) gets an IPv6-only Service's AAAA records at the same candidate; asked for A alone,
  // the NODATA there sent the search on to the rest of the list and upstream.
  it("an address: A, and AAAA where the name has no A records (an IPv6-only Service)", () => {
    const six = makeZone("cluster.local", ["x", "y"], [
      ...views,
      { ...base, namespace: "x", name: "v6", clusterIPs: [ip("fd00:10:96::6")] },
      { ...base, namespace: "x", name: "dual", clusterIPs: [ip("10.96.0.7"), ip("fd00:10:96::7")] },
    ]);
    const only = (t: string): string[] => {
      const r = resolveName(six, t, "address", conf);
      return r.queries.map((q) => `${q.name} ${q.qtype} ${q.answer.rcode}`);
    };
    expect(only("v6.x")).toEqual(["v6.x.y.svc.cluster.local. A NXDOMAIN", "v6.x.svc.cluster.local. A NODATA", "v6.x.svc.cluster.local. AAAA NOERROR"]);
    const v6 = resolveName(six, "v6.x", "address", conf).answered;
    expect(v6?.answer.rcode === "NOERROR" ? v6.answer.records.map((x) => x.data) : []).toEqual(["fd00:10:96::6"]);
    // Dual-stack: the A records (IPv4 first); no AAAA asked.
    expect(only("dual.x")).toEqual(["dual.x.y.svc.cluster.local. A NXDOMAIN", "dual.x.svc.cluster.local. A NOERROR"]);
    // For A alone, as before: NODATA moves on.
    expect(resolveName(six, "v6.x", "A", conf).queries.map((q) => q.answer.rcode)).toEqual(["NXDOMAIN", "NODATA", "NXDOMAIN", "FORWARDED"]);
  });
});
