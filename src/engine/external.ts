/**
 * @module external
 * The outside world as endpoints: the partition of each address family induced by the
 * policies' ipBlocks. Two addresses are in one cell when every ipBlock (cidr minus except)
 * contains both or neither; a cell is printed as the CIDRs that cover it.
 */
import {
  formatCidr,
  ipBlockId,
  ipSetKey,
  ipSetToCidrs,
  maxValue,
  normalizeIntervals,
  type Interval,
  type IpFamily,
  type IpSet,
  type NetworkPolicy,
  type PolicyRule,
} from "../model/index.js";

export interface ExternalCell {
  readonly id: string;
  readonly family: IpFamily;
  readonly cidrs: readonly string[];
  readonly intervals: readonly Interval[];
  /** Any address of the cell: every ipBlock contains all of the cell or none of it. */
  readonly representative: bigint;
}

/** ipBlock sets of NetworkPolicy rules, plus `more` rules (cluster policies' networks and nodes). */
export function ipBlockSets(policies: readonly NetworkPolicy[], more: readonly PolicyRule[] = []): IpSet[] {
  const seen = new Map<string, IpSet>();
  for (const rules of [...policies.map((p) => [...p.ingress, ...p.egress]), more]) {
    for (const rule of rules) {
      if (rule.peers === "All") continue;
      for (const peer of rule.peers) {
        if (peer.type !== "IPBlock") continue;
        const key = ipSetKey(peer.set);
        if (!seen.has(key)) seen.set(key, peer.set);
      }
    }
  }
  return [...seen.values()];
}

const cmpBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The partition of one family's address space by its ipBlocks, as a sweep over sorted
 * boundaries: the boundaries of every interval cut the space into elementary intervals; each
 * ipBlock covers contiguous runs of them, and refining the partition by each ipBlock in turn
 * (the intervals it covers move to a new part per old part) leaves two elementary intervals in
 * one part exactly when every ipBlock covers both or neither. Cost: sorting the boundaries plus
 * the elementary intervals each ipBlock covers, never points × ipBlocks.
 */
function cellsOfFamily(family: IpFamily, sets: readonly IpSet[]): ExternalCell[] {
  const mine = sets.filter((s) => s.family === family);
  const max = maxValue(family);
  const points = new Set<bigint>([0n]);
  for (const s of mine) {
    for (const iv of s.intervals) {
      points.add(iv.lo);
      if (iv.hi < max) points.add(iv.hi + 1n);
    }
  }
  const starts = [...points].sort(cmpBig);
  const indexOf = new Map<bigint, number>();
  starts.forEach((p, i) => indexOf.set(p, i));
  const part = new Int32Array(starts.length);
  let parts = 1;
  const moved = new Map<number, number>();
  for (const s of mine) {
    moved.clear();
    for (const iv of normalizeIntervals(s.intervals)) {
      const from = indexOf.get(iv.lo) as number;
      const to = iv.hi < max ? (indexOf.get(iv.hi + 1n) as number) : starts.length;
      for (let i = from; i < to; i++) {
        const old = part[i] as number;
        let next = moved.get(old);
        if (next === undefined) {
          next = parts++;
          moved.set(old, next);
        }
        part[i] = next;
      }
    }
  }
  const groups = new Map<number, Interval[]>();
  for (let i = 0; i < starts.length; i++) {
    const next = starts[i + 1];
    const iv = { lo: starts[i] as bigint, hi: next === undefined ? max : next - 1n };
    const list = groups.get(part[i] as number);
    if (list) list.push(iv);
    else groups.set(part[i] as number, [iv]);
  }
  const cells: ExternalCell[] = [];
  for (const ivs of groups.values()) {
    const intervals = normalizeIntervals(ivs);
    const cidrs = ipSetToCidrs({ family, intervals }).map(formatCidr);
    cells.push({ id: ipBlockId(cidrs), family, cidrs, intervals, representative: (intervals[0] as Interval).lo });
  }
  return cells.sort((a, b) => cmpBig(a.representative, b.representative));
}

/** `extra`: further address sets that must not straddle a cell (Calico nets, NetworkSets, Cilium CIDRs, node addresses). */
export function externalCells(policies: readonly NetworkPolicy[], more: readonly PolicyRule[] = [], extra: readonly IpSet[] = []): ExternalCell[] {
  const sets = [...ipBlockSets(policies, more), ...extra].filter((s) => s.intervals.length > 0);
  return [...cellsOfFamily(4, sets), ...cellsOfFamily(6, sets)];
}
