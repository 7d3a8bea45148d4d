/**
 * @module matrix-service (command helper)
 * `kwire matrix --level service`: workloads → Service ports, as table, json or yaml.
 */
import { stringify } from "yaml";
import { computeServiceMatrix } from "../../engine/index.js";
import { serviceMatrixJson, serviceMatrixTable } from "../../report/index.js";
import type { Analyzed } from "../../analyze/index.js";
import { UsageError } from "../io.js";
import { serviceContextOf } from "./trace.js";

export function renderServiceMatrix(a: Analyzed, output: string, namespaces: readonly string[] | undefined, err: (s: string) => void): string {
  const m = computeServiceMatrix(a.analysis, serviceContextOf(a), namespaces);
  for (const s of m.services) {
    if (s.outsideEndpoints > 0) err(`kwire: note: ${s.id}: ${s.outsideEndpoints} usable endpoint(s) are not pods of the input (EndpointSlice addresses); the service matrix does not evaluate them — use kwire trace\n`);
  }
  switch (output) {
    case "table": return serviceMatrixTable(m);
    case "json": return JSON.stringify(serviceMatrixJson(m), null, 2) + "\n";
    case "yaml": return stringify(serviceMatrixJson(m));
    default: throw new UsageError(`--level service supports -o table, json or yaml, not "${output}"`);
  }
}
