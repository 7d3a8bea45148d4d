/**
 * @module nftables
 * kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go: setupNFTables + syncProxyRules)
 * as one transaction's end state: table `ip kube-proxy`, base chains from data, service
 * dispatch through the `service-ips` / `service-nodeports` verdict maps, per-service chains
 * with `numgen random mod N vmap`, per-endpoint chains that DNAT. Pure.
 *
 * One table per IP family, as kube-proxy runs one proxier per family (NewDualStackProxier; the
 * IPv6 one owns `ip6 kube-proxy`: knftables.IPv6Family). `opts.family` 6 renders that table:
 * setupNFTables's `ipX` = `ip6`, `ipvX_addr` = `ipv6_addr`, `noLocalhost` = `ip6 daddr != ::1`.
 */
import { cidrContainsIp, formatCidr, formatIp, type Protocol } from "../../model/index.js";
import {
  drop,
  printTable,
  type Action,
  goto,
  jump,
  ret,
  type AddrSet,
  type BaseChain,
  type Chain,
  type Expr,
  type L4Proto,
  type Match,
  type NamedSet,
  type Statement,
  type Table,
  type Verdict,
  type VerdictElement,
  type VerdictMap,
} from "../../nft/index.js";
import { endpointString, type ProxyEndpoint } from "./endpoints.js";
import { nftNames as N } from "./names.js";
import { categorizeEndpoints, externallyAccessible, type ProxyOptions, type ServicePortInfo } from "./snapshot.js";

export const KUBE_PROXY_TABLE = "kube-proxy";
export const SERVICES_CHAIN = "services";
export const SERVICE_IPS_MAP = "service-ips";
export const SERVICE_NODEPORTS_MAP = "service-nodeports";
export const CLUSTER_IPS_SET = "cluster-ips";
export const SERVICE_ENDPOINTS_CHECK_CHAIN = "service-endpoints-check";
export const NODEPORT_ENDPOINTS_CHECK_CHAIN = "nodeport-endpoints-check";
export const NO_ENDPOINT_SERVICES_MAP = "no-endpoint-services";
export const NO_ENDPOINT_NODEPORTS_MAP = "no-endpoint-nodeports";
export const REJECT_CHAIN = "reject-chain";
export const CLUSTER_IPS_CHECK_CHAIN = "cluster-ips-check";
export const FIREWALL_IPS_MAP = "firewall-ips";
export const FIREWALL_CHECK_CHAIN = "firewall-check";
export const MARK_MASQ_CHAIN = "mark-for-masquerade";
export const MASQUERADING_CHAIN = "masquerading";
export const MASQUERADE_MARK = 0x4000;

/**
 * nftablesBaseChains: name, type, hook, priority. kube-proxy writes `dstnat - 10` / `dstnat + 10`
 * for every filter chain, but nft (1.0.6 here) accepts the symbolic `dstnat` only on the
 * prerouting hook ("invalid priority expression value in this context" on input, forward and
 * output), so those use the same numbers (dstnat = -100) written out.
 */
export const BASE_CHAINS: readonly { readonly name: string; readonly base: BaseChain }[] = [
  { name: "filter-prerouting", base: { type: "filter", hook: "prerouting", priority: "dstnat - 10", policy: "accept" } },
  { name: "filter-input", base: { type: "filter", hook: "input", priority: "-110", policy: "accept" } },
  { name: "filter-forward", base: { type: "filter", hook: "forward", priority: "-110", policy: "accept" } },
  { name: "filter-output", base: { type: "filter", hook: "output", priority: "-110", policy: "accept" } },
  { name: "filter-output-post-dnat", base: { type: "filter", hook: "output", priority: "-90", policy: "accept" } },
  { name: "nat-prerouting", base: { type: "nat", hook: "prerouting", priority: "dstnat", policy: "accept" } },
  { name: "nat-output", base: { type: "nat", hook: "output", priority: "-100", policy: "accept" } },
  { name: "nat-postrouting", base: { type: "nat", hook: "postrouting", priority: "srcnat", policy: "accept" } },
];

// Rule parts both Service layouts write (compact.ts too).
export const CT_NEW: Match = { type: "ct-state", states: ["new"] };
/** `ip daddr != 127.0.0.0/8` */
export const NOT_LOCALHOST: Match = { type: "addr-literal", field: "daddr", elements: ["127.0.0.0/8"], negate: true };

/**
 * The parts of a Service table that depend on the proxier's IP family (setupNFTables: `ipX`,
 * `ipvX_addr`, `noLocalhost`). IPv4 leaves `ipFamily` out of the AST (the default), so IPv4
 * tables are unchanged.
 */
export interface FamilyParts {
  readonly family: 4 | 6;
  /** The table's family: `ip` or `ip6`. */
  readonly table: "ip" | "ip6";
  readonly addrType: "ipv4_addr" | "ipv6_addr";
  /** `ipvX_addr . inet_proto . inet_service`: the key type of the Service IP maps. */
  readonly dispatchType: "ipv4_addr . inet_proto . inet_service" | "ipv6_addr . inet_proto . inet_service";
  readonly pairType: "ipv4_addr . ipv4_addr" | "ipv6_addr . ipv6_addr";
  /** `ip daddr != 127.0.0.0/8` / `ip6 daddr != ::1` */
  readonly notLocalhost: Match;
  /** `ip daddr . meta l4proto . th dport` / `ip6 …` */
  readonly dispatch: readonly Expr[];
  /** `ip saddr` / `ip6 daddr` … */
  addr(field: "saddr" | "daddr"): Expr & { readonly type: "addr" };
  /** `{ ipFamily: 6 }` for IPv6, nothing for IPv4. */
  readonly tag: { readonly ipFamily?: 6 };
}

const V4: FamilyParts = {
  family: 4, table: "ip", addrType: "ipv4_addr", dispatchType: "ipv4_addr . inet_proto . inet_service", pairType: "ipv4_addr . ipv4_addr",
  notLocalhost: NOT_LOCALHOST, dispatch: [{ type: "addr", field: "daddr" }, { type: "l4proto" }, { type: "dport" }], addr: (field) => ({ type: "addr", field }), tag: {},
};
const V6: FamilyParts = {
  family: 6, table: "ip6", addrType: "ipv6_addr", dispatchType: "ipv6_addr . inet_proto . inet_service", pairType: "ipv6_addr . ipv6_addr",
  notLocalhost: { type: "addr-literal", field: "daddr", elements: ["::1"], negate: true, ipFamily: 6 },
  dispatch: [{ type: "addr", field: "daddr", ipFamily: 6 }, { type: "l4proto" }, { type: "dport" }], addr: (field) => ({ type: "addr", field, ipFamily: 6 }), tag: { ipFamily: 6 },
};
/** The family parts of a proxier (`opts.family`, absent: IPv4). */
export const familyParts = (family: 4 | 6 | undefined): FamilyParts => (family === 6 ? V6 : V4);
export const FIB_SADDR_LOCAL: Match = { type: "fib-local", field: "saddr" };
export const FIB_DADDR_LOCAL: Match = { type: "fib-local", field: "daddr" };
/** `ip daddr . meta l4proto . th dport`: the key of the Service IP maps. */
export const DISPATCH: readonly Expr[] = V4.dispatch;
/** `meta l4proto . th dport`: the key of the NodePort maps. */
export const NODEPORT_DISPATCH: readonly Expr[] = [{ type: "l4proto" }, { type: "dport" }];
/** `ip saddr` / `ip daddr` equal to (or in) an address or CIDR text; `!=` with negate; `ip6 …` for an IPv6 text. */
export const addrIs = (field: "saddr" | "daddr", text: string, negate = false): Match => ({ type: "addr-literal", field, elements: [text], ...(text.includes(":") ? { ipFamily: 6 } : {}), ...(negate ? { negate } : {}) });
/** A rule: matches, then statements, then a verdict (any part may be empty). */
export const rule = (matches: readonly Match[], verdict?: Verdict, comment?: string, actions?: readonly Action[]): Statement => ({
  type: "rule",
  matches,
  ...(actions !== undefined ? { actions } : {}),
  ...(verdict !== undefined ? { verdict } : {}),
  ...(comment !== undefined ? { comment } : {}),
});
export const vmap = (matches: readonly Match[], key: readonly Expr[], map: string): Statement => ({ type: "vmap", ...(matches.length > 0 ? { matches } : {}), key, map });
export const l4 = (p: Protocol): L4Proto => (p === "UDP" ? "udp" : p === "SCTP" ? "sctp" : "tcp");
/** The chains every layout has: mark-for-masquerade, masquerading (kube-proxy's setupNFTables). */
export const MARK_MASQ_RULES: readonly Statement[] = [rule([], undefined, undefined, [{ type: "mark-set", op: "or", value: MASQUERADE_MARK }])];
export const MASQUERADING_RULES: readonly Statement[] = [
  rule([{ type: "mark-clear", mask: MASQUERADE_MARK }], ret),
  rule([], undefined, undefined, [{ type: "mark-set", op: "xor", value: MASQUERADE_MARK }]),
  rule([], undefined, undefined, [{ type: "masquerade", fullyRandom: true }]),
];
export const REJECT_RULES: readonly Statement[] = [rule([], undefined, undefined, [{ type: "reject" }])];

/** nftablesJumpChains: which base chain jumps to which top-level chain, under what condition. */
export const JUMP_CHAINS: readonly { readonly dst: string; readonly src: string; readonly newOnly: boolean }[] = [
  { dst: NODEPORT_ENDPOINTS_CHECK_CHAIN, src: "filter-input", newOnly: true },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: "filter-input", newOnly: true },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: "filter-forward", newOnly: true },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: "filter-output", newOnly: true },
  { dst: FIREWALL_CHECK_CHAIN, src: "filter-prerouting", newOnly: true },
  { dst: FIREWALL_CHECK_CHAIN, src: "filter-output", newOnly: true },
  { dst: SERVICES_CHAIN, src: "nat-output", newOnly: false },
  { dst: SERVICES_CHAIN, src: "nat-prerouting", newOnly: false },
  { dst: MASQUERADING_CHAIN, src: "nat-postrouting", newOnly: false },
  { dst: CLUSTER_IPS_CHECK_CHAIN, src: "filter-forward", newOnly: true },
  { dst: CLUSTER_IPS_CHECK_CHAIN, src: "filter-output-post-dnat", newOnly: true },
];

/** A chain being written (both layouts build their tables in creation order). */
export interface OpenChain {
  readonly name: string;
  readonly base?: BaseChain;
  readonly comment?: string;
  readonly statements: Statement[];
}

/** A set or verdict map being filled. */
export type OpenSet =
  | { readonly kind: "set"; readonly decl: Omit<AddrSet, "elements">; readonly elements: string[] }
  | { readonly kind: "vmap"; readonly decl: Omit<VerdictMap, "elements">; readonly elements: VerdictElement[] };

export const openSet = (decl: OpenSet["decl"]): OpenSet => (decl.kind === "set" ? { kind: "set", decl, elements: [] } : { kind: "vmap", decl, elements: [] });
export const closeSet = (s: OpenSet): NamedSet => (s.kind === "set" ? { ...s.decl, elements: s.elements } : { ...s.decl, elements: s.elements });
/** Adds an element to a set (a no-op on a map or no container). */
export function addSetElement(s: OpenSet | undefined, key: string): void {
  if (s?.kind === "set") s.elements.push(key);
}
/** Adds `key [comment "…"] : verdict` to a verdict map (a no-op on a set or no container). */
export function addMapElement(s: OpenSet | undefined, key: string, verdict: Verdict, comment?: string): void {
  if (s?.kind === "vmap") s.elements.push({ key, verdict, ...(comment !== undefined ? { comment } : {}) });
}

/** The transaction being built: containers and chains in creation order. */
class Tx {
  readonly sets = new Map<string, OpenSet>();
  readonly chains = new Map<string, OpenChain>();
  chain(name: string, extra: Partial<Pick<OpenChain, "base" | "comment">> = {}): OpenChain {
    let c = this.chains.get(name);
    if (!c) this.chains.set(name, (c = { name, statements: [], ...extra }));
    return c;
  }
  rule(chain: string, ...statements: readonly Statement[]): void {
    this.chain(chain).statements.push(...statements);
  }
  container(decl: OpenSet["decl"]): void {
    this.sets.set(decl.name, openSet(decl));
  }
  setElement(name: string, key: string): void {
    addSetElement(this.sets.get(name), key);
  }
  mapElement(name: string, key: string, verdict: Verdict, comment?: string): void {
    addMapElement(this.sets.get(name), key, verdict, comment);
  }
}

function setup(tx: Tx, f: FamilyParts): void {
  for (const bc of BASE_CHAINS) tx.chain(bc.name, { base: bc.base });
  for (const j of JUMP_CHAINS) {
    tx.chain(j.dst);
    tx.rule(j.src, rule(j.newOnly ? [CT_NEW] : [], jump(j.dst)));
  }
  for (const c of [SERVICES_CHAIN, CLUSTER_IPS_CHECK_CHAIN, MASQUERADING_CHAIN, MARK_MASQ_CHAIN]) tx.chain(c);
  tx.rule(MARK_MASQ_CHAIN, ...MARK_MASQ_RULES);
  tx.rule(MASQUERADING_CHAIN, ...MASQUERADING_RULES);
  tx.container({ kind: "set", name: CLUSTER_IPS_SET, addrType: f.addrType, comment: "Active ClusterIPs" });
  tx.rule(CLUSTER_IPS_CHECK_CHAIN, rule([{ type: "addr", field: "daddr", set: CLUSTER_IPS_SET, ...f.tag }], undefined, "Reject traffic to invalid ports of ClusterIPs", [{ type: "reject" }]));
  tx.container({ kind: "vmap", name: NO_ENDPOINT_SERVICES_MAP, addrType: f.dispatchType, comment: "vmap to drop or reject packets to services with no endpoints" });
  tx.container({ kind: "vmap", name: NO_ENDPOINT_NODEPORTS_MAP, addrType: "inet_proto . inet_service", comment: "vmap to drop or reject packets to service nodeports with no endpoints" });
  tx.chain(REJECT_CHAIN, { comment: "helper for @no-endpoint-services / @no-endpoint-nodeports" });
  tx.rule(REJECT_CHAIN, ...REJECT_RULES);
  tx.rule(SERVICE_ENDPOINTS_CHECK_CHAIN, vmap([], f.dispatch, NO_ENDPOINT_SERVICES_MAP));
  tx.rule(NODEPORT_ENDPOINTS_CHECK_CHAIN, vmap([f.notLocalhost], NODEPORT_DISPATCH, NO_ENDPOINT_NODEPORTS_MAP));
  tx.container({ kind: "vmap", name: FIREWALL_IPS_MAP, addrType: f.dispatchType, comment: "destinations that are subject to LoadBalancerSourceRanges" });
  tx.rule(FIREWALL_CHECK_CHAIN, vmap([], f.dispatch, FIREWALL_IPS_MAP));
  tx.container({ kind: "vmap", name: SERVICE_IPS_MAP, addrType: f.dispatchType, comment: "ClusterIP, ExternalIP and LoadBalancer IP traffic" });
  tx.container({ kind: "vmap", name: SERVICE_NODEPORTS_MAP, addrType: "inet_proto . inet_service", comment: "NodePort traffic" });
  tx.rule(SERVICES_CHAIN, vmap([], f.dispatch, SERVICE_IPS_MAP));
  tx.rule(SERVICES_CHAIN, vmap([FIB_DADDR_LOCAL, f.notLocalhost], NODEPORT_DISPATCH, SERVICE_NODEPORTS_MAP));
}

/** What kube-proxy decides per Service port before writing rules (shared with compact.ts). */
export interface Plan {
  readonly s: ServicePortInfo;
  readonly p: L4Proto;
  readonly cat: ReturnType<typeof categorizeEndpoints>;
  readonly hasInternal: boolean;
  readonly hasExternal: boolean;
  readonly usesExternal: boolean;
  readonly internalVerdict: Verdict;
  readonly externalVerdict: Verdict;
  /** `usesFWChain := len(svcInfo.LoadBalancerVIPs()) > 0 && len(svcInfo.LoadBalancerSourceRanges()) > 0` (endpoints or not). */
  readonly usesFW: boolean;
}

export function plan(s: ServicePortInfo, nodeName: string | undefined): Plan {
  const cat = categorizeEndpoints(s, nodeName);
  const verdict = cat.hasEndpoints ? drop : goto(REJECT_CHAIN);
  return {
    s,
    p: l4(s.protocol),
    cat,
    hasInternal: cat.hasEndpoints && !(s.internalPolicyLocal && cat.localEndpoints.length === 0),
    hasExternal: cat.hasEndpoints && !(s.externalPolicyLocal && cat.localEndpoints.length === 0),
    usesExternal: cat.hasEndpoints && externallyAccessible(s),
    internalVerdict: verdict,
    externalVerdict: verdict,
    usesFW: s.loadBalancerIPs.length > 0 && s.loadBalancerSourceRanges.length > 0,
  };
}

function ensureServiceChains(tx: Tx, x: Plan): void {
  for (const e of x.cat.allLocallyReachable) tx.chain(N.endpoint(x.s, e));
  if (x.cat.clusterEndpoints.length > 0) tx.chain(N.cluster(x.s));
  if (x.cat.localEndpoints.length > 0) tx.chain(N.local(x.s));
  if (x.usesExternal) tx.chain(N.external(x.s));
  if (x.usesFW) tx.chain(N.firewall(x.s));
}

function writeElements(tx: Tx, x: Plan): void {
  const { s, p } = x;
  const key = (ip: string): string => `${ip} . ${p} . ${s.port}`;
  const internal = s.internalPolicyLocal ? N.local(s) : N.cluster(s);
  const cip = formatIp(s.clusterIP);
  tx.setElement(CLUSTER_IPS_SET, cip);
  if (x.hasInternal) tx.mapElement(SERVICE_IPS_MAP, key(cip), goto(internal));
  else tx.mapElement(NO_ENDPOINT_SERVICES_MAP, key(cip), x.internalVerdict, s.nameString);
  for (const ip of s.externalIPs.map(formatIp)) {
    if (x.cat.hasEndpoints) tx.mapElement(SERVICE_IPS_MAP, key(ip), goto(N.external(s)));
    if (!x.hasExternal) tx.mapElement(NO_ENDPOINT_SERVICES_MAP, key(ip), x.externalVerdict, s.nameString);
  }
  for (const ip of s.loadBalancerIPs.map(formatIp)) {
    if (x.cat.hasEndpoints) tx.mapElement(SERVICE_IPS_MAP, key(ip), goto(N.external(s)));
    if (x.usesFW) tx.mapElement(FIREWALL_IPS_MAP, key(ip), goto(N.firewall(s)));
  }
  if (!x.hasExternal) for (const ip of s.loadBalancerIPs.map(formatIp)) tx.mapElement(NO_ENDPOINT_SERVICES_MAP, key(ip), x.externalVerdict, s.nameString);
  if (s.nodePort !== 0) {
    if (x.cat.hasEndpoints) tx.mapElement(SERVICE_NODEPORTS_MAP, `${p} . ${s.nodePort}`, goto(N.external(s)));
    if (!x.hasExternal) tx.mapElement(NO_ENDPOINT_NODEPORTS_MAP, `${p} . ${s.nodePort}`, x.externalVerdict, s.nameString);
  }
}

/**
 * The masquerade rule of a Service's internal (ClusterIP) chain: `ip daddr <clusterIP> <p> dport
 * <port> [ip saddr != <cluster-cidr>] jump mark-for-masquerade` (--masquerade-all: every source;
 * --cluster-cidr: sources outside it; neither: none).
 */
export function internalMasqueradeRule(x: Plan, opts: ProxyOptions): Statement | undefined {
  const { s, p } = x;
  const head: Match[] = [addrIs("daddr", formatIp(s.clusterIP)), { type: "dport", protocol: p, ranges: [{ from: s.port, to: s.port }] }];
  if (opts.masqueradeAll) return rule(head, jump(MARK_MASQ_CHAIN));
  if (opts.clusterCIDR) return rule([...head, addrIs("saddr", formatCidr(opts.clusterCIDR), true)], jump(MARK_MASQ_CHAIN));
  return undefined;
}

/**
 * The external chain's rules for externalTrafficPolicy Local: pod (--cluster-cidr) and local
 * sources short-circuit to the Cluster endpoints, local ones masqueraded.
 */
export function shortCircuitRules(s: ServicePortInfo, opts: ProxyOptions): Statement[] {
  return [
    ...(opts.clusterCIDR ? [rule([addrIs("saddr", formatCidr(opts.clusterCIDR))], goto(N.cluster(s)), "short-circuit pod traffic")] : []),
    rule([FIB_SADDR_LOCAL], jump(MARK_MASQ_CHAIN), "masquerade local traffic"),
    rule([FIB_SADDR_LOCAL], goto(N.cluster(s)), "short-circuit local traffic"),
  ];
}

function writeTrafficRules(tx: Tx, x: Plan, opts: ProxyOptions): void {
  const { s } = x;
  if (x.hasInternal) {
    const r = internalMasqueradeRule(x, opts);
    if (r !== undefined) tx.rule(s.internalPolicyLocal ? N.local(s) : N.cluster(s), r);
  }
  if (!x.usesExternal) return;
  const ext = N.external(s);
  if (!s.externalPolicyLocal) tx.rule(ext, rule([], jump(MARK_MASQ_CHAIN)));
  else tx.rule(ext, ...shortCircuitRules(s, opts));
  if (x.hasExternal) tx.rule(ext, rule([], goto(s.externalPolicyLocal ? N.local(s) : N.cluster(s))));
}

/**
 * The firewall-* chain (proxier.go, usesFWChain): `ip saddr != { ranges[, LB IPs] } drop`, the
 * LB IPs added when a range holds the node's IP (a VIP looped back by the node).
 */
export function firewallRule(x: Plan, opts: ProxyOptions): Statement | undefined {
  const { s } = x;
  if (!x.usesFW) return undefined;
  const nodeIP = opts.nodeIPs.find((ip) => ip.family === s.clusterIP.family);
  const sources = s.loadBalancerSourceRanges.map(formatCidr);
  if (nodeIP && s.loadBalancerSourceRanges.some((c) => cidrContainsIp(c, nodeIP))) sources.push(...s.loadBalancerIPs.map(formatIp));
  return rule([{ type: "addr-literal", field: "saddr", elements: sources, negate: true, anonymousSet: true, ...familyParts(s.clusterIP.family).tag }], drop);
}

function writeFirewallRule(tx: Tx, x: Plan, opts: ProxyOptions): void {
  const r = firewallRule(x, opts);
  if (r !== undefined) tx.rule(N.firewall(x.s), r);
}

/** A Service chain's endpoint choice: the affinity sets first (session affinity), then `numgen random mod n vmap { … }`. */
export function serviceToEndpointRules(s: ServicePortInfo, eps: readonly ProxyEndpoint[]): Statement[] {
  const tag = familyParts(s.clusterIP.family).tag;
  const affinity = s.sessionAffinity ? eps.map((e) => rule([{ type: "addr", field: "saddr", set: N.affinity(s, e), ...tag }], goto(N.endpoint(s, e)))) : [];
  const elements: VerdictElement[] = eps.map((e, i) => ({ key: `${i}`, verdict: goto(N.endpoint(s, e)) }));
  return [...affinity, { type: "vmap", key: [{ type: "numgen", mod: eps.length }], map: elements }];
}

/** An endpoint chain's affinity update and DNAT (kube-proxy's also has a hairpin rule first). */
export function endpointRules(x: Plan, e: ProxyEndpoint): Statement[] {
  const { s, p } = x;
  return [
    ...(s.sessionAffinity ? [rule([], undefined, undefined, [{ type: "set-update", set: N.affinity(s, e), key: [familyParts(s.clusterIP.family).addr("saddr")] }])] : []),
    rule([{ type: "l4proto", protocol: p }], undefined, undefined, [{ type: "dnat", to: endpointString(e) }]),
  ];
}

/** The `affinity-…` set of one endpoint (session affinity: dynamic, with the Service's timeout). */
export const affinitySet = (s: ServicePortInfo, e: ProxyEndpoint): Omit<AddrSet, "elements"> => ({ kind: "set", name: N.affinity(s, e), addrType: familyParts(s.clusterIP.family).addrType, flags: ["dynamic", "timeout"], timeoutSeconds: s.stickySeconds });

function writeEndpointChains(tx: Tx, x: Plan): void {
  const { s, cat } = x;
  if (s.sessionAffinity) for (const e of cat.allLocallyReachable) tx.container(affinitySet(s, e));
  if (cat.clusterEndpoints.length > 0) tx.rule(N.cluster(s), ...serviceToEndpointRules(s, cat.clusterEndpoints));
  if (cat.localEndpoints.length > 0) tx.rule(N.local(s), ...serviceToEndpointRules(s, cat.localEndpoints));
  for (const e of cat.allLocallyReachable) {
    const chain = N.endpoint(s, e);
    tx.rule(chain, rule([addrIs("saddr", formatIp(e.ip))], jump(MARK_MASQ_CHAIN)), ...endpointRules(x, e));
  }
}

/** kube-proxy's table of the proxier of `opts.family` (the snapshot of that family: `buildSnapshot(…, family)`). */
export function buildNftTable(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): Table {
  const tx = new Tx();
  const f = familyParts(opts.family);
  setup(tx, f);
  for (const s of snapshot) {
    const x = plan(s, opts.nodeName);
    ensureServiceChains(tx, x);
    writeElements(tx, x);
    writeTrafficRules(tx, x, opts);
    writeFirewallRule(tx, x, opts);
    writeEndpointChains(tx, x);
  }
  const chains: Chain[] = [...tx.chains.values()];
  return { family: f.table, name: KUBE_PROXY_TABLE, comment: "rules for kube-proxy", layout: "nft-list", sets: [...tx.sets.values()].map(closeSet), chains };
}

export function renderNftables(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): string {
  const head = `# kube-proxy nftables mode (kwire proxy-rules)${opts.nodeName ? ` on node ${opts.nodeName}` : ""}${opts.family === 6 ? ": the IPv6 proxier" : ""}\n`;
  return head + printTable(buildNftTable(snapshot, opts));
}
