/**
 * @module service-matrix
 * `kwire matrix --level service`: which workloads reach which Service ports. A source reaches
 * `ns/name[Service]:port/protocol` when some usable endpoint admits one of its pods on the
 * endpoint's targetPort — the engine's own verdict for that pod pair. "Usable" is the one
 * endpoint selection `trace` and `proxy-rules` use (services/traffic-policy.ts): ready, else
 * serving-terminating, and with `internalTrafficPolicy: Local` only the endpoints on the source
 * pod's node (a source whose node is unknown — a template spread over several nodes — counts
 * every endpoint as local, as `trace` does and says). A pod reaching itself through its own
 * Service (hairpin) is left out, as the pod matrix leaves out loopback. Endpoints that are not
 * pods of the input are not evaluated: each row counts them (`outsideEndpoints`) and the CLI
 * says so on stderr.
 */
import { containsPort, type Protocol, type Service, type ServicePort } from "../model/index.js";
import { podCount, usableEndpoints, type ServiceEndpoint } from "../services/index.js";
import type { Analysis } from "./analysis.js";
import { endpointsAt, type MatrixEndpoint } from "./matrix.js";
import type { ServiceContext } from "./service-context.js";

export interface ServicePortEndpoint {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly targetPort: string;
  /** Usable endpoints (pods) behind the port, from any node. */
  readonly endpoints: number;
  /** Usable endpoints that are not pods of the input (hand-made EndpointSlices): not evaluated. */
  readonly outsideEndpoints: number;
  /** internalTrafficPolicy of the Service. */
  readonly internalTrafficPolicy: "Cluster" | "Local";
}

export interface ServiceMatrix {
  readonly sources: readonly MatrixEndpoint[];
  readonly services: readonly ServicePortEndpoint[];
  /** Allowed (source index, service index) pairs, sorted; every other pair is denied. */
  readonly connections: readonly { readonly src: number; readonly dst: number }[];
}

interface Target {
  readonly node: number;
  readonly port: number;
}

interface PortRow {
  readonly row: ServicePortEndpoint;
  readonly service: Service;
  readonly endpoints: readonly ServiceEndpoint[];
  /** Targets per handling node ("" = any node), computed once each. */
  readonly targets: Map<string, Target[]>;
}

/** `namespaces` (`-n`): the cells with at least one end — the source or the Service — in them. */
export function computeServiceMatrix(a: Analysis, ctx: ServiceContext, namespaces?: readonly string[]): ServiceMatrix {
  const sources = endpointsAt(a, "workload").filter((e) => e.kind !== "IPBlock");
  const rows: PortRow[] = [];
  for (const f of ctx.layer.frontends) {
    const s = f.service;
    if (s.type === "ExternalName") continue;
    for (const p of s.ports) rows.push(portRow(ctx, s, p));
  }
  rows.sort((x, y) => (x.row.id < y.row.id ? -1 : x.row.id > y.row.id ? 1 : 0));
  const inNs = (n: string | undefined): boolean => !namespaces || (n !== undefined && namespaces.includes(n));
  const connections: { src: number; dst: number }[] = [];
  sources.forEach((src, si) => {
    rows.forEach((r, di) => {
      if (!inNs(src.namespace) && !inNs(r.row.namespace)) return;
      if (src.members.some((m) => reaches(a, m, targetsFor(ctx, r, m), r.row.protocol))) connections.push({ src: si, dst: di });
    });
  });
  const keepSrc = sources.map((e) => inNs(e.namespace));
  const keepRow = rows.map((r) => inNs(r.row.namespace));
  for (const c of connections) keepSrc[c.src] = keepRow[c.dst] = true;
  const srcIndex = reindex(keepSrc);
  const rowIndex = reindex(keepRow);
  return {
    sources: sources.filter((_, i) => keepSrc[i]),
    services: rows.filter((_, i) => keepRow[i]).map((r) => r.row),
    connections: connections.map((c) => ({ src: srcIndex[c.src] as number, dst: rowIndex[c.dst] as number })),
  };
}

/** Old index → new index of the kept entries. */
function reindex(keep: readonly boolean[]): number[] {
  let n = 0;
  return keep.map((k) => (k ? n++ : n));
}

function portRow(ctx: ServiceContext, s: Service, p: ServicePort): PortRow {
  const endpoints = ctx.layer.endpoints(s, p).endpoints;
  const tp = p.targetPort.type === "Number" ? String(p.targetPort.port) : p.targetPort.name;
  const usable = usableEndpoints(endpoints, "Cluster", undefined).usable;
  const outside = usable.filter((e) => ctx.partyOf(e).type !== "node");
  return {
    row: { id: `${s.namespace}/${s.name}[Service]:${p.port}/${p.protocol}`, namespace: s.namespace, name: s.name, port: p.port, protocol: p.protocol, targetPort: tp, endpoints: podCount(usable), outsideEndpoints: podCount(outside), internalTrafficPolicy: s.internalTrafficPolicy },
    service: s,
    endpoints,
    targets: new Map(),
  };
}

/** The topology nodes (and target ports) a source subject's connection to the Service port lands on. */
function targetsFor(ctx: ServiceContext, r: PortRow, member: number): Target[] {
  const label = ctx.topology.subjects[member]?.id ?? "";
  const node = r.service.internalTrafficPolicy === "Local" ? ctx.nodeOf({ type: "node", node: member, label }) : undefined;
  const known = r.targets.get(node ?? "");
  if (known) return known;
  const out: Target[] = [];
  r.targets.set(node ?? "", out);
  for (const e of usableEndpoints(r.endpoints, r.service.internalTrafficPolicy, node).usable) {
    const party = ctx.partyOf(e);
    if (party.type === "node" && !out.some((t) => t.node === party.node && t.port === e.port)) out.push({ node: party.node, port: e.port });
  }
  return out;
}

function reaches(a: Analysis, m: number, targets: readonly Target[], protocol: Protocol): boolean {
  const subjects = a.topology.subjects;
  for (const t of targets) {
    if (m === t.node && (subjects[m]?.replicas ?? 1) < 2) continue;
    const ports = a.ports.get(a.classPortsId(a.classOf[m] as number, a.classOf[t.node] as number));
    if (containsPort(ports, protocol, t.port)) return true;
  }
  return false;
}
