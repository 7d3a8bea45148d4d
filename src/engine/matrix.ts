/**
 * @module matrix
 * Engine answers aggregated to a level (pod, workload, namespace): endpoints and the allowed
 * connections between them, or just the counts (`summary`) without materialising the pairs.
 * Endpoints with the same class make-up share one evaluation.
 */
import type { Labels, WorkloadKind } from "../model/index.js";
import type { Analysis } from "./analysis.js";
import { ALL_ID, EMPTY_ID } from "./port-table.js";
import type { Subject } from "./topology.js";

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

export function endpointsAt(a: Analysis, level: Level, namespaces?: readonly string[]): MatrixEndpoint[] {
  const t = a.topology;
  const keep = (s: Subject): boolean => !namespaces || namespaces.includes(s.namespace);
  const out: MatrixEndpoint[] = [];
  const groups = new Map<string, { ep: Omit<MatrixEndpoint, "members">; members: number[] }>();
  t.subjects.forEach((s, i) => {
    if (!keep(s)) return;
    let key: string;
    let ep: Omit<MatrixEndpoint, "members">;
    if (level === "pod") {
      key = s.id;
      ep = { id: s.id, kind: s.kind, namespace: s.namespace, name: s.name, labels: s.labels };
    } else if (level === "workload") {
      key = s.workloadId;
      ep = { id: s.workloadId, kind: s.workloadKind, namespace: s.namespace, name: s.workloadName, labels: s.labels };
    } else {
      key = s.namespace;
      ep = { id: s.namespace, kind: "Namespace", name: s.namespace, labels: t.namespaces.get(s.namespace)?.labels ?? {} };
    }
    const g = groups.get(key);
    if (g) g.members.push(i);
    else groups.set(key, { ep, members: [i] });
  });
  for (const g of groups.values()) out.push({ ...g.ep, members: g.members });
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

/** The namespace an endpoint belongs to (a Namespace endpoint is its own); IP blocks have none. */
const namespaceOf = (e: MatrixEndpoint): string | undefined => (e.kind === "Namespace" ? e.name : e.namespace);

export function computeMatrix(a: Analysis, opts: MatrixOptions): Matrix {
  const endpoints = endpointsAt(a, opts.level);
  const connections = allConnections(a, endpoints, opts);
  const ns = opts.namespaces;
  if (!ns) return { level: opts.level, analysis: a, endpoints, connections };
  const inNs = endpoints.map((e) => {
    const n = namespaceOf(e);
    return n !== undefined && ns.includes(n);
  });
  const kept = connections.filter((c) => inNs[c.src] === true || inNs[c.dst] === true);
  const keep = endpoints.map((e, i) => inNs[i] === true || e.kind === "IPBlock");
  for (const c of kept) keep[c.src] = keep[c.dst] = true;
  const index: number[] = [];
  const out: MatrixEndpoint[] = [];
  endpoints.forEach((e, i) => {
    index.push(out.length);
    if (keep[i]) out.push(e);
  });
  return { level: opts.level, analysis: a, endpoints: out, connections: kept.map((c) => ({ src: index[c.src] as number, dst: index[c.dst] as number, portsId: c.portsId })) };
}

function allConnections(a: Analysis, endpoints: readonly MatrixEndpoint[], opts: MatrixOptions): Connection[] {
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
  return connections;
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

/**
 * Counts only. With `namespaces`, pairs are those with at least one end in them (as
 * `computeMatrix`): all pairs minus the pairs among the endpoints outside them; endpoints, pods
 * and isolation count what is in the namespaces.
 */
export function computeSummary(a: Analysis, opts: MatrixOptions, policies: number): MatrixSummary {
  const ns = opts.namespaces;
  const endpoints = endpointsAt(a, opts.level, ns);
  const mine = pairCounts(a, endpoints, opts);
  let allowed = mine.allowed;
  let total = mine.total;
  if (ns) {
    const all = endpointsAt(a, opts.level);
    const outside = all.filter((e) => {
      const n = namespaceOf(e);
      return n === undefined || !ns.includes(n);
    });
    const every = pairCounts(a, all, opts);
    const rest = pairCounts(a, outside, opts);
    allowed = every.allowed - rest.allowed;
    total = every.total - rest.total;
  }
  const subjects = a.topology.subjects;
  let pods = 0;
  let isoIn = 0;
  let isoEg = 0;
  subjects.forEach((s, i) => {
    if (ns && !ns.includes(s.namespace)) return;
    pods += s.replicas;
    if (a.isolated(i, "Ingress")) isoIn += s.replicas;
    if (a.isolated(i, "Egress")) isoEg += s.replicas;
  });
  const external = endpoints.filter((e) => e.kind === "IPBlock").length;
  return {
    level: opts.level,
    engine: a.engine,
    endpoints: endpoints.length,
    externalEndpoints: external,
    classes: a.classCount,
    pods,
    policies,
    allowedPairs: allowed,
    deniedPairs: total - allowed,
    podsIsolatedIngress: isoIn,
    podsIsolatedEgress: isoEg,
    reachableFromOutside: mine.reachableFromOutside,
  };
}

/** Allowed and total ordered pairs among `endpoints`, and how many of them the outside reaches. */
function pairCounts(a: Analysis, endpoints: readonly MatrixEndpoint[], opts: MatrixOptions): { allowed: number; total: number; reachableFromOutside: number } {
  const ecs = endpointClasses(a, endpoints);
  const includeSelf = opts.includeSelf ?? false;
  let allowed = 0;
  let total = 0;
  const reachable = new Set<EndpointClass>();
  // Single-class endpoint classes are counted in a tight loop over typed arrays.
  const single = ecs.filter((y) => y.classes.length === 1);
  const multi = ecs.filter((y) => y.classes.length !== 1);
  const yCls = Int32Array.from(single.map((y) => (y.classes[0] as { cls: number }).cls));
  const yW = Float64Array.from(single.map((y) => y.endpoints.length));
  const yExt = Uint8Array.from(single.map((y) => (y.external ? 1 : 0)));
  const singleIndex = new Map(single.map((y, j) => [y, j] as const));
  const extW = ecs.filter((y) => y.external).reduce((n, y) => n + y.endpoints.length, 0);
  const allW = ecs.reduce((n, y) => n + y.endpoints.length, 0);
  forEachRow(a, ecs, ({ x, row, within }) => {
    const wx = x.endpoints.length;
    // Pairs from X: every endpoint but itself; none between two external cells.
    total += wx * ((x.external ? allW - extW : allW) - (x.external ? 0 : 1));
    let allowedW = 0;
    if (x.external) {
      for (let j = 0; j < yCls.length; j++) {
        if (yExt[j] === 0 && row[yCls[j] as number] !== EMPTY_ID) {
          allowedW += yW[j] as number;
          reachable.add(single[j] as EndpointClass);
        }
      }
    } else {
      for (let j = 0; j < yCls.length; j++) if (row[yCls[j] as number] !== EMPTY_ID) allowedW += yW[j] as number;
      const xi = singleIndex.get(x);
      if (xi !== undefined && row[yCls[xi] as number] !== EMPTY_ID) allowedW -= 1; // not to itself
    }
    for (const y of multi) {
      if (x.external && y.external) continue;
      if (portsToward(a, row, y) === EMPTY_ID) continue;
      allowedW += x === y ? wx - 1 : y.endpoints.length;
      if (x.external) reachable.add(y);
    }
    allowed += wx * allowedW;
    if (!x.external && listsSelf(opts.level, includeSelf)) {
      total += wx;
      if ((opts.level === "pod" && includeSelf ? ALL_ID : within) !== EMPTY_ID) allowed += wx;
    }
  });
  return { allowed, total, reachableFromOutside: [...reachable].reduce((n, ec) => n + ec.endpoints.length, 0) };
}
