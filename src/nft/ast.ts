/**
 * @module nft/ast
 * The subset of nftables that kwire emits, as plain readonly data (habit 2): one table with named
 * sets and maps and chains; a rule is a list of matches, then statements (NAT, marks, set updates,
 * map lookups), then at most one verdict. The NetworkPolicy compilers (this directory) and both
 * Service layouts (`services/kube-proxy/nftables.ts`, kube-proxy's own; `compact.ts`, kwire's) build
 * it; `print.ts` renders it as `nft -f` input; `tracer.ts` interprets it for tests. Nothing here
 * knows about Kubernetes.
 */

export type Family = "inet" | "ip" | "ip6";
export type AddrField = "saddr" | "daddr";
export type L4Proto = "tcp" | "udp" | "sctp";
/** ICMPv6 message types by their nft names (RFC 4861 neighbour discovery). */
export type Icmpv6Type = "nd-router-solicit" | "nd-router-advert" | "nd-neighbor-solicit" | "nd-neighbor-advert";
/** Their type numbers (RFC 4861 section 4). */
export const ICMPV6_TYPE_NUMBER: Readonly<Record<Icmpv6Type, number>> = { "nd-router-solicit": 133, "nd-router-advert": 134, "nd-neighbor-solicit": 135, "nd-neighbor-advert": 136 };
export type CtState = "established" | "related" | "new" | "invalid";
/** An address family of a match: 4 prints `ip …`, 6 prints `ip6 …`; absent means 4. */
export type IpFamily = 4 | 6;

/**
 * A set or map element key: one address, a CIDR, an inclusive range (printed `a-b`), a port, a
 * protocol name, or a concatenation of those joined by ` . ` (`10.96.0.1 . tcp . 80`).
 */
export type AddrElement = string;

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * An expression that yields a value: the key of a map lookup or a set update (several are
 * concatenated with ` . `), or a `typeof` declaration.
 */
export type Expr =
  /** `ip daddr` / `ip6 saddr` */
  | { readonly type: "addr"; readonly field: AddrField; readonly ipFamily?: IpFamily }
  /** `meta l4proto` */
  | { readonly type: "l4proto" }
  /** `th dport`, or `tcp dport` with a protocol. */
  | { readonly type: "dport"; readonly protocol?: L4Proto }
  /** `numgen random mod N`: 0 … N-1 at random (the tracer follows every value). */
  | { readonly type: "numgen"; readonly mod: number };

export type Match =
  /** `ct state established,related` */
  | { readonly type: "ct-state"; readonly states: readonly CtState[] }
  /** `ct status dnat`: the connection's destination was translated (by an earlier hook). */
  | { readonly type: "ct-status"; readonly status: "dnat" }
  /** `ip saddr @set` (set by name) or `ip saddr { … }` (anonymous); `ip6 …` with ipFamily 6. */
  | { readonly type: "addr"; readonly field: AddrField; readonly set: string; readonly ipFamily?: IpFamily }
  /**
   * `ip saddr 10.0.0.0/8`, `ip saddr { a, b }`; `!=` with negate. One element prints bare unless
   * `anonymousSet` (then `{ a }`, as kube-proxy writes its firewall rule).
   */
  | {
      readonly type: "addr-literal";
      readonly field: AddrField;
      readonly elements: readonly AddrElement[];
      readonly ipFamily?: IpFamily;
      readonly negate?: boolean;
      readonly anonymousSet?: boolean;
    }
  /** `fib saddr type local` / `fib daddr type local`: the address is one of the node's own. */
  | { readonly type: "fib-local"; readonly field: AddrField }
  /** `mark and 0x4000 == 0`: none of the mask's bits is set in the packet mark. */
  | { readonly type: "mark-clear"; readonly mask: number }
  /** `meta nfproto ipv4` / `ipv6`: any address of one family (an ipBlock 0.0.0.0/0 or ::/0). */
  | { readonly type: "nfproto"; readonly ipFamily: IpFamily }
  /** `icmpv6 type { nd-neighbor-solicit, … }` — IPv6 link-layer resolution (neighbour discovery). */
  | { readonly type: "icmpv6-type"; readonly types: readonly Icmpv6Type[] }
  /** `meta l4proto tcp` */
  | { readonly type: "l4proto"; readonly protocol: L4Proto }
  /**
   * `th dport 80` / `th dport 8000-8080` — transport header, valid after an l4proto match; with a
   * protocol, `tcp dport 80` (which implies the protocol).
   */
  | { readonly type: "dport"; readonly ranges: readonly PortRange[]; readonly protocol?: L4Proto }
  /** `th dport @set` — a named `inet_service` interval set (shared by content, never anonymous). */
  | { readonly type: "dport-set"; readonly set: string }
  /** `ip saddr . ip daddr @set` — a concatenated `ipv4_addr . ipv4_addr` set (hairpin pairs); `ip6 …` with ipFamily 6. */
  | { readonly type: "addr-pair"; readonly set: string; readonly ipFamily?: IpFamily }
  /**
   * `icmp type { 3, 8-9 }` — ICMP (IPv4) types; `icmpv6 type { 128 }` with ipFamily 6 (ICMPv6, which
   * only IPv6 packets carry). nft adds the `meta l4proto icmp|ipv6-icmp` dependency.
   */
  | { readonly type: "icmp-type"; readonly ranges: readonly PortRange[]; readonly ipFamily?: IpFamily }
  /** `icmp code { 0-3 }` / `icmpv6 code …` — codes, after an `icmp type` match of the same family. */
  | { readonly type: "icmp-code"; readonly ranges: readonly PortRange[]; readonly ipFamily?: IpFamily };

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

/** What a rule does between its matches and its verdict; `reject`, `dnat*` and `masquerade` end the packet's walk. */
export type Action =
  /** `mark set mark or 0x4000` / `… xor …` */
  | { readonly type: "mark-set"; readonly op: "or" | "xor"; readonly value: number }
  /** `masquerade` / `masquerade fully-random` (nat postrouting): source NAT to the outgoing address. */
  | { readonly type: "masquerade"; readonly fullyRandom?: boolean }
  /** `reject` */
  | { readonly type: "reject" }
  /** `dnat to 10.0.0.1:8080` */
  | { readonly type: "dnat"; readonly to: string }
  /** `dnat ip to ip daddr . numgen random mod 3 map @m`: the address and port from a map whose values are `address . port`. */
  | { readonly type: "dnat-map"; readonly key: readonly Expr[]; readonly map: string; readonly ipFamily?: IpFamily }
  /** `ip daddr set ip daddr . tcp dport map @m`: rewrite an address with a map's value. */
  | { readonly type: "addr-set-map"; readonly field: AddrField; readonly key: readonly Expr[]; readonly map: string; readonly ipFamily?: IpFamily }
  /** `update @set { ip saddr }`: add the key to a dynamic set. */
  | { readonly type: "set-update"; readonly set: string; readonly key: readonly Expr[] };

/** A verdict map element (`key : verdict`), optionally commented (`key comment "…" : verdict`). */
export interface VerdictElement {
  readonly key: AddrElement;
  readonly verdict: Verdict;
  readonly comment?: string;
}

export type Statement =
  /** matches, then statements, then a verdict (a rule without one falls through to the next) */
  | {
      readonly type: "rule";
      readonly matches: readonly Match[];
      readonly actions?: readonly Action[];
      readonly verdict?: Verdict;
      readonly comment?: string;
    }
  /**
   * `[matches] ip saddr vmap @map` / `ip daddr . meta l4proto . th dport vmap @map` — dispatch by
   * the key to a named map's verdicts, or to an anonymous one (`numgen random mod 2 vmap { 0 : goto a , 1 : goto b }`).
   */
  | {
      readonly type: "vmap";
      readonly matches?: readonly Match[];
      readonly key: readonly Expr[];
      readonly map: string | readonly VerdictElement[];
      readonly comment?: string;
    };

/** A base chain's hook and priority; `filter` chains police, `nat` chains translate (first packet of a connection only). */
export interface BaseChain {
  readonly type: "filter" | "nat";
  readonly hook: "forward" | "input" | "output" | "prerouting" | "postrouting";
  /**
   * A number: that offset from `filter` (printed `filter`, `filter + 5`, `filter - 5`). A string: an
   * nft priority expression printed as it is (`dstnat - 10`, `-110`, `srcnat`).
   */
  readonly priority: number | string;
  readonly policy: "accept" | "drop";
}

export interface Chain {
  readonly name: string;
  readonly base?: BaseChain;
  readonly comment?: string;
  readonly statements: readonly Statement[];
}

/** nft data types of set and map keys and values. */
export type DataType = "ipv4_addr" | "ipv6_addr" | "inet_proto" | "inet_service";
/**
 * Element types of named sets, joined with ` . ` when concatenated. Addresses and ports of policy
 * sets are interval sets (flag `interval`); pairs are exact.
 */
export type SetType =
  | "ipv4_addr"
  | "ipv6_addr"
  | "inet_service"
  | "ipv4_addr . ipv4_addr"
  | "ipv6_addr . ipv6_addr"
  | "inet_proto . inet_service"
  | "ipv4_addr . inet_proto . inet_service"
  | "ipv6_addr . inet_proto . inet_service";
export type SetFlag = "interval" | "dynamic" | "timeout";

export interface AddrSet {
  readonly kind: "set";
  readonly name: string;
  readonly addrType: SetType;
  readonly flags?: readonly SetFlag[];
  /** Element lifetime of a `timeout` set. */
  readonly timeoutSeconds?: number;
  /**
   * Sorted, non-overlapping elements for an interval set (the compiler normalizes), so `flags
   * interval` needs no auto-merge. Ports print as `80` or `8000-8080`; pairs as `10.0.0.1 . 10.0.0.1`.
   */
  readonly elements: readonly AddrElement[];
  readonly comment?: string;
}

export interface VerdictMap {
  readonly kind: "vmap";
  readonly name: string;
  readonly addrType: SetType;
  readonly elements: readonly VerdictElement[];
  readonly comment?: string;
}

/**
 * A map from keys to values declared by expressions (`typeof ip daddr . tcp dport : ip daddr`);
 * elements are `key : value` texts of those types (`10.96.0.1 . 80 : 0.0.0.1`).
 */
export interface DataMap {
  readonly kind: "map";
  readonly name: string;
  readonly key: readonly Expr[];
  readonly value: readonly Expr[];
  readonly elements: readonly { readonly key: AddrElement; readonly value: AddrElement }[];
}

/** A named set or map of a table. */
export type NamedSet = AddrSet | VerdictMap | DataMap;

export interface Table {
  readonly family: Family;
  readonly name: string;
  readonly comment?: string;
  /** Named sets and maps, in print order. */
  readonly sets: readonly NamedSet[];
  readonly chains: readonly Chain[];
  /**
   * How `print.ts` lays the table out. `kwire` (default): blocks separated by blank lines, set
   * elements eight to a line, comments sanitized (the policy tables). `nft-list`: as `nft list
   * table` prints it — no blank lines, one element per line — with comments as given (the
   * Service tables, whose text kube-proxy's knftables writes).
   */
  readonly layout?: "kwire" | "nft-list";
}

export const accept: Verdict = { type: "accept" };
export const drop: Verdict = { type: "drop" };
export const ret: Verdict = { type: "return" };
export const jump = (chain: string): Verdict => ({ type: "jump", chain });
export const goto = (chain: string): Verdict => ({ type: "goto", chain });
