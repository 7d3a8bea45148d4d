/**
 * @module lab/lab-dns
 * Where the lab's cluster DNS runs and how pods reach it. As in a cluster, the DNS server runs in
 * the pods behind `kube-system/kube-dns` (CoreDNS's pods), on their DNS targetPort, UDP and TCP;
 * pods reach it at the kube-dns ClusterIP through the node's kube-proxy rules (DNAT), so
 * NetworkPolicy applies to DNS exactly as to any other connection: a pod whose egress policy
 * does not allow kube-dns on port 53 cannot resolve, which is what the model predicts. An input
 * without a kube-dns Service (or without ready endpoints for it) gets no DNS: no server, no
 * resolv.conf, no DNS cells. The nameserver is kube-dns's first ClusterIP of a family the lab runs
 * (an IPv6-only lab: its IPv6 ClusterIP, allocated when the manifest gives none — CoreDNS's Service
 * in an IPv6 cluster; the lab's Service ranges are its pods' families, model.ts `labCluster`).
 * These pods' pod servers leave the DNS port to the DNS server, which
 * answers pod-to-pod probes of that port with the pod id (dns-server.ts).
 */
import type { Cluster } from "../model/index.js";
import { formatIp, parseIp } from "../model/index.js";
import { buildServiceLayer, usableEndpoints } from "../services/index.js";
import { labCluster } from "./model.js";
import type { LabPod } from "./plan.js";

export interface DnsPlan {
  readonly nameserver: string;
  readonly domain: string;
  /** The port the DNS server binds in its pods (the kube-dns UDP 53 port's targetPort). */
  readonly port: number;
  /** Pod ids of the kube-dns endpoints. */
  readonly podIds: ReadonlySet<string>;
}

export const DNS_DOMAIN = "cluster.local";

/**
 * The pods behind kube-dns UDP 53 among `pods` in a lab of `families` (addresses do not matter:
 * placeholders of those families are used).
 */
export function planDns(cluster: Cluster, pods: readonly LabPod[], families: readonly (4 | 6)[] = [4]): DnsPlan | undefined {
  const placeholder = (f: 4 | 6, i: number): string => (f === 4 ? `127.1.${(i >> 8) & 255}.${i & 255}` : `fd00:ffff::${(i + 1).toString(16)}`);
  const placed = pods.map((pod, i) => {
    const ips = families.map((f) => placeholder(f, i));
    return { pod, ip: ips[0] ?? placeholder(4, i), ips };
  });
  const lab = labCluster(cluster, placed);
  const layer = buildServiceLayer(lab, []);
  const f = layer.frontend("kube-system", "kube-dns");
  const ip = f?.clusterIPs.find((x) => families.includes(x.family));
  const sp = f?.service.ports.find((p) => p.protocol === "UDP" && p.port === 53);
  if (f === undefined || ip === undefined || sp === undefined) return undefined;
  const eps = usableEndpoints(layer.endpoints(f.service, sp).endpoints, "Cluster", undefined).usable;
  const byIp = new Map(placed.flatMap((p) => p.ips.flatMap((a) => {
    const ip = parseIp(a);
    return ip === undefined ? [] : [[formatIp(ip), p.pod.id] as const];
  })));
  const podIds = new Set(eps.flatMap((e) => byIp.get(formatIp(e.address)) ?? []));
  const port = eps[0]?.port;
  if (podIds.size === 0 || port === undefined) return undefined;
  return { nameserver: formatIp(ip), domain: DNS_DOMAIN, port, podIds };
}

/** `PROTO/port` the pod server of a DNS pod must leave to the DNS server. */
export const dnsSkip = (plan: DnsPlan | undefined, pod: LabPod): ReadonlySet<string> =>
  plan?.podIds.has(pod.id) === true ? new Set([`UDP/${plan.port}`, `TCP/${plan.port}`]) : new Set();
