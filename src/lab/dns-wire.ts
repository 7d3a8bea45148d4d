/**
 * @module lab/dns-wire
 * The DNS wire format (RFC 1035 §4, SRV RFC 2782, AAAA RFC 3596), just enough for the lab's DNS
 * server: decode a query (header + questions; compression pointers followed, with a loop guard),
 * encode a response (header, the question echoed, A / AAAA / SRV / CNAME answers). Every length
 * and offset is checked: a malformed message is a `DnsWireError`, never an out-of-bounds read.
 * Self-contained (no imports): `lab up` may run it as a separate process from transpiled text.
 */

export const QTYPE = { A: 1, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const CLASS_IN = 1;

export class DnsWireError extends Error {
  readonly code = "dns-wire";
}

export interface DnsQuestion {
  /** Lower-case, without the trailing dot ("" for the root). */
  readonly name: string;
  readonly type: number;
  readonly cls: number;
}

export interface DnsHeader {
  readonly id: number;
  /** QR bit: a response. */
  readonly response: boolean;
  readonly opcode: number;
  readonly rd: boolean;
  readonly rcode: number;
}

export interface DnsMessage {
  readonly header: DnsHeader;
  readonly questions: readonly DnsQuestion[];
}

export type DnsRr =
  | { readonly type: "A" | "AAAA"; readonly name: string; readonly ttl: number; readonly address: string }
  | { readonly type: "CNAME"; readonly name: string; readonly ttl: number; readonly target: string }
  | { readonly type: "SRV"; readonly name: string; readonly ttl: number; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string };

function need(buf: Uint8Array, off: number, n: number, what: string): void {
  if (off < 0 || off + n > buf.length) throw new DnsWireError(`truncated message: ${what} needs ${n} byte(s) at offset ${off}, message is ${buf.length}`);
}

const u16 = (buf: Uint8Array, off: number): number => ((buf[off] ?? 0) << 8) | (buf[off + 1] ?? 0);

/** Read a (possibly compressed) name at `off`; returns it and the offset after it in the message. */
export function readName(buf: Uint8Array, off: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = off;
  let next = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    need(buf, pos, 1, "label length");
    const len = buf[pos] ?? 0;
    if ((len & 0xc0) === 0xc0) {
      need(buf, pos, 2, "compression pointer");
      if (next < 0) next = pos + 2;
      if (++jumps > 32) throw new DnsWireError("compression pointer loop");
      pos = u16(buf, pos) & 0x3fff;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsWireError(`unsupported label type 0x${len.toString(16)} at offset ${pos}`);
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    need(buf, pos + 1, len, "label");
    length += len + 1;
    if (length > 255) throw new DnsWireError("name longer than 255 octets");
    labels.push(String.fromCharCode(...buf.subarray(pos + 1, pos + 1 + len)).toLowerCase());
    pos += 1 + len;
  }
  return { name: labels.join("."), next };
}

export function decodeMessage(buf: Uint8Array): DnsMessage {
  need(buf, 0, 12, "header");
  const flags = u16(buf, 2);
  const header: DnsHeader = { id: u16(buf, 0), response: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 0xf, rd: (flags & 0x0100) !== 0, rcode: flags & 0xf };
  const qd = u16(buf, 4);
  if (qd > 16) throw new DnsWireError(`${qd} questions`);
  const questions: DnsQuestion[] = [];
  let off = 12;
  for (let i = 0; i < qd; i++) {
    const { name, next } = readName(buf, off);
    need(buf, next, 4, "question type and class");
    questions.push({ name, type: u16(buf, next), cls: u16(buf, next + 2) });
    off = next + 4;
  }
  return { header, questions };
}

/** A name as labels on the wire (no compression: responses stay small). */
export function encodeName(name: string): number[] {
  const out: number[] = [];
  const trimmed = name.replace(/\.$/, "");
  if (trimmed !== "") {
    for (const label of trimmed.split(".")) {
      if (label.length === 0 || label.length > 63) throw new DnsWireError(`bad label "${label}" in ${name}`);
      out.push(label.length);
      for (let i = 0; i < label.length; i++) {
        const c = label.charCodeAt(i);
        if (c > 0x7f) throw new DnsWireError(`non-ASCII name ${name}`);
        out.push(c);
      }
    }
  }
  out.push(0);
  if (out.length > 255) throw new DnsWireError(`name longer than 255 octets: ${name}`);
  return out;
}

const be16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

function ipv4Bytes(a: string): number[] {
  const parts = a.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new DnsWireError(`bad IPv4 address ${a}`);
  return parts;
}

function ipv6Bytes(a: string): number[] {
  const [head = "", tail] = a.split("::");
  const groups = (s: string): string[] => (s === "" ? [] : s.split(":"));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array.from({ length: fill }, () => "0"), ...t];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) throw new DnsWireError(`bad IPv6 address ${a}`);
  return all.flatMap((g) => be16(parseInt(g, 16)));
}

function rdata(rr: DnsRr): { type: number; data: number[] } {
  switch (rr.type) {
    case "A":
      return { type: QTYPE.A, data: ipv4Bytes(rr.address) };
    case "AAAA":
      return { type: QTYPE.AAAA, data: ipv6Bytes(rr.address) };
    case "CNAME":
      return { type: QTYPE.CNAME, data: encodeName(rr.target) };
    case "SRV":
      return { type: QTYPE.SRV, data: [...be16(rr.priority), ...be16(rr.weight), ...be16(rr.port), ...encodeName(rr.target)] };
  }
}

export interface ResponseSpec {
  readonly id: number;
  readonly rd: boolean;
  readonly rcode: number;
  /** Authoritative answer (AA). */
  readonly authoritative: boolean;
  readonly question?: DnsQuestion;
  readonly answers: readonly DnsRr[];
}

export function encodeResponse(r: ResponseSpec): Uint8Array {
  const flags = 0x8000 | (r.authoritative ? 0x0400 : 0) | (r.rd ? 0x0100 : 0) | (r.rcode & 0xf);
  const out: number[] = [...be16(r.id), ...be16(flags), ...be16(r.question === undefined ? 0 : 1), ...be16(r.answers.length), 0, 0, 0, 0];
  if (r.question !== undefined) out.push(...encodeName(r.question.name), ...be16(r.question.type), ...be16(r.question.cls));
  for (const rr of r.answers) {
    const { type, data } = rdata(rr);
    out.push(...encodeName(rr.name), ...be16(type), ...be16(CLASS_IN), ...be32(rr.ttl), ...be16(data.length), ...data);
  }
  return Uint8Array.from(out);
}

/** A query message (for tests and clients). */
export function encodeQuery(id: number, name: string, type: number, rd = true): Uint8Array {
  return Uint8Array.from([...be16(id), ...be16(rd ? 0x0100 : 0), 0, 1, 0, 0, 0, 0, 0, 0, ...encodeName(name), ...be16(type), ...be16(CLASS_IN)]);
}

/** Decode the answer section of a response (for tests and the prober). */
export function decodeAnswers(buf: Uint8Array): { rcode: number; answers: DnsRr[] } {
  const msg = decodeMessage(buf);
  const an = u16(buf, 6);
  let off = 12;
  for (let i = 0; i < msg.questions.length; i++) off = readName(buf, off).next + 4;
  const answers: DnsRr[] = [];
  for (let i = 0; i < an; i++) {
    const { name, next } = readName(buf, off);
    need(buf, next, 10, "resource record header");
    const type = u16(buf, next);
    const ttl = (((buf[next + 4] ?? 0) << 24) >>> 0) + ((buf[next + 5] ?? 0) << 16) + ((buf[next + 6] ?? 0) << 8) + (buf[next + 7] ?? 0);
    const len = u16(buf, next + 8);
    const at = next + 10;
    need(buf, at, len, "rdata");
    if (type === QTYPE.A && len === 4) answers.push({ type: "A", name, ttl, address: [...buf.subarray(at, at + 4)].join(".") });
    else if (type === QTYPE.AAAA && len === 16) answers.push({ type: "AAAA", name, ttl, address: Array.from({ length: 8 }, (_, g) => u16(buf, at + 2 * g).toString(16)).join(":") });
    else if (type === QTYPE.CNAME) answers.push({ type: "CNAME", name, ttl, target: readName(buf, at).name });
    else if (type === QTYPE.SRV) answers.push({ type: "SRV", name, ttl, priority: u16(buf, at), weight: u16(buf, at + 2), port: u16(buf, at + 4), target: readName(buf, at + 6).name });
    off = at + len;
  }
  return { rcode: msg.header.rcode, answers };
}
