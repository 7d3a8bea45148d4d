/**
 * @module lab/services
 * The Service data plane of a lab node, rendered from the lab cluster (the pods' real addresses,
 * so endpoints are the lab's pods) for that node (local endpoints, NodePort on its addresses via
 * `fib daddr type local`). Two renderings, chosen by `lab up --proxy` and kept in the lab state:
 *
 * - `compact` (default): kwire's layout of kube-proxy's semantics, table `ip kwire-services`
 *   (`src/services/kube-proxy/compact.ts`): a constant skeleton of chains and maps, the Services
 *   in map elements, so 10k Services load in about a second.
 * - `kube-proxy`: kube-proxy's exact nftables mode, table `ip kube-proxy`
 *   (`src/services/kube-proxy/nftables.ts`, what `kwire proxy-rules -o nftables` prints), proving
 *   that output on a real kernel; per-Service and per-endpoint chains load quadratically (1k
 *   Services ≈ 0.8 s, 3k ≈ 10 s on nft 1.0.6).
 *
 * Both with `--cluster-cidr` = the nodes' podCIDRs (`labClusterCidr`: pods keep their address
 * toward ClusterIPs, and pod traffic to externalTrafficPolicy Local frontends short-circuits to
 * every endpoint, as kube-proxy's local-traffic detector does); hairpin (a pod
 * reaching itself through its Service) is masqueraded to the bridge address: kube-proxy's
 * per-endpoint `ip saddr <endpoint> jump mark-for-masquerade`, the compact table's `hairpin` set.
 *
 * Ordering with the policy table (`src/nft/README.md`): DNAT happens in `nat-prerouting` /
 * `nat-output` (dstnat, -100), the policy's forward hook runs at 0, so policy sees the endpoint
 * pod's address and targetPort, as Kubernetes specifies. Both tables go into one `nft -f`
 * transaction per node (`nodeScript`), each replaced atomically (add + delete + define).
 */
import type { Cidr, Cluster, Ip } from "../model/index.js";
import { lastOf, parseCidr, parseIp } from "../model/index.js";
import { buildServiceLayer } from "../services/index.js";
import { buildSnapshot, COMPACT_TABLE, renderCompactNftables, renderNftables } from "../services/kube-proxy/index.js";
import { deleteScript, policyTableNames, replaceAllScript, type Table } from "../nft/index.js";
import type { LabNode } from "./plan.js";

/** How the lab renders Services (`lab up --proxy`). */
export const LAB_PROXIES = ["compact", "kube-proxy"] as const;
export type LabProxy = (typeof LAB_PROXIES)[number];
export const DEFAULT_LAB_PROXY: LabProxy = "compact";

export const PROXY_TABLE_FAMILY = "ip";
/** The table each rendering owns (both in family `ip`). */
export const PROXY_TABLES: Readonly<Record<LabProxy, string>> = { compact: COMPACT_TABLE, "kube-proxy": "kube-proxy" };

export const isLabProxy = (v: string): v is LabProxy => (LAB_PROXIES as readonly string[]).includes(v);

const replaceTable = (name: string): string => deleteScript(PROXY_TABLE_FAMILY, name);

/**
 * kube-proxy's `--cluster-cidr` for the lab: the smallest IPv4 CIDR covering every node's
 * podCIDR (kubeadm sets it from the pod subnet). It turns on the local-traffic detector, so pod
 * traffic to an externalTrafficPolicy Local frontend short-circuits to all endpoints, as the
 * engine predicts (`service-trace.ts`, `viaExternalFrontend`).
 */
export function labClusterCidr(nodes: readonly LabNode[]): Cidr | undefined {
  const cidrs = nodes.flatMap((n) => {
    const c = parseCidr(n.podCidr);
    return c.ok && c.cidr.family === 4 ? [c.cidr] : [];
  });
  if (cidrs.length === 0) return undefined;
  const lo = cidrs.reduce((m, c) => (c.base < m ? c.base : m), cidrs[0]?.base ?? 0n);
  const hi = cidrs.reduce((m, c) => (lastOf(c) > m ? lastOf(c) : m), 0n);
  let prefix = 32;
  while (prefix > 0 && (lo >> BigInt(32 - prefix)) !== (hi >> BigInt(32 - prefix))) prefix--;
  const base = prefix === 0 ? 0n : (lo >> BigInt(32 - prefix)) << BigInt(32 - prefix);
  return { family: 4, base, prefix };
}

/** The node's Service table as `nft -f` text (replacing any previous one). */
export function proxyScript(lab: Cluster, node: LabNode, proxy: LabProxy = DEFAULT_LAB_PROXY, clusterCIDR?: Cidr): string {
  const layer = buildServiceLayer(lab, []);
  const snapshot = buildSnapshot(lab, layer);
  const ip = parseIp(node.transitIp);
  const nodeIPs: Ip[] = ip === undefined ? [] : [ip];
  const opts = { nodeName: node.name, nodeIPs, masqueradeAll: false, ...(clusterCIDR === undefined ? {} : { clusterCIDR }) };
  const text = proxy === "compact" ? renderCompactNftables(snapshot, opts) : renderNftables(snapshot, opts);
  return `${replaceTable(PROXY_TABLES[proxy])}${text}`;
}

/** The node's whole ruleset transaction: policy tables, then the Service table. */
export function nodeScript(lab: Cluster, node: LabNode, policy: readonly Table[], proxy: LabProxy = DEFAULT_LAB_PROXY, clusterCIDR?: Cidr): string {
  return `${replaceAllScript(policy, policyTableNames())}\n${proxyScript(lab, node, proxy, clusterCIDR)}`;
}

/** Removes whichever Service table a lab node has (both renderings; a missing one is fine). */
export const deleteProxyScript = LAB_PROXIES.map((p) => replaceTable(PROXY_TABLES[p])).join("");
