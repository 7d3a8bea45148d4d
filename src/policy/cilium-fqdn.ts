/**
 * @module cilium-fqdn
 * Cilium `toFQDNs` with addresses the user names (`--external-ip NAME=IP`): kwire cannot
 * resolve names, so a `toFQDNs` peer matches no address unless the user says which address a
 * name stands for; then it matches that address, as Cilium's DNS proxy would after a lookup.
 * `matchName` is exact (case-insensitive, trailing dot ignored); in `matchPattern` a `*` matches
 * any run of DNS characters except the dot, and `*` alone matches every name
 * (docs.cilium.io security/policy/language "DNS based": matchPattern).
 */
import { ipSetOfCidr, type CiliumCidrRule, type CiliumPolicy, type Ip } from "../model/index.js";

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

export function fqdnMatches(pattern: string, name: string): boolean {
  const p = norm(pattern);
  const n = norm(name);
  if (p === "*") return true;
  if (!p.includes("*")) return p === n;
  const re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[-a-z0-9_]*")}$`);
  return re.test(n);
}

/** The policies with every `toFQDNs` entry that names a known address turned into a /32 (/128) CIDR peer. */
export function resolveCiliumFqdns(policies: readonly CiliumPolicy[], externalIps: ReadonlyMap<string, Ip>): CiliumPolicy[] {
  if (externalIps.size === 0) return [...policies];
  return policies.map((p) => ({
    ...p,
    specs: p.specs.map((s) => ({
      ...s,
      egress: s.egress.map((r) => {
        if (r.fqdns.length === 0) return r;
        const cidrs: CiliumCidrRule[] = [];
        const left: string[] = [];
        for (const f of r.fqdns) {
          const hits = [...externalIps].filter(([name]) => fqdnMatches(f, name));
          if (hits.length === 0) left.push(f);
          for (const [name, ip] of hits) {
            const cidr = { family: ip.family, base: ip.value, prefix: ip.family === 4 ? 32 : 128 };
            cidrs.push({ cidr, except: [], set: ipSetOfCidr(cidr), text: `${f} → ${name} (--external-ip)` });
          }
        }
        return { ...r, cidrs: [...r.cidrs, ...cidrs], fqdns: left };
      }),
    })),
  }));
}
