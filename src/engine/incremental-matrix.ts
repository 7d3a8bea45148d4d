/**
 * @module incremental-matrix
 * The changed connections of `incremental.ts` at a level (pod, workload, namespace): the
 * endpoint pairs that hold a changed unit pair, each recomputed in both states as the matrix
 * computes it (the union over its members' units; an endpoint's connection to itself only where
 * the matrix lists it), in the matrix's order. What `kwire diff` prints, without either matrix.
 */
import type { Incremental, Unit } from "./incremental.js";
import type { Level, MatrixOptions } from "./matrix.js";
import { EMPTY_ID } from "./port-table.js";
import type { Subject, Topology } from "./topology.js";

export interface EndpointChange {
  readonly src: string;
  readonly dst: string;
  /** Port-set ids in `Incremental.ports`; EMPTY_ID where there is no connection. */
  readonly before: number;
  readonly after: number;
}

function endpointOf(t: Topology, level: Level, node: number): string {
  const s = t.subjects[node];
  if (!s) return (t.cells[node - t.subjects.length] as Topology["cells"][number]).id;
  return level === "pod" ? s.id : level === "workload" ? s.workloadId : s.namespace;
}

interface Member {
  count: number;
  replicated: boolean;
}

export function incrementalMatrixChanges(inc: Incremental, t: Topology, opts: MatrixOptions): EndpointChange[] {
  const level = opts.level;
  const S = t.subjects.length;
  const keep = opts.namespaces ? new Set(opts.namespaces) : undefined;
  const unitEndpoints = new Map<number, Set<string>>();
  const endpointsOfUnit = (u: number): Set<string> => {
    let e = unitEndpoints.get(u);
    if (!e) {
      e = new Set(Array.from((inc.units[u] as Unit).nodes, (n) => endpointOf(t, level, n)));
      unitEndpoints.set(u, e);
    }
    return e;
  };
  const pairs = new Map<string, Set<string>>();
  for (const c of inc.changes) {
    for (const e of endpointsOfUnit(c.src)) {
      let to = pairs.get(e);
      if (!to) pairs.set(e, (to = new Set()));
      for (const f of endpointsOfUnit(c.dst)) to.add(f);
    }
  }
  if (pairs.size === 0) return [];
  // Members (as units) of the endpoints involved, and each endpoint's namespace.
  const wanted = new Set<string>(pairs.keys());
  for (const to of pairs.values()) for (const f of to) wanted.add(f);
  const members = new Map<string, Map<number, Member>>();
  const nsOf = new Map<string, string | undefined>();
  const cellRank = new Map<string, number>();
  const N = S + t.cells.length;
  for (let i = 0; i < N; i++) {
    const id = endpointOf(t, level, i);
    if (!wanted.has(id)) continue;
    let m = members.get(id);
    if (!m) members.set(id, (m = new Map()));
    const u = inc.unitOf[i] as number;
    const e = m.get(u) ?? { count: 0, replicated: false };
    e.count++;
    const s: Subject | undefined = t.subjects[i];
    if (s && s.replicas >= 2) e.replicated = true;
    m.set(u, e);
    nsOf.set(id, s?.namespace);
    if (!s) cellRank.set(id, i - S);
  }
  const self = (opts.includeSelf ?? false) || level === "namespace";
  const allSelf = level === "pod" && (opts.includeSelf ?? false);
  const out: EndpointChange[] = [];
  const union = (state: "before" | "after", from: Map<number, Member>, to: Map<number, Member>, within: boolean): number => {
    let acc = EMPTY_ID;
    for (const [cu, mu] of from) {
      for (const cv of to.keys()) {
        if (within && cu === cv && mu.count === 1 && !mu.replicated) continue;
        acc = inc.ports.union(acc, inc.portsBetween(state, cu, cv));
      }
    }
    return acc;
  };
  for (const [e, to] of pairs) {
    const from = members.get(e) as Map<number, Member>;
    const eExternal = cellRank.has(e);
    for (const f of to) {
      if (keep && !keep.has(nsOf.get(e) ?? "\u0000") && !keep.has(nsOf.get(f) ?? "\u0000")) continue;
      if (eExternal && cellRank.has(f)) continue;
      const within = e === f;
      if (within && (eExternal || !self || allSelf)) continue;
      const dst = members.get(f) as Map<number, Member>;
      const before = union("before", from, dst, within);
      const after = union("after", from, dst, within);
      if (before !== after) out.push({ src: e, dst: f, before, after });
    }
  }
  // The matrix's order: in-cluster endpoints by id, then the IP blocks in partition order.
  const cmp = (a: string, b: string): number => {
    const ra = cellRank.get(a);
    const rb = cellRank.get(b);
    if (ra !== undefined || rb !== undefined) return ra === undefined ? -1 : rb === undefined ? 1 : ra - rb;
    return a < b ? -1 : a > b ? 1 : 0;
  };
  return out.sort((x, y) => cmp(x.src, y.src) || cmp(x.dst, y.dst));
}
