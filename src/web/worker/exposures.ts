/**
 * @module exposures (web worker)
 * North-south exposure for the web UI, computed the way `kwire matrix --level workload` does
 * (engine `northSouthExposure` → `exposureEdges`): the matrix's `exposures`, and one info
 * finding per edge, placed at the Ingress / route that creates it.
 */
import { exposureEdges, hasNorthSouthRoutes, northSouthExposure, type ExposureEdge, type ServiceContext } from "../../engine/index.js";
import { formatPortSet, type Cluster, type SourceRef } from "../../model/index.js";
import type { FindingMsg } from "../protocol.js";
import { cniMapsHostPorts, type CniConfigEvidence } from "../../parse/index.js";

/** Workload-level exposure edges; none (and no Service layer built) when the input has no Ingress, Gateway route or Route. */
export function workloadExposures(cluster: Cluster, services: () => ServiceContext, cniConfigs: readonly CniConfigEvidence[] = []): ExposureEdge[] {
  if (!hasNorthSouthRoutes(cluster)) return [];
  const ctx = services();
  // A CNI configuration without portmap forwards no hostPort (as `kwire matrix` does).
  const noPortmap = cniMapsHostPorts(cniConfigs) === false;
  return exposureEdges(northSouthExposure(ctx).filter((e) => !(noPortmap && e.via === "hostPort")), ctx.topology, "workload").edges;
}

function sourceOf(cluster: Cluster, via: string, object: string): SourceRef | undefined {
  const is = (x: { namespace: string; name: string }): boolean => `${x.namespace}/${x.name}` === object;
  if (via === "Ingress") return cluster.ingresses.find(is)?.source;
  if (via === "Route") return (cluster.openshiftRoutes ?? []).find(is)?.source;
  if (via === "hostPort") return cluster.pods.find(is)?.source ?? cluster.workloads.find((w) => object.startsWith(`${w.namespace}/${w.name}`))?.source;
  return (cluster.gatewayRoutes ?? []).find((r) => r.kind === via && is(r))?.source;
}

/** `PROXY => BACKEND : ports` per edge, as an info finding at its first route. */
export function exposureFindings(cluster: Cluster, edges: readonly ExposureEdge[]): FindingMsg[] {
  return edges.map((e) => {
    const first = e.via[0];
    const src = first ? sourceOf(cluster, first.via, first.object) : undefined;
    const routes = e.via.map((v) => `${v.via} ${v.object} (${v.host} ${v.path} → ${v.service})`).join(", ");
    const policy = e.evaluated ? "the policies allow it" : e.src.startsWith("node/") ? "a hostPort: the pod sees each client's address, so the verdict is per client" : "no proxy pod is in the input, so the policies toward the backend were not evaluated";
    return { severity: "info", code: "north-south-exposure", message: `${e.src} => ${e.dst} : ${formatPortSet(e.ports)} via ${routes}; ${policy}`, file: src?.file ?? "", line: src?.line ?? 0 };
  });
}
