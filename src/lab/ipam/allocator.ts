/**
 * @module lab/ipam/allocator
 * host-local's allocator over a `Store`: one address per range set per ADD (round-robin after the
 * last reserved one, or a requested address), all under one lock, undone if a later set fails.
 * Failures are `IpamError` with a `kind`; the CNI layer maps kinds to spec error codes.
 */
import { cmpIp, formatIp, parseIp, type Ip } from "./addr.js";
import { candidates, formatRangeSet, rangeFor, rangeSize, type RangeSet } from "./range.js";
import type { Owner, Store } from "./store.js";

export type IpamErrorKind = "exhausted" | "requested-unavailable" | "requested-outside";

export class IpamError extends Error {
  constructor(readonly kind: IpamErrorKind, message: string, readonly details: string = "") {
    super(message);
  }
}

/** One allocated address: `address/prefix` in the range's subnet, with that range's gateway. */
export interface Allocation {
  readonly rangeSetIndex: number;
  readonly address: Ip;
  readonly prefix: number;
  readonly gateway: Ip;
}

async function allocateOne(store: Store, set: RangeSet, index: number, owner: Owner, requested: Ip | undefined): Promise<Allocation> {
  if (requested !== undefined) {
    const r = rangeFor(set, requested);
    if (r === undefined) throw new IpamError("requested-outside", `requested IP address ${formatIp(requested)} is not in range set ${formatRangeSet(set)}`);
    if (!(await store.reserve(owner, formatIp(requested), index))) {
      throw new IpamError("requested-unavailable", `requested IP address ${formatIp(requested)} is not available in range set ${formatRangeSet(set)}`);
    }
    return { rangeSetIndex: index, address: requested, prefix: r.subnet.prefix, gateway: r.gateway };
  }
  const lastS = await store.lastReserved(index);
  const last = lastS === undefined ? undefined : parseIp(lastS);
  for (const c of candidates(set, last)) {
    if (await store.reserve(owner, formatIp(c.ip), index)) {
      return { rangeSetIndex: index, address: c.ip, prefix: c.range.subnet.prefix, gateway: c.range.gateway };
    }
  }
  throw new IpamError("exhausted", `no IP addresses available in range set: ${formatRangeSet(set)}`);
}

/**
 * Allocate one address from every range set for `owner`. `requested` addresses (CNI_ARGS `IP=`)
 * replace round-robin in the set that contains them.
 */
export async function allocate(store: Store, sets: readonly RangeSet[], owner: Owner, requested: readonly Ip[] = []): Promise<Allocation[]> {
  const unmatched = requested.filter((ip) => !sets.some((s) => rangeFor(s, ip) !== undefined));
  const stray = unmatched[0];
  if (stray !== undefined) {
    throw new IpamError("requested-outside", `requested IP address ${formatIp(stray)} is not in any range set (${sets.map(formatRangeSet).join("; ")})`);
  }
  return store.withLock(async () => {
    const done: Allocation[] = [];
    try {
      for (const [i, set] of sets.entries()) {
        const want = requested.find((ip) => rangeFor(set, ip) !== undefined);
        done.push(await allocateOne(store, set, i, owner, want));
      }
      return done;
    } catch (e) {
      for (const a of done) await store.release(formatIp(a.address));
      throw e;
    }
  });
}

/** Free everything `owner` holds (idempotent). */
export function releaseOwner(store: Store, owner: Owner): Promise<string[]> {
  return store.withLock(() => store.releaseByOwner(owner));
}

/** Index of the first range set with no free address, or undefined when every set can allocate. */
export async function firstExhausted(store: Store, sets: readonly RangeSet[]): Promise<number | undefined> {
  const held = (await store.list()).map((r) => parseIp(r.ip)).filter((ip): ip is Ip => ip !== undefined);
  for (const [i, set] of sets.entries()) {
    let free = 0n;
    for (const r of set) {
      const used = held.filter((ip) => ip.family === r.rangeStart.family && cmpIp(r.rangeStart, ip) <= 0 && cmpIp(ip, r.rangeEnd) <= 0 && cmpIp(ip, r.gateway) !== 0);
      free += rangeSize(r) - BigInt(used.length);
    }
    if (free <= 0n) return i;
  }
  return undefined;
}
