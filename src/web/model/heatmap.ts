/**
 * @module heatmap
 * A matrix as a grid for the heat map: endpoints ordered by namespace (IP blocks last), one byte
 * of state per (source, destination) cell, and the namespace bands drawn along the axes.
 */
import type { MatrixJson } from "../../report/index.js";
import type { Change } from "./diff.js";
import { groupOf, naturalCompare, pairKey, shortLabel } from "./matrix-index.js";

export const CELL = { denied: 0, some: 1, all: 2, added: 3, removed: 4, changed: 5, self: 6, exposed: 7 } as const;

/** The band of the virtual proxy row (`ingress-controller`: exposure with no proxy pod in the input). */
export const NORTH_SOUTH_GROUP = "(north-south)";
export type CellState = (typeof CELL)[keyof typeof CELL];

export interface Band {
  readonly name: string;
  /** First and one-past-last index. */
  readonly start: number;
  readonly end: number;
}

export interface HeatmapModel {
  readonly ids: readonly string[];
  readonly labels: readonly string[];
  readonly bands: readonly Band[];
  readonly size: number;
  /** Row-major: `cells[src * size + dst]`. */
  readonly cells: Uint8Array;
}

export function orderEndpoints(m: MatrixJson): MatrixJson["endpoints"] {
  return [...m.endpoints].sort((a, b) => {
    const ea = a.kind === "IPBlock" ? 1 : 0;
    const eb = b.kind === "IPBlock" ? 1 : 0;
    const ga = groupOf(a);
    const gb = groupOf(b);
    return ea - eb || naturalCompare(ga, gb) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}

/**
 * North-south exposure: an edge from a proxy of the input is a connection and already has its
 * cell; an edge from a source that is not an endpoint — the virtual `ingress-controller` (no
 * proxy pod in the input) or a hostPort's `node/NAME` — gets a first row of its own, in the
 * `(north-south)` band, with an `exposed` cell per backend.
 */
export function heatmapModel(m: MatrixJson, changes?: ReadonlyMap<string, Change>): HeatmapModel {
  const known = new Set(m.endpoints.map((e) => e.id));
  const virtual = (m.exposures ?? []).filter((e) => !known.has(e.src));
  const proxies = [...new Set(virtual.map((e) => e.src))].sort();
  const eps = [...proxies.map((p) => ({ id: p, kind: "Proxy", name: p, namespace: NORTH_SOUTH_GROUP })), ...orderEndpoints(m)];
  const size = eps.length;
  const index = new Map(eps.map((e, i) => [e.id, i] as const));
  const cells = new Uint8Array(size * size);
  for (let i = 0; i < size; i++) cells[i * size + i] = CELL.self;
  for (const c of m.connections) {
    const s = index.get(c.src);
    const d = index.get(c.dst);
    if (s === undefined || d === undefined || s === d) continue;
    cells[s * size + d] = c.ports === "all" ? CELL.all : CELL.some;
  }
  for (const e of virtual) {
    const s = index.get(e.src);
    const d = index.get(e.dst);
    if (s !== undefined && d !== undefined && s !== d) cells[s * size + d] = CELL.exposed;
  }
  if (changes) {
    for (const [k, ch] of changes) {
      const [src, dst] = k.split("\u0000") as [string, string];
      const s = index.get(src);
      const d = index.get(dst);
      if (s !== undefined && d !== undefined && s !== d) cells[s * size + d] = CELL[ch];
    }
  }
  const bands: Band[] = [];
  eps.forEach((e, i) => {
    const g = groupOf(e);
    const last = bands[bands.length - 1];
    if (last && last.name === g) bands[bands.length - 1] = { ...last, end: i + 1 };
    else bands.push({ name: g, start: i, end: i + 1 });
  });
  return { ids: eps.map((e) => e.id), labels: eps.map(shortLabel), bands, size, cells };
}

export function cellAt(h: HeatmapModel, src: number, dst: number): CellState {
  return (h.cells[src * h.size + dst] ?? CELL.denied) as CellState;
}

export { pairKey };
