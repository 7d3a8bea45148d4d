/**
 * @module matrix
 * Engine answers aggregated to a level (pod, workload, namespace): endpoints and the allowed
 * connections between them, or just the counts (`summary`) without materialising the pairs.
 * Endpoints with the same class make-up share one evaluation.
 */
import type { Labels, WorkloadKind } from "../model/index.js";
import type { Analysis } from "./analysis.js";
import { ALL_ID, EMPTY_ID } from "./port-table.js";
import type { Subject, Topology } from "./topology.js";

export type Level = "namespace" | "workload" | "pod";

export interface MatrixEndpoint {
  readonly id: string;
  readonly kind: "Pod" | WorkloadKind | "Namespace" | "IPBlock";
  readonly namespace?: string;
  readonly name?: string;
  readonly labels?: Labels;
  readonly cidrs?: readonly string[];
  /** Node indices (subjects or the external cell) it stands for. */
  readonly members: readonly number[];
}

export interface Connection {
  readonly src: number;
  readonly dst: number;
  readonly portsId: number;
}

export interface MatrixOptions {
  readonly level: Level;
  readonly includeSelf?: boolean;
  /** Report only endpoints in these namespaces (external cells always stay). */
  readonly namespaces?: readonly string[];
}

export interface Matrix {
  readonly level: Level;
  readonly analysis: Analysis;
  readonly endpoints: readonly MatrixEndpoint[];
  readonly connections: readonly Connection[];
}

/**
 * The in-cluster endpoints at a level as groups of subject indices, in first-seen order, without
 * their descriptions (what counting needs). Pods are their own group; a workload groups the
 * subjects with its workloadId; a namespace its subjects.
 */
export function memberGroups(t: Topology, level: Level, namespaces?: readonly string[]): number[][] {
  const keep = namespaces ? new Set(namespaces) : undefined;
  const out: number[][] = [];
  if (level === "pod") {
    t.subjects.forEach((s, i) => {
      if (!keep || keep.has(s.namespace)) out.push([i]);
    });
    return out;
  }
  const index = new Map<string, number>();
  t.subjects.forEach((s, i) => {
    if (keep && !keep.has(s.namespace)) return;
    const key = level === "workload" ? s.workloadId : s.namespace;
    const g = index.get(key);
    if (g === undefined) {
      index.set(key, out.length);
      out.push([i]);
    } else (out[g] as number[]).push(i);
  });
  return out;
}

function describe(t: Topology, s: Subject, level: Level): Omit<MatrixEndpoint, "members"> {
  if (level === "pod") return { id: s.id, kind: s.kind, namespace: s.namespace, name: s.name, labels: s.labels };
  if (level === "workload") return { id: s.workloadId, kind: s.workloadKind, namespace: s.namespace, name: s.workloadName, labels: s.labels };
  return { id: s.namespace, kind: "Namespace", name: s.namespace, labels: t.namespaces.get(s.namespace)?.labels ?? {} };
}

export function endpointsAt(a: Analysis, level: Level, namespaces?: readonly string[]): MatrixEndpoint[] {
  const t = a.topology;
  const out: MatrixEndpoint[] = memberGroups(t, level, namespaces).map((members) => ({ ...describe(t, t.subjects[members[0] as number] as Subject, level), members }));
  out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const S = t.subjects.length;
  t.cells.forEach((c, k) => out.push({ id: c.id, kind: "IPBlock", cidrs: c.cidrs, members: [S + k] }));
  return out;
}

interface EndpointClass {
  /** Distinct classes of the members, with how many members each has and whether one talks to itself. */
  readonly classes: readonly { readonly cls: number; readonly count: number; readonly replicated: boolean }[];
  readonly external: boolean;
  readonly endpoints: number[];
}

function endpointClasses(a: Analysis, eps: readonly MatrixEndpoint[]): EndpointClass[] {
  const byKey = new Map<string, EndpointClass>();
  const S = a.topology.subjects.length;
  eps.forEach((ep, e) => {
    const counts = new Map<number, { count: number; replicated: boolean }>();
    for (const m of ep.members) {
      const cls = a.classOf[m] as number;
      const c = counts.get(cls) ?? { count: 0, replicated: false };
      c.count++;
      if (m < S && (a.topology.subjects[m] as Subject).replicas >= 2) c.replicated = true;
      counts.set(cls, c);
    }
    const classes = [...counts.entries()].sort((x, y) => x[0] - y[0]).map(([cls, c]) => ({ cls, ...c }));
    const key = classes.map((c) => `${c.cls}:${c.count > 1 || c.replicated ? "n" : "1"}`).join(",");
    const ec = byKey.get(key);
    if (ec) ec.endpoints.push(e);
    else byKey.set(key, { classes, external: ep.kind === "IPBlock", endpoints: [e] });
  });
  return [...byKey.values()];
}

interface RowOfX {
  readonly x: EndpointClass;
  /** Ports from X to each class (union over X's classes). */
  readonly row: Uint32Array;
  /** Ports among X's own members (a member's loopback excluded). */
  readonly within: number;
}

/**
 * For every endpoint class X, the class-matrix row of X (union over its classes) and the ports
 * between distinct members of X. Rows are computed in bulk by the engine, one class at a time.
 */
function forEachRow(a: Analysis, ecs: readonly EndpointClass[], visit: (r: RowOfX) => void): void {
  const C = a.classCount;
  const tmp = new Uint32Array(C);
  const acc = new Uint32Array(C);
  const t = a.ports;
  for (const x of ecs) {
    let within = EMPTY_ID;
    let row = tmp;
    if (x.classes.length > 1) acc.fill(EMPTY_ID);
    for (const cx of x.classes) {
      a.classRow(cx.cls, tmp);
      for (const cy of x.classes) {
        if (cy.cls === cx.cls && cx.count === 1 && !cx.replicated) continue;
        within = t.union(within, tmp[cy.cls] as number);
      }
      if (x.classes.length > 1) {
        for (let b = 0; b < C; b++) acc[b] = t.union(acc[b] as number, tmp[b] as number);
        row = acc;
      }
    }
    visit({ x, row, within });
  }
}

function portsToward(a: Analysis, row: Uint32Array, y: EndpointClass): number {
  const first = y.classes[0];
  if (y.classes.length === 1 && first) return row[first.cls] as number;
  let acc = EMPTY_ID;
  for (const cy of y.classes) acc = a.ports.union(acc, row[cy.cls] as number);
  return acc;
}

/** Whether an endpoint's connection to itself is reported at this level. */
function listsSelf(level: Level, includeSelf: boolean): boolean {
  return includeSelf || level === "namespace";
}

export function computeMatrix(a: Analysis, opts: MatrixOptions): Matrix {
  const endpoints = endpointsAt(a, opts.level, opts.namespaces);
  const ecs = endpointClasses(a, endpoints);
  const connections: Connection[] = [];
  const includeSelf = opts.includeSelf ?? false;
  forEachRow(a, ecs, ({ x, row, within }) => {
    for (const y of ecs) {
      if (x.external && y.external) continue;
      if (x === y && x.endpoints.length < 2) continue;
      const portsId = portsToward(a, row, y);
      if (portsId === EMPTY_ID) continue;
      for (const s of x.endpoints) for (const d of y.endpoints) if (s !== d) connections.push({ src: s, dst: d, portsId });
    }
    if (!x.external && listsSelf(opts.level, includeSelf)) {
      const portsId = opts.level === "pod" && includeSelf ? ALL_ID : within;
      if (portsId !== EMPTY_ID) for (const e of x.endpoints) connections.push({ src: e, dst: e, portsId });
    }
  });
  connections.sort((p, q) => p.src - q.src || p.dst - q.dst);
  return { level: opts.level, analysis: a, endpoints, connections };
}
