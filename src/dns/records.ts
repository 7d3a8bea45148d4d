/**
 * @module records
 * What CoreDNS's `kubernetes` plugin answers for one name (the Kubernetes DNS-based service
 * discovery specification), for cluster domain D (default cluster.local):
 *
 * - `svc.ns.svc.D` A/AAAA → the ClusterIPs; for a headless Service, the addresses of its ready
 *   endpoints (NXDOMAIN when it has none); for ExternalName, a CNAME to `externalName`. A CNAME
 *   target inside D is looked up in the same zone and its records follow the CNAME in the
 *   answer (CoreDNS plugin/backend_lookup.go `A`: "if dns.IsSubDomain(zone, serv.Host)" it
 *   resolves the target itself, up to 8 links); a target outside D goes upstream.
 * - `host.svc.ns.svc.D` → one endpoint of a headless Service, by its hostname (a StatefulSet
 *   pod's, or `hostname` with `subdomain` = the Service) or, without one, its dashed address.
 * - `_port._proto.svc.ns.svc.D` SRV → one record per named port: target `svc.ns.svc.D`, or per
 *   ready endpoint `host.svc.ns.svc.D` for a headless Service.
 * - `a-b-c-d.ns.pod.D` A → a.b.c.d (`pods insecure`, the kubeadm Corefile's default), when the
 *   namespace exists.
 * - A name under D of no other form is NXDOMAIN; an existing name without records of the asked
 *   type is NODATA; a name outside D is forwarded upstream, which kwire does not model.
 */
import { formatIp, parseIp, type Ip, type Protocol, type ServiceType } from "../model/index.js";

export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

export type QType = "A" | "AAAA" | "SRV" | "CNAME";

export interface DnsServiceView {
  readonly namespace: string;
  readonly name: string;
  readonly type: ServiceType;
  readonly clusterIPs: readonly Ip[];
  readonly headless: boolean;
  readonly externalName?: string;
  readonly ports: readonly { readonly name?: string; readonly protocol: Protocol; readonly port: number }[];
  /** Endpoint addresses published in DNS (ready, or every one with publishNotReadyAddresses). */
  readonly endpoints: readonly { readonly address: Ip; readonly hostname?: string }[];
}

export interface DnsZone {
  readonly clusterDomain: string;
  readonly namespaces: ReadonlySet<string>;
  readonly services: ReadonlyMap<string, DnsServiceView>;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: "A" | "AAAA" | "SRV" | "CNAME";
  /** Address, CNAME target, or SRV target. */
  readonly data: string;
  readonly port?: number;
}

export type DnsAnswer =
  | { readonly rcode: "NOERROR"; readonly records: readonly DnsRecord[]; readonly detail: string }
  | { readonly rcode: "NODATA" | "NXDOMAIN" | "FORWARDED"; readonly detail: string };

export function makeZone(clusterDomain: string, namespaces: Iterable<string>, services: readonly DnsServiceView[]): DnsZone {
  return {
    clusterDomain: clusterDomain.toLowerCase().replace(/\.$/, ""),
    namespaces: new Set(namespaces),
    services: new Map(services.map((s) => [`${s.namespace}/${s.name}`, s])),
  };
}

/** CoreDNS's endpoint name: the hostname, else the address with '.' or ':' turned into '-'. */
export const endpointLabel = (e: { readonly address: Ip; readonly hostname?: string }): string =>
  e.hostname ?? formatIp(e.address).replace(/[.:]/g, "-");

const familyOf = (t: QType): 4 | 6 => (t === "AAAA" ? 6 : 4);

/** CoreDNS stops following a CNAME chain after this many links (kwire's limit; CoreDNS also stops on loops). */
const MAX_CNAME_CHAIN = 8;

export function lookup(zone: DnsZone, query: string, qtype: QType, depth = 0): DnsAnswer {
  const a = lookupOne(zone, query, qtype);
  if (a.rcode !== "NOERROR" || qtype === "CNAME") return a;
  const last = a.records[a.records.length - 1];
  if (last?.type !== "CNAME") return a;
  const target = last.data.toLowerCase().replace(/\.$/, "");
  const d = zone.clusterDomain;
  if (target !== d && !target.endsWith(`.${d}`)) return a;
  if (depth >= MAX_CNAME_CHAIN) return { ...a, detail: `${a.detail}; the CNAME chain is longer than ${MAX_CNAME_CHAIN} links and is not followed further` };
  const next = lookup(zone, target, qtype, depth + 1);
  if (next.rcode !== "NOERROR") return { ...a, detail: `${a.detail}; its target ${target} is ${next.rcode} in the cluster zone` };
  return { rcode: "NOERROR", records: [...a.records, ...next.records], detail: `${a.detail}; ${next.detail}` };
}

function lookupOne(zone: DnsZone, query: string, qtype: QType): DnsAnswer {
  const name = query.toLowerCase().replace(/\.$/, "");
  const d = zone.clusterDomain;
  if (name !== d && !name.endsWith(`.${d}`)) return { rcode: "FORWARDED", detail: `outside the cluster domain ${d}: forwarded to the upstream resolver (not modelled)` };
  const labels = name === d ? [] : name.slice(0, -(d.length + 1)).split(".");
  const kind = labels[labels.length - 1];
  if (kind === "pod" && labels.length === 3) return podRecord(zone, name, labels[0] ?? "", labels[1] ?? "", qtype);
  if (kind !== "svc" || labels.length < 3) return nx(`"${name}" is not a Service or pod name (svc.NAMESPACE.svc.${d}, POD-IP.NAMESPACE.pod.${d})`);
  const ns = labels[labels.length - 2] ?? "";
  const svcName = labels[labels.length - 3] ?? "";
  if (!zone.namespaces.has(ns)) return nx(`namespace "${ns}" does not exist`);
  const svc = zone.services.get(`${ns}/${svcName}`);
  if (!svc) return nx(`no Service "${svcName}" in namespace ${ns}`);
  const base = `${svcName}.${ns}.svc.${d}`;
  const prefix = labels.slice(0, -3);
  if (prefix.length === 0) return serviceRecords(svc, base, qtype, d);
  if (prefix.length === 1) return endpointRecord(svc, base, prefix[0] ?? "", qtype);
  if (prefix.length === 2 && prefix[0]?.startsWith("_") && prefix[1]?.startsWith("_")) return srvRecords(svc, base, prefix[0].slice(1), prefix[1].slice(1), qtype, d);
  return nx(`"${name}" has too many labels for a Service name`);
}

const nx = (detail: string): DnsAnswer => ({ rcode: "NXDOMAIN", detail });

function addressRecords(name: string, ips: readonly Ip[], qtype: QType, what: string): DnsAnswer {
  const fam = familyOf(qtype);
  const mine = ips.filter((ip) => ip.family === fam);
  if (mine.length === 0) return { rcode: "NODATA", detail: `${what} has no IPv${fam} address` };
  return { rcode: "NOERROR", records: mine.map((ip) => ({ name, type: fam === 4 ? "A" : "AAAA", data: formatIp(ip) })), detail: what };
}

function serviceRecords(svc: DnsServiceView, base: string, qtype: QType, domain: string): DnsAnswer {
  if (svc.type === "ExternalName") {
    const target = svc.externalName ?? "";
    const t = target.toLowerCase().replace(/\.$/, "");
    const outside = t !== domain && !t.endsWith(`.${domain}`);
    return { rcode: "NOERROR", records: [{ name: base, type: "CNAME", data: target }], detail: `ExternalName Service: CNAME to ${target}${outside ? " (resolved upstream, not modelled)" : ""}` };
  }
  if (qtype === "SRV" || qtype === "CNAME") return { rcode: "NODATA", detail: `${qtype} records exist only for named ports (_port._proto.${base})` };
  if (!svc.headless) return addressRecords(base, svc.clusterIPs, qtype, `ClusterIP of Service ${svc.namespace}/${svc.name}`);
  if (svc.endpoints.length === 0) return nx(`headless Service ${svc.namespace}/${svc.name} has no ready endpoints`);
  return addressRecords(base, svc.endpoints.map((e) => e.address), qtype, `headless Service ${svc.namespace}/${svc.name}: its ready endpoints`);
}

function endpointRecord(svc: DnsServiceView, base: string, label: string, qtype: QType): DnsAnswer {
  if (!svc.headless) return nx(`${svc.namespace}/${svc.name} is not headless: it has no per-endpoint names`);
  const hits = svc.endpoints.filter((e) => endpointLabel(e) === label);
  if (hits.length === 0) return nx(`headless Service ${svc.namespace}/${svc.name} has no ready endpoint named "${label}"`);
  if (qtype === "SRV" || qtype === "CNAME") return { rcode: "NODATA", detail: `an endpoint name has only A/AAAA records` };
  return addressRecords(`${label}.${base}`, hits.map((e) => e.address), qtype, `endpoint "${label}" of headless Service ${svc.namespace}/${svc.name}`);
}

function srvRecords(svc: DnsServiceView, base: string, portName: string, proto: string, qtype: QType, d: string): DnsAnswer {
  const port = svc.ports.find((p) => p.name === portName && p.protocol.toLowerCase() === proto);
  const name = `_${portName}._${proto}.${base}`;
  if (!port) return nx(`Service ${svc.namespace}/${svc.name} has no ${proto.toUpperCase()} port named "${portName}"`);
  if (qtype !== "SRV") return serviceRecords(svc, base, qtype, d);
  if (!svc.headless) return { rcode: "NOERROR", records: [{ name, type: "SRV", data: base, port: port.port }], detail: `named port "${portName}" of Service ${svc.namespace}/${svc.name}` };
  if (svc.endpoints.length === 0) return nx(`headless Service ${svc.namespace}/${svc.name} has no ready endpoints`);
  const records = svc.endpoints.map((e): DnsRecord => ({ name, type: "SRV", data: `${endpointLabel(e)}.${base}`, port: port.port }));
  return { rcode: "NOERROR", records, detail: `named port "${portName}" of headless Service ${svc.namespace}/${svc.name}, one record per ready endpoint` };
}

function podRecord(zone: DnsZone, name: string, dashed: string, ns: string, qtype: QType): DnsAnswer {
  if (!zone.namespaces.has(ns)) return nx(`namespace "${ns}" does not exist`);
  const ip = parseIp(dashed.split("-").length === 4 ? dashed.replace(/-/g, ".") : dashed.replace(/-/g, ":"));
  if (!ip) return nx(`"${dashed}" is not a dashed pod IP address`);
  if (qtype === "SRV" || qtype === "CNAME") return { rcode: "NODATA", detail: "a pod name has only A/AAAA records" };
  return addressRecords(name, [ip], qtype, "pod record (pods insecure: the address is read from the name)");
}
