/**
 * @module matrix-summary
 * `kwire matrix -o summary`: the counts of the matrix at a level without its pairs. Each class
 * row is asked of the engine once and counted against per-class weights (how many endpoints
 * consist of that class alone), so the cost is one row per class plus one pass over it, whatever
 * the number of endpoints. Endpoints whose members span several classes (a workload in the middle
 * of a rollout, a namespace) are few; their rows are the union of their classes' rows, kept as
 * bitsets of non-empty cells.
 */
import type { Analysis } from "./analysis.js";
import { Bitset } from "./bitset.js";
import { combinePorts, membersByGroup, type EgressLayer, type ProfiledRow } from "./fast.js";
import { memberGroups, type Level, type MatrixOptions } from "./matrix.js";
import { ALL_ID, EMPTY_ID, type PortSetTable } from "./port-table.js";
import type { Subject } from "./topology.js";

/** An engine that gives rows in profile form (the fast engine): rows are counted per profile, not per class. */
interface Profiled {
  readonly ports: PortSetTable;
  readonly profileOf: Int32Array;
  readonly profileCount: number;
  readonly slots: { readonly slotOf: Int32Array; readonly slotStart: Int32Array };
  profiledRow(a: number): ProfiledRow;
}

function profiled(a: Analysis): (Analysis & Profiled) | undefined {
  return "profiledRow" in a ? (a as Analysis & Profiled) : undefined;
}

export interface MatrixSummary {
  readonly level: Level;
  readonly engine: string;
  readonly endpoints: number;
  readonly externalEndpoints: number;
  readonly classes: number;
  readonly pods: number;
  readonly policies: number;
  readonly allowedPairs: number;
  readonly deniedPairs: number;
  readonly podsIsolatedIngress: number;
  readonly podsIsolatedEgress: number;
  readonly reachableFromOutside: number;
}

/** Endpoints made of several classes, grouped by their make-up. */
interface MultiGroup {
  readonly classes: readonly number[];
  /** Per class of `classes`: whether two distinct members of one endpoint have that class. */
  readonly twice: readonly boolean[];
  /** Endpoints with this make-up. */
  count: number;
  /** Union of its classes' rows: the cells with a non-empty port set. */
  readonly reach: Bitset;
  /** Two distinct members of one endpoint can talk. */
  within: boolean;
  reachableFromOutside: boolean;
}

/** The endpoints at a level, as weights over classes. */
interface Weights {
  /** Per class: endpoints consisting of that class only (external cells: 1). */
  readonly single: Float64Array;
  /** Per class: the single-class in-cluster endpoints among them whose members include two nodes. */
  readonly singleTwice: Float64Array;
  readonly external: Uint8Array;
  readonly multi: readonly MultiGroup[];
  /** Per class: indices of the multi groups containing it. */
  readonly multiOf: ReadonlyMap<number, number[]>;
  /** Classes whose rows are needed (a member of a reported endpoint). */
  readonly wanted: Uint8Array;
  readonly inCluster: number;
  readonly externalCount: number;
}

function weights(a: Analysis, opts: MatrixOptions): Weights {
  const C = a.classCount;
  const t = a.topology;
  const S = t.subjects.length;
  const single = new Float64Array(C);
  const singleTwice = new Float64Array(C);
  const external = new Uint8Array(C);
  const wanted = new Uint8Array(C);
  const multi: MultiGroup[] = [];
  const byKey = new Map<string, MultiGroup>();
  const groups = memberGroups(t, opts.level, opts.namespaces);
  const counts = new Map<number, { n: number; replicated: boolean }>();
  for (const members of groups) {
    const first = members[0] as number;
    const c0 = a.classOf[first] as number;
    let same = true;
    for (const m of members) if (a.classOf[m] !== c0) same = false;
    const replicated = (m: number): boolean => (t.subjects[m] as Subject).replicas >= 2;
    if (same) {
      single[c0] = (single[c0] as number) + 1;
      wanted[c0] = 1;
      if (members.length > 1 || replicated(first)) singleTwice[c0] = (singleTwice[c0] as number) + 1;
      continue;
    }
    counts.clear();
    for (const m of members) {
      const c = a.classOf[m] as number;
      const e = counts.get(c) ?? { n: 0, replicated: false };
      e.n++;
      if (replicated(m)) e.replicated = true;
      counts.set(c, e);
      wanted[c] = 1;
    }
    const classes = [...counts.keys()].sort((x, y) => x - y);
    const twice = classes.map((c) => {
      const e = counts.get(c) as { n: number; replicated: boolean };
      return e.n > 1 || e.replicated;
    });
    const key = classes.map((c, i) => `${c}:${twice[i] ? "n" : "1"}`).join(",");
    const g = byKey.get(key);
    if (g) g.count++;
    else {
      const ng: MultiGroup = { classes, twice, count: 1, reach: new Bitset(C), within: false, reachableFromOutside: false };
      byKey.set(key, ng);
      multi.push(ng);
    }
  }
  for (let k = 0; k < t.cells.length; k++) {
    const c = a.classOf[S + k] as number;
    single[c] = (single[c] as number) + 1;
    external[c] = 1;
    wanted[c] = 1;
  }
  const multiOf = new Map<number, number[]>();
  multi.forEach((g, i) => {
    for (const c of g.classes) {
      const list = multiOf.get(c);
      if (list) list.push(i);
      else multiOf.set(c, [i]);
    }
  });
  return { single, singleTwice, external, multi, multiOf, wanted, inCluster: groups.length, externalCount: t.cells.length };
}


/**
 * Counts only. With `namespaces`, pairs are those with at least one end in them (as
 * `computeMatrix`): all pairs minus the pairs among the endpoints outside them; endpoints, pods
 * and isolation count what is in the namespaces.
 */
export function computeSummary(a: Analysis, opts: MatrixOptions, policies: number): MatrixSummary {
  const ns = opts.namespaces;
  if (!ns) return summaryOf(a, opts, policies);
  const { namespaces: _ns, ...rest } = opts;
  const every = summaryOf(a, rest, policies);
  const outside = [...a.topology.namespaces.keys()].filter((n) => !ns.includes(n));
  const none = summaryOf(a, { ...rest, namespaces: outside }, policies);
  const mine = summaryOf(a, opts, policies);
  const allowed = every.allowedPairs - none.allowedPairs;
  const total = every.allowedPairs + every.deniedPairs - (none.allowedPairs + none.deniedPairs);
  return { ...mine, allowedPairs: allowed, deniedPairs: total - allowed };
}

function summaryOf(a: Analysis, opts: MatrixOptions, policies: number): MatrixSummary {
  const C = a.classCount;
  const w = weights(a, opts);
  const includeSelf = opts.includeSelf ?? false;
  const listsSelf = includeSelf || opts.level === "namespace";
  const { single, external, multi, multiOf, wanted } = w;
  const rows = profiled(a) ? new ProfileRows(profiled(a) as Analysis & Profiled, w) : new ClassRows(a, w);
  const reachedClass = new Uint8Array(C);
  let allowed = 0;
  let selfAllowed = 0;
  for (let x = 0; x < C; x++) {
    if (wanted[x] === 0) continue;
    rows.load(x);
    const ext = external[x] === 1;
    const wx = single[x] as number;
    if (wx > 0) {
      // Toward endpoints of one class: their weights where the row is non-empty.
      let toSingles: number;
      if (ext) toSingles = rows.fromOutside(reachedClass);
      else {
        toSingles = rows.weighted();
        if (rows.at(x) !== EMPTY_ID) {
          toSingles -= 1; // not to itself
          selfAllowed += w.singleTwice[x] as number;
        }
      }
      let toMulti = 0;
      for (const g of multi) {
        if (!g.classes.some((c) => rows.at(c) !== EMPTY_ID)) continue;
        toMulti += g.count;
        if (ext) g.reachableFromOutside = true;
      }
      allowed += wx * (toSingles + toMulti);
    }
    // Multi-class endpoints containing x: their rows are the union of their classes' rows.
    for (const gi of multiOf.get(x) ?? []) {
      const g = multi[gi] as MultiGroup;
      for (let b = 0; b < C; b++) if (rows.at(b) !== EMPTY_ID) g.reach.set(b);
      g.classes.forEach((cy, i) => {
        if ((cy !== x || g.twice[i]) && rows.at(cy) !== EMPTY_ID) g.within = true;
      });
    }
  }
  for (const g of multi) {
    let toSingles = 0;
    g.reach.forEach((b) => {
      toSingles += single[b] as number;
    });
    let toMulti = 0;
    for (const h of multi) {
      let hit = false;
      for (const c of h.classes) if (g.reach.has(c)) hit = true;
      if (hit) toMulti += h === g ? g.count - 1 : h.count;
    }
    allowed += g.count * (toSingles + toMulti);
    if (g.within) selfAllowed += g.count;
  }
  // Pairs: every ordered pair of distinct endpoints but external → external.
  const inN = w.inCluster;
  const extN = w.externalCount;
  let total = inN * (inN + extN - 1) + extN * inN;
  if (listsSelf) {
    total += inN;
    allowed += opts.level === "pod" && includeSelf ? inN : selfAllowed;
  }
  let reachable = 0;
  rows.reachedFromOutside(reachedClass);
  for (let b = 0; b < C; b++) if (reachedClass[b] === 1) reachable += single[b] as number;
  for (const g of multi) if (g.reachableFromOutside) reachable += g.count;
  const subjects = a.topology.subjects;
  let pods = 0;
  let isoIn = 0;
  let isoEg = 0;
  const keep = opts.namespaces ? new Set(opts.namespaces) : undefined;
  subjects.forEach((s, i) => {
    if (keep && !keep.has(s.namespace)) return;
    pods += s.replicas;
    if (a.isolated(i, "Ingress")) isoIn += s.replicas;
    if (a.isolated(i, "Egress")) isoEg += s.replicas;
  });
  return {
    level: opts.level,
    engine: a.engine,
    endpoints: inN + extN,
    externalEndpoints: extN,
    classes: a.classCount,
    pods,
    policies,
    allowedPairs: allowed,
    deniedPairs: total - allowed,
    podsIsolatedIngress: isoIn,
    podsIsolatedEgress: isoEg,
    reachableFromOutside: reachable,
  };
}

/** One source's row at a time, as the summary reads it. */
interface RowReader {
  load(x: number): void;
  /** Ports toward class b. */
  at(b: number): number;
  /** Σ single[b] over the classes b the row reaches. */
  weighted(): number;
  /** For an external source: Σ single[b] over the in-cluster classes it reaches (marked in `reached`, or remembered). */
  fromOutside(reached: Uint8Array): number;
  /** Marks the classes reached from outside that `fromOutside` remembered rather than marked. */
  reachedFromOutside(reached: Uint8Array): void;
}

/** Any engine: one full row per class. */
class ClassRows implements RowReader {
  private readonly row: Uint32Array;
  constructor(private readonly a: Analysis, private readonly w: Weights) {
    this.row = new Uint32Array(a.classCount);
  }
  load(x: number): void {
    this.a.classRow(x, this.row);
  }
  at(b: number): number {
    return this.row[b] as number;
  }
  weighted(): number {
    const single = this.w.single;
    let n = 0;
    for (let b = 0; b < this.row.length; b++) if (this.row[b] !== EMPTY_ID) n += single[b] as number;
    return n;
  }
  fromOutside(reached: Uint8Array): number {
    const { single, external } = this.w;
    let n = 0;
    for (let b = 0; b < this.row.length; b++) {
      if (this.row[b] !== EMPTY_ID && external[b] === 0 && (single[b] as number) > 0) {
        n += single[b] as number;
        reached[b] = 1;
      }
    }
    return n;
  }
  reachedFromOutside(): void {}
}

/**
 * The fast engine: a row is its ingress value per profile (per slot, but for a few profiles) plus
 * its egress row (a layer shared by the sources of one Admin program, but for the classes the
 * source's NetworkPolicy rules name), so weights are summed per slot, per (slot, layer value) and
 * over those few classes, not per class.
 */
class ProfileRows implements RowReader {
  private r: ProfiledRow | undefined;
  /** Per profile: Σ single[b] over its classes; and over its in-cluster classes. */
  private readonly byProfile: Float64Array;
  private readonly inClusterByProfile: Float64Array;
  /** The same per slot (over the slot's profiles). */
  private readonly bySlot: Float64Array;
  private readonly inClusterBySlot: Float64Array;
  /** Σ single[b] over the classes no policy isolates for ingress (all, and in-cluster ones). */
  private readonly open: number;
  private readonly openInCluster: number;
  private readonly reachedProfile: Uint8Array;
  /** Slots whose every profile is marked in reachedProfile. */
  private readonly reachedSlot: Uint8Array;
  private openReached = false;
  /** The engine's profile per class, and slot per profile (read once: the engine computes them behind getters). */
  private readonly profileOf: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly slotStart: Int32Array;
  constructor(private readonly a: Analysis & Profiled, private readonly w: Weights) {
    this.profileOf = a.profileOf;
    ({ slotOf: this.slotOf, slotStart: this.slotStart } = a.slots);
    const P = a.profileCount;
    const S = this.slotStart.length - 1;
    this.byProfile = new Float64Array(P);
    this.inClusterByProfile = new Float64Array(P);
    this.bySlot = new Float64Array(S);
    this.inClusterBySlot = new Float64Array(S);
    this.reachedProfile = new Uint8Array(P);
    this.reachedSlot = new Uint8Array(S);
    let open = 0;
    let openIn = 0;
    for (let b = 0; b < a.classCount; b++) {
      const p = this.profileOf[b] as number;
      const wb = w.single[b] as number;
      const inCluster = w.external[b] === 0 ? wb : 0;
      if (p < 0) {
        open += wb;
        openIn += inCluster;
      } else {
        const sl = this.slotOf[p] as number;
        this.byProfile[p] = (this.byProfile[p] as number) + wb;
        this.inClusterByProfile[p] = (this.inClusterByProfile[p] as number) + inCluster;
        this.bySlot[sl] = (this.bySlot[sl] as number) + wb;
        this.inClusterBySlot[sl] = (this.inClusterBySlot[sl] as number) + inCluster;
      }
    }
    this.open = open;
    this.openInCluster = openIn;
    this.seen = new Int32Array(a.classCount);
  }
  load(x: number): void {
    this.r = this.a.profiledRow(x);
  }
  /** Ingress ports toward class b (egress aside). */
  private ingressAt(b: number): number {
    const p = this.profileOf[b] as number;
    return p < 0 ? ALL_ID : ((this.r as ProfiledRow).ingress[p] as number);
  }
  at(b: number): number {
    const r = this.r as ProfiledRow;
    return combinePorts(this.a.ports, r.egress ? (r.egress[b] as number) : ALL_ID, this.ingressAt(b));
  }
  /** Σ weight over the classes whose ingress ports from the source are not empty (egress aside). */
  private ingressWeighted(open: number, bySlot: Float64Array, byProfile: Float64Array): number {
    const r = this.r as ProfiledRow;
    const { slotValue, ingress } = r;
    let n = open;
    for (let sl = 0; sl < slotValue.length; sl++) if (slotValue[sl] !== EMPTY_ID) n += bySlot[sl] as number;
    for (const p of r.overrides) {
      const now = ingress[p] !== EMPTY_ID;
      if (now !== (slotValue[this.slotOf[p] as number] !== EMPTY_ID)) n += now ? (byProfile[p] as number) : -(byProfile[p] as number);
    }
    return n;
  }
  /** Σ weight over the classes whose ingress slot value (overrides aside) is not empty. */
  private slotWeighted(open: number, bySlot: Float64Array): number {
    const slotValue = (this.r as ProfiledRow).slotValue;
    let n = open;
    for (let sl = 0; sl < slotValue.length; sl++) if (slotValue[sl] !== EMPTY_ID) n += bySlot[sl] as number;
    return n;
  }
  /** Per egress layer: its touched classes' weights by (slot, layer value), and by slot. */
  private readonly layerWeights = new Map<number, LayerWeights>();
  private weightsOf(layer: EgressLayer): LayerWeights {
    let lw = this.layerWeights.get(layer.id);
    if (lw) return lw;
    const single = this.w.single;
    const S = this.slotStart.length - 1;
    const bySlot = new Float64Array(S);
    let open = 0;
    const groups = new Map<string, { slot: number; value: number; weight: number }>();
    layer.touched.forEach((b, i) => {
      const wb = single[b] as number;
      if (wb === 0) return;
      const p = this.profileOf[b] as number;
      const sl = p < 0 ? -1 : (this.slotOf[p] as number);
      if (sl < 0) open += wb;
      else bySlot[sl] = (bySlot[sl] as number) + wb;
      const value = layer.values[i] as number;
      const key = `${sl},${value}`;
      const g = groups.get(key);
      if (g) g.weight += wb;
      else groups.set(key, { slot: sl, value, weight: wb });
    });
    lw = { open, bySlot, groups: [...groups.values()] };
    this.layerWeights.set(layer.id, lw);
    return lw;
  }
  /** Per class, the classes of each profile (to correct the layer's count where a profile is overridden). */
  /** The classes of each profile: members[start[p] … start[p+1]-1]. */
  private classesOf: { readonly start: Int32Array; readonly members: Int32Array } | undefined;
  private readonly seen: Int32Array;
  private epoch = 0;
  weighted(): number {
    const r = this.r as ProfiledRow;
    if (!r.egress) return this.ingressWeighted(this.open, this.bySlot, this.byProfile);
    // Σ over the classes of "the layer's egress ∩ the slot's ingress is not empty", then
    // corrected at the classes where the row differs: the source's own egress entries and the
    // classes of the overridden profiles.
    const t = this.a.ports;
    const single = this.w.single;
    const layer = r.egressLayer as EgressLayer;
    const layerRow = r.egressLayerRow as Uint32Array;
    if (layer.base === EMPTY_ID && layer.touched.length === 0) {
      // NetworkPolicies alone (no Admin egress rule): the row is empty but at the source's own entries.
      let n = 0;
      for (const b of r.egressOwn) if (this.at(b) !== EMPTY_ID) n += single[b] as number;
      return n;
    }
    const lw = this.weightsOf(layer);
    const slotValue = r.slotValue;
    let n = 0;
    if (layer.base === ALL_ID) {
      n = this.slotWeighted(this.open, this.bySlot) - lw.open;
      for (let sl = 0; sl < slotValue.length; sl++) if (slotValue[sl] !== EMPTY_ID) n -= lw.bySlot[sl] as number;
    }
    for (const g of lw.groups) if (combinePorts(t, g.value, g.slot < 0 ? ALL_ID : (slotValue[g.slot] as number)) !== EMPTY_ID) n += g.weight;
    const epoch = ++this.epoch;
    const seen = this.seen;
    const correct = (b: number): void => {
      if (seen[b] === epoch) return;
      seen[b] = epoch;
      const p = this.profileOf[b] as number;
      const assumed = combinePorts(t, layerRow[b] as number, p < 0 ? ALL_ID : (slotValue[this.slotOf[p] as number] as number)) !== EMPTY_ID;
      const now = this.at(b) !== EMPTY_ID;
      if (now !== assumed) n += now ? (single[b] as number) : -(single[b] as number);
    };
    for (const b of r.egressOwn) correct(b);
    if (r.overrides.length > 0) {
      const co = (this.classesOf ??= membersByGroup(this.profileOf, this.slotOf.length));
      // Where the layer is empty (its base, if that is empty) nothing was assumed nor gets through but the own entries.
      const skipEmpty = layer.base === EMPTY_ID;
      for (const p of r.overrides) {
        for (let k = co.start[p] as number; k < (co.start[p + 1] as number); k++) {
          const b = co.members[k] as number;
          if (!skipEmpty || layerRow[b] !== EMPTY_ID) correct(b);
        }
      }
    }
    return n;
  }
  fromOutside(reached: Uint8Array): number {
    const r = this.r as ProfiledRow;
    if (r.egress) {
      // An external source with egress rules (not one kwire builds today): class by class.
      const { single, external } = this.w;
      let n = 0;
      for (let b = 0; b < this.a.classCount; b++) {
        if (this.at(b) !== EMPTY_ID && external[b] === 0 && (single[b] as number) > 0) {
          n += single[b] as number;
          reached[b] = 1;
        }
      }
      return n;
    }
    if (this.openInCluster > 0) this.openReached = true;
    const { slotValue, ingress } = r;
    for (let sl = 0; sl < slotValue.length; sl++) {
      if (slotValue[sl] === EMPTY_ID || this.reachedSlot[sl] === 1) continue;
      // The slot's profiles this source reaches (all but some overridden ones).
      let all = true;
      for (let p = this.slotStart[sl] as number; p < (this.slotStart[sl + 1] as number); p++) {
        if (ingress[p] !== EMPTY_ID) this.reachedProfile[p] = 1;
        else all = false;
      }
      if (all) this.reachedSlot[sl] = 1;
    }
    for (const p of r.overrides) if (ingress[p] !== EMPTY_ID) this.reachedProfile[p] = 1;
    return this.ingressWeighted(this.openInCluster, this.inClusterBySlot, this.inClusterByProfile);
  }
  reachedFromOutside(reached: Uint8Array): void {
    const { single, external } = this.w;
    for (let b = 0; b < this.a.classCount; b++) {
      if (external[b] === 1 || (single[b] as number) === 0) continue;
      const p = this.profileOf[b] as number;
      if (p < 0 ? this.openReached : this.reachedProfile[p] === 1) reached[b] = 1;
    }
  }
}

/** An egress layer's touched classes, weighted: by (slot, layer value), by slot, and with no ingress policy (slot -1). */
interface LayerWeights {
  readonly open: number;
  readonly bySlot: Float64Array;
  readonly groups: readonly { readonly slot: number; readonly value: number; readonly weight: number }[];
}

