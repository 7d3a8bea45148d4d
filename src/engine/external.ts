/**
 * @module external
 * The outside world as endpoints: the partition of each address family induced by the
 * policies' ipBlocks. Two addresses are in one cell when every ipBlock (cidr minus except)
 * contains both or neither; a cell is printed as the CIDRs that cover it.
 */
import {
  formatCidr,
  ipBlockId,
  ipSetToCidrs,
  maxValue,
  normalizeIntervals,
  type Interval,
  type IpFamily,
  type IpSet,
  type NetworkPolicy,
} from "../model/index.js";

export interface ExternalCell {
  readonly id: string;
  readonly family: IpFamily;
  readonly cidrs: readonly string[];
  readonly intervals: readonly Interval[];
  /** Any address of the cell: every ipBlock contains all of the cell or none of it. */
  readonly representative: bigint;
}

export function ipBlockSets(policies: readonly NetworkPolicy[]): IpSet[] {
  const seen = new Map<string, IpSet>();
  for (const p of policies) {
    for (const rule of [...p.ingress, ...p.egress]) {
      if (rule.peers === "All") continue;
      for (const peer of rule.peers) {
        if (peer.type !== "IPBlock") continue;
        const key = `${peer.set.family}:${peer.set.intervals.map((iv) => `${iv.lo}-${iv.hi}`).join(",")}`;
        if (!seen.has(key)) seen.set(key, peer.set);
      }
    }
  }
  return [...seen.values()];
}

function cellsOfFamily(family: IpFamily, sets: readonly IpSet[]): ExternalCell[] {
  const mine = sets.filter((s) => s.family === family);
  const points = new Set<bigint>([0n]);
  for (const s of mine) {
    for (const iv of s.intervals) {
      points.add(iv.lo);
      if (iv.hi < maxValue(family)) points.add(iv.hi + 1n);
    }
  }
  const starts = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const groups = new Map<string, Interval[]>();
  for (let i = 0; i < starts.length; i++) {
    const lo = starts[i] as bigint;
    const next = starts[i + 1];
    const hi = next === undefined ? maxValue(family) : next - 1n;
    let sig = "";
    for (let k = 0; k < mine.length; k++) {
      const s = mine[k] as IpSet;
      if (s.intervals.some((iv) => lo >= iv.lo && lo <= iv.hi)) sig += `${k},`;
    }
    const list = groups.get(sig) ?? [];
    list.push({ lo, hi });
    groups.set(sig, list);
  }
  const cells: ExternalCell[] = [];
  for (const ivs of groups.values()) {
    const intervals = normalizeIntervals(ivs);
    const cidrs = ipSetToCidrs({ family, intervals }).map(formatCidr);
    cells.push({ id: ipBlockId(cidrs), family, cidrs, intervals, representative: (intervals[0] as Interval).lo });
  }
  return cells.sort((a, b) => (a.representative < b.representative ? -1 : 1));
}

export function externalCells(policies: readonly NetworkPolicy[]): ExternalCell[] {
  const sets = ipBlockSets(policies);
  return [...cellsOfFamily(4, sets), ...cellsOfFamily(6, sets)];
}
