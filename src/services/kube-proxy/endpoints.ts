/**
 * @module endpoints (kube-proxy)
 * The endpoints of one Service port as kube-proxy's endpoint cache holds them: taken from the
 * Service layer (`src/services`: EndpointSlices, or derived from the selector with named
 * targetPorts resolved per pod), of one IP family (each proxier's), deduplicated and sorted by
 * `ip:port` text. Endpoints derived from the selector take the pod's address of that family: the
 * EndpointSlice controller writes one slice per family of a dual-stack Service (addressType IPv4,
 * IPv6), each with the pods' addresses of its family (pkg/controller/endpointslice reconciler:
 * one slice set per `service.Spec.IPFamilies` entry).
 */
import { formatIp, type Ip, type Service, type ServicePort } from "../../model/index.js";
import type { ServiceLayer } from "../layer.js";

export interface ProxyEndpoint {
  readonly ip: Ip;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  /** Identical pods this endpoint stands for (a grouped workload's example); 1 when absent. */
  readonly replicas?: number;
}

/** `ip:port` (`[ip]:port` for IPv6), kube-proxy's BaseEndpointInfo.String(). */
export const endpointString = (e: { readonly ip: Ip; readonly port: number }): string =>
  e.ip.family === 6 ? `[${formatIp(e.ip)}]:${e.port}` : `${formatIp(e.ip)}:${e.port}`;

export function servicePortEndpoints(layer: Pick<ServiceLayer, "endpoints">, svc: Service, sp: ServicePort, family?: 4 | 6): ProxyEndpoint[] {
  const seen = new Set<string>();
  const out: ProxyEndpoint[] = [];
  for (const e of layer.endpoints(svc, sp).endpoints) {
    const ip = family === undefined || e.address.family === family ? e.address : e.origin === "selector" ? e.instance?.ips.find((x) => x.family === family) : undefined;
    if (ip === undefined) continue;
    const pe: ProxyEndpoint = {
      ip,
      port: e.port,
      ready: e.ready,
      serving: e.serving,
      terminating: e.terminating,
      ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
      ...(e.replicas !== undefined ? { replicas: e.replicas } : {}),
    };
    const k = endpointString(pe);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(pe);
  }
  return out.sort((a, b) => (endpointString(a) < endpointString(b) ? -1 : endpointString(a) > endpointString(b) ? 1 : 0));
}
