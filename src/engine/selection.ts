/**
 * @module selection
 * Which classes a selector, a policy or a peer picks, through an inverted label index so that
 * 10k policies over 100k pods do not scan every class for every selector.
 */
import { formatSelector, ipSetCovers, pushTo, selectorMatches, type LabelSelector, type Peer } from "../model/index.js";
import { Bitset } from "./bitset.js";
import type { ClassInfo } from "./classes.js";
import type { Topology } from "./topology.js";

export class SelectionIndex {
  /** Subject classes (not hostNetwork) per namespace. */
  private readonly byNamespace = new Map<string, number[]>();
  /** `ns\u0000key=value` → classes; `ns\u0000key` → classes having the key. */
  private readonly postings = new Map<string, number[]>();
  private readonly nsSelections = new Map<string, string[]>();
  private readonly peerCache = new Map<string, Bitset>();

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

  /** Classes (subjects and external cells) a peer matches, for a policy in `policyNs`. */
  peer(peer: Peer, policyNs: string): Bitset {
    const key = peer.type === "IPBlock"
      ? `ip\u0000${peer.set.family}\u0000${peer.set.intervals.map((iv) => `${iv.lo}-${iv.hi}`).join(",")}`
      : `pods\u0000${peer.namespaces.type === "PolicyNamespace" ? `=${policyNs}` : selectorKey(peer.namespaces.selector)}\u0000${selectorKey(peer.pods)}`;
    let bits = this.peerCache.get(key);
    if (bits) return bits;
    bits = new Bitset(this.infos.length);
    if (peer.type === "Pods") {
      const namespaces = peer.namespaces.type === "PolicyNamespace" ? [policyNs] : this.namespacesMatching(peer.namespaces.selector);
      for (const ns of namespaces) for (const c of this.podsIn(ns, peer.pods)) bits.set(c);
    } else {
      const S = this.topology.subjects.length;
      const cellIn = this.topology.cells.map((cell) => cell.family === peer.set.family && ipSetCovers(peer.set, cell.representative, cell.representative));
      this.infos.forEach((info, c) => {
        if (info.cell) {
          if (cellIn[info.representative - S]) bits?.set(c);
        } else {
          const r = info.subject?.unknownIpRange;
          const hit = info.subject && info.subject.ips.length === 0 && r
            ? r.family === peer.set.family && ipSetCovers(peer.set, r.lo, r.hi)
            : info.ipCells.some((k) => cellIn[k]);
          if (hit) bits?.set(c);
        }
      });
    }
    this.peerCache.set(key, bits);
    return bits;
  }
}

function selectorKey(sel: LabelSelector): string {
  return formatSelector(sel);
}
