/**
 * @module dns-text
 * `kwire dns`: the resolver's queries in order and each answer, as text or JSON.
 */
import type { Resolution } from "../dns/index.js";

export interface DnsReport {
  readonly name: string;
  readonly from: string;
  readonly namespace: string;
  readonly resolution: Resolution;
}

export function dnsJson(r: DnsReport): unknown {
  const res = r.resolution;
  return {
    name: r.name,
    from: r.from,
    namespace: r.namespace,
    resolvConf: { search: res.conf.search, ndots: res.conf.ndots },
    queries: res.queries.map((q) => ({
      name: q.name,
      type: q.qtype,
      rcode: q.answer.rcode,
      records: q.answer.rcode === "NOERROR" ? q.answer.records : [],
      detail: q.answer.detail,
    })),
    answer: res.answered ? { name: res.answered.name, records: res.answered.answer.rcode === "NOERROR" ? res.answered.answer.records : [] } : null,
    forwarded: res.forwarded,
  };
}

export function dnsText(r: DnsReport): string {
  const res = r.resolution;
  const lines = [
    `${r.name} from ${r.from} (namespace ${r.namespace})`,
    `  resolv.conf: search ${res.conf.search.join(" ")}; options ndots:${res.conf.ndots}`,
  ];
  res.queries.forEach((q, i) => {
    const a = q.answer;
    const what = a.rcode === "NOERROR" ? a.records.map((x) => `${x.type} ${x.data}${x.port !== undefined ? ` port ${x.port}` : ""}`).join(", ") : a.rcode;
    lines.push(`  ${i + 1}. ${q.name} ${q.qtype} → ${what}  (${a.detail})`);
  });
  if (res.answered) lines.push(`  answer: ${res.answered.name}`);
  else if (res.forwarded) lines.push("  answer: forwarded upstream (outside the cluster; not modelled)");
  else lines.push("  answer: none (every query failed)");
  return lines.join("\n") + "\n";
}
