/**
 * @module lab/ipam/addr
 * IP address and CIDR math for IPAM, both families as `bigint` (one representation, as hono's
 * `ipaddr.ts`). Parsing returns `undefined` on bad input; callers turn that into a CNI error that
 * quotes the value. Formatting is canonical (RFC 5952 for IPv6), so file names and `ip` output agree.
 */

export type Family = 4 | 6;

export interface Ip {
  readonly family: Family;
  readonly value: bigint;
}

export interface Cidr {
  /** The network address (host bits cleared). */
  readonly ip: Ip;
  readonly prefix: number;
}

export const bitsOf = (f: Family): number => (f === 4 ? 32 : 128);

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith("0"))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseGroups(s: string): number[] | undefined {
  if (s === "") return [];
  const out: number[] = [];
  for (const g of s.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16));
  }
  return out;
}

function parseV6(input: string): bigint | undefined {
  let s = input;
  let low = 0n;
  if (s.includes(".")) {
    // Embedded IPv4 tail ("::ffff:1.2.3.4"): parse it, put "0:0" in its place, OR it back in.
    const at = s.lastIndexOf(":");
    const v4 = parseV4(s.slice(at + 1));
    if (v4 === undefined) return undefined;
    low = v4;
    s = `${s.slice(0, at + 1)}0:0`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? "");
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (head === undefined || rest === undefined) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) | low;
}

/** Parse a literal IPv4 or IPv6 address (no zone, no prefix). */
export function parseIp(s: string): Ip | undefined {
  if (s.includes(":")) {
    const v = parseV6(s);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseV4(s);
  return v === undefined ? undefined : { family: 4, value: v };
}

function formatV6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(":");
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 6) return formatV6(ip.value);
  const v = ip.value;
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
}

export const ipEq = (a: Ip, b: Ip): boolean => a.family === b.family && a.value === b.value;
export const cmpIp = (a: Ip, b: Ip): number =>
  a.family !== b.family ? a.family - b.family : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
export const nextIp = (ip: Ip): Ip => ({ family: ip.family, value: ip.value + 1n });
export const prevIp = (ip: Ip): Ip => ({ family: ip.family, value: ip.value - 1n });

const hostMask = (f: Family, prefix: number): bigint => (1n << BigInt(bitsOf(f) - prefix)) - 1n;

/** Parse "addr/len" keeping the address as written (use `network` to clear host bits). */
export function parseIpPrefix(s: string): { ip: Ip; prefix: number } | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (ip === undefined || !/^\d{1,3}$/.test(p)) return undefined;
  const prefix = Number(p);
  return prefix > bitsOf(ip.family) ? undefined : { ip, prefix };
}

export function network(ip: Ip, prefix: number): Ip {
  return { family: ip.family, value: ip.value & ~hostMask(ip.family, prefix) };
}

/** Last address of the CIDR (the IPv4 broadcast address). */
export function lastOf(c: Cidr): Ip {
  return { family: c.ip.family, value: c.ip.value | hostMask(c.ip.family, c.prefix) };
}

export function cidrContains(c: Cidr, ip: Ip): boolean {
  return ip.family === c.ip.family && network(ip, c.prefix).value === c.ip.value;
}

export const formatCidr = (c: Cidr): string => `${formatIp(c.ip)}/${c.prefix}`;

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b.ip) || cidrContains(b, a.ip);
}

/** The default route destination for a family. */
export const defaultDst = (f: Family): string => (f === 4 ? "0.0.0.0/0" : "::/0");
