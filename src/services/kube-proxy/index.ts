/**
 * @module kube-proxy
 * What kube-proxy programs on one node for the Services in the input: iptables, nftables or
 * IPVS, rendered deterministically from an immutable snapshot. See README.md beside this file.
 */
import type { Cluster } from "../../model/index.js";
import type { ServiceLayer } from "../layer.js";
import { renderIptables } from "./iptables.js";
import { ipvsHeader, ipvsLines } from "./ipvs.js";
import { renderNftables } from "./nftables.js";
import { buildSnapshot, proxierOptions, snapshotFamilies, type NodeProxyOptions } from "./snapshot.js";

export const PROXY_MODES = ["iptables", "nftables", "ipvs"] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

/**
 * What kube-proxy programs on the node: one proxier per IP family with Services (IPv4 first; a
 * cluster without Services shows the IPv4 proxier's fixed chains), as kube-proxy runs one per
 * family in dual-stack (NewDualStackProxier): `ip kube-proxy` then `ip6 kube-proxy` (nftables),
 * iptables-restore then ip6tables-restore input (iptables), one `ipvsadm -Ln` listing of both
 * families' virtual servers (ipvs).
 */
export function renderProxyRules(cluster: Cluster, mode: ProxyMode, opts: NodeProxyOptions, layer: Pick<ServiceLayer, "endpoints" | "frontend">): string {
  const families = snapshotFamilies(cluster, layer);
  const proxiers = (families.length === 0 ? [4 as const] : families).map((f) => ({ snapshot: buildSnapshot(cluster, layer, f), opts: proxierOptions(opts, f) }));
  switch (mode) {
    case "iptables":
      return proxiers.map((p) => renderIptables(p.snapshot, p.opts)).join("\n");
    case "nftables":
      return proxiers.map((p) => renderNftables(p.snapshot, p.opts)).join("\n");
    case "ipvs":
      return [...ipvsHeader(opts), ...proxiers.flatMap((p) => ipvsLines(p.snapshot, p.opts))].join("\n") + "\n";
  }
}

export { buildSnapshot, categorizeEndpoints, pickNode, proxierOptions, snapshotFamilies, DEFAULT_STICKY_SECONDS, type NodeProxyOptions, type ProxyOptions, type ServicePortInfo } from "./snapshot.js";
export { endpointString, servicePortEndpoints, type ProxyEndpoint } from "./endpoints.js";
export { iptablesNames, nftNames, hashAndTruncate } from "./names.js";
export { renderIptables, probability } from "./iptables.js";
export { renderNftables, buildNftTable, familyParts, KUBE_PROXY_TABLE } from "./nftables.js";
export { renderCompactNftables, buildCompactTable, COMPACT_TABLE, COMPACT_TABLE_FAMILY } from "./compact.js";
export { renderIpvs, virtualServers } from "./ipvs.js";
export { sha256, base32, sha256Base32 } from "./hash.js";
