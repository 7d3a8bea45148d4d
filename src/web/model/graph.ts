/**
 * @module graph
 * A matrix as graph elements (Cytoscape's plain `{ data }` shape): one compound node per
 * namespace, workloads inside, IP blocks outside the cluster in their own group, and one edge per
 * allowed connection. Past `maxEdges` the graph folds into namespaces and one outside node (edges count the pairs), so
 * a 500-workload cluster stays readable until a namespace filter narrows it.
 */
import type { MatrixJson } from "../../report/index.js";
import type { Change } from "./diff.js";
import { EXTERNAL_GROUP, groupOf, pairKey, shortLabel } from "./matrix-index.js";
import { formatPorts } from "./ports.js";

export type NodeKind = "namespace" | "external-group" | "workload" | "ipblock" | "proxy";

export interface GraphNode {
  readonly data: {
    readonly id: string;
    readonly label: string;
    readonly kind: NodeKind;
    /** The endpoint id (or namespace) it stands for. */
    readonly ref: string;
    readonly parent?: string;
    /** Workloads folded into a namespace node. */
    readonly count?: number;
  };
}

export interface GraphEdge {
  readonly data: {
    readonly id: string;
    readonly source: string;
    readonly target: string;
    readonly label: string;
    readonly all: boolean;
    /** Connections folded into a namespace edge. */
    readonly count: number;
    readonly change?: Change;
    /** A north-south exposure edge (proxy → backend, `matrix.exposures`), drawn dashed. */
    readonly exposure?: true;
    /** false: the proxy is not in the input, the policies were not evaluated. */
    readonly evaluated?: boolean;
    /** The request that takes this edge, for its trace (`http://host/path`), when one is known. */
    readonly url?: string;
  };
}

export interface GraphModel {
  readonly level: "workload" | "namespace";
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly note?: string;
}

export interface GraphOptions {
  readonly maxEdges: number;
  /** Change per pair key (from `changeMap`), to colour a what-if drawing. */
  readonly changes?: ReadonlyMap<string, Change>;
}

export const groupNodeId = (group: string): string => `group:${group}`;

/** The node of a source that is not an endpoint: `ingress-controller` (no proxy pod in the input) or `node/NAME` (hostPort). */
export const proxyNode = (src: string): string => `proxy:${src}`;
export const PROXY_NODE = proxyNode("ingress-controller");

/**
 * What to trace from the internet for an exposure route: the URL of an Ingress or Route path with
 * a concrete host, or NODE-ADDRESS:hostPort for a hostPort; none for a wildcard host or a Gateway
 * rule (its match is more than a path).
 */
export function exposureUrl(v: { via: string; host: string; path: string }): string | undefined {
  if (v.via === "hostPort") {
    const port = /^hostPort (\d+)\//.exec(v.path)?.[1];
    const ip = v.host.split(",")[0];
    return port && ip && ip !== "*" ? (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`) : undefined;
  }
  if (v.host === "*" || v.host === "" || v.host.includes("*")) return undefined;
  if (v.via === "Ingress") return v.path.startsWith("(") ? undefined : `http://${v.host}${v.path.replace(/^\S+ /, "")}`;
  if (v.via === "Route") return `http://${v.host}${v.path || "/"}`;
  return undefined;
}

/**
 * Exposure edges between drawn nodes (`node` maps an endpoint id to its node, or undefined when
 * it is not drawn); the virtual proxy node is added when an edge needs it.
 */
function exposureElements(m: MatrixJson, node: (id: string) => string | undefined): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  const agg = new Map<string, { source: string; target: string; ports: string[]; evaluated: boolean; url?: string; count: number }>();
  const added = new Set<string>();
  for (const e of m.exposures ?? []) {
    // A source that is an endpoint is drawn where it is; the others (virtual proxy, hostPort node) get a node of their own.
    const source = node(e.src) ?? proxyNode(e.src);
    const target = node(e.dst);
    if (target === undefined) continue;
    if (source === proxyNode(e.src) && !added.has(source)) {
      added.add(source);
      nodes.push({ data: { id: source, label: e.src, kind: "proxy", ref: e.src } });
    }
    const k = pairKey(source, target);
    const a = agg.get(k) ?? { source, target, ports: [], evaluated: e.evaluated, count: 0 };
    a.ports.push(formatPorts(e.ports));
    a.count++;
    const url = e.via.map(exposureUrl).find((u) => u !== undefined);
    if (a.url === undefined && url !== undefined) a.url = url;
    agg.set(k, a);
  }
  const edges: GraphEdge[] = [...agg.values()].map((a) => ({
    data: {
      id: `exposure:${a.source}->${a.target}`, source: a.source, target: a.target,
      label: `north-south ${[...new Set(a.ports)].join(", ")}${a.evaluated ? "" : " (not evaluated)"}`,
      all: false, count: a.count, exposure: true as const, evaluated: a.evaluated, ...(a.url !== undefined ? { url: a.url } : {}),
    },
  }));
  return { nodes, edges };
}

export function graphModel(m: MatrixJson, opts: GraphOptions): GraphModel {
  return m.connections.length > opts.maxEdges ? namespaceGraph(m) : workloadGraph(m, opts);
}

function workloadGraph(m: MatrixJson, opts: GraphOptions): GraphModel {
  const nodes: GraphNode[] = [];
  const groups = new Set<string>();
  for (const e of m.endpoints) {
    const g = groupOf(e);
    if (!groups.has(g)) {
      groups.add(g);
      nodes.push({ data: { id: groupNodeId(g), label: g, kind: g === EXTERNAL_GROUP ? "external-group" : "namespace", ref: g } });
    }
    nodes.push({ data: { id: e.id, label: shortLabel(e), kind: e.kind === "IPBlock" ? "ipblock" : "workload", ref: e.id, parent: groupNodeId(g) } });
  }
  const edges: GraphEdge[] = m.connections.map((c) => {
    const change = opts.changes?.get(pairKey(c.src, c.dst));
    const data = { id: `edge:${c.src}->${c.dst}`, source: c.src, target: c.dst, label: formatPorts(c.ports), all: c.ports === "all", count: 1 };
    return { data: change ? { ...data, change } : data };
  });
  const drawn = new Set(m.endpoints.map((e) => e.id));
  const ns = exposureElements(m, (id) => (drawn.has(id) ? id : undefined));
  return { level: "workload", nodes: [...nodes, ...ns.nodes], edges: [...edges, ...ns.edges] };
}

function namespaceGraph(m: MatrixJson): GraphModel {
  const group = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const e of m.endpoints) {
    const g = groupOf(e);
    group.set(e.id, groupNodeId(g));
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  const nodes: GraphNode[] = [...counts].map(([g, n]) => ({
    data: { id: groupNodeId(g), label: `${g} (${n})`, kind: g === EXTERNAL_GROUP ? "external-group" : "namespace", ref: g, count: n },
  }));
  const agg = new Map<string, { source: string; target: string; count: number; all: boolean }>();
  for (const c of m.connections) {
    const source = group.get(c.src);
    const target = group.get(c.dst);
    if (source === undefined || target === undefined) continue;
    const k = pairKey(source, target);
    const a = agg.get(k) ?? { source, target, count: 0, all: true };
    a.count++;
    a.all &&= c.ports === "all";
    agg.set(k, a);
  }
  const edges: GraphEdge[] = [...agg.values()].map((a) => ({
    data: { id: `edge:${a.source}->${a.target}`, source: a.source, target: a.target, label: `${a.count} allowed`, all: a.all, count: a.count },
  }));
  const ns = exposureElements(m, (id) => group.get(id));
  return {
    level: "namespace",
    nodes: [...nodes, ...ns.nodes],
    edges: [...edges, ...ns.edges],
    note: `${m.connections.length} allowed connections are too many to draw one by one: showing namespaces (edge labels count workload pairs). Pick namespaces in the filter to see their workloads.`,
  };
}
