/**
 * @module service-ports (lint helpers)
 * How one Service port's targetPort fares on the pods it selects: resolved, missing, or
 * present with another protocol. Shared by the three targetPort checks.
 */
import type { ContainerPort, Service, ServicePort } from "../../model/index.js";
import type { PodInstance } from "../../services/index.js";
import type { LintContext } from "../context.js";
import { hasSelector, selectedInstances } from "./service-pods.js";

export type PortFate = "ok" | "missing" | "protocol";

export interface PortReport {
  readonly svc: Service;
  readonly port: ServicePort;
  readonly pods: readonly PodInstance[];
  readonly fates: ReadonlyMap<PodInstance, { readonly fate: PortFate; readonly other?: ContainerPort }>;
}

function fate(sp: ServicePort, ports: readonly ContainerPort[]): { fate: PortFate; other?: ContainerPort } {
  const t = sp.targetPort;
  const same = (p: ContainerPort): boolean => (t.type === "Name" ? p.name === t.name : p.containerPort === t.port);
  if (ports.some((p) => same(p) && p.protocol === sp.protocol)) return { fate: "ok" };
  const other = ports.find(same);
  return other ? { fate: "protocol", other } : { fate: "missing" };
}

export function portReports(ctx: LintContext): PortReport[] {
  const out: PortReport[] = [];
  for (const svc of ctx.cluster.services.filter(hasSelector)) {
    const pods = selectedInstances(ctx, svc).filter((p) => !p.hostNetwork || p.ports.length > 0);
    if (pods.length === 0) continue;
    for (const port of svc.ports) out.push({ svc, port, pods, fates: new Map(pods.map((p) => [p, fate(port, p.ports)])) });
  }
  return out;
}

export const targetText = (sp: ServicePort): string =>
  sp.targetPort.type === "Name" ? `"${sp.targetPort.name}"` : String(sp.targetPort.port);

export const portLabel = (sp: ServicePort): string => `port ${sp.name ? `${sp.name} (${sp.port}/${sp.protocol})` : `${sp.port}/${sp.protocol}`}`;
