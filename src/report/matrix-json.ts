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
