/**
 * @module filters
 * Narrowing a matrix for display: by namespace (the chosen namespaces and whatever they talk to),
 * by protocol and by port. Pure: matrix in, smaller matrix out.
 */
import type { Protocol } from "../../model/index.js";
import type { MatrixJson } from "../../report/index.js";
import { groupOf, naturalCompare } from "./matrix-index.js";
import { portsAdmit } from "./ports.js";

export interface MatrixFilter {
  /** Focus namespaces; empty or absent ⇒ all. Peers of focused endpoints stay visible. */
  readonly namespaces?: readonly string[];
  readonly protocol?: Protocol;
  readonly port?: number;
  /** Keep IP blocks outside the cluster (default true). */
  readonly external?: boolean;
}

export function isFiltering(f: MatrixFilter): boolean {
  return (f.namespaces?.length ?? 0) > 0 || f.protocol !== undefined || f.port !== undefined || f.external === false;
}

export function filterMatrix(m: MatrixJson, f: MatrixFilter): MatrixJson {
  const focus = f.namespaces && f.namespaces.length > 0 ? new Set(f.namespaces) : undefined;
  const external = f.external ?? true;
  const kind = new Map(m.endpoints.map((e) => [e.id, e] as const));
  const inFocus = (id: string): boolean => {
    const e = kind.get(id);
    if (!e) return false;
    if (e.kind === "IPBlock" && !external) return false;
    return !focus || focus.has(groupOf(e));
  };
  const visible = (id: string): boolean => external || kind.get(id)?.kind !== "IPBlock";
  const connections = m.connections.filter(
    (c) => (inFocus(c.src) || inFocus(c.dst)) && visible(c.src) && visible(c.dst) && portsAdmit(c.ports, f.protocol, f.port),
  );
  const keep = new Set<string>();
  for (const c of connections) keep.add(c.src).add(c.dst);
  // North-south exposure edges: kept when an end is in focus (the virtual proxy is in no namespace).
  const exposures = (m.exposures ?? []).filter((e) => (inFocus(e.src) || inFocus(e.dst)) && portsAdmit(e.ports, f.protocol, f.port));
  for (const e of exposures) {
    keep.add(e.dst);
    if (kind.has(e.src)) keep.add(e.src);
  }
  // Without port filters, focused endpoints stay even when nothing reaches them.
  const portFilter = f.protocol !== undefined || f.port !== undefined;
  const endpoints = m.endpoints.filter((e) => keep.has(e.id) || (!portFilter && inFocus(e.id) && (e.kind !== "IPBlock" || !focus)));
  const { exposures: _all, ...rest } = m;
  return { ...rest, endpoints, connections, ...(exposures.length ? { exposures } : {}) };
}

/** Namespaces of a matrix, sorted, without the outside group. */
export function namespacesOf(m: MatrixJson): string[] {
  const out = new Set<string>();
  for (const e of m.endpoints) if (e.kind !== "IPBlock") out.add(groupOf(e));
  return [...out].sort(naturalCompare);
}
