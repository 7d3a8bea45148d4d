/**
 * @module lab/dns-table
 * The lab DNS server's answers, precomputed from the model (`src/dns`: CoreDNS `kubernetes`
 * plugin semantics) for every name the zone can answer: each Service's name, its headless
 * endpoints' names, its named ports' SRV names, and the pod records `a-b-c-d.ns.pod.D` of the
 * lab's pods in every namespace (`pods insecure` answers any dashed address; the lab lists the
 * ones that exist). Every name gets the model's answer for A, AAAA, SRV and CNAME, so the server
 * says exactly what `lookup` says. Pure.
 */
import { endpointLabel, lookup, type DnsRecord, type DnsZone, type QType } from "../dns/index.js";
import type { DnsTable, TableEntry, TableQType } from "./dns-server.js";
import type { DnsRr } from "./dns-wire.js";

/** CoreDNS's default TTL for the kubernetes plugin. */
export const DNS_TTL = 5;
const QTYPES: readonly TableQType[] = ["A", "AAAA", "SRV", "CNAME"];

function rr(r: DnsRecord, count: number): DnsRr {
  const name = r.name.replace(/\.$/, "");
  switch (r.type) {
    case "A":
    case "AAAA":
      return { type: r.type, name, ttl: DNS_TTL, address: r.data };
    case "CNAME":
      return { type: "CNAME", name, ttl: DNS_TTL, target: r.data };
    case "SRV":
      return { type: "SRV", name, ttl: DNS_TTL, priority: 0, weight: Math.floor(100 / Math.max(1, count)), port: r.port ?? 0, target: r.data };
  }
}

/** Every name the zone answers for (lower case, no trailing dot). */
export function zoneNames(zone: DnsZone, podIps: readonly string[]): string[] {
  const d = zone.clusterDomain;
  const names = new Set<string>();
  for (const s of zone.services.values()) {
    const base = `${s.name}.${s.namespace}.svc.${d}`.toLowerCase();
    names.add(base);
    if (s.headless) for (const e of s.endpoints) names.add(`${endpointLabel(e)}.${base}`.toLowerCase());
    for (const p of s.ports) if (p.name !== undefined) names.add(`_${p.name}._${p.protocol.toLowerCase()}.${base}`.toLowerCase());
  }
  for (const ns of zone.namespaces) for (const ip of podIps) names.add(`${ip.replace(/[.:]/g, "-")}.${ns}.pod.${d}`.toLowerCase());
  return [...names].sort();
}

export function dnsTable(zone: DnsZone, podIps: readonly string[]): DnsTable {
  const names: Record<string, Partial<Record<TableQType, TableEntry>>> = {};
  for (const name of zoneNames(zone, podIps)) {
    const entries: Partial<Record<TableQType, TableEntry>> = {};
    for (const t of QTYPES) {
      const a = lookup(zone, name, t satisfies QType);
      if (a.rcode === "NOERROR") entries[t] = { rcode: "NOERROR", answers: a.records.map((r) => rr(r, a.records.length)) };
      else if (a.rcode === "NXDOMAIN") entries[t] = { rcode: "NXDOMAIN", answers: [] };
      else entries[t] = { rcode: "NODATA", answers: [] };
    }
    // A name whose every answer is NXDOMAIN (a headless Service without ready endpoints) is left
    // out: unknown names are NXDOMAIN anyway.
    if (QTYPES.some((t) => entries[t]?.rcode !== "NXDOMAIN")) names[name] = entries;
  }
  return { domain: zone.clusterDomain, names };
}
