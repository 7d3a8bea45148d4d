/**
 * @module ip-set
 * Sets of addresses of one family as sorted, disjoint, non-adjacent closed intervals.
 * Used for ipBlock `cidr` minus `except`, and for the partition of the outside world.
 */
import { lastOf, rangeToCidrs, type Cidr } from "./cidr.js";
import type { IpFamily } from "./ip.js";

export interface Interval {
  readonly lo: bigint;
  readonly hi: bigint;
}

export interface IpSet {
  readonly family: IpFamily;
  readonly intervals: readonly Interval[];
}

const setKeys = new WeakMap<IpSet, string>();

/**
 * A text two sets share exactly when their intervals are the same: a map key for deduplicating
 * ipBlocks. Kept per set (sets are never changed); IPv4 bounds are written from numbers, which
 * is cheaper than from bigints.
 */
export function ipSetKey(s: IpSet): string {
  let k = setKeys.get(s);
  if (k === undefined) {
    k = `${s.family}:`;
    s.intervals.forEach((iv, i) => {
      k += `${i > 0 ? "," : ""}${s.family === 4 ? `${Number(iv.lo)}-${Number(iv.hi)}` : `${iv.lo}-${iv.hi}`}`;
    });
    setKeys.set(s, k);
  }
  return k;
}

export function ipSetOfCidr(c: Cidr): IpSet {
  return { family: c.family, intervals: [{ lo: c.base, hi: lastOf(c) }] };
}

export function ipSetSubtract(a: IpSet, b: IpSet): IpSet {
  if (a.family !== b.family) return a;
  let cur: Interval[] = [...a.intervals];
  for (const cut of b.intervals) {
    const next: Interval[] = [];
    for (const iv of cur) {
      if (cut.hi < iv.lo || cut.lo > iv.hi) { next.push(iv); continue; }
      if (cut.lo > iv.lo) next.push({ lo: iv.lo, hi: cut.lo - 1n });
      if (cut.hi < iv.hi) next.push({ lo: cut.hi + 1n, hi: iv.hi });
    }
    cur = next;
  }
  return { family: a.family, intervals: cur };
}

export function ipSetContains(s: IpSet, family: IpFamily, v: bigint): boolean {
  if (s.family !== family) return false;
  for (const iv of s.intervals) if (v >= iv.lo && v <= iv.hi) return true;
  return false;
}

/** True when every address of [lo, hi] is in the set. */
export function ipSetCovers(s: IpSet, lo: bigint, hi: bigint): boolean {
  for (const iv of s.intervals) if (lo >= iv.lo && hi <= iv.hi) return true;
  return false;
}

/** Merge adjacent/overlapping intervals. */
export function normalizeIntervals(ivs: readonly Interval[]): Interval[] {
  const sorted = [...ivs].sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.lo <= last.hi + 1n) {
      if (iv.hi > last.hi) out[out.length - 1] = { lo: last.lo, hi: iv.hi };
    } else out.push(iv);
  }
  return out;
}

export function ipSetToCidrs(s: IpSet): Cidr[] {
  return normalizeIntervals(s.intervals).flatMap((iv) => rangeToCidrs(s.family, iv.lo, iv.hi));
}
