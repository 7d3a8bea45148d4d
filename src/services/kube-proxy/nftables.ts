/**
 * @module nftables
 * kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go: setupNFTables + syncProxyRules)
 * as one transaction's end state: table `ip kube-proxy`, base chains from data, service
 * dispatch through the `service-ips` / `service-nodeports` verdict maps, per-service chains
 * with `numgen random mod N vmap`, per-endpoint chains that DNAT. Pure.
 */
import { cidrContainsIp, formatCidr, formatIp } from "../../model/index.js";
import { endpointString, type ProxyEndpoint } from "./endpoints.js";
import { nftNames as N } from "./names.js";
import { printTable, type BaseChain, type NftChain, type NftElement, type NftSet, type NftTable } from "./nft-ast.js";
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
export const MASQUERADE_MARK = "0x4000";

/**
 * nftablesBaseChains: name, type, hook, priority. kube-proxy writes `dstnat - 10` / `dstnat + 10`
 * for every filter chain, but nft (1.0.6 here) accepts the symbolic `dstnat` only on the
 * prerouting hook ("invalid priority expression value in this context" on input, forward and
 * output), so those use the same numbers (dstnat = -100) written out.
 */
export const BASE_CHAINS: readonly BaseChain[] = [
  { name: "filter-prerouting", type: "filter", hook: "prerouting", priority: "dstnat - 10" },
  { name: "filter-input", type: "filter", hook: "input", priority: "-110" },
  { name: "filter-forward", type: "filter", hook: "forward", priority: "-110" },
  { name: "filter-output", type: "filter", hook: "output", priority: "-110" },
  { name: "filter-output-post-dnat", type: "filter", hook: "output", priority: "-90" },
  { name: "nat-prerouting", type: "nat", hook: "prerouting", priority: "dstnat" },
  { name: "nat-output", type: "nat", hook: "output", priority: "-100" },
  { name: "nat-postrouting", type: "nat", hook: "postrouting", priority: "srcnat" },
];

/** nftablesJumpChains: which base chain jumps to which top-level chain, under what condition. */
export const JUMP_CHAINS: readonly { readonly dst: string; readonly src: string; readonly extra: string }[] = [
  { dst: NODEPORT_ENDPOINTS_CHECK_CHAIN, src: "filter-input", extra: "ct state new" },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: "filter-input", extra: "ct state new" },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: "filter-forward", extra: "ct state new" },
  { dst: SERVICE_ENDPOINTS_CHECK_CHAIN, src: "filter-output", extra: "ct state new" },
  { dst: FIREWALL_CHECK_CHAIN, src: "filter-prerouting", extra: "ct state new" },
  { dst: FIREWALL_CHECK_CHAIN, src: "filter-output", extra: "ct state new" },
  { dst: SERVICES_CHAIN, src: "nat-output", extra: "" },
  { dst: SERVICES_CHAIN, src: "nat-prerouting", extra: "" },
  { dst: MASQUERADING_CHAIN, src: "nat-postrouting", extra: "" },
  { dst: CLUSTER_IPS_CHECK_CHAIN, src: "filter-forward", extra: "ct state new" },
  { dst: CLUSTER_IPS_CHECK_CHAIN, src: "filter-output-post-dnat", extra: "ct state new" },
];

const DISPATCH = "ip daddr . meta l4proto . th dport";
const NO_LOCALHOST = "ip daddr != 127.0.0.0/8";

/** The transaction being built: containers and chains in creation order. */
class Tx {
  readonly sets = new Map<string, NftSet>();
  readonly chains = new Map<string, NftChain>();
  chain(name: string, extra: Partial<Pick<NftChain, "base" | "comment">> = {}): NftChain {
    let c = this.chains.get(name);
    if (!c) this.chains.set(name, (c = { name, rules: [], ...extra }));
    return c;
  }
  rule(chain: string, text: string, comment?: string): void {
    this.chain(chain).rules.push(comment ? `${text} comment "${comment}"` : text);
  }
  container(s: Omit<NftSet, "elements">): void {
    this.sets.set(s.name, { ...s, elements: [] });
  }
  element(name: string, e: NftElement): void {
    this.sets.get(name)?.elements.push(e);
  }
}

function setup(tx: Tx): void {
  for (const bc of BASE_CHAINS) tx.chain(bc.name, { base: bc });
  for (const j of JUMP_CHAINS) {
    tx.chain(j.dst);
    tx.rule(j.src, j.extra ? `${j.extra} jump ${j.dst}` : `jump ${j.dst}`);
  }
  for (const c of [SERVICES_CHAIN, CLUSTER_IPS_CHECK_CHAIN, MASQUERADING_CHAIN, MARK_MASQ_CHAIN]) tx.chain(c);
  tx.rule(MARK_MASQ_CHAIN, `mark set mark or ${MASQUERADE_MARK}`);
  tx.rule(MASQUERADING_CHAIN, `mark and ${MASQUERADE_MARK} == 0 return`);
  tx.rule(MASQUERADING_CHAIN, `mark set mark xor ${MASQUERADE_MARK}`);
  tx.rule(MASQUERADING_CHAIN, "masquerade fully-random");
  tx.container({ kind: "set", name: CLUSTER_IPS_SET, type: "ipv4_addr", comment: "Active ClusterIPs" });
  tx.rule(CLUSTER_IPS_CHECK_CHAIN, `ip daddr @${CLUSTER_IPS_SET} reject`, "Reject traffic to invalid ports of ClusterIPs");
  tx.container({ kind: "map", name: NO_ENDPOINT_SERVICES_MAP, type: "ipv4_addr . inet_proto . inet_service : verdict", comment: "vmap to drop or reject packets to services with no endpoints" });
  tx.container({ kind: "map", name: NO_ENDPOINT_NODEPORTS_MAP, type: "inet_proto . inet_service : verdict", comment: "vmap to drop or reject packets to service nodeports with no endpoints" });
  tx.chain(REJECT_CHAIN, { comment: "helper for @no-endpoint-services / @no-endpoint-nodeports" });
  tx.rule(REJECT_CHAIN, "reject");
  tx.rule(SERVICE_ENDPOINTS_CHECK_CHAIN, `${DISPATCH} vmap @${NO_ENDPOINT_SERVICES_MAP}`);
  tx.rule(NODEPORT_ENDPOINTS_CHECK_CHAIN, `${NO_LOCALHOST} meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS_MAP}`);
  tx.container({ kind: "map", name: FIREWALL_IPS_MAP, type: "ipv4_addr . inet_proto . inet_service : verdict", comment: "destinations that are subject to LoadBalancerSourceRanges" });
  tx.rule(FIREWALL_CHECK_CHAIN, `${DISPATCH} vmap @${FIREWALL_IPS_MAP}`);
  tx.container({ kind: "map", name: SERVICE_IPS_MAP, type: "ipv4_addr . inet_proto . inet_service : verdict", comment: "ClusterIP, ExternalIP and LoadBalancer IP traffic" });
  tx.container({ kind: "map", name: SERVICE_NODEPORTS_MAP, type: "inet_proto . inet_service : verdict", comment: "NodePort traffic" });
  tx.rule(SERVICES_CHAIN, `${DISPATCH} vmap @${SERVICE_IPS_MAP}`);
  tx.rule(SERVICES_CHAIN, `fib daddr type local ${NO_LOCALHOST} meta l4proto . th dport vmap @${SERVICE_NODEPORTS_MAP}`);
}

/** What kube-proxy decides per Service port before writing rules (shared with compact.ts). */
export interface Plan {
  readonly s: ServicePortInfo;
  readonly p: string;
  readonly cat: ReturnType<typeof categorizeEndpoints>;
  readonly hasInternal: boolean;
  readonly hasExternal: boolean;
  readonly usesExternal: boolean;
  readonly internalVerdict: string;
  readonly externalVerdict: string;
  /** `usesFWChain := len(svcInfo.LoadBalancerVIPs()) > 0 && len(svcInfo.LoadBalancerSourceRanges()) > 0` (endpoints or not). */
  readonly usesFW: boolean;
}

export function plan(s: ServicePortInfo, nodeName: string | undefined): Plan {
  const cat = categorizeEndpoints(s, nodeName);
  const verdict = cat.hasEndpoints ? "drop" : `goto ${REJECT_CHAIN}`;
  return {
    s,
    p: s.protocol.toLowerCase(),
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
  tx.element(CLUSTER_IPS_SET, { key: cip });
  if (x.hasInternal) tx.element(SERVICE_IPS_MAP, { key: key(cip), value: `goto ${internal}` });
  else tx.element(NO_ENDPOINT_SERVICES_MAP, { key: key(cip), value: x.internalVerdict, comment: s.nameString });
  for (const ip of s.externalIPs.map(formatIp)) {
    if (x.cat.hasEndpoints) tx.element(SERVICE_IPS_MAP, { key: key(ip), value: `goto ${N.external(s)}` });
    if (!x.hasExternal) tx.element(NO_ENDPOINT_SERVICES_MAP, { key: key(ip), value: x.externalVerdict, comment: s.nameString });
  }
  for (const ip of s.loadBalancerIPs.map(formatIp)) {
    if (x.cat.hasEndpoints) tx.element(SERVICE_IPS_MAP, { key: key(ip), value: `goto ${N.external(s)}` });
    if (x.usesFW) tx.element(FIREWALL_IPS_MAP, { key: key(ip), value: `goto ${N.firewall(s)}` });
  }
  if (!x.hasExternal) for (const ip of s.loadBalancerIPs.map(formatIp)) tx.element(NO_ENDPOINT_SERVICES_MAP, { key: key(ip), value: x.externalVerdict, comment: s.nameString });
  if (s.nodePort !== 0) {
    if (x.cat.hasEndpoints) tx.element(SERVICE_NODEPORTS_MAP, { key: `${p} . ${s.nodePort}`, value: `goto ${N.external(s)}` });
    if (!x.hasExternal) tx.element(NO_ENDPOINT_NODEPORTS_MAP, { key: `${p} . ${s.nodePort}`, value: x.externalVerdict, comment: s.nameString });
  }
}

function writeTrafficRules(tx: Tx, x: Plan, opts: ProxyOptions): void {
  const { s, p } = x;
  if (x.hasInternal) {
    const chain = s.internalPolicyLocal ? N.local(s) : N.cluster(s);
    const head = `ip daddr ${formatIp(s.clusterIP)} ${p} dport ${s.port}`;
    if (opts.masqueradeAll) tx.rule(chain, `${head} jump ${MARK_MASQ_CHAIN}`);
    else if (opts.clusterCIDR) tx.rule(chain, `${head} ip saddr != ${formatCidr(opts.clusterCIDR)} jump ${MARK_MASQ_CHAIN}`);
  }
  if (!x.usesExternal) return;
  const ext = N.external(s);
  if (!s.externalPolicyLocal) tx.rule(ext, `jump ${MARK_MASQ_CHAIN}`);
  else {
    if (opts.clusterCIDR) tx.rule(ext, `ip saddr ${formatCidr(opts.clusterCIDR)} goto ${N.cluster(s)}`, "short-circuit pod traffic");
    tx.rule(ext, `fib saddr type local jump ${MARK_MASQ_CHAIN}`, "masquerade local traffic");
    tx.rule(ext, `fib saddr type local goto ${N.cluster(s)}`, "short-circuit local traffic");
  }
  if (x.hasExternal) tx.rule(ext, `goto ${s.externalPolicyLocal ? N.local(s) : N.cluster(s)}`);
}

/**
 * The firewall-* chain (proxier.go, usesFWChain): `ip saddr != { ranges[, LB IPs] } drop`, the
 * LB IPs added when a range holds the node's IP (a VIP looped back by the node).
 */
export function firewallRule(x: Plan, opts: ProxyOptions): string | undefined {
  const { s } = x;
  if (!x.usesFW) return undefined;
  const nodeIP = opts.nodeIPs.find((ip) => ip.family === s.clusterIP.family);
  const sources = s.loadBalancerSourceRanges.map(formatCidr);
  if (nodeIP && s.loadBalancerSourceRanges.some((c) => cidrContainsIp(c, nodeIP))) sources.push(...s.loadBalancerIPs.map(formatIp));
  return `ip saddr != { ${sources.join(", ")} } drop`;
}

function writeFirewallRule(tx: Tx, x: Plan, opts: ProxyOptions): void {
  const rule = firewallRule(x, opts);
  if (rule !== undefined) tx.rule(N.firewall(x.s), rule);
}

function writeServiceToEndpointRules(tx: Tx, s: ServicePortInfo, chain: string, eps: readonly ProxyEndpoint[]): void {
  if (s.sessionAffinity) for (const e of eps) tx.rule(chain, `ip saddr @${N.affinity(s, e)} goto ${N.endpoint(s, e)}`);
  const elements = eps.map((e, i) => `${i} : goto ${N.endpoint(s, e)}`).join(" , ");
  tx.rule(chain, `numgen random mod ${eps.length} vmap { ${elements} }`);
}

function writeEndpointChains(tx: Tx, x: Plan): void {
  const { s, p, cat } = x;
  if (s.sessionAffinity) {
    for (const e of cat.allLocallyReachable) {
      tx.container({ kind: "set", name: N.affinity(s, e), type: "ipv4_addr", flags: ["dynamic", "timeout"], timeoutSeconds: s.stickySeconds });
    }
  }
  if (cat.clusterEndpoints.length > 0) writeServiceToEndpointRules(tx, s, N.cluster(s), cat.clusterEndpoints);
  if (cat.localEndpoints.length > 0) writeServiceToEndpointRules(tx, s, N.local(s), cat.localEndpoints);
  for (const e of cat.allLocallyReachable) {
    const chain = N.endpoint(s, e);
    tx.rule(chain, `ip saddr ${formatIp(e.ip)} jump ${MARK_MASQ_CHAIN}`);
    if (s.sessionAffinity) tx.rule(chain, `update @${N.affinity(s, e)} { ip saddr }`);
    tx.rule(chain, `meta l4proto ${p} dnat to ${endpointString(e)}`);
  }
}

export function buildNftTable(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): NftTable {
  const tx = new Tx();
  setup(tx);
  for (const s of snapshot) {
    const x = plan(s, opts.nodeName);
    ensureServiceChains(tx, x);
    writeElements(tx, x);
    writeTrafficRules(tx, x, opts);
    writeFirewallRule(tx, x, opts);
    writeEndpointChains(tx, x);
  }
  return { family: "ip", name: KUBE_PROXY_TABLE, comment: "rules for kube-proxy", sets: [...tx.sets.values()], chains: [...tx.chains.values()] };
}

export function renderNftables(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): string {
  const head = `# kube-proxy nftables mode (kwire proxy-rules)${opts.nodeName ? ` on node ${opts.nodeName}` : ""}\n`;
  return head + printTable(buildNftTable(snapshot, opts));
}
