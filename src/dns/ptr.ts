/**
 * @module ptr
 * Reverse lookups as CoreDNS's `kubernetes` plugin answers them when it serves the reverse
 * zones (the kubeadm Corefile: `kubernetes cluster.local in-addr.arpa ip6.arpa`), per the
 * Kubernetes DNS-based service discovery specification:
 * - 2.3.3: a ClusterIP `a.b.c.d` → `d.c.b.a.in-addr.arpa. PTR <service>.<ns>.svc.<zone>.`;
 * - 2.4.3: a ready endpoint of a headless Service → `PTR <hostname>.<service>.<ns>.svc.<zone>.`
 *   (the hostname, else the dashed address as CoreDNS names it);
 * - any other address in the reverse zones is NXDOMAIN (pod records under `pods insecure`
 *   are forward-only); IPv6 uses the nibble form under ip6.arpa.
 * Kept apart from `lookup` (forward types): PTR answers name a host, not an address.
 */
import { formatIp, parseIp, type Ip } from "../model/index.js";
import { endpointLabel, type DnsZone } from "./records.js";

export interface PtrRecord {
  readonly name: string;
  readonly type: "PTR";
  readonly data: string;
}

export type PtrAnswer = { readonly rcode: "NOERROR"; readonly records: readonly PtrRecord[]; readonly detail: string } | { readonly rcode: "NXDOMAIN" | "FORWARDED"; readonly detail: string };

/** `10.96.0.10` → `10.0.96.10.in-addr.arpa`; IPv6 → 32 nibbles under ip6.arpa. */
export function reverseName(ip: Ip): string {
  if (ip.family === 4) return `${formatIp(ip).split(".").reverse().join(".")}.in-addr.arpa`;
  return `${ip.value.toString(16).padStart(32, "0").split("").reverse().join(".")}.ip6.arpa`;
}

/** The address a reverse name stands for, or undefined. */
export function addressOfReverse(name: string): Ip | undefined {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (n.endsWith(".in-addr.arpa")) {
    const parts = n.slice(0, -".in-addr.arpa".length).split(".");
    return parts.length === 4 ? parseIp(parts.reverse().join(".")) : undefined;
  }
  if (n.endsWith(".ip6.arpa")) {
    const nib = n.slice(0, -".ip6.arpa".length).split(".");
    if (nib.length !== 32 || !nib.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    return { family: 6, value: BigInt(`0x${nib.reverse().join("")}`) };
  }
  return undefined;
}

const same = (a: Ip, b: Ip): boolean => a.family === b.family && a.value === b.value;

export function lookupPtr(zone: DnsZone, query: string): PtrAnswer {
  const ip = addressOfReverse(query);
  const name = `${query.toLowerCase().replace(/\.$/, "")}.`;
  if (!ip) return { rcode: "FORWARDED", detail: `${name} is not a reverse name of an address: forwarded upstream (not modelled)` };
  const d = zone.clusterDomain;
  const records: PtrRecord[] = [];
  for (const s of zone.services.values()) {
    if (!s.headless && s.clusterIPs.some((c) => same(c, ip))) records.push({ name, type: "PTR", data: `${s.name}.${s.namespace}.svc.${d}.` });
    if (s.headless) for (const e of s.endpoints) if (same(e.address, ip)) records.push({ name, type: "PTR", data: `${endpointLabel(e)}.${s.name}.${s.namespace}.svc.${d}.` });
  }
  if (records.length === 0) return { rcode: "NXDOMAIN", detail: `${formatIp(ip)} is neither a ClusterIP nor a ready endpoint of a headless Service` };
  return { rcode: "NOERROR", records, detail: `reverse record of ${formatIp(ip)}` };
}
