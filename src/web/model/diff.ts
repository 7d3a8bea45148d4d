/**
 * @module diff
 * What a change does to who-can-reach-whom: connections added, removed and changed between two
 * matrices (the shape of `kwire diff -o json`), plus a union matrix that draws both at once.
 */
import { diffMatrices as connectionDiff, type ConnectionJson, type EndpointJson, type MatrixDiff as ConnectionDiff, type MatrixJson, type PortsJson } from "../../report/index.js";
import { pairKey } from "./matrix-index.js";

export type Change = "added" | "removed" | "changed";

export interface ChangedConnection {
  readonly src: string;
  readonly dst: string;
  readonly before: PortsJson;
  readonly after: PortsJson;
}

export interface MatrixDiff {
  readonly added: readonly ConnectionJson[];
  readonly removed: readonly ConnectionJson[];
  readonly changed: readonly ChangedConnection[];
  /** Endpoints only in the new matrix / only in the old one (by id). */
  readonly endpointsAdded: readonly string[];
  readonly endpointsRemoved: readonly string[];
}

const byPair = (a: { src: string; dst: string }, b: { src: string; dst: string }): number =>
  a.src < b.src ? -1 : a.src > b.src ? 1 : a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0;

/**
 * The UI's view of a change: the connections added, removed and changed (one computation,
 * src/report/diff.ts, or the engine's incremental path — src/analyze/diff.ts — when the caller
 * has it), plus the endpoints only one side has.
 */
export function diffMatrices(before: MatrixJson, after: MatrixJson, connections: ConnectionDiff = connectionDiff(before, after)): MatrixDiff {
  const oldIds = new Set(before.endpoints.map((e) => e.id));
  const newIds = new Set(after.endpoints.map((e) => e.id));
  return {
    added: [...connections.added].sort(byPair),
    removed: [...connections.removed].sort(byPair),
    changed: connections.changed.map((c) => ({ src: c.src, dst: c.dst, before: c.previousPorts, after: c.ports })).sort(byPair),
    endpointsAdded: [...newIds].filter((id) => !oldIds.has(id)).sort(),
    endpointsRemoved: [...oldIds].filter((id) => !newIds.has(id)).sort(),
  };
}

export function isEmptyDiff(d: MatrixDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length + d.endpointsAdded.length + d.endpointsRemoved.length === 0;
}

/** Change per (src, dst) pair key. */
export function changeMap(d: MatrixDiff): Map<string, Change> {
  const out = new Map<string, Change>();
  for (const c of d.added) out.set(pairKey(c.src, c.dst), "added");
  for (const c of d.removed) out.set(pairKey(c.src, c.dst), "removed");
  for (const c of d.changed) out.set(pairKey(c.src, c.dst), "changed");
  return out;
}

/**
 * The new matrix plus the removed connections (and their endpoints), so one drawing shows both
 * what appears (green) and what disappears (red).
 */
export function unionMatrix(before: MatrixJson, after: MatrixJson, d: MatrixDiff): MatrixJson {
  const ids = new Set(after.endpoints.map((e) => e.id));
  const extra: EndpointJson[] = before.endpoints.filter((e) => !ids.has(e.id));
  const endpoints = [...after.endpoints, ...extra].sort((a, b) => {
    const ea = a.kind === "IPBlock" ? 1 : 0;
    const eb = b.kind === "IPBlock" ? 1 : 0;
    return ea - eb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
  return { ...after, endpoints, connections: [...after.connections, ...d.removed].sort(byPair) };
}

/** Only the endpoints and connections a diff touches (what the what-if graph draws). */
export function diffOnly(union: MatrixJson, d: MatrixDiff): MatrixJson {
  const changes = changeMap(d);
  const connections = union.connections.filter((c) => changes.has(pairKey(c.src, c.dst)));
  const keep = new Set<string>([...d.endpointsAdded, ...d.endpointsRemoved]);
  for (const c of connections) keep.add(c.src).add(c.dst);
  return { ...union, endpoints: union.endpoints.filter((e) => keep.has(e.id)), connections };
}
