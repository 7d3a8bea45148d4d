/**
 * @module nft/ast
 * The subset of nftables that kwire emits, as plain readonly data (habit 2): one table with named
 * sets, verdict maps and chains; rules are a list of matches and one verdict. `print.ts` renders it
 * as `nft -f` input; `tracer.ts` interprets it for tests. Nothing here knows about Kubernetes.
 */

export type Family = "inet" | "ip" | "ip6";
export type AddrField = "saddr" | "daddr";
export type L4Proto = "tcp" | "udp" | "sctp";
/** ICMPv6 message types by their nft names (RFC 4861 neighbour discovery). */
export type Icmpv6Type = "nd-router-solicit" | "nd-router-advert" | "nd-neighbor-solicit" | "nd-neighbor-advert";
export type CtState = "established" | "related" | "new" | "invalid";
/** An address family of a match: 4 prints `ip …`, 6 prints `ip6 …`; absent means 4. */
export type IpFamily = 4 | 6;

/** An address set element: one address, a CIDR, or an inclusive range (printed `a-b`). */
export type AddrElement = string;

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export type Match =
  /** `ct state established,related` */
  | { readonly type: "ct-state"; readonly states: readonly CtState[] }
  /** `ip saddr @set` (set by name) or `ip saddr { … }` (anonymous); `ip6 …` with ipFamily 6. */
  | { readonly type: "addr"; readonly field: AddrField; readonly set: string; readonly ipFamily?: IpFamily }
  | { readonly type: "addr-literal"; readonly field: AddrField; readonly elements: readonly AddrElement[]; readonly ipFamily?: IpFamily }
  /** `meta nfproto ipv4` / `ipv6`: any address of one family (an ipBlock 0.0.0.0/0 or ::/0). */
  | { readonly type: "nfproto"; readonly ipFamily: IpFamily }
  /** `icmpv6 type { nd-neighbor-solicit, … }` — IPv6 link-layer resolution (neighbour discovery). */
  | { readonly type: "icmpv6-type"; readonly types: readonly Icmpv6Type[] }
  /** `meta l4proto tcp` */
  | { readonly type: "l4proto"; readonly protocol: L4Proto }
  /** `th dport 80` / `th dport 8000-8080` — transport header, valid after an l4proto match. */
  | { readonly type: "dport"; readonly ranges: readonly PortRange[] }
  /** `th dport @set` — a named `inet_service` interval set (shared by content, never anonymous). */
  | { readonly type: "dport-set"; readonly set: string }
  /** `ip saddr . ip daddr @set` — a concatenated `ipv4_addr . ipv4_addr` set (hairpin pairs); `ip6 …` with ipFamily 6. */
  | { readonly type: "addr-pair"; readonly set: string; readonly ipFamily?: IpFamily }
  /** `icmp type { 3, 8-9 }` — ICMP (IPv4) types; nft adds the `meta l4proto icmp` dependency. */
  | { readonly type: "icmp-type"; readonly ranges: readonly PortRange[] }
  /** `icmp code { 0-3 }` — ICMP (IPv4) codes, after an `icmp type` match. */
  | { readonly type: "icmp-code"; readonly ranges: readonly PortRange[] };

export type Verdict =
  | { readonly type: "accept" }
  | { readonly type: "drop" }
  | { readonly type: "return" }
  | { readonly type: "jump"; readonly chain: string }
  /**
   * `goto chain`: continue in `chain` without a way back — its `return` (or running out) returns
   * to the chain that made the last `jump`, not to this one.
   */
  | { readonly type: "goto"; readonly chain: string };

export type Statement =
  /** matches, then a verdict (or only a counter-less verdict when matches is empty) */
  | { readonly type: "rule"; readonly matches: readonly Match[]; readonly verdict: Verdict; readonly comment?: string }
  /** `ip saddr vmap @map` — dispatch by address to the map's verdicts. */
  | { readonly type: "vmap"; readonly field: AddrField; readonly map: string; readonly comment?: string; readonly ipFamily?: IpFamily };

export interface BaseChain {
  readonly type: "filter";
  readonly hook: "forward" | "input" | "output" | "prerouting" | "postrouting";
  /** Numeric priority (filter = 0). */
  readonly priority: number;
  readonly policy: "accept" | "drop";
}

export interface Chain {
  readonly name: string;
  readonly base?: BaseChain;
  readonly comment?: string;
  readonly statements: readonly Statement[];
}

/** Element types of named sets: addresses and ports are interval sets; pairs are exact. */
export type SetType = "ipv4_addr" | "ipv6_addr" | "inet_service" | "ipv4_addr . ipv4_addr" | "ipv6_addr . ipv6_addr";

export interface AddrSet {
  readonly name: string;
  readonly addrType: SetType;
  /**
   * Sorted, non-overlapping elements (the compiler normalizes), so `flags interval` needs no
   * auto-merge. Ports print as `80` or `8000-8080`; pairs as `10.0.0.1 . 10.0.0.1`.
   */
  readonly elements: readonly AddrElement[];
  readonly comment?: string;
}

export interface VerdictMap {
  readonly name: string;
  readonly addrType: "ipv4_addr" | "ipv6_addr";
  readonly elements: readonly { readonly key: AddrElement; readonly verdict: Verdict }[];
}

export interface Table {
  readonly family: Family;
  readonly name: string;
  readonly comment?: string;
  readonly sets: readonly AddrSet[];
  readonly maps: readonly VerdictMap[];
  readonly chains: readonly Chain[];
}

export const accept: Verdict = { type: "accept" };
export const drop: Verdict = { type: "drop" };
export const ret: Verdict = { type: "return" };
export const jump = (chain: string): Verdict => ({ type: "jump", chain });
export const goto = (chain: string): Verdict => ({ type: "goto", chain });
