/**
 * @module frontends
 * Where a Service listens: its ClusterIPs (every type but ExternalName and headless), a
 * nodePort on every node address (NodePort and LoadBalancer), its LoadBalancer ingress IPs,
 * and its externalIPs. A Service the input gives no clusterIP (a manifest before the API
 * server allocated one) gets one from 10.96.100.0 upward inside the default Service range
 * 10.96.0.0/12 (IPv6: from fd00:10:96::100 in fd00:10:96::/112, kind's default), in
 * namespace/name order, skipping used addresses; it is marked `allocated`.
 *
 * Which families a Service gets follows the API (ServiceSpec reference; "IPv4/IPv6 dual-stack",
 * https://kubernetes.io/docs/concepts/services-networking/dual-stack/): `ipFamilyPolicy`
 * SingleStack (the default) — one family: ipFamilies[0], else the declared clusterIP's, else
 * "the first configured service cluster IP range"; PreferDualStack — both families "when
 * dual-stack is enabled", else one; RequireDualStack — both (the API server rejects it on a
 * single-stack cluster: kwire gives what the cluster's ranges allow). `ipFamilies` orders them
 * (primary first); declared clusterIPs are kept and only the missing families are allocated.
 */
import { formatIp, type Cluster, type Ip, type Node, type Protocol, type Service, type ServicePort } from "../model/index.js";

export const SERVICE_RANGE = "10.96.0.0/12";
export const SERVICE_RANGE6 = "fd00:10:96::/112";
const FIRST_ALLOCATED = (10n << 24n) | (96n << 16n) | (100n << 8n);
const FIRST_ALLOCATED6 = (0xfd00n << 112n) | (0x10n << 96n) | (0x96n << 80n) | 0x100n;

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

/**
 * The cluster's Service range families when the input does not say (`Cluster.serviceIpFamilies`):
 * the families the Services declare (clusterIPs, ipFamilies) and the pods' and nodes' addresses
 * have (`others`: a cluster whose pods are dual-stack runs dual-stack Service ranges too) — IPv4
 * only, IPv6 only, or both with IPv4 first (kubeadm's and kind's dual-stack default) — and IPv4
 * when nothing says.
 */
export function inferServiceFamilies(services: readonly Service[], others: readonly (4 | 6)[] = []): (4 | 6)[] {
  const has = (f: 4 | 6): boolean => others.includes(f) || services.some((s) => s.clusterIPs.some((ip) => ip.family === f) || (s.ipFamilies ?? []).includes(f));
  return has(6) ? (has(4) ? [4, 6] : [6]) : [4];
}

/** The families a Service's ClusterIPs are of, primary first, on a cluster whose Service ranges are `configured`. */
export function serviceIpFamilies(service: Service, configured: readonly (4 | 6)[]): (4 | 6)[] {
  const fams: (4 | 6)[] = [...(service.ipFamilies ?? service.clusterIPs.map((ip) => ip.family))];
  const primary = configured[0] ?? 4;
  if (fams.length === 0) fams.push(primary);
  const dual = (service.ipFamilyPolicy ?? "SingleStack") !== "SingleStack";
  const other = configured.find((f) => !fams.includes(f));
  if (dual && fams.length === 1 && other !== undefined) fams.push(other);
  return fams;
}

export function serviceFrontends(services: readonly Service[], configured: readonly (4 | 6)[] = inferServiceFamilies(services)): ServiceFrontend[] {
  const used = new Set(services.flatMap((s) => s.clusterIPs.map((ip) => `${ip.family}:${ip.value}`)));
  const next = { 4: FIRST_ALLOCATED, 6: FIRST_ALLOCATED6 };
  const take = (family: 4 | 6): Ip => {
    while (used.has(`${family}:${next[family]}`)) next[family]++;
    used.add(`${family}:${next[family]}`);
    return { family, value: next[family]++ };
  };
  return services.map((service) => {
    const id = `${service.namespace}/${service.name}`;
    if (service.type === "ExternalName" || service.headless) return { service, id, clusterIPs: service.clusterIPs, allocated: false };
    // Declared addresses are kept; a family the Service asks for gets one only from a configured range.
    const clusterIPs = serviceIpFamilies(service, configured).flatMap((f) => service.clusterIPs.find((ip) => ip.family === f) ?? (configured.includes(f) ? [take(f)] : []));
    const allocated = clusterIPs.length > service.clusterIPs.length;
    return { service, id, clusterIPs: allocated ? clusterIPs : service.clusterIPs, allocated };
  });
}

/** The frontends of a cluster: its Service ranges' families, or inferred from its Services, pods and nodes (`inferServiceFamilies`). */
export function clusterFrontends(cluster: Pick<Cluster, "services" | "serviceIpFamilies" | "pods" | "nodes">): ServiceFrontend[] {
  if (cluster.serviceIpFamilies !== undefined) return serviceFrontends(cluster.services, cluster.serviceIpFamilies);
  const seen = new Set<4 | 6>();
  for (const p of cluster.pods) for (const ip of p.ips) seen.add(ip.family);
  for (const n of cluster.nodes) for (const ip of n.internalIPs) seen.add(ip.family);
  return serviceFrontends(cluster.services, inferServiceFamilies(cluster.services, [...seen]));
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
