/**
 * @module service-matrix
 * `kwire matrix --level service`: which workloads reach which Service ports. A source reaches
 * `ns/name[Service]:port/protocol` when some usable endpoint (ready, else serving-terminating)
 * admits one of its pods on the endpoint's targetPort — the engine's own verdict for that pod
 * pair. A pod reaching itself through its own Service (hairpin) is left out, as the pod
 * matrix leaves out loopback. Endpoints that are not pods of the input are not evaluated.
 */
import { containsPort, type Protocol } from "../model/index.js";
import { usableEndpoints } from "../services/index.js";
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
  /** Usable endpoints (pods) behind the port. */
  readonly endpoints: number;
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

export function computeServiceMatrix(a: Analysis, ctx: ServiceContext, namespaces?: readonly string[]): ServiceMatrix {
  const sources = endpointsAt(a, "workload", namespaces).filter((e) => e.kind !== "IPBlock");
  const services: ServicePortEndpoint[] = [];
  const targets: Target[][] = [];
  for (const f of ctx.layer.frontends) {
    const s = f.service;
    if (s.type === "ExternalName") continue;
    for (const p of s.ports) {
      const eps = usableEndpoints(ctx.layer.endpoints(s, p).endpoints, "Cluster", undefined).usable;
      const mine: Target[] = [];
      for (const e of eps) {
        const party = ctx.partyOf(e);
        if (party.type === "node" && !mine.some((t) => t.node === party.node && t.port === e.port)) mine.push({ node: party.node, port: e.port });
      }
      const tp = p.targetPort.type === "Number" ? String(p.targetPort.port) : p.targetPort.name;
      services.push({ id: `${s.namespace}/${s.name}[Service]:${p.port}/${p.protocol}`, namespace: s.namespace, name: s.name, port: p.port, protocol: p.protocol, targetPort: tp, endpoints: eps.length });
      targets.push(mine);
    }
  }
  const order = services.map((_, i) => i).sort((x, y) => ((services[x] as ServicePortEndpoint).id < (services[y] as ServicePortEndpoint).id ? -1 : 1));
  const sorted = order.map((i) => services[i] as ServicePortEndpoint);
  const sortedTargets = order.map((i) => targets[i] as Target[]);
  const connections: { src: number; dst: number }[] = [];
  sources.forEach((src, si) => {
    sorted.forEach((svc, di) => {
      if (reaches(a, src.members, sortedTargets[di] as Target[], svc.protocol)) connections.push({ src: si, dst: di });
    });
  });
  return { sources, services: sorted, connections };
}

function reaches(a: Analysis, members: readonly number[], targets: readonly Target[], protocol: Protocol): boolean {
  const subjects = a.topology.subjects;
  for (const m of members) {
    for (const t of targets) {
      if (m === t.node && (subjects[m]?.replicas ?? 1) < 2) continue;
      const ports = a.ports.get(a.classPortsId(a.classOf[m] as number, a.classOf[t.node] as number));
      if (containsPort(ports, protocol, t.port)) return true;
    }
  }
  return false;
}
