/**
 * @module lab/model
 * The cluster as the lab runs it: every lab pod a concrete Pod with the address IPAM gave it and
 * the node it runs on; workloads are replaced by their pods. Predictions are made on this cluster,
 * so ipBlocks and named ports are judged against the addresses and ports that really exist.
 */
import { buildTopology } from "../engine/index.js";
import { parseIp, type Cluster, type Pod } from "../model/index.js";
import type { NftPod } from "../nft/index.js";
import type { LabPod } from "./plan.js";

export interface PlacedPod {
  readonly pod: LabPod;
  /** The first address (IPv4 unless the lab is IPv6-only). */
  readonly ip: string;
  /** Every address the pod has (dual-stack: IPv4, IPv6); absent: `[ip]`. */
  readonly ips?: readonly string[];
}

const LAB_SOURCE = { file: "<lab>", line: 0, column: 0, path: "" } as const;

/**
 * The lab cluster. Its Service ranges (`serviceIpFamilies`) are the families the lab's pods have
 * (ipv4, ipv6 or dual, IPv4 first as kubeadm's dual-stack default), so a Service the manifests give
 * no ClusterIP gets one of each family its ipFamilyPolicy / ipFamilies ask for that the lab runs
 * (services/frontends.ts); without placed addresses the input's own inference stays.
 */
export function labCluster(cluster: Cluster, placed: readonly PlacedPod[]): Cluster {
  const pods: Pod[] = placed.map(({ pod, ip, ips }) => {
    const addrs = (ips ?? [ip]).flatMap((t) => parseIp(t) ?? []);
    return {
      kind: "Pod", namespace: pod.namespace, name: pod.name, labels: pod.labels, ips: addrs, hostNetwork: pod.hostNetwork === true,
      nodeName: pod.node, ports: pod.ports, owners: [], source: LAB_SOURCE, ...(pod.serviceAccount === undefined ? {} : { serviceAccount: pod.serviceAccount }),
    };
  });
  pods.sort((a, b) => (a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1));
  const families = ([4, 6] as const).filter((f) => pods.some((p) => !p.hostNetwork && p.ips.some((ip) => ip.family === f)));
  return { ...cluster, pods, workloads: [], ...(families.length === 0 ? {} : { serviceIpFamilies: families }) };
}

/**
 * The lab cluster as traffic of one address family sees it: every pod keeps only its addresses of
 * `family`. A connection runs over one family, and the kernel matches an ipBlock only against the
 * packet's addresses — an IPv4 ipBlock never admits IPv6 traffic of a dual-stack pod, though the
 * pod "has" an address in it. Predictions per family are made on this view.
 */
export function familyView(lab: Cluster, family: 4 | 6): Cluster {
  return { ...lab, pods: lab.pods.map((p) => ({ ...p, ips: p.ips.filter((ip) => ip.family === family) })) };
}

/** The compiler's view of the lab cluster's pods. */
export function nftPods(lab: Cluster): NftPod[] {
  return buildTopology(lab).subjects.map((s) => ({
    id: s.id, node: s.nodeName ?? "", namespace: s.namespace, labels: s.labels, namespaceLabels: s.namespaceLabels,
    ips: s.ips, hostNetwork: s.hostNetwork, ports: s.ports,
  }));
}
