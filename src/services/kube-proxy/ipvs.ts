/**
 * @module ipvs
 * kube-proxy's IPVS mode as `ipvsadm -Ln` would list it: one virtual server per ClusterIP,
 * ExternalIP, LoadBalancer IP and NodePort-on-node-IP (scheduler rr; sessionAffinity ClientIP
 * ⇒ `persistent <timeout>`), each with its real servers (Masq, weight 1). External virtual
 * servers of an externalTrafficPolicy=Local Service list only this node's endpoints.
 */
import type { Ip } from "../../model/index.js";
import { endpointString, type ProxyEndpoint } from "./endpoints.js";
import { categorizeEndpoints, type ProxyOptions, type ServicePortInfo } from "./snapshot.js";

export interface VirtualServer {
  readonly protocol: string;
  readonly address: Ip;
  readonly port: number;
  readonly scheduler: "rr";
  readonly persistent?: number;
  readonly realServers: readonly ProxyEndpoint[];
}

export function virtualServers(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): VirtualServer[] {
  const out: VirtualServer[] = [];
  for (const s of snapshot) {
    const cat = categorizeEndpoints(s, opts.nodeName);
    const internal = s.internalPolicyLocal ? cat.localEndpoints : cat.clusterEndpoints;
    const external = s.externalPolicyLocal ? cat.localEndpoints : cat.clusterEndpoints;
    const vs = (address: Ip, port: number, realServers: readonly ProxyEndpoint[]): VirtualServer => ({
      protocol: s.protocol,
      address,
      port,
      scheduler: "rr",
      ...(s.sessionAffinity ? { persistent: s.stickySeconds } : {}),
      realServers,
    });
    out.push(vs(s.clusterIP, s.port, internal));
    for (const ip of [...s.externalIPs, ...s.loadBalancerIPs]) out.push(vs(ip, s.port, external));
    if (s.nodePort !== 0) for (const ip of opts.nodeIPs) out.push(vs(ip, s.nodePort, external));
  }
  return out.sort((a, b) => a.protocol.localeCompare(b.protocol) || (a.address.value < b.address.value ? -1 : a.address.value > b.address.value ? 1 : a.port - b.port));
}

const pad = (s: string, n: number): string => s.padEnd(n);

/** The `ipvsadm -Ln` header (one listing holds both families' virtual servers). */
export const ipvsHeader = (opts: Pick<ProxyOptions, "nodeName">): string[] => [
  `# kube-proxy ipvs mode (kwire proxy-rules)${opts.nodeName ? ` on node ${opts.nodeName}` : ""}`,
  "IP Virtual Server version 1.2.1 (size=4096)",
  "Prot LocalAddress:Port Scheduler Flags",
  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn",
];

/** One proxier's virtual and real servers (`[fd00::1]:80` for IPv6, as ipvsadm prints them). */
export function ipvsLines(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): string[] {
  const lines: string[] = [];
  for (const v of virtualServers(snapshot, opts)) {
    const flags = v.persistent !== undefined ? ` persistent ${v.persistent}` : "";
    lines.push(`${pad(v.protocol, 4)} ${endpointString({ ip: v.address, port: v.port })} ${v.scheduler}${flags}`);
    for (const r of v.realServers) lines.push(`  -> ${pad(endpointString(r), 28)} ${pad("Masq", 7)} ${pad("1", 6)} ${pad("0", 10)} 0`);
  }
  return lines;
}

export function renderIpvs(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): string {
  return [...ipvsHeader(opts), ...ipvsLines(snapshot, opts)].join("\n") + "\n";
}
