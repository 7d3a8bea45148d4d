/**
 * @module names
 * Chain, set and map names exactly as kube-proxy computes them.
 * iptables (pkg/proxy/iptables/proxier.go): `KUBE-SVC-` + base32(sha256(portName + protocol))[:16];
 * endpoints hash portName + protocol + "ip:port". nftables (pkg/proxy/nftables/proxier.go):
 * `service-` + hashAndTruncate("ns/name/protocol/port"), where hashAndTruncate prefixes 8
 * base32 characters of the name's own hash and truncates to nft's name limit.
 */
import { sha256Base32 } from "./hash.js";
import { endpointString, type ProxyEndpoint } from "./endpoints.js";
import type { ServicePortInfo } from "./snapshot.js";

const proto = (s: ServicePortInfo): string => s.protocol.toLowerCase();
const portProtoHash = (s: ServicePortInfo): string => sha256Base32(s.nameString + proto(s)).slice(0, 16);

export const iptablesNames = {
  cluster: (s: ServicePortInfo): string => `KUBE-SVC-${portProtoHash(s)}`,
  local: (s: ServicePortInfo): string => `KUBE-SVL-${portProtoHash(s)}`,
  external: (s: ServicePortInfo): string => `KUBE-EXT-${portProtoHash(s)}`,
  firewall: (s: ServicePortInfo): string => `KUBE-FW-${portProtoHash(s)}`,
  endpoint: (s: ServicePortInfo, e: ProxyEndpoint): string =>
    `KUBE-SEP-${sha256Base32(s.nameString + proto(s) + endpointString(e)).slice(0, 16)}`,
} as const;

/** knftables.NameLengthMax (256) minus the longest prefix (16). */
const CHAIN_NAME_BASE_LENGTH_MAX = 256 - 16;

export function hashAndTruncate(name: string): string {
  const out = `${sha256Base32(name).slice(0, 8)}-${name}`;
  return out.length > CHAIN_NAME_BASE_LENGTH_MAX ? `${out.slice(0, CHAIN_NAME_BASE_LENGTH_MAX - 3)}...` : out;
}

const serviceBase = (s: ServicePortInfo): string => hashAndTruncate(`${s.namespace}/${s.name}/${proto(s)}/${s.portName}`);

function endpointBase(s: ServicePortInfo, e: ProxyEndpoint): string {
  const text = endpointString(e);
  const i = text.lastIndexOf(":");
  const ip = text.slice(0, i).replace(/^\[|\]$/g, "").replace(/:/g, ".");
  return hashAndTruncate(`${s.namespace}/${s.name}/${proto(s)}/${s.portName}__${ip}/${text.slice(i + 1)}`);
}

export const nftNames = {
  cluster: (s: ServicePortInfo): string => `service-${serviceBase(s)}`,
  local: (s: ServicePortInfo): string => `local-${serviceBase(s)}`,
  external: (s: ServicePortInfo): string => `external-${serviceBase(s)}`,
  firewall: (s: ServicePortInfo): string => `firewall-${serviceBase(s)}`,
  endpoint: (s: ServicePortInfo, e: ProxyEndpoint): string => `endpoint-${endpointBase(s, e)}`,
  affinity: (s: ServicePortInfo, e: ProxyEndpoint): string => `affinity-${endpointBase(s, e)}`,
} as const;
