/**
 * @module matrix-json
 * The ConnectivityMatrix document of CONTRACT.md (`kwire matrix -o json|yaml`).
 */
import { isAllPorts, portSetToList, type Labels, type Protocol } from "../model/index.js";
import type { Matrix, MatrixEndpoint } from "../engine/index.js";

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
}

export interface MatrixJson {
  readonly apiVersion: "kwire/v1alpha1";
  readonly kind: "ConnectivityMatrix";
  readonly level: string;
  readonly endpoints: EndpointJson[];
  readonly connections: ConnectionJson[];
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
  const p = m.analysis.ports.get(portsId);
  return isAllPorts(p) ? "all" : portSetToList(p);
}

export function matrixJson(m: Matrix): MatrixJson {
  return {
    apiVersion: "kwire/v1alpha1",
    kind: "ConnectivityMatrix",
    level: m.level,
    endpoints: m.endpoints.map(endpointJson),
    connections: m.connections.map((c) => ({
      src: (m.endpoints[c.src] as MatrixEndpoint).id,
      dst: (m.endpoints[c.dst] as MatrixEndpoint).id,
      ports: portsJson(m, c.portsId),
    })),
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
export function writeMatrixJson(m: MatrixStream, write: (chunk: string) => void): void {
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
    m.forEachConnection((c) => push({ src: (m.endpoints[c.src] as MatrixEndpoint).id, dst: (m.endpoints[c.dst] as MatrixEndpoint).id, ports: portsOf(c.portsId) })),
  );
  buf += "\n}\n";
  write(buf);
}
