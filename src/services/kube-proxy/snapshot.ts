/**
 * @module snapshot
 * The immutable input of every renderer: one row per Service port with a ClusterIP, its
 * endpoints, and kube-proxy's categorisation of them for one node (pkg/proxy/topology.go
 * CategorizeEndpoints). Rendering is a pure function of this snapshot.
 *
 * One snapshot per IP family: kube-proxy runs one proxier per family (pkg/proxy/nftables and
 * iptables proxier.go NewDualStackProxier; each proxier's ServiceChangeTracker and
 * EndpointsChangeTracker keep only the ClusterIP, endpoints, externalIPs, LoadBalancer IPs and
 * loadBalancerSourceRanges of its family: pkg/proxy/servicechangetracker.go, serviceport.go).
 */
import { formatIp, type Cidr, type Cluster, type Ip, type Node, type Protocol, type Service, type ServicePort, type SourceRef } from "../../model/index.js";
import type { ServiceLayer } from "../layer.js";
import { onNode, readyOrServingTerminating } from "../traffic-policy.js";
import { servicePortEndpoints, type ProxyEndpoint } from "./endpoints.js";

/** kube-proxy's default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_STICKY_SECONDS = 10800;

export interface ProxyOptions {
  /** The node whose rules are rendered; decides which endpoints are local. */
  readonly nodeName?: string;
  /** The node's own addresses (NodePort destinations, `fib daddr type local`). */
  readonly nodeIPs: readonly Ip[];
  /** The proxier's IP family (absent: IPv4): which table (`ip` / `ip6`) and address types. */
  readonly family?: 4 | 6;
  /** --cluster-cidr of the proxier's family: enables the "traffic from outside the pod network" masquerade rule. */
  readonly clusterCIDR?: Cidr;
  /** --masquerade-all */
  readonly masqueradeAll: boolean;
}

/**
 * A node's options for every proxier: addresses and --cluster-cidr values of any family (each
 * proxier's own family and CIDR are picked by `proxierOptions`, so they are not here).
 */
export interface NodeProxyOptions extends Omit<ProxyOptions, "family" | "clusterCIDR"> {
  /** kube-proxy's --cluster-cidr accepts one CIDR per family ("10.244.0.0/16,fd00:10:244::/56"). */
  readonly clusterCIDRs?: readonly Cidr[];
  /** Not here (a proxier's one CIDR, `clusterCIDRs` holds the node's): refused, not ignored. */
  readonly clusterCIDR?: never;
}

/**
 * The options of the proxier of `family` (NewDualStackProxier hands each its nodeIP and local
 * detector of that family): the node's addresses of that family and its --cluster-cidr.
 */
export function proxierOptions(o: NodeProxyOptions, family: 4 | 6): ProxyOptions {
  const cidr = o.clusterCIDRs?.find((c) => c.family === family);
  return {
    ...(o.nodeName === undefined ? {} : { nodeName: o.nodeName }),
    nodeIPs: o.nodeIPs.filter((ip) => ip.family === family),
    ...(family === 6 ? { family } : {}),
    ...(cidr === undefined ? {} : { clusterCIDR: cidr }),
    masqueradeAll: o.masqueradeAll,
  };
}

export interface ServicePortInfo {
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name:port` (`namespace/name` when the port has no name): ServicePortName.String(). */
  readonly nameString: string;
  readonly portName: string;
  readonly protocol: Protocol;
  readonly clusterIP: Ip;
  readonly port: number;
  readonly nodePort: number;
  readonly externalIPs: readonly Ip[];
  readonly loadBalancerIPs: readonly Ip[];
  /** spec.loadBalancerSourceRanges of this family (kube-proxy's firewall chains). */
  readonly loadBalancerSourceRanges: readonly Cidr[];
  readonly sessionAffinity: boolean;
  readonly stickySeconds: number;
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** Sorted by `ip:port`. */
  readonly endpoints: readonly ProxyEndpoint[];
  readonly source: SourceRef;
}

export interface Categorized {
  readonly clusterEndpoints: readonly ProxyEndpoint[];
  readonly localEndpoints: readonly ProxyEndpoint[];
  readonly allLocallyReachable: readonly ProxyEndpoint[];
  /** Any usable endpoint on any node. */
  readonly hasEndpoints: boolean;
}

export const externallyAccessible = (s: ServicePortInfo): boolean =>
  s.nodePort !== 0 || s.externalIPs.length > 0 || s.loadBalancerIPs.length > 0;
/**
 * serviceport.go UsesClusterEndpoints: "if the internal traffic policy is Cluster, or if it
 * accepts external traffic at all (even if the external traffic policy is Local, we need Cluster
 * endpoints to implement short circuiting)".
 */
export const usesClusterEndpoints = (s: ServicePortInfo): boolean =>
  !s.internalPolicyLocal || externallyAccessible(s);
export const usesLocalEndpoints = (s: ServicePortInfo): boolean =>
  s.internalPolicyLocal || (externallyAccessible(s) && s.externalPolicyLocal);

export function categorizeEndpoints(s: ServicePortInfo, nodeName: string | undefined): Categorized {
  // One endpoint selection for kwire (services/traffic-policy.ts), the one trace uses.
  const all = readyOrServingTerminating(s.endpoints);
  const clusterEndpoints = usesClusterEndpoints(s) ? all : [];
  const localEndpoints = usesLocalEndpoints(s) && nodeName !== undefined ? readyOrServingTerminating(onNode(s.endpoints, nodeName)) : [];
  const reach = new Set([...clusterEndpoints, ...localEndpoints]);
  return {
    clusterEndpoints,
    localEndpoints,
    allLocallyReachable: s.endpoints.filter((e) => reach.has(e)),
    hasEndpoints: all.length > 0,
  };
}

function portInfo(layer: Pick<ServiceLayer, "endpoints">, svc: Service, sp: ServicePort, clusterIP: Ip): ServicePortInfo {
  const portName = sp.name ?? "";
  const mine = (ips: readonly Ip[]): Ip[] => ips.filter((ip) => ip.family === clusterIP.family);
  return {
    namespace: svc.namespace,
    name: svc.name,
    nameString: `${svc.namespace}/${svc.name}${portName ? `:${portName}` : ""}`,
    portName,
    protocol: sp.protocol,
    clusterIP,
    port: sp.port,
    nodePort: svc.type === "NodePort" || svc.type === "LoadBalancer" ? (sp.nodePort ?? 0) : 0,
    externalIPs: mine(svc.externalIPs),
    loadBalancerIPs: svc.type === "LoadBalancer" ? mine(svc.loadBalancerIPs) : [],
    loadBalancerSourceRanges: (svc.loadBalancerSourceRanges ?? []).filter((c) => c.family === clusterIP.family),
    sessionAffinity: svc.sessionAffinity === "ClientIP",
    stickySeconds: DEFAULT_STICKY_SECONDS,
    externalPolicyLocal: svc.externalTrafficPolicy === "Local" && (svc.type === "NodePort" || svc.type === "LoadBalancer" || svc.externalIPs.length > 0),
    internalPolicyLocal: svc.internalTrafficPolicy === "Local",
    endpoints: servicePortEndpoints(layer, svc, sp, clusterIP.family),
    source: sp.source,
  };
}

/**
 * Every Service port the proxier of `family` (default IPv4) would program: the Services with a
 * ClusterIP of that family (single-stack of it, or dual-stack), sorted by ServicePortName then protocol
 * (kube-proxy iterates a map; we fix the order so output is byte-stable). Headless and
 * ExternalName Services get no rules. Endpoints come from `layer`: the one Service layer the
 * trace and the service matrix use too (`serviceLayerOf` in the engine, which includes the
 * replicas of workloads whose pods the input does not list).
 */
export function buildSnapshot(cluster: Cluster, layer: Pick<ServiceLayer, "endpoints" | "frontend">, family: 4 | 6 = 4): ServicePortInfo[] {
  const out: ServicePortInfo[] = [];
  for (const svc of cluster.services) {
    if (svc.type === "ExternalName" || svc.headless) continue;
    // A manifest without a clusterIP gets the one the Service layer allocates (frontends.ts).
    const clusterIP = (layer.frontend(svc.namespace, svc.name)?.clusterIPs ?? svc.clusterIPs).find((ip) => ip.family === family);
    if (!clusterIP) continue;
    for (const sp of svc.ports) out.push(portInfo(layer, svc, sp, clusterIP));
  }
  return out.sort((a, b) => (a.nameString < b.nameString ? -1 : a.nameString > b.nameString ? 1 : a.protocol.localeCompare(b.protocol)));
}

/** The IP families whose proxier has Services to program (IPv4 first): a ClusterIP of that family. */
export function snapshotFamilies(cluster: Cluster, layer: Pick<ServiceLayer, "frontend">): (4 | 6)[] {
  const has = (f: 4 | 6): boolean =>
    cluster.services.some((svc) => svc.type !== "ExternalName" && !svc.headless && (layer.frontend(svc.namespace, svc.name)?.clusterIPs ?? svc.clusterIPs).some((ip) => ip.family === f));
  return ([4, 6] as const).filter(has);
}

/** The node to render for: the named one, or the first in name order; its InternalIPs. */
export function pickNode(cluster: Cluster, name: string | undefined): { node?: Node; error?: string } {
  const nodes = [...cluster.nodes].sort((a, b) => a.name.localeCompare(b.name));
  if (name === undefined) return nodes[0] ? { node: nodes[0] } : {};
  const node = nodes.find((n) => n.name === name);
  if (node) return { node };
  const known = nodes.map((n) => n.name).join(", ");
  return { error: `no Node named "${name}" in the input${known ? ` (nodes: ${known})` : ""}` };
}

export const ipText = formatIp;
