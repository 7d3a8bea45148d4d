/**
 * @module find-port
 * Kubernetes' `podutil.FindPort`: a numeric targetPort is used as is; a named one is looked up
 * in the pod's container ports (containers and restartable init containers) by name AND the
 * Service port's protocol. A pod without a matching port is left out of that port's endpoints.
 */
import type { ContainerPort, ServicePort } from "../model/index.js";

export type FindPortResult = { readonly ok: true; readonly port: number } | { readonly ok: false; readonly reason: string };

export function findPort(containerPorts: readonly ContainerPort[], svcPort: ServicePort): FindPortResult {
  const t = svcPort.targetPort;
  if (t.type === "Number") return { ok: true, port: t.port };
  const hit = containerPorts.find((p) => p.name === t.name && p.protocol === svcPort.protocol);
  if (hit) return { ok: true, port: hit.containerPort };
  return { ok: false, reason: `declares no ${svcPort.protocol} container port named "${t.name}"` };
}
