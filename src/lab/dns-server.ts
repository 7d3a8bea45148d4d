/**
 * @module lab/dns-server
 * The lab's cluster DNS: a small authoritative server for the cluster domain on UDP and TCP
 * (node:dgram, node:net; TCP frames carry a 2-byte length, RFC 1035 §4.2.2). It answers from a
 * `DnsTable` that `dns-table.ts` precomputes from `src/dns` (CoreDNS `kubernetes` plugin
 * semantics), so this module needs nothing but the wire codec and can run as its own process:
 * a known name with records → NOERROR + answers (AA, TTL 5 as CoreDNS); a known name without
 * records of the asked type → NODATA (NOERROR, no answers); any other name under the domain →
 * NXDOMAIN; a name outside it → REFUSED (CoreDNS would forward upstream; the lab sends nothing
 * outside its namespaces). Other opcodes → NOTIMP; not exactly one question → FORMERR.
 *
 * Lab compatibility: the server runs in the kube-dns endpoint pods, whose port 53 is also probed
 * pod-to-pod like any other port. A datagram that is not a DNS query gets the pod's greeting (its
 * pod id) back, and a TCP connection that sends nothing for `bannerMs` gets `<greeting>\n` — a DNS
 * client always sends its query first, so real lookups never see either.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { decodeMessage, DnsWireError, encodeResponse, QTYPE, RCODE, type DnsMessage, type DnsRr, type ResponseSpec } from "./dns-wire.js";

export type TableQType = "A" | "AAAA" | "SRV" | "CNAME";

export interface TableEntry {
  readonly rcode: "NOERROR" | "NODATA" | "NXDOMAIN";
  readonly answers: readonly DnsRr[];
}

/** Precomputed answers: lower-case names without the trailing dot. Plain JSON. */
export interface DnsTable {
  readonly domain: string;
  readonly names: Readonly<Record<string, Partial<Record<TableQType, TableEntry>>>>;
}

const TYPE_NAMES: Readonly<Record<number, TableQType>> = { [QTYPE.A]: "A", [QTYPE.AAAA]: "AAAA", [QTYPE.SRV]: "SRV", [QTYPE.CNAME]: "CNAME" };

const inDomain = (name: string, domain: string): boolean => name === domain || name.endsWith(`.${domain}`);

/** The response to one decoded query. Pure. */
export function answer(table: DnsTable, msg: DnsMessage): ResponseSpec {
  const q = msg.questions[0];
  const base = { id: msg.header.id, rd: msg.header.rd, authoritative: false, answers: [] as DnsRr[] };
  if (msg.header.opcode !== 0) return { ...base, rcode: RCODE.NOTIMP, ...(q === undefined ? {} : { question: q }) };
  if (q === undefined || msg.questions.length !== 1) return { ...base, rcode: RCODE.FORMERR };
  if (!inDomain(q.name, table.domain)) return { ...base, rcode: RCODE.REFUSED, question: q };
  const entries = table.names[q.name];
  if (entries === undefined) return { ...base, authoritative: true, rcode: RCODE.NXDOMAIN, question: q };
  const type = TYPE_NAMES[q.type];
  const e = type === undefined ? undefined : entries[type];
  if (e === undefined || e.rcode === "NODATA") return { ...base, authoritative: true, rcode: RCODE.NOERROR, question: q };
  if (e.rcode === "NXDOMAIN") return { ...base, authoritative: true, rcode: RCODE.NXDOMAIN, question: q };
  return { ...base, authoritative: true, rcode: RCODE.NOERROR, question: q, answers: e.answers };
}

/** Decode, answer, encode; undefined when `buf` is not a DNS query at all. */
export function respond(table: DnsTable, buf: Uint8Array): Uint8Array | undefined {
  let msg: DnsMessage;
  try {
    msg = decodeMessage(buf);
  } catch (e) {
    if (e instanceof DnsWireError) return undefined;
    throw e;
  }
  if (msg.header.response) return undefined;
  return encodeResponse(answer(table, msg));
}

export interface DnsServerOptions {
  readonly host: string;
  /** UDP and TCP port (0: each picks a free one). */
  readonly port: number;
  /** Lab compatibility greeting (see the module comment); undefined: none. */
  readonly greeting?: string;
  readonly bannerMs?: number;
}

export interface RunningDnsServer {
  readonly udpPort: number;
  readonly tcpPort: number;
  close(): Promise<void>;
}

function serveTcp(table: DnsTable, conn: Socket, opts: DnsServerOptions): void {
  let buf = Buffer.alloc(0);
  let spoke = false;
  conn.on("error", () => undefined);
  const banner = opts.greeting === undefined ? undefined : setTimeout(() => { if (!spoke) conn.end(`${opts.greeting}\n`); }, opts.bannerMs ?? 200);
  conn.on("close", () => clearTimeout(banner));
  conn.on("data", (d: Buffer) => {
    spoke = true;
    clearTimeout(banner);
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      const out = respond(table, buf.subarray(2, 2 + len));
      buf = buf.subarray(2 + len);
      if (out === undefined) return void conn.destroy();
      const frame = Buffer.alloc(2 + out.length);
      frame.writeUInt16BE(out.length, 0);
      frame.set(out, 2);
      conn.write(frame);
    }
  });
}

/** Start UDP + TCP listeners; resolves once both are bound. */
export async function startDnsServer(table: DnsTable, opts: DnsServerOptions): Promise<RunningDnsServer> {
  // On "::" one socket serves both families (IPv4 arrives as ::ffff:a.b.c.d): dual-stack labs.
  const udp: UdpSocket = createSocket({ type: opts.host.includes(":") ? "udp6" : "udp4", ipv6Only: false });
  udp.on("message", (m, r) => {
    const out = respond(table, m);
    if (out !== undefined) udp.send(out, r.port, r.address);
    else if (opts.greeting !== undefined) udp.send(opts.greeting, r.port, r.address);
  });
  const tcp: Server = createServer((c) => serveTcp(table, c, opts));
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen({ host: opts.host, port: opts.port, backlog: 1024 }, resolve);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(opts.port, opts.host, resolve);
  });
  const t = tcp.address();
  return {
    udpPort: udp.address().port,
    tcpPort: typeof t === "object" && t !== null ? t.port : opts.port,
    close: async () => {
      udp.close();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}
