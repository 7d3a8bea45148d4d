/**
 * @module service-matrix (report)
 * `kwire matrix --level service` as a table or as JSON (`ServiceConnectivityMatrix`).
 */
import type { Exposure, ServiceMatrix } from "../engine/index.js";
import { endpointJson } from "./matrix-json.js";
import { renderTable } from "./text-table.js";

export function serviceMatrixTable(m: ServiceMatrix): string {
  const rows = m.connections.map((c) => {
    const s = m.services[c.dst];
    return [m.sources[c.src]?.id ?? "", s?.id ?? "", s?.targetPort ?? "", String(s?.endpoints ?? 0)];
  });
  return renderTable(["SOURCE", "SERVICE", "TARGET-PORT", "ENDPOINTS"], rows);
}

export function serviceMatrixJson(m: ServiceMatrix, exposures: readonly Exposure[] = []): unknown {
  return {
    apiVersion: "kwire/v1alpha1",
    kind: "ServiceConnectivityMatrix",
    level: "service",
    sources: m.sources.map(endpointJson),
    services: m.services,
    connections: m.connections.map((c) => ({ src: m.sources[c.src]?.id, dst: m.services[c.dst]?.id })),
    // North-south: Ingress / Gateway route / OpenShift Route → Service → backends (absent when none).
    ...(exposures.length ? { exposures } : {}),
  };
}

/** North-south exposure (Ingress, Gateway routes, OpenShift Routes) as a table under the service matrix. */
export function exposureTable(list: readonly Exposure[]): string {
  if (list.length === 0) return "";
  const rows = list.map((e) => [
    e.host || "*",
    e.path || "/",
    `${e.via} ${e.object}`,
    e.proxy,
    e.service ?? "-",
    e.backends.length === 0 ? `none${e.note ? ` (${e.note})` : ""}` : backendsText(e.backends),
  ]);
  return `\nExposed to north-south traffic:\n${renderTable(["HOST", "PATH", "VIA", "PROXY", "SERVICE", "BACKENDS"], rows)}`;
}

/** `id:port` per backend, replicas of one workload folded into `×N`, denied ones marked. */
function backendsText(list: Exposure["backends"]): string {
  const counts = new Map<string, number>();
  for (const b of list) {
    const key = `${b.id}:${b.port}${b.allowed === false ? " (denied)" : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(", ");
}
