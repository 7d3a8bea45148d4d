/**
 * @module service-matrix (report)
 * `kwire matrix --level service` as a table or as JSON (`ServiceConnectivityMatrix`).
 */
import type { ServiceMatrix } from "../engine/index.js";
import { endpointJson } from "./matrix-json.js";
import { renderTable } from "./text-table.js";

export function serviceMatrixTable(m: ServiceMatrix): string {
  const rows = m.connections.map((c) => {
    const s = m.services[c.dst];
    return [m.sources[c.src]?.id ?? "", s?.id ?? "", s?.targetPort ?? "", String(s?.endpoints ?? 0)];
  });
  return renderTable(["SOURCE", "SERVICE", "TARGET-PORT", "ENDPOINTS"], rows);
}

export function serviceMatrixJson(m: ServiceMatrix): unknown {
  return {
    apiVersion: "kwire/v1alpha1",
    kind: "ServiceConnectivityMatrix",
    level: "service",
    sources: m.sources.map(endpointJson),
    services: m.services,
    connections: m.connections.map((c) => ({ src: m.sources[c.src]?.id, dst: m.services[c.dst]?.id })),
  };
}
