/**
 * @module matrix-index
 * Lookups over a ConnectivityMatrix (CONTRACT.md's JSON): endpoints by id, the connection of a
 * (source, destination) pair, and the namespace an endpoint is drawn in.
 */
import { ipBlockLabel, type ConnectionJson, type EndpointJson, type MatrixJson } from "../../report/index.js";

/** Where IP blocks outside the cluster are grouped in the views. */
export const EXTERNAL_GROUP = "(outside the cluster)";

/** `ns-2` before `ns-10`. */
export const naturalCompare = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

export const pairKey = (src: string, dst: string): string => `${src}\u0000${dst}`;

export function groupOf(e: EndpointJson): string {
  return e.kind === "IPBlock" ? EXTERNAL_GROUP : (e.namespace ?? e.name ?? e.id);
}

/** A short name for an endpoint: the workload's name, or an IP block as the CLI tables print it. */
export function shortLabel(e: EndpointJson): string {
  if (e.kind === "IPBlock") {
    const label = ipBlockLabel(e.cidrs ?? []).replace(/,/g, ", ");
    return label.length <= 40 ? label : `${label.slice(0, 38)}…`;
  }
  return e.name ?? e.id;
}

export interface MatrixIndex {
  readonly matrix: MatrixJson;
  readonly byId: ReadonlyMap<string, EndpointJson>;
  readonly position: ReadonlyMap<string, number>;
  connection(src: string, dst: string): ConnectionJson | undefined;
}

export function indexMatrix(m: MatrixJson): MatrixIndex {
  const byId = new Map(m.endpoints.map((e) => [e.id, e] as const));
  const position = new Map(m.endpoints.map((e, i) => [e.id, i] as const));
  const pairs = new Map(m.connections.map((c) => [pairKey(c.src, c.dst), c] as const));
  return { matrix: m, byId, position, connection: (s, d) => pairs.get(pairKey(s, d)) };
}
