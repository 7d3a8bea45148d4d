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
  /** Report only endpoints in these namespaces (external cells always stay). */
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

/**
 * Ports from any member of X to any other member of Y. Within one endpoint, a member's
 * connection to itself is loopback: counted only at pod level and only with includeSelf.
 */
function pairPorts(a: Analysis, x: EndpointClass, y: EndpointClass, sameEndpoint: boolean, loopback: boolean): number {
  let acc = EMPTY_ID;
  for (const cx of x.classes) {
    for (const cy of y.classes) {
      if (sameEndpoint && cx.cls === cy.cls && cx.count === 1 && !cx.replicated) continue;
      acc = a.ports.union(acc, a.classPortsId(cx.cls, cy.cls));
      if (acc === ALL_ID) return acc;
    }
  }
  return loopback ? ALL_ID : acc;
}

type Visit = (x: EndpointClass, y: EndpointClass, sameEndpoint: boolean, portsId: number) => void;

function visitPairs(a: Analysis, level: Level, ecs: readonly EndpointClass[], includeSelf: boolean, visit: Visit): void {
  for (const x of ecs) {
    for (const y of ecs) {
      if (x.external && y.external) continue;
      const diffId = x === y && x.endpoints.length < 2 ? -1 : pairPorts(a, x, y, false, false);
      if (diffId >= 0) visit(x, y, false, diffId);
      if (x === y && !x.external && (includeSelf || level === "namespace")) {
        visit(x, y, true, pairPorts(a, x, y, true, level === "pod" && includeSelf));
      }
    }
  }
}

export function computeMatrix(a: Analysis, opts: MatrixOptions): Matrix {
  const endpoints = endpointsAt(a, opts.level, opts.namespaces);
  const ecs = endpointClasses(a, endpoints);
  const connections: Connection[] = [];
  visitPairs(a, opts.level, ecs, opts.includeSelf ?? false, (x, y, same, portsId) => {
    if (portsId === EMPTY_ID) return;
    if (same) for (const e of x.endpoints) connections.push({ src: e, dst: e, portsId });
    else for (const s of x.endpoints) for (const d of y.endpoints) if (s !== d) connections.push({ src: s, dst: d, portsId });
  });
  connections.sort((p, q) => p.src - q.src || p.dst - q.dst);
  return { level: opts.level, analysis: a, endpoints, connections };
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

export function computeSummary(a: Analysis, opts: MatrixOptions, policies: number): MatrixSummary {
  const endpoints = endpointsAt(a, opts.level, opts.namespaces);
  const ecs = endpointClasses(a, endpoints);
  let allowed = 0;
  let total = 0;
  const reachable = new Set<EndpointClass>();
  visitPairs(a, opts.level, ecs, opts.includeSelf ?? false, (x, y, same, portsId) => {
    const n = same ? x.endpoints.length : x.endpoints.length * y.endpoints.length - (x === y ? x.endpoints.length : 0);
    total += n;
    if (portsId === EMPTY_ID) return;
    allowed += n;
    if (x.external && !y.external) reachable.add(y);
  });
  const subjects = a.topology.subjects;
  let pods = 0;
  let isoIn = 0;
  let isoEg = 0;
  subjects.forEach((s, i) => {
    if (opts.namespaces && !opts.namespaces.includes(s.namespace)) return;
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
    reachableFromOutside: [...reachable].reduce((n, ec) => n + ec.endpoints.length, 0),
  };
}
