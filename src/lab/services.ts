/**
 * @module lab/services
 * The Service data plane of a lab node: what kube-proxy's nftables mode would program on it,
 * rendered by `src/services/kube-proxy/nftables.ts` from the lab cluster (the pods' real
 * addresses, so endpoints are the lab's pods), for that node (local endpoints, NodePort on its
 * addresses via `fib daddr type local`). No `--cluster-cidr` (pods keep their address toward
 * ClusterIPs); the endpoint chains' `ip saddr <endpoint> jump mark-for-masquerade` makes hairpin
 * work (a pod reaching itself through its Service is masqueraded to the bridge address).
 *
 * Ordering with the policy table (`src/nft/README.md`): DNAT happens in `nat-prerouting` /
 * `nat-output` (dstnat, -100), the policy's forward hook runs at 0, so policy sees the endpoint
 * pod's address and targetPort, as Kubernetes specifies. Both tables go into one `nft -f`
 * transaction per node (`nodeScript`), each replaced atomically (add + delete + define).
 */
import type { Cluster, Ip } from "../model/index.js";
import { parseIp } from "../model/index.js";
import { buildServiceLayer } from "../services/index.js";
import { buildSnapshot, renderNftables } from "../services/kube-proxy/index.js";
import { replaceScript, type Table } from "../nft/index.js";
import type { LabNode } from "./plan.js";

export const PROXY_TABLE_FAMILY = "ip";
export const PROXY_TABLE_NAME = "kube-proxy";

/** kube-proxy's table for `node` as `nft -f` text (replacing any previous one). */
export function proxyScript(lab: Cluster, node: LabNode): string {
  const layer = buildServiceLayer(lab, []);
  const snapshot = buildSnapshot(lab, layer);
  const ip = parseIp(node.transitIp);
  const nodeIPs: Ip[] = ip === undefined ? [] : [ip];
  const text = renderNftables(snapshot, { nodeName: node.name, nodeIPs, masqueradeAll: false });
  return `add table ${PROXY_TABLE_FAMILY} ${PROXY_TABLE_NAME}\ndelete table ${PROXY_TABLE_FAMILY} ${PROXY_TABLE_NAME}\n${text}`;
}

/** The node's whole ruleset transaction: policy table, then kube-proxy's. */
export function nodeScript(lab: Cluster, node: LabNode, policy: Table): string {
  return `${replaceScript(policy)}\n${proxyScript(lab, node)}`;
}

export const deleteProxyScript = `add table ${PROXY_TABLE_FAMILY} ${PROXY_TABLE_NAME}\ndelete table ${PROXY_TABLE_FAMILY} ${PROXY_TABLE_NAME}\n`;
