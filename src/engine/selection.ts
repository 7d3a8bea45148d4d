/**
 * @module selection
 * Which classes a selector, a policy or a peer picks, through an inverted label index so that
 * 10k policies over 100k pods do not scan every class for every selector.
 */
import { formatSelector, ipSetCovers, ipSetKey, pushTo, selectorMatches, type ClusterPolicySubject, type IpSet, type LabelSelector, type Peer, type PolicyRule } from "../model/index.js";
import { Bitset } from "./bitset.js";
import type { ClassInfo } from "./classes.js";
import type { Subject, Topology } from "./topology.js";

export class SelectionIndex {
  /** Subject classes (not hostNetwork) per namespace. */
  private readonly byNamespace = new Map<string, number[]>();
  /** `ns\u0000key=value` → classes; `ns\u0000key` → classes having the key. */
  private readonly postings = new Map<string, number[]>();
  private readonly nsSelections = new Map<string, string[]>();
  private readonly peerCache = new Map<string, Bitset>();
  private cellIndex: CellIndex | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly infos: readonly ClassInfo[],
  ) {
    infos.forEach((info, c) => {
      const s = info.subject;
      if (!s || s.hostNetwork) return;
      pushTo(this.byNamespace, s.namespace, c);
      for (const k in s.labels) {
        pushTo(this.postings, `${s.namespace}\u0000${k}=${s.labels[k]}`, c);
        pushTo(this.postings, `${s.namespace}\u0000${k}`, c);
      }
    });
  }

  get classCount(): number {
    return this.infos.length;
  }

  /** Candidate classes in `ns` for `sel` (a superset, from the shortest posting list). */
  private candidates(ns: string, sel: LabelSelector): readonly number[] {
    let best: readonly number[] = this.byNamespace.get(ns) ?? [];
    for (const k in sel.matchLabels) {
      const list = this.postings.get(`${ns}\u0000${k}=${sel.matchLabels[k]}`) ?? [];
      if (list.length < best.length) best = list;
    }
    for (const r of sel.matchExpressions) {
      if (r.operator === "Exists") {
        const list = this.postings.get(`${ns}\u0000${r.key}`) ?? [];
        if (list.length < best.length) best = list;
      } else if (r.operator === "In" && r.values.length === 1) {
        const list = this.postings.get(`${ns}\u0000${r.key}=${r.values[0]}`) ?? [];
        if (list.length < best.length) best = list;
      }
    }
    return best;
  }

  /** Subject classes in `ns` whose pods `sel` selects (hostNetwork pods excluded). */
  podsIn(ns: string, sel: LabelSelector): number[] {
    const out: number[] = [];
    for (const c of this.candidates(ns, sel)) {
      const s = (this.infos[c] as ClassInfo).subject;
      if (s && selectorMatches(sel, s.labels)) out.push(c);
    }
    return out;
  }

  namespacesMatching(sel: LabelSelector): readonly string[] {
    const key = selectorKey(sel);
    let out = this.nsSelections.get(key);
    if (!out) {
      out = [...this.topology.namespaces.values()].filter((n) => selectorMatches(sel, n.labels)).map((n) => n.name);
      this.nsSelections.set(key, out);
    }
    return out;
  }

  /**
   * Classes an ipBlock matches: the external cells whose representative it contains (found by
   * binary search per interval, not by testing every cell), the subject classes with an IP in
   * those cells, and the subject classes without an IP whose whole synthesized range it covers.
   */
  private ipBlockInto(set: IpSet, bits: Bitset): void {
    const idx = (this.cellIndex ??= buildCellIndex(this.topology, this.infos));
    const reps = idx.reps[set.family];
    const cells = idx.cellsAt[set.family];
    for (const iv of set.intervals) {
      for (let i = lowerBound(reps, iv.lo); i < reps.length && (reps[i] as bigint) <= iv.hi; i++) {
        for (const c of idx.classesOfCell[cells[i] as number] ?? []) bits.set(c);
      }
    }
    for (const g of idx.unknownIp) {
      if (g.range.family === set.family && ipSetCovers(set, g.range.lo, g.range.hi)) for (const c of g.classes) bits.set(c);
    }
  }

  /** Classes a rule's peers match (the union of its peers), for a policy in `policyNs`; undefined: every peer. */
  rulePeers(rule: PolicyRule, policyNs: string): Bitset | undefined {
    if (rule.peers === "All") return undefined;
    const list = rule.peers.map((peer) => this.peer(peer, policyNs));
    if (list.length === 1) return list[0];
    const peers = new Bitset(this.infos.length);
    for (const b of list) peers.orWith(b);
    return peers;
  }

  /** Subject classes a cluster-scoped policy's subject (namespaces AND pods) selects. */
  clusterSubject(subject: ClusterPolicySubject): number[] {
    const out: number[] = [];
    for (const ns of this.namespacesMatching(subject.namespaces)) out.push(...this.podsIn(ns, subject.pods));
    return out;
  }

  /** Classes (subjects and external cells) a peer matches, for a policy in `policyNs`. */
  peer(peer: Peer, policyNs: string): Bitset {
    const key = peer.type === "IPBlock"
      ? `ip\u0000${ipSetKey(peer.set)}`
      : `pods\u0000${peer.namespaces.type === "PolicyNamespace" ? `=${policyNs}` : selectorKey(peer.namespaces.selector)}\u0000${selectorKey(peer.pods)}`;
    let bits = this.peerCache.get(key);
    if (bits) return bits;
    bits = new Bitset(this.infos.length);
    if (peer.type === "Pods") {
      const namespaces = peer.namespaces.type === "PolicyNamespace" ? [policyNs] : this.namespacesMatching(peer.namespaces.selector);
      for (const ns of namespaces) for (const c of this.podsIn(ns, peer.pods)) bits.set(c);
    } else this.ipBlockInto(peer.set, bits);
    this.peerCache.set(key, bits);
    return bits;
  }
}

/**
 * Where addresses live, for ipBlock peers: external cells per family sorted by representative
 * (each cell lies wholly inside or outside every ipBlock, so its representative decides), the
 * subject classes whose IPs fall in each cell, and the subject classes without an IP grouped by
 * the range their address is synthesized from.
 */
interface CellIndex {
  readonly reps: { readonly 4: bigint[]; readonly 6: bigint[] };
  readonly cellsAt: { readonly 4: number[]; readonly 6: number[] };
  /** Per cell: its own class, then the subject classes with an IP in it. */
  readonly classesOfCell: readonly number[][];
  readonly unknownIp: readonly { readonly range: NonNullable<Subject["unknownIpRange"]>; readonly classes: readonly number[] }[];
}

function buildCellIndex(t: Topology, infos: readonly ClassInfo[]): CellIndex {
  const S = t.subjects.length;
  const reps = { 4: [] as bigint[], 6: [] as bigint[] };
  const cellsAt = { 4: [] as number[], 6: [] as number[] };
  const order = t.cells.map((c, k) => ({ c, k })).sort((x, y) => x.c.family - y.c.family || (x.c.representative < y.c.representative ? -1 : x.c.representative > y.c.representative ? 1 : 0));
  for (const { c, k } of order) {
    reps[c.family].push(c.representative);
    cellsAt[c.family].push(k);
  }
  const classesOfCell: number[][] = t.cells.map(() => []);
  const byRange = new Map<string, { range: NonNullable<Subject["unknownIpRange"]>; classes: number[] }>();
  infos.forEach((info, c) => {
    if (info.cell) {
      classesOfCell[info.representative - S]?.unshift(c);
      return;
    }
    const s = info.subject;
    if (!s) return;
    const r = s.unknownIpRange;
    if (s.ips.length === 0 && r) {
      const key = `${r.family}:${r.lo}-${r.hi}`;
      const g = byRange.get(key);
      if (g) g.classes.push(c);
      else byRange.set(key, { range: r, classes: [c] });
    } else for (const k of info.ipCells) classesOfCell[k]?.push(c);
  });
  return { reps, cellsAt, classesOfCell, unknownIp: [...byRange.values()] };
}

/** First index i with xs[i] >= v. */
function lowerBound(xs: readonly bigint[], v: bigint): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as bigint) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function selectorKey(sel: LabelSelector): string {
  return formatSelector(sel);
}
