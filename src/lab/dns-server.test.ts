/**
 * The lab DNS codec and server: wire format details (compression, truncation, AAAA, SRV), the
 * answers for the demo cluster (A, headless A, SRV, NXDOMAIN, NODATA, REFUSED outside the
 * domain), and real UDP and TCP exchanges on loopback, including the lab-probe greeting.
 */
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTopology, serviceContext } from "../engine/index.js";
import { loadCluster } from "../parse/index.js";
import { startDnsServer, respond, type DnsTable, type RunningDnsServer } from "./dns-server.js";
import { dnsTable } from "./dns-table.js";
import { decodeAnswers, decodeMessage, DnsWireError, encodeQuery, encodeResponse, QTYPE, RCODE, readName } from "./dns-wire.js";

const REPO = join(import.meta.dirname, "..", "..");

function demoTable(): DnsTable {
  const text = readFileSync(join(REPO, "fixtures/demo/cluster.yaml"), "utf8");
  const { cluster } = loadCluster([{ path: "cluster.yaml", text }]);
  const ctx = serviceContext(cluster, buildTopology(cluster));
  return dnsTable(ctx.zone, ["10.244.1.7"]);
}

const ask = (t: DnsTable, name: string, type: number): ReturnType<typeof decodeAnswers> => decodeAnswers(respond(t, encodeQuery(7, name, type)) ?? new Uint8Array());

describe("dns wire codec", () => {
  it("round-trips a query", () => {
    const m = decodeMessage(encodeQuery(0xbeef, "Web.Production.svc.cluster.local.", QTYPE.A));
    expect(m.header).toEqual({ id: 0xbeef, response: false, opcode: 0, rd: true, rcode: 0 });
    expect(m.questions).toEqual([{ name: "web.production.svc.cluster.local", type: QTYPE.A, cls: 1 }]);
  });
  it("follows compression pointers and rejects loops and truncation", () => {
    // "a.b" at 12, then "c" + pointer to 12: c.a.b
    const buf = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 97, 1, 98, 0, 1, 99, 0xc0, 12]);
    expect(readName(buf, 17)).toEqual({ name: "c.a.b", next: 21 });
    const loop = Uint8Array.from([...new Array<number>(12).fill(0), 0xc0, 12]);
    expect(() => readName(loop, 12)).toThrow(DnsWireError);
    expect(() => decodeMessage(Uint8Array.from([1, 2, 3]))).toThrow(/truncated/);
    expect(() => decodeMessage(encodeQuery(1, "x.y", 1).subarray(0, 16))).toThrow(DnsWireError);
  });
  it("encodes A, AAAA, CNAME and SRV answers that decode back", () => {
    const q = { name: "x.cluster.local", type: QTYPE.A, cls: 1 };
    const buf = encodeResponse({
      id: 9, rd: true, rcode: 0, authoritative: true, question: q,
      answers: [
        { type: "A", name: "x.cluster.local", ttl: 5, address: "10.96.0.10" },
        { type: "AAAA", name: "x.cluster.local", ttl: 5, address: "fd00::1:2" },
        { type: "CNAME", name: "x.cluster.local", ttl: 5, target: "example.com" },
        { type: "SRV", name: "_h._tcp.x.cluster.local", ttl: 5, priority: 0, weight: 100, port: 8080, target: "x.cluster.local" },
      ],
    });
    expect(buf[2]).toBe(0x85); // QR, AA, RD
    expect(decodeAnswers(buf).answers).toEqual([
      { type: "A", name: "x.cluster.local", ttl: 5, address: "10.96.0.10" },
      { type: "AAAA", name: "x.cluster.local", ttl: 5, address: "fd00:0:0:0:0:0:1:2" },
      { type: "CNAME", name: "x.cluster.local", ttl: 5, target: "example.com" },
      { type: "SRV", name: "_h._tcp.x.cluster.local", ttl: 5, priority: 0, weight: 100, port: 8080, target: "x.cluster.local" },
    ]);
  });
});

describe("dns server answers (demo cluster)", () => {
  const t = demoTable();
  it("A for a ClusterIP Service", () => {
    expect(ask(t, "api-server.production.svc.cluster.local", QTYPE.A)).toEqual({ rcode: RCODE.NOERROR, answers: [{ type: "A", name: "api-server.production.svc.cluster.local", ttl: 5, address: "10.96.0.20" }] });
  });
  it("headless: one A per ready endpoint; SRV per endpoint", () => {
    const a = ask(t, "database.production.svc.cluster.local", QTYPE.A);
    expect(a.rcode).toBe(RCODE.NOERROR);
    expect(a.answers.length).toBeGreaterThan(0);
    const srv = ask(t, "_postgres._tcp.database.production.svc.cluster.local", QTYPE.SRV);
    expect(srv.answers.every((r) => r.type === "SRV" && r.port === 5432)).toBe(true);
  });
  it("SRV for a named port of a ClusterIP Service", () => {
    expect(ask(t, "_dns._udp.kube-dns.kube-system.svc.cluster.local", QTYPE.SRV).answers).toEqual([
      { type: "SRV", name: "_dns._udp.kube-dns.kube-system.svc.cluster.local", ttl: 5, priority: 0, weight: 100, port: 53, target: "kube-dns.kube-system.svc.cluster.local" },
    ]);
  });
  it("pod records, NXDOMAIN, NODATA and REFUSED", () => {
    expect(ask(t, "10-244-1-7.production.pod.cluster.local", QTYPE.A).answers).toEqual([{ type: "A", name: "10-244-1-7.production.pod.cluster.local", ttl: 5, address: "10.244.1.7" }]);
    expect(ask(t, "nope.production.svc.cluster.local", QTYPE.A)).toEqual({ rcode: RCODE.NXDOMAIN, answers: [] });
    expect(ask(t, "web.production.svc.cluster.local", QTYPE.AAAA)).toEqual({ rcode: RCODE.NOERROR, answers: [] });
    expect(ask(t, "web.production", QTYPE.A).rcode).toBe(RCODE.REFUSED);
  });
  it("ignores what is not a query", () => {
    expect(respond(t, new TextEncoder().encode("probe"))).toBeUndefined();
  });
});

describe("dns server on loopback", () => {
  // Two servers: one plain (a loaded machine may delay a query past any banner delay), one greeting.
  let plain: RunningDnsServer | undefined;
  let greeting: RunningDnsServer | undefined;
  let srv: RunningDnsServer | undefined;
  const t = demoTable();
  beforeAll(async () => {
    plain = await startDnsServer(t, { host: "127.0.0.1", port: 0 });
    greeting = await startDnsServer(t, { host: "127.0.0.1", port: 0, greeting: "kube-system/coredns-0", bannerMs: 50 });
  });
  afterAll(async () => {
    await plain?.close();
    await greeting?.close();
  });

  const udp = (payload: Uint8Array): Promise<Buffer> => new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    const timer = setTimeout(() => { s.close(); reject(new Error("timeout")); }, 2000);
    s.on("message", (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(payload, srv?.udpPort ?? 0, "127.0.0.1");
  });
  const tcp = (payload: Uint8Array | undefined): Promise<Buffer> => new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: "127.0.0.1", port: srv?.tcpPort ?? 0 }, () => {
      if (payload === undefined) return;
      const frame = Buffer.alloc(2 + payload.length);
      frame.writeUInt16BE(payload.length, 0);
      frame.set(payload, 2);
      s.write(frame);
    });
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (payload !== undefined && all.length >= 2 && all.length >= 2 + all.readUInt16BE(0)) { s.destroy(); resolve(all.subarray(2)); }
    });
    s.on("end", () => resolve(Buffer.concat(chunks)));
    s.on("error", reject);
  });

  it("answers over UDP and TCP", async () => {
    srv = plain;
    const q = encodeQuery(42, "frontend.production.svc.cluster.local", QTYPE.A);
    for (const r of [await udp(q), await tcp(q)]) {
      expect(decodeMessage(r).header.id).toBe(42);
      expect(decodeAnswers(r).answers).toEqual([{ type: "A", name: "frontend.production.svc.cluster.local", ttl: 5, address: "10.96.0.30" }]);
    }
  });
  it("greets lab probes: a non-DNS datagram, a silent TCP connection", async () => {
    srv = greeting;
    expect((await udp(new TextEncoder().encode("probe"))).toString()).toBe("kube-system/coredns-0");
    expect((await tcp(undefined)).toString()).toBe("kube-system/coredns-0\n");
  });
});
