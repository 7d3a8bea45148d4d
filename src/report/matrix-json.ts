/**
 * @module matrix-json
 * The ConnectivityMatrix document of CONTRACT.md (`kwire matrix -o json|yaml`).
 */
import { isAllPorts, portSetToList, type Labels, type PortSet, type PolicyGap, type Protocol } from "../model/index.js";
import type { ExposureEdge, Matrix, MatrixEndpoint } from "../engine/index.js";
import { exposureJson, type ExposureJson } from "./exposure.js";

export interface EndpointJson {
  readonly id: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly labels?: Labels;
  readonly cidrs?: readonly string[];
}

export type PortsJson = "all" | { readonly protocol: Protocol; readonly from: number; readonly to: number }[];

export interface ConnectionJson {
  readonly src: string;
  readonly dst: string;
  readonly ports: PortsJson;
  /** A skipped or unmodelled policy (see the document's `uncertain`) could change this connection. */
  readonly uncertain?: true;
}

/** A policy the input declares but kwire could not model; verdicts at the pods it may select are uncertain. */
export interface UncertaintyJson {
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped kinds: every pod is affected. */
  readonly namespace?: string;
  readonly reason: "skipped" | "not-modelled" | "family-dependent" | "unresolved-peer";
  /** family-dependent: which rule matches which dual-stack pod by one family only. */
  readonly detail?: string;
  readonly file: string;
  readonly line: number;
}

export interface MatrixJson {
  readonly apiVersion: "kwire/v1alpha1";
  readonly kind: "ConnectivityMatrix";
  readonly level: string;
  readonly endpoints: EndpointJson[];
  readonly connections: ConnectionJson[];
  /** North-south exposure (Ingress, Gateway routes, OpenShift Routes): data plane → backend edges; absent when none. */
  readonly exposures?: ExposureJson[];
  /** Present when the input has policies kwire could not model (denied pairs they affect are not listed as connections). */
  readonly uncertain?: UncertaintyJson[];
}

export function endpointJson(e: MatrixEndpoint): EndpointJson {
  if (e.kind === "IPBlock") return { id: e.id, kind: e.kind, cidrs: e.cidrs ?? [] };
  const out: { -readonly [K in keyof EndpointJson]: EndpointJson[K] } = { id: e.id, kind: e.kind };
  if (e.namespace !== undefined && e.kind !== "Namespace") out.namespace = e.namespace;
  if (e.name !== undefined) out.name = e.name;
  out.labels = sortedLabels(e.labels ?? {});
  return out;
}

function sortedLabels(l: Labels): Labels {
  const out: Record<string, string> = {};
  for (const k of Object.keys(l).sort()) out[k] = l[k] as string;
  return out;
}

export function portsJson(m: Matrix, portsId: number): PortsJson {
  return portSetJson(m.analysis.ports.get(portsId));
}

/** A port set as the JSON documents write it: "all", or protocol ranges (none = []). */
export function portSetJson(p: PortSet): PortsJson {
  return isAllPorts(p) ? "all" : portSetToList(p);
}

/** Which endpoints a policy gap may touch (pods of its namespace; every pod for cluster-scoped kinds). */
function gapTouches(gaps: readonly PolicyGap[]): (e: MatrixEndpoint) => boolean {
  // An unresolved peer can only match addresses outside the cluster: it touches the IP blocks.
  const outside = gaps.some((g) => g.reason === "unresolved-peer");
  const pods = gaps.filter((g) => g.reason !== "unresolved-peer");
  const clusterWide = pods.some((g) => g.namespace === undefined);
  const affected = new Set(pods.flatMap((g) => (g.namespace === undefined ? [] : [g.namespace])));
  return (e) => (e.kind === "IPBlock" ? outside : pods.length > 0 && (clusterWide || (e.namespace !== undefined && affected.has(e.namespace))));
}

const gapsJson = (gaps: readonly PolicyGap[]): UncertaintyJson[] =>
  gaps.map((g) => ({ kind: g.kind, name: g.name, ...(g.namespace !== undefined ? { namespace: g.namespace } : {}), reason: g.reason, ...(g.detail === undefined ? {} : { detail: g.detail }), file: g.source.file, line: g.source.line }));

export function matrixJson(m: Matrix, gaps: readonly PolicyGap[] = [], exposures: readonly ExposureEdge[] = []): MatrixJson {
  const touches = gapTouches(gaps);
  return {
    apiVersion: "kwire/v1alpha1",
    kind: "ConnectivityMatrix",
    level: m.level,
    endpoints: m.endpoints.map(endpointJson),
    connections: m.connections.map((c) => {
      const src = m.endpoints[c.src] as MatrixEndpoint;
      const dst = m.endpoints[c.dst] as MatrixEndpoint;
      return { src: src.id, dst: dst.id, ports: portsJson(m, c.portsId), ...(touches(src) || touches(dst) ? { uncertain: true as const } : {}) };
    }),
    ...(exposures.length ? { exposures: exposureJson(exposures) } : {}),
    ...(gaps.length ? { uncertain: gapsJson(gaps) } : {}),
  };
}

/** A matrix whose connections are produced on demand (engine `forEachConnection`), not held. */
export interface MatrixStream {
  readonly level: string;
  readonly analysis: Matrix["analysis"];
  readonly endpoints: readonly MatrixEndpoint[];
  forEachConnection(visit: (c: Matrix["connections"][number]) => void): void;
}

const CHUNK = 1 << 20;

/** `value` as JSON.stringify(…, null, 2) prints it at nesting depth 2 (an array item of the document). */
const item = (value: unknown): string => `    ${JSON.stringify(value, null, 2).replace(/\n/g, "\n    ")}`;

/**
 * The ConnectivityMatrix document, byte for byte what `JSON.stringify(matrixJson(m), null, 2)`
 * prints plus a newline, written in chunks of about 1 MB as the connections are produced, so a
 * 10k-workload matrix never exists as one string or one array.
 */
export function writeMatrixJson(m: MatrixStream, write: (chunk: string) => void, gaps: readonly PolicyGap[] = [], exposures: readonly ExposureEdge[] = []): void {
  const touches = gapTouches(gaps);
  let buf = `{\n  "apiVersion": "kwire/v1alpha1",\n  "kind": "ConnectivityMatrix",\n  "level": ${JSON.stringify(m.level)},\n  "endpoints": `;
  const flush = (): void => {
    if (buf.length >= CHUNK) {
      write(buf);
      buf = "";
    }
  };
  const array = (each: (push: (value: unknown) => void) => void): void => {
    let first = true;
    buf += "[";
    each((value) => {
      buf += `${first ? "\n" : ",\n"}${item(value)}`;
      first = false;
      flush();
    });
    buf += first ? "]" : "\n  ]";
  };
  array((push) => m.endpoints.forEach((e) => push(endpointJson(e))));
  buf += ',\n  "connections": ';
  const ports = new Map<number, PortsJson>();
  const portsOf = (id: number): PortsJson => {
    let p = ports.get(id);
    if (p === undefined) {
      const set = m.analysis.ports.get(id);
      p = isAllPorts(set) ? "all" : portSetToList(set);
      ports.set(id, p);
    }
    return p;
  };
  array((push) =>
    m.forEachConnection((c) => {
      const src = m.endpoints[c.src] as MatrixEndpoint;
      const dst = m.endpoints[c.dst] as MatrixEndpoint;
      push({ src: src.id, dst: dst.id, ports: portsOf(c.portsId), ...(touches(src) || touches(dst) ? { uncertain: true } : {}) });
    }),
  );
  if (exposures.length) {
    buf += ',\n  "exposures": ';
    array((push) => exposureJson(exposures).forEach(push));
  }
  if (gaps.length) {
    buf += ',\n  "uncertain": ';
    array((push) => gapsJson(gaps).forEach(push));
  }
  buf += "\n}\n";
  write(buf);
}
