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

/**
 * `name` resolved for one record type, or (`"address"`) as a client asks for an address to
 * connect to: getaddrinfo with AF_UNSPEC asks A and AAAA of each candidate (glibc sends both;
 * RFC 3493 §6.1), so a candidate answers when it has either. Its A records are taken when it has
 * them (kwire traces a dual-stack Service over IPv4, as with `svc/NAME`), else its AAAA: an
 * IPv6-only Service resolves (asking A alone found NODATA there and went on to search the rest
 * of the list, ending upstream). AAAA is asked only after NODATA: NXDOMAIN means the name has no
 * records of any type (RFC 8020).
 */
export function resolveName(zone: DnsZone, name: string, qtype: QType | "address", conf: ResolvConf): Resolution {
  const queries: DnsQuery[] = [];
  for (const fqdn of candidates(name.toLowerCase(), conf)) {
    for (const type of qtype === "address" ? (["A", "AAAA"] as const) : [qtype]) {
      const answer = lookup(zone, fqdn, type);
      const q = { name: `${fqdn}.`, qtype: type, answer };
      queries.push(q);
      if (answer.rcode === "NOERROR") return { input: name, conf, queries, answered: q, forwarded: false };
      if (answer.rcode === "FORWARDED") return { input: name, conf, queries, forwarded: true };
      if (answer.rcode !== "NODATA") break;
    }
  }
  return { input: name, conf, queries, forwarded: false };
}

/**
 * Which resolver a pod gets (kubelet pkg/kubelet/network/dns/dns.go getPodDNSType and
 * appendDNSConfig): ClusterFirstWithHostNet and ClusterFirst (unless hostNetwork) use cluster
 * DNS with `search NS.svc.D svc.D D`, ndots:5; Default — and ClusterFirst on hostNetwork —
 * use the node's resolv.conf; None uses only dnsConfig. dnsConfig's nameservers and searches
 * are appended, its options override by name (ndots).
 */
export type PodResolver =
  | { readonly kind: "cluster"; readonly conf: ResolvConf; readonly why: string }
  | { readonly kind: "node"; readonly why: string }
  | { readonly kind: "none"; readonly conf: ResolvConf; readonly nameservers: readonly string[]; readonly why: string };

export interface PodDnsSettings {
  readonly dnsPolicy: "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";
  readonly dnsConfig?: { readonly nameservers: readonly string[]; readonly searches: readonly string[]; readonly options: readonly { readonly name: string; readonly value?: string }[] };
}

function ndotsOf(options: PodDnsSettings["dnsConfig"], fallback: number): number {
  const o = options?.options.find((x) => x.name === "ndots");
  const n = o?.value === undefined ? NaN : Number(o.value);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, 15) : fallback;
}

export function podResolver(dns: PodDnsSettings | undefined, hostNetwork: boolean, namespace: string, clusterDomain: string): PodResolver {
  const policy = dns?.dnsPolicy ?? "ClusterFirst";
  const cfg = dns?.dnsConfig;
  const extra = cfg?.searches ?? [];
  if (policy === "None") {
    // glibc's default ndots is 1; only dnsConfig's options apply.
    return { kind: "none", conf: { search: [...extra], ndots: ndotsOf(cfg, 1) }, nameservers: cfg?.nameservers ?? [], why: "dnsPolicy None: only dnsConfig (nameservers, searches, options)" };
  }
  if (policy === "Default" || (policy === "ClusterFirst" && hostNetwork)) {
    const why = policy === "Default" ? "dnsPolicy Default" : "dnsPolicy ClusterFirst on a hostNetwork pod (the kubelet falls back to Default; ClusterFirstWithHostNet would use cluster DNS)";
    return { kind: "node", why: `${why}: the pod uses its node's /etc/resolv.conf${cfg ? " plus dnsConfig" : ""}, which is not in the input` };
  }
  const base = podResolvConf(namespace, clusterDomain);
  const why = policy === "ClusterFirstWithHostNet" ? "dnsPolicy ClusterFirstWithHostNet: cluster DNS even on the host network" : "dnsPolicy ClusterFirst";
  return { kind: "cluster", conf: { search: [...base.search, ...extra.filter((s) => !base.search.includes(s))], ndots: ndotsOf(cfg, base.ndots) }, why: `${why}${cfg ? " with dnsConfig" : ""}` };
}
