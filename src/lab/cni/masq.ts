/**
 * @module lab/cni/masq
 * ipMasq as nftables text (pure), in kwire-cni's own table `inet kwire-cni` — never the lab's
 * `kwire` table, which `nft-apply` flushes. Each attachment gets a chain `kw-<hash>` (masquerade
 * unless the destination is its subnet or multicast) reached from `postrouting` through a verdict map
 * keyed by source address, so DEL removes exactly its own objects in one transaction without
 * looking up rule handles. Deletes are written as add-then-delete so a repeated DEL does not fail.
 */

export const MASQ_TABLE = "kwire-cni";
export const MASQ_MAP4 = "masq4";
export const MASQ_MAP6 = "masq6";

export interface MasqEntry {
  /** Container address without prefix. */
  readonly ip: string;
  /** The subnet it lives in (not masqueraded), e.g. `10.22.0.0/16`. */
  readonly subnet: string;
}

const isV6 = (ip: string): boolean => ip.includes(":");

function skeleton(): string[] {
  return [
    `add table inet ${MASQ_TABLE}`,
    `add chain inet ${MASQ_TABLE} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add map inet ${MASQ_TABLE} ${MASQ_MAP4} { type ipv4_addr : verdict; }`,
    `add map inet ${MASQ_TABLE} ${MASQ_MAP6} { type ipv6_addr : verdict; }`,
    `flush chain inet ${MASQ_TABLE} postrouting`,
    `add rule inet ${MASQ_TABLE} postrouting ip saddr vmap @${MASQ_MAP4}`,
    `add rule inet ${MASQ_TABLE} postrouting ip6 saddr vmap @${MASQ_MAP6}`,
  ];
}

/** nft script that sets up masquerading for one attachment. `comment` names the owner. */
export function masqAddScript(chain: string, entries: readonly MasqEntry[], comment: string): string {
  const lines = [...skeleton(), `add chain inet ${MASQ_TABLE} ${chain}`, `flush chain inet ${MASQ_TABLE} ${chain}`];
  for (const e of entries) {
    const fam = isV6(e.ip) ? "ip6" : "ip";
    const mcast = isV6(e.ip) ? "ff00::/8" : "224.0.0.0/4";
    lines.push(
      `add rule inet ${MASQ_TABLE} ${chain} ${fam} daddr ${e.subnet} accept comment ${JSON.stringify(comment)}`,
      `add rule inet ${MASQ_TABLE} ${chain} ${fam} daddr ${mcast} accept`,
    );
  }
  lines.push(`add rule inet ${MASQ_TABLE} ${chain} masquerade`);
  for (const e of entries) {
    lines.push(`add element inet ${MASQ_TABLE} ${isV6(e.ip) ? MASQ_MAP6 : MASQ_MAP4} { ${e.ip} : jump ${chain} }`);
  }
  return `${lines.join("\n")}\n`;
}

/** nft script that removes one attachment's map elements and chain; safe to run twice. */
export function masqDelScript(chain: string, ips: readonly string[]): string {
  const lines = [...skeleton().slice(0, 4), `add chain inet ${MASQ_TABLE} ${chain}`];
  for (const ip of ips) {
    const map = isV6(ip) ? MASQ_MAP6 : MASQ_MAP4;
    lines.push(`add element inet ${MASQ_TABLE} ${map} { ${ip} : jump ${chain} }`, `delete element inet ${MASQ_TABLE} ${map} { ${ip} }`);
  }
  lines.push(`flush chain inet ${MASQ_TABLE} ${chain}`, `delete chain inet ${MASQ_TABLE} ${chain}`);
  return `${lines.join("\n")}\n`;
}
