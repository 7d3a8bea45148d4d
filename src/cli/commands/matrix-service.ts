/**
 * @module matrix-service (command helper)
 * `kwire matrix --level service`: workloads → Service ports, as table, json or yaml, plus the
 * north-south exposure (`exposures`: Ingress / Gateway route / Route → Service → backends).
 */
import { stringify } from "yaml";
import { computeServiceMatrix, northSouthExposure } from "../../engine/index.js";
import { exposureTable, serviceMatrixJson, serviceMatrixTable } from "../../report/index.js";
import type { Analyzed } from "../../analyze/index.js";
import { UsageError } from "../io.js";
import { serviceContextOf } from "./trace.js";
import { cniMapsHostPorts } from "../../parse/index.js";

export function renderServiceMatrix(a: Analyzed, output: string, namespaces: readonly string[] | undefined, err: (s: string) => void): string {
  const m = computeServiceMatrix(a.analysis, serviceContextOf(a), namespaces);
  for (const s of m.services) {
    if (s.outsideEndpoints > 0) err(`kwire: note: ${s.id}: ${s.outsideEndpoints} usable endpoint(s) are not pods of the input (EndpointSlice addresses); the service matrix does not evaluate them — use kwire trace\n`);
  }
  // North-south: which Services an Ingress, Gateway route or OpenShift Route exposes, through
  // which host and path, and which backends its proxy may reach under the policies.
  // A CNI configuration without portmap forwards no hostPort (lint: missing-portmap-with-hostport).
  const noPortmap = cniMapsHostPorts(a.load.cniConfigs) === false;
  const exposures = northSouthExposure(serviceContextOf(a)).filter((e) => !(noPortmap && e.via === "hostPort")).filter((e) => !namespaces || namespaces.includes(e.object.split("/")[0] ?? "") || namespaces.includes((e.service ?? "").split("/")[0] ?? ""));
  switch (output) {
    case "table": return serviceMatrixTable(m) + exposureTable(exposures);
    case "json": return JSON.stringify(serviceMatrixJson(m, exposures), null, 2) + "\n";
    case "yaml": return stringify(serviceMatrixJson(m, exposures));
    default: throw new UsageError(`--level service supports -o table, json or yaml, not "${output}"`);
  }
}
