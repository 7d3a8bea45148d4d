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
import { combinePorts, type ProfiledRow } from "./fast.js";
import { memberGroups, type Level, type MatrixOptions } from "./matrix.js";
import { ALL_ID, EMPTY_ID, type PortSetTable } from "./port-table.js";
import type { Subject } from "./topology.js";

/** An engine that gives rows in profile form (the fast engine): rows are counted per profile, not per class. */
interface Profiled {
  readonly ports: PortSetTable;
  readonly profileOf: Int32Array;
  readonly profileCount: number;
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
 * The fast engine: a row is its ingress value per profile plus its egress entries, so weights
 * are summed per profile (and over the egress entries the source's rules name), not per class.
 */
class ProfileRows implements RowReader {
  private r: ProfiledRow | undefined;
  /** Per profile: Σ single[b] over its classes; and over its in-cluster classes. */
  private readonly byProfile: Float64Array;
  private readonly inClusterByProfile: Float64Array;
  /** Σ single[b] over the classes no policy isolates for ingress (all, and in-cluster ones). */
  private readonly open: number;
  private readonly openInCluster: number;
  private readonly reachedProfile: Uint8Array;
  private openReached = false;
  /** The engine's profile per class (read once: the engine computes it behind a getter). */
  private readonly profileOf: Int32Array;
  constructor(private readonly a: Analysis & Profiled, private readonly w: Weights) {
    this.profileOf = a.profileOf;
    const P = a.profileCount;
    this.byProfile = new Float64Array(P);
    this.inClusterByProfile = new Float64Array(P);
    this.reachedProfile = new Uint8Array(P);
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
        this.byProfile[p] = (this.byProfile[p] as number) + wb;
        this.inClusterByProfile[p] = (this.inClusterByProfile[p] as number) + inCluster;
      }
    }
    this.open = open;
    this.openInCluster = openIn;
  }
  load(x: number): void {
    this.r = this.a.profiledRow(x);
  }
  at(b: number): number {
    const r = this.r as ProfiledRow;
    const p = this.profileOf[b] as number;
    return combinePorts(this.a.ports, r.egress ? (r.egress[b] as number) : ALL_ID, p < 0 ? ALL_ID : (r.ingress[p] as number));
  }
  weighted(): number {
    const r = this.r as ProfiledRow;
    const single = this.w.single;
    let n = 0;
    if (!r.egress) {
      n = this.open;
      for (const p of r.nonEmpty) n += this.byProfile[p] as number;
    } else if (r.egressTouched) {
      for (const b of r.egressTouched) if (this.at(b) !== EMPTY_ID) n += single[b] as number;
    } else {
      // A dense egress row (a tier program, a rule open to every peer): class by class, inline.
      const e = r.egress;
      const v = r.ingress;
      const profileOf = this.profileOf;
      const t = this.a.ports;
      const C = this.a.classCount;
      for (let b = 0; b < C; b++) {
        const ep = e[b] as number;
        if (ep === EMPTY_ID) continue;
        const p = profileOf[b] as number;
        const ip = p < 0 ? ALL_ID : (v[p] as number);
        if (ip === EMPTY_ID) continue;
        if (ep === ALL_ID || ip === ALL_ID || t.intersect(ep, ip) !== EMPTY_ID) n += single[b] as number;
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
    let n = this.openInCluster;
    if (this.openInCluster > 0) this.openReached = true;
    for (const p of r.nonEmpty) {
      n += this.inClusterByProfile[p] as number;
      this.reachedProfile[p] = 1;
    }
    return n;
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
