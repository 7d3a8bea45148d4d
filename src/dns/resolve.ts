/**
 * @module resolve
 * A pod's resolver (dnsPolicy ClusterFirst): the kubelet writes
 * `search NS.svc.D svc.D D` and `options ndots:5`. As glibc does: a name ending in '.' is
 * absolute and asked once; a name with fewer than ndots dots tries the search list first and
 * then the name as is; one with ndots or more dots tries itself first. The first answer with
 * records wins; NXDOMAIN and NODATA move on to the next candidate; a name outside the cluster
 * domain goes upstream, which ends the search with an answer kwire does not model.
 */
import { lookup, type DnsAnswer, type DnsZone, type QType } from "./records.js";

export interface ResolvConf {
  readonly search: readonly string[];
  readonly ndots: number;
}

export interface DnsQuery {
  readonly name: string;
  readonly qtype: QType;
  readonly answer: DnsAnswer;
}

export interface Resolution {
  readonly input: string;
  readonly conf: ResolvConf;
  readonly queries: readonly DnsQuery[];
  /** The query that answered with records; undefined when none did. */
  readonly answered?: DnsQuery;
  /** The last query was forwarded upstream (outside the model). */
  readonly forwarded: boolean;
}

export function podResolvConf(namespace: string, clusterDomain: string): ResolvConf {
  return { search: [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain], ndots: 5 };
}

/** The fully qualified names tried, in order (without the trailing dot). */
export function candidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const dots = (name.match(/\./g) ?? []).length;
  const searched = conf.search.map((s) => `${name}.${s}`);
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}

export function resolveName(zone: DnsZone, name: string, qtype: QType, conf: ResolvConf): Resolution {
  const queries: DnsQuery[] = [];
  for (const fqdn of candidates(name.toLowerCase(), conf)) {
    const answer = lookup(zone, fqdn, qtype);
    const q = { name: `${fqdn}.`, qtype, answer };
    queries.push(q);
    if (answer.rcode === "NOERROR") return { input: name, conf, queries, answered: q, forwarded: false };
    if (answer.rcode === "FORWARDED") return { input: name, conf, queries, forwarded: true };
  }
  return { input: name, conf, queries, forwarded: false };
}
