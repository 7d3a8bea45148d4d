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
  /**
   * `-n`: report only the connections with at least one end in these namespaces (a connection
   * from or to another namespace, or an IP block, stays); endpoints are those in the
   * namespaces, the other ends of those connections, and the IP blocks.
   */
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
  /** Ports from X to each class (union over X's classes). */
  readonly row: Uint32Array;
  /** Ports among X's own members (a member's loopback excluded). */
  readonly within: number;
}

/** Rows kept at once (bytes): a full matrix streams in bounded memory, whatever its size. */
const ROW_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The class-matrix row of an endpoint class X (union over its classes) and the ports between
 * distinct members of X, computed in bulk by the engine one class at a time. The last rows asked
 * for are kept (least recently used first out): endpoints sorted by id keep a workload's pods
 * together, so neighbours usually share a row.
 */
class RowCache {
  private readonly rows = new Map<EndpointClass, RowOfX>();
  private readonly limit: number;
  private readonly tmp: Uint32Array;

  constructor(private readonly a: Analysis) {
    this.limit = Math.max(2, Math.floor(ROW_CACHE_BYTES / (4 * Math.max(1, a.classCount))));
    this.tmp = new Uint32Array(a.classCount);
  }

  get(x: EndpointClass): RowOfX {
    const hit = this.rows.get(x);
    if (hit) {
      this.rows.delete(x);
      this.rows.set(x, hit);
      return hit;
    }
    let row: Uint32Array | undefined;
    if (this.rows.size >= this.limit) {
      const [oldest, r] = this.rows.entries().next().value as [EndpointClass, RowOfX];
      this.rows.delete(oldest);
      row = r.row;
    }
    const out = this.compute(x, row ?? new Uint32Array(this.a.classCount));
    this.rows.set(x, out);
    return out;
  }

  private compute(x: EndpointClass, row: Uint32Array): RowOfX {
    const a = this.a;
    const t = a.ports;
    const C = a.classCount;
    const tmp = x.classes.length > 1 ? this.tmp : row;
    let within = EMPTY_ID;
    if (x.classes.length > 1) row.fill(EMPTY_ID);
    for (const cx of x.classes) {
      a.classRow(cx.cls, tmp);
      for (const cy of x.classes) {
        if (cy.cls === cx.cls && cx.count === 1 && !cx.replicated) continue;
        within = t.union(within, tmp[cy.cls] as number);
      }
      if (x.classes.length > 1) for (let b = 0; b < C; b++) row[b] = t.union(row[b] as number, tmp[b] as number);
    }
    return { row, within };
  }
}

function portsToward(a: Analysis, row: Uint32Array, y: EndpointClass): number {
  const first = y.classes[0];
  if (y.classes.length === 1 && first) return row[first.cls] as number;
  let acc = EMPTY_ID;
  for (const cy of y.classes) acc = a.ports.union(acc, row[cy.cls] as number);
  return acc;
}

/**
 * Every allowed connection among `endpoints`, in (source, destination) order, without holding
 * them: what `-o json` streams and what computeMatrix collects. An endpoint's connection to
 * itself is reported at namespace level (between its pods) and with `includeSelf`.
 */
export function forEachConnection(a: Analysis, endpoints: readonly MatrixEndpoint[], opts: MatrixOptions, visit: (c: Connection) => void): void {
  const ecs = endpointClasses(a, endpoints);
  const ecOf: EndpointClass[] = new Array<EndpointClass>(endpoints.length);
  for (const ec of ecs) for (const e of ec.endpoints) ecOf[e] = ec;
  const singleCls = Int32Array.from(ecOf, (ec) => (ec.classes.length === 1 ? (ec.classes[0] as { cls: number }).cls : -1));
  const external = Uint8Array.from(ecOf, (ec) => (ec.external ? 1 : 0));
  const self = listsSelf(opts.level, opts.includeSelf ?? false);
  const allSelf = opts.level === "pod" && (opts.includeSelf ?? false);
  const cache = new RowCache(a);
  const E = endpoints.length;
  for (let s = 0; s < E; s++) {
    const x = ecOf[s] as EndpointClass;
    const { row, within } = cache.get(x);
    for (let d = 0; d < E; d++) {
      if (x.external && external[d] === 1) continue;
      let portsId: number;
      if (d === s) {
        if (x.external || !self) continue;
        portsId = allSelf ? ALL_ID : within;
      } else {
        const c = singleCls[d] as number;
        portsId = c >= 0 ? (row[c] as number) : portsToward(a, row, ecOf[d] as EndpointClass);
      }
      if (portsId !== EMPTY_ID) visit({ src: s, dst: d, portsId });
    }
  }
}

/** Whether an endpoint's connection to itself is reported at this level. */
function listsSelf(level: Level, includeSelf: boolean): boolean {
  return includeSelf || level === "namespace";
}

/** The namespace an endpoint belongs to (a Namespace endpoint is its own); IP blocks have none. */
const namespaceOf = (e: MatrixEndpoint): string | undefined => (e.kind === "Namespace" ? e.name : e.namespace);

export function computeMatrix(a: Analysis, opts: MatrixOptions): Matrix {
  const ns = opts.namespaces;
  const endpoints = endpointsAt(a, opts.level);
  const connections: Connection[] = [];
  if (!ns) {
    forEachConnection(a, endpoints, opts, (c) => connections.push(c));
    return { level: opts.level, analysis: a, endpoints, connections };
  }
  // -n: the connections with at least one end in the namespaces, and the endpoints they touch.
  const inNs = endpoints.map((e) => {
    const n = namespaceOf(e);
    return n !== undefined && ns.includes(n);
  });
  forEachConnection(a, endpoints, opts, (c) => {
    if (inNs[c.src] === true || inNs[c.dst] === true) connections.push(c);
  });
  const keep = endpoints.map((e, i) => inNs[i] === true || e.kind === "IPBlock");
  for (const c of connections) keep[c.src] = keep[c.dst] = true;
  const index: number[] = [];
  const out: MatrixEndpoint[] = [];
  endpoints.forEach((e, i) => {
    index.push(out.length);
    if (keep[i]) out.push(e);
  });
  return { level: opts.level, analysis: a, endpoints: out, connections: connections.map((c) => ({ src: index[c.src] as number, dst: index[c.dst] as number, portsId: c.portsId })) };
}

