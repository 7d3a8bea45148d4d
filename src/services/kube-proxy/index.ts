/**
 * @module kube-proxy
 * What kube-proxy programs on one node for the Services in the input: iptables, nftables or
 * IPVS, rendered deterministically from an immutable snapshot. See README.md beside this file.
 */
import type { Cluster } from "../../model/index.js";
import type { ServiceLayer } from "../layer.js";
import { renderIptables } from "./iptables.js";
import { renderIpvs } from "./ipvs.js";
import { renderNftables } from "./nftables.js";
import { buildSnapshot, type ProxyOptions } from "./snapshot.js";

export const PROXY_MODES = ["iptables", "nftables", "ipvs"] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

export function renderProxyRules(cluster: Cluster, mode: ProxyMode, opts: ProxyOptions, layer: Pick<ServiceLayer, "endpoints" | "frontend">): string {
  const snapshot = buildSnapshot(cluster, layer);
  switch (mode) {
    case "iptables":
      return renderIptables(snapshot, opts);
    case "nftables":
      return renderNftables(snapshot, opts);
    case "ipvs":
      return renderIpvs(snapshot, opts);
  }
}

export { buildSnapshot, categorizeEndpoints, pickNode, DEFAULT_STICKY_SECONDS, type ProxyOptions, type ServicePortInfo } from "./snapshot.js";
export { endpointString, servicePortEndpoints, type ProxyEndpoint } from "./endpoints.js";
export { iptablesNames, nftNames, hashAndTruncate } from "./names.js";
export { renderIptables, probability } from "./iptables.js";
export { renderNftables, buildNftTable } from "./nftables.js";
export { renderCompactNftables, buildCompactTable, COMPACT_TABLE, COMPACT_TABLE_FAMILY } from "./compact.js";
export { renderIpvs, virtualServers } from "./ipvs.js";
export { sha256, base32, sha256Base32 } from "./hash.js";
