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
import { memberGroups, type Level, type MatrixOptions } from "./matrix.js";
import { EMPTY_ID } from "./port-table.js";
import type { Subject } from "./topology.js";

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

/** Whether the row is non-empty toward any class of `g`. */
function reachesGroup(row: Uint32Array, g: MultiGroup): boolean {
  for (const c of g.classes) if (row[c] !== EMPTY_ID) return true;
  return false;
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
  const { single, singleTwice, external, multi, multiOf, wanted } = w;
  const row = new Uint32Array(C);
  const reachedClass = new Uint8Array(C);
  let allowed = 0;
  let selfAllowed = 0;
  for (let x = 0; x < C; x++) {
    if (wanted[x] === 0) continue;
    a.classRow(x, row);
    const ext = external[x] === 1;
    const wx = single[x] as number;
    if (wx > 0) {
      // Toward endpoints of one class: their weights where the row is non-empty.
      let toSingles = 0;
      if (ext) {
        for (let b = 0; b < C; b++) {
          if (row[b] !== EMPTY_ID && external[b] === 0 && (single[b] as number) > 0) {
            toSingles += single[b] as number;
            reachedClass[b] = 1;
          }
        }
      } else {
        for (let b = 0; b < C; b++) if (row[b] !== EMPTY_ID) toSingles += single[b] as number;
        if (row[x] !== EMPTY_ID) {
          toSingles -= 1; // not to itself
          selfAllowed += singleTwice[x] as number;
        }
      }
      let toMulti = 0;
      for (const g of multi) {
        if (!reachesGroup(row, g)) continue;
        toMulti += g.count;
        if (ext) g.reachableFromOutside = true;
      }
      allowed += wx * (toSingles + toMulti);
    }
    // Multi-class endpoints containing x: their rows are the union of their classes' rows.
    for (const gi of multiOf.get(x) ?? []) {
      const g = multi[gi] as MultiGroup;
      for (let b = 0; b < C; b++) if (row[b] !== EMPTY_ID) g.reach.set(b);
      g.classes.forEach((cy, i) => {
        if ((cy !== x || g.twice[i]) && row[cy] !== EMPTY_ID) g.within = true;
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
