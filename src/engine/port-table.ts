/**
 * @module port-table
 * Interned port sets: equal sets share one small integer id, so matrices are integer arrays
 * and unions/intersections are memoized table lookups. Id 0 is the empty set, 1 is everything.
 */
import { ALL_PORTS, EMPTY_PORTS, intersectPorts, portSetKey, subtractPorts, unionPorts, type PortSet } from "../model/index.js";

export const EMPTY_ID = 0;
export const ALL_ID = 1;

export class PortSetTable {
  private readonly sets: PortSet[] = [];
  private readonly ids = new Map<string, number>();
  private readonly unions = new Map<number, number>();
  private readonly intersections = new Map<number, number>();

  constructor() {
    this.intern(EMPTY_PORTS);
    this.intern(ALL_PORTS);
  }

  intern(p: PortSet): number {
    const key = portSetKey(p);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(p);
      this.ids.set(key, id);
    }
    return id;
  }

  get(id: number): PortSet {
    const p = this.sets[id];
    if (!p) throw new Error(`unknown port set id ${id}`);
    return p;
  }

  get size(): number {
    return this.sets.length;
  }

  union(a: number, b: number): number {
    if (a === b || b === EMPTY_ID || a === ALL_ID) return a;
    if (a === EMPTY_ID || b === ALL_ID) return b;
    const key = pairKey(a, b);
    let id = this.unions.get(key);
    if (id === undefined) {
      id = this.intern(unionPorts(this.get(a), this.get(b)));
      this.unions.set(key, id);
    }
    return id;
  }

  intersect(a: number, b: number): number {
    if (a === b || b === ALL_ID) return a;
    if (a === ALL_ID) return b;
    if (a === EMPTY_ID || b === EMPTY_ID) return EMPTY_ID;
    const key = pairKey(a, b);
    let id = this.intersections.get(key);
    if (id === undefined) {
      id = this.intern(intersectPorts(this.get(a), this.get(b)));
      this.intersections.set(key, id);
    }
    return id;
  }
}

/**
 * One number for an unordered pair of ids: a small integer (no allocation, fast hashing) while
 * both ids are below 2^15, as they nearly always are; beyond, a larger exact one.
 */
function pairKey(a: number, b: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  return hi < 32768 ? (lo << 15) | hi : lo * 2 ** 26 + hi + 2 ** 30;
}

/** a − b on interned ids (memoized per table, keyed a → b so keys stay small integers). */
export function subtractIds(t: PortSetTable, a: number, b: number): number {
  if (b === EMPTY_ID || a === EMPTY_ID) return a;
  if (a === b || b === ALL_ID) return EMPTY_ID;
  let memo = subtractMemo.get(t);
  if (!memo) subtractMemo.set(t, (memo = []));
  let row = memo[a];
  if (!row) memo[a] = row = new Map<number, number>();
  let id = row.get(b);
  if (id === undefined) {
    id = t.intern(subtractPorts(t.get(a), t.get(b)));
    row.set(b, id);
  }
  return id;
}

const subtractMemo = new WeakMap<PortSetTable, Map<number, number>[]>();
