/**
 * @module exposure (report)
 * North-south exposure at the pod, workload and namespace levels of `kwire matrix`: the JSON
 * `exposures` list, the table section under the matrix (np-guard's `{ingress-controller} =>
 * ns/kind/name : ports`), and the extra node and edges of the dot and mermaid drawings.
 */
import { formatPortSet, isAllPorts, portSetToList } from "../model/index.js";
import { VIRTUAL_PROXY, type ExposureEdge } from "../engine/index.js";
import type { PortsJson } from "./matrix-json.js";
import { renderTable } from "./text-table.js";

export interface ExposureViaJson {
  readonly via: string;
  readonly object: string;
  readonly host: string;
  readonly path: string;
  readonly service: string;
}

/** One data plane → backend edge of `ConnectivityMatrix.exposures`. */
export interface ExposureJson {
  /** The data-plane endpoint at the matrix's level, `ingress-controller` when no proxy pod is in the input, or `node/NAME` (a hostPort). */
  readonly src: string;
  readonly dst: string;
  readonly ports: PortsJson;
  /** false: not evaluated — the proxy is not in the input, or (hostPort) the verdict depends on the client. */
  readonly evaluated: boolean;
  readonly via: readonly ExposureViaJson[];
}

export function exposureJson(edges: readonly ExposureEdge[]): ExposureJson[] {
  return edges.map((e) => ({
    src: e.src,
    dst: e.dst,
    ports: isAllPorts(e.ports) ? "all" : portSetToList(e.ports),
    evaluated: e.evaluated,
    via: e.via.map((v) => ({ via: v.via, object: v.object, host: v.host, path: v.path, service: v.service })),
  }));
}

const viaText = (e: ExposureEdge): string => e.via.map((v) => `${v.via} ${v.object} (${v.host} ${v.path})`).join(", ");

/** The section printed under `matrix -o table|wide`; empty when nothing is exposed. */
export function exposureSection(edges: readonly ExposureEdge[]): string {
  if (edges.length === 0) return "";
  const rows = edges.map((e) => [e.src, e.dst, formatPortSet(e.ports), e.evaluated ? "allowed" : "not evaluated", viaText(e)]);
  const foot = [
    edges.some((e) => e.src === VIRTUAL_PROXY) ? `(${VIRTUAL_PROXY}: no proxy pod of these routes is in the input, so its policies toward the backends were not evaluated; add the controller's pods or see kwire trace --ingress-controller)\n` : "",
    edges.some((e) => isNodeSource(e.src)) ? "(node/NAME: a hostPort, mapped by the CNI portmap plugin; the pod sees each client's own address, so the verdict is the matrix's, per client: kwire trace --from-ip IP NODE-IP:HOSTPORT)\n" : "",
  ].join("");
  return `\nExposed to north-south traffic (proxy => backend : target ports):\n${renderTable(["PROXY", "BACKEND", "PORTS", "POLICY", "VIA"], rows)}${foot}`;
}

const dotId = (s: string): string => JSON.stringify(s);

/** A source that is not an endpoint of the matrix: the virtual proxy, or a node (hostPort). */
const isNodeSource = (src: string): boolean => src.startsWith("node/");
const isVirtualSource = (src: string): boolean => src === VIRTUAL_PROXY || isNodeSource(src);
const virtualSources = (edges: readonly ExposureEdge[]): string[] => [...new Set(edges.map((e) => e.src).filter(isVirtualSource))].sort();

/** Lines to add inside the dot digraph: the virtual proxy / node sources (when used) and dashed exposure edges. */
export function exposureDot(edges: readonly ExposureEdge[]): string[] {
  const lines: string[] = [];
  for (const v of virtualSources(edges)) lines.push(`  ${dotId(v)} [label=${dotId(v)}, shape=hexagon, fillcolor="#e8f5e9"];`);
  for (const e of edges) lines.push(`  ${dotId(e.src)} -> ${dotId(e.dst)} [label=${dotId(`${formatPortSet(e.ports)} (north-south${e.evaluated ? "" : ", not evaluated"})`)}, style=dashed];`);
  return lines;
}

/** Mermaid lines: `ids` maps endpoint ids to node names; the virtual proxy is `nsproxy`, hostPort nodes `nsnode0`…. */
export function exposureMermaid(edges: readonly ExposureEdge[], ids: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  const virtual = new Map(virtualSources(edges).map((v, i) => [v, v === VIRTUAL_PROXY ? "nsproxy" : `nsnode${i}`]));
  const node = (id: string): string | undefined => virtual.get(id) ?? ids.get(id);
  for (const [v, n] of virtual) lines.push(`  ${n}{{"${v}"}}`);
  for (const e of edges) {
    const s = node(e.src);
    const d = node(e.dst);
    if (s && d) lines.push(`  ${s} -.->|"${formatPortSet(e.ports)} north-south${e.evaluated ? "" : " (not evaluated)"}"| ${d}`);
  }
  return lines;
}
