/**
 * @module frontends
 * Where a Service listens: its ClusterIPs (every type but ExternalName and headless), a
 * nodePort on every node address (NodePort and LoadBalancer), its LoadBalancer ingress IPs,
 * and its externalIPs. A Service the input gives no clusterIP (a manifest before the API
 * server allocated one) gets one from 10.96.100.0 upward inside the default Service range
 * 10.96.0.0/12, in namespace/name order, skipping used addresses; it is marked `allocated`.
 */
import { formatIp, type Ip, type Node, type Protocol, type Service, type ServicePort } from "../model/index.js";

export const SERVICE_RANGE = "10.96.0.0/12";
const FIRST_ALLOCATED = (10n << 24n) | (96n << 16n) | (100n << 8n);

export type FrontendKind = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalIP";

export interface ServiceFrontend {
  readonly service: Service;
  /** `namespace/name`. */
  readonly id: string;
  readonly clusterIPs: readonly Ip[];
  /** The ClusterIP was allocated by kwire because the input gives none. */
  readonly allocated: boolean;
}

export interface FrontendHit {
  readonly frontend: ServiceFrontend;
  readonly port: ServicePort;
  readonly via: FrontendKind;
  /** The node whose address was used (NodePort). */
  readonly node?: Node;
}

const same = (a: Ip, b: Ip): boolean => a.family === b.family && a.value === b.value;

export function serviceFrontends(services: readonly Service[]): ServiceFrontend[] {
  const used = new Set(services.flatMap((s) => s.clusterIPs.map((ip) => `${ip.family}:${ip.value}`)));
  let next = FIRST_ALLOCATED;
  const take = (): Ip => {
    while (used.has(`4:${next}`)) next++;
    used.add(`4:${next}`);
    return { family: 4, value: next++ };
  };
  return services.map((service) => {
    const id = `${service.namespace}/${service.name}`;
    const needs = service.type !== "ExternalName" && !service.headless && service.clusterIPs.length === 0;
    return { service, id, clusterIPs: needs ? [take()] : service.clusterIPs, allocated: needs };
  });
}

export const nodeAddresses = (n: Node): readonly Ip[] => [...n.internalIPs, ...n.externalIPs];

/**
 * The Service port an address, port and protocol lands on, or undefined. ClusterIPs first,
 * then externalIPs and LoadBalancer IPs, then nodePorts on node addresses.
 */
export function frontendAt(frontends: readonly ServiceFrontend[], nodes: readonly Node[], ip: Ip, port: number, protocol: Protocol): FrontendHit | undefined {
  const match = (f: ServiceFrontend, via: FrontendKind, extra: { node?: Node } = {}): FrontendHit | undefined => {
    const p = f.service.ports.find((x) => x.protocol === protocol && (via === "NodePort" ? x.nodePort === port : x.port === port));
    return p ? { frontend: f, port: p, via, ...extra } : undefined;
  };
  for (const f of frontends) if (f.clusterIPs.some((x) => same(x, ip))) return match(f, "ClusterIP");
  for (const f of frontends) if (f.service.externalIPs.some((x) => same(x, ip))) return match(f, "ExternalIP");
  for (const f of frontends) if (f.service.loadBalancerIPs.some((x) => same(x, ip))) return match(f, "LoadBalancer");
  const node = nodes.find((n) => nodeAddresses(n).some((x) => same(x, ip)));
  if (!node) return undefined;
  for (const f of frontends) {
    if (f.service.type !== "NodePort" && f.service.type !== "LoadBalancer") continue;
    const hit = match(f, "NodePort", { node });
    if (hit) return hit;
  }
  return undefined;
}

/** Whether an address is a Service frontend address at all (any port). */
export function isFrontendAddress(frontends: readonly ServiceFrontend[], ip: Ip): ServiceFrontend | undefined {
  return frontends.find((f) => [...f.clusterIPs, ...f.service.externalIPs, ...f.service.loadBalancerIPs].some((x) => same(x, ip)));
}

/** `ClusterIP 10.96.0.10`, `headless`, `ExternalName db.example.com`, with LB/external IPs. */
export function describeFrontend(f: ServiceFrontend): string {
  const s = f.service;
  if (s.type === "ExternalName") return `ExternalName ${s.externalName ?? ""}`;
  const parts = [s.headless ? "headless (clusterIP: None)" : `${s.type} ${f.clusterIPs.map(formatIp).join(",")}${f.allocated ? " (allocated by kwire: the input gives no clusterIP)" : ""}`];
  if (s.loadBalancerIPs.length) parts.push(`LoadBalancer IP ${s.loadBalancerIPs.map(formatIp).join(",")}`);
  if (s.externalIPs.length) parts.push(`externalIPs ${s.externalIPs.map(formatIp).join(",")}`);
  return parts.join(", ");
}

export function describePort(p: ServicePort): string {
  const name = p.name !== undefined ? ` "${p.name}"` : "";
  const target = p.targetPort.type === "Number" ? String(p.targetPort.port) : `"${p.targetPort.name}" (named)`;
  const node = p.nodePort !== undefined ? `, nodePort ${p.nodePort}` : "";
  return `port${name} ${p.protocol}/${p.port} → targetPort ${target}${node}`;
}
