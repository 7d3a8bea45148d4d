/**
 * @module lab/ipam/range
 * host-local's `Range` and `RangeSet` (backend/allocator/range.go, range_set.go): defaults
 * (`rangeStart` = network+1, `rangeEnd` = last address, minus the broadcast for IPv4, `gateway` =
 * network+1), validation whose messages quote the offending values, and the iteration order used
 * to hand out addresses (round-robin after the last reserved address, skipping gateways).
 */
import {
  bitsOf, cidrContains, cidrsOverlap, cmpIp, formatCidr, formatIp, ipEq, lastOf, network,
  nextIp, parseIp, parseIpPrefix, prevIp,
  type Cidr, type Family, type Ip,
} from "./addr.js";

export interface Range {
  readonly subnet: Cidr;
  readonly rangeStart: Ip;
  readonly rangeEnd: Ip;
  readonly gateway: Ip;
}

/** Ranges of one family from which one address is allocated per ADD. */
export type RangeSet = readonly Range[];

export interface RangeInput {
  readonly subnet: string;
  readonly rangeStart?: string | undefined;
  readonly rangeEnd?: string | undefined;
  readonly gateway?: string | undefined;
}

/** A validation failure: the field path (e.g. `ipam.ranges[0][1].subnet`) and a message. */
export interface RangeIssue {
  readonly field: string;
  readonly message: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: RangeIssue };

const fail = (field: string, message: string): { ok: false; issue: RangeIssue } => ({ ok: false, issue: { field, message } });

function parseSubnet(s: string, field: string): Checked<Cidr> {
  const p = parseIpPrefix(s);
  if (p === undefined) return fail(field, `invalid subnet ${JSON.stringify(s)} (want ADDRESS/PREFIX)`);
  const net = network(p.ip, p.prefix);
  if (!ipEq(net, p.ip)) {
    return fail(field, `subnet ${s} has host bits set (the network address for /${p.prefix} is ${formatIp(net)})`);
  }
  if (p.prefix > bitsOf(p.ip.family) - 2) return fail(field, `network ${s} too small to allocate from`);
  return { ok: true, value: { ip: net, prefix: p.prefix } };
}

function parseIn(s: string | undefined, subnet: Cidr, field: string, dflt: Ip): Checked<Ip> {
  if (s === undefined) return { ok: true, value: dflt };
  const ip = parseIp(s);
  if (ip === undefined) return fail(field, `invalid IP address ${JSON.stringify(s)}`);
  if (!cidrContains(subnet, ip)) return fail(field, `${field.split(".").pop() ?? field} ${s} not in network ${formatCidr(subnet)}`);
  return { ok: true, value: ip };
}

/** Fill defaults and validate one range (host-local `Range.Canonicalize`). */
export function canonicalizeRange(r: RangeInput, field: string): Checked<Range> {
  const sub = parseSubnet(r.subnet, `${field}.subnet`);
  if (!sub.ok) return sub;
  const subnet = sub.value;
  const first = nextIp(subnet.ip);
  const last = subnet.ip.family === 4 ? prevIp(lastOf(subnet)) : lastOf(subnet);
  const start = parseIn(r.rangeStart, subnet, `${field}.rangeStart`, first);
  if (!start.ok) return start;
  const end = parseIn(r.rangeEnd, subnet, `${field}.rangeEnd`, last);
  if (!end.ok) return end;
  const gw = parseIn(r.gateway, subnet, `${field}.gateway`, first);
  if (!gw.ok) return gw;
  if (cmpIp(start.value, end.value) > 0) {
    return fail(field, `rangeStart ${formatIp(start.value)} is after rangeEnd ${formatIp(end.value)}`);
  }
  return { ok: true, value: { subnet, rangeStart: start.value, rangeEnd: end.value, gateway: gw.value } };
}

export const formatRange = (r: Range): string => `${formatIp(r.rangeStart)}-${formatIp(r.rangeEnd)}`;
export const formatRangeSet = (s: RangeSet): string => s.map(formatRange).join(",");
export const familyOf = (s: RangeSet): Family => s[0]?.subnet.ip.family ?? 4;

const rangesOverlap = (a: Range, b: Range): boolean =>
  cidrsOverlap(a.subnet, b.subnet) &&
  cmpIp(a.rangeStart, b.rangeEnd) <= 0 && cmpIp(b.rangeStart, a.rangeEnd) <= 0;

/** Validate the range sets together: one family per set, no two ranges anywhere overlap. */
export function checkRangeSets(sets: readonly RangeSet[], field: string): RangeIssue | undefined {
  const all: { r: Range; at: string }[] = [];
  for (const [i, set] of sets.entries()) {
    if (set.length === 0) return { field: `${field}[${i}]`, message: `range set ${i} is empty` };
    for (const [j, r] of set.entries()) {
      const at = `${field}[${i}][${j}]`;
      const f0 = set[0];
      if (f0 !== undefined && r.subnet.ip.family !== f0.subnet.ip.family) {
        return { field: at, message: `range set ${i} mixes address families: subnets ${formatCidr(f0.subnet)} and ${formatCidr(r.subnet)}` };
      }
      const clash = all.find((o) => rangesOverlap(o.r, r));
      if (clash !== undefined) {
        const what = cidrsEqual(clash.r.subnet, r.subnet) ? "subnets" : "ranges";
        return { field: at, message: `${what} ${formatCidr(clash.r.subnet)} (${clash.at}) and ${formatCidr(r.subnet)} (${at}) overlap` };
      }
      all.push({ r, at });
    }
  }
  return undefined;
}

const cidrsEqual = (a: Cidr, b: Cidr): boolean => a.prefix === b.prefix && ipEq(a.ip, b.ip);

/** The range of the set that contains `ip` (host-local `RangeFor`). */
export function rangeFor(set: RangeSet, ip: Ip): Range | undefined {
  return set.find((r) => cmpIp(r.rangeStart, ip) <= 0 && cmpIp(ip, r.rangeEnd) <= 0 && r.rangeStart.family === ip.family);
}

/**
 * Candidate addresses in allocation order: start after `last` (if it lies in the set), walk to the
 * end of its range, continue with the next range, wrap around, stop before repeating. Gateways are
 * skipped. Lazy, so a /64 costs nothing.
 */
export function* candidates(set: RangeSet, last: Ip | undefined): Generator<{ ip: Ip; range: Range }> {
  const gateways = set.map((r) => r.gateway);
  const at = last === undefined ? -1 : set.findIndex((r) => r === rangeFor(set, last));
  const n = set.length;
  for (let k = 0; k <= n; k++) {
    const idx = ((at < 0 ? 0 : at) + k) % n;
    const r = set[idx];
    if (r === undefined) return;
    const firstPass = k === 0 && at >= 0 && last !== undefined;
    const wrapPass = k === n;
    if (wrapPass && at < 0) return;
    let ip = firstPass && last !== undefined ? nextIp(last) : r.rangeStart;
    const stop = wrapPass && last !== undefined ? last : r.rangeEnd;
    for (; cmpIp(ip, stop) <= 0; ip = nextIp(ip)) {
      if (!gateways.some((g) => ipEq(g, ip))) yield { ip, range: r };
    }
  }
}

/** Number of assignable addresses in a range (gateway excluded). */
export function rangeSize(r: Range): bigint {
  const n = r.rangeEnd.value - r.rangeStart.value + 1n;
  const gwIn = cmpIp(r.rangeStart, r.gateway) <= 0 && cmpIp(r.gateway, r.rangeEnd) <= 0;
  return gwIn ? n - 1n : n;
}
