/**
 * @module iptables
 * kube-proxy's iptables mode (pkg/proxy/iptables/proxier.go, syncProxyRules), rendered as the
 * iptables-restore input it writes — `*filter` then `*nat`, chain lines then rules — preceded
 * by the jump rules it ensures in the built-in chains, so the file is a complete
 * iptables-save-format picture of one node. Pure: snapshot + options in, text out.
 */
import { cidrContainsIp, formatCidr, formatIp } from "../../model/index.js";
import { endpointString, type ProxyEndpoint } from "./endpoints.js";
import { iptablesNames as N } from "./names.js";
import { categorizeEndpoints, externallyAccessible, type ProxyOptions, type ServicePortInfo } from "./snapshot.js";

export const KUBE_SERVICES = "KUBE-SERVICES";
export const KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
export const KUBE_NODEPORTS = "KUBE-NODEPORTS";
export const KUBE_POSTROUTING = "KUBE-POSTROUTING";
export const KUBE_MARK_MASQ = "KUBE-MARK-MASQ";
export const KUBE_FORWARD = "KUBE-FORWARD";
export const KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
export const KUBE_FIREWALL = "KUBE-FIREWALL";
/** 1 << 14, kube-proxy's default --iptables-masquerade-bit. */
export const MASQUERADE_MARK = "0x4000";

interface JumpChain {
  readonly table: "filter" | "nat";
  readonly dst: string;
  readonly src: string;
  readonly comment: string;
  readonly extra: readonly string[];
}

const NEW = ["-m", "conntrack", "--ctstate", "NEW"] as const;

/** iptablesJumpChains + iptablesKubeletJumpChains, in kube-proxy's order (each is prepended). */
export const JUMP_CHAINS: readonly JumpChain[] = [
  { table: "filter", dst: KUBE_EXTERNAL_SERVICES, src: "INPUT", comment: "kubernetes externally-visible service portals", extra: NEW },
  { table: "filter", dst: KUBE_EXTERNAL_SERVICES, src: "FORWARD", comment: "kubernetes externally-visible service portals", extra: NEW },
  { table: "filter", dst: KUBE_NODEPORTS, src: "INPUT", comment: "kubernetes health check service ports", extra: [] },
  { table: "filter", dst: KUBE_SERVICES, src: "FORWARD", comment: "kubernetes service portals", extra: NEW },
  { table: "filter", dst: KUBE_SERVICES, src: "OUTPUT", comment: "kubernetes service portals", extra: NEW },
  { table: "filter", dst: KUBE_FORWARD, src: "FORWARD", comment: "kubernetes forwarding rules", extra: [] },
  { table: "filter", dst: KUBE_PROXY_FIREWALL, src: "INPUT", comment: "kubernetes load balancer firewall", extra: NEW },
  { table: "filter", dst: KUBE_PROXY_FIREWALL, src: "OUTPUT", comment: "kubernetes load balancer firewall", extra: NEW },
  { table: "filter", dst: KUBE_PROXY_FIREWALL, src: "FORWARD", comment: "kubernetes load balancer firewall", extra: NEW },
  { table: "nat", dst: KUBE_SERVICES, src: "OUTPUT", comment: "kubernetes service portals", extra: [] },
  { table: "nat", dst: KUBE_SERVICES, src: "PREROUTING", comment: "kubernetes service portals", extra: [] },
  { table: "nat", dst: KUBE_POSTROUTING, src: "POSTROUTING", comment: "kubernetes postrouting rules", extra: [] },
  { table: "filter", dst: KUBE_FIREWALL, src: "INPUT", comment: "", extra: [] },
  { table: "filter", dst: KUBE_FIREWALL, src: "OUTPUT", comment: "", extra: [] },
];

const BUILTINS = { filter: ["INPUT", "FORWARD", "OUTPUT"], nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"] } as const;

/** Go's `%0.10f` of 1/n, as kube-proxy's computeProbability writes it. */
export const probability = (n: number): string => (1 / n).toFixed(10);

const q = (s: string): string => `"${s}"`;

class Buffers {
  readonly filterChains: string[] = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL, KUBE_FIREWALL];
  readonly filterRules: string[] = [];
  readonly natChains: string[] = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ];
  readonly natRules: string[] = [];
  filter(...args: string[]): void {
    this.filterRules.push(args.join(" "));
  }
  nat(...args: string[]): void {
    this.natRules.push(args.join(" "));
  }
}

function writePreamble(b: Buffers, family: 4 | 6): void {
  b.nat("-A", KUBE_POSTROUTING, "-m", "mark", "!", "--mark", `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, "-j", "RETURN");
  b.nat("-A", KUBE_POSTROUTING, "-j", "MARK", "--xor-mark", MASQUERADE_MARK);
  b.nat("-A", KUBE_POSTROUTING, "-m", "comment", "--comment", q("kubernetes service traffic requiring SNAT"), "-j", "MASQUERADE", "--random-fully");
  b.nat("-A", KUBE_MARK_MASQ, "-j", "MARK", "--or-mark", MASQUERADE_MARK);
  // The localnet rule is IPv4's (route_localnet); the IPv6 proxier has none.
  if (family === 4) b.filter("-A", KUBE_FIREWALL, "-m", "comment", "--comment", q("block incoming localnet connections"), "-d", "127.0.0.0/8", "!", "-s", "127.0.0.0/8", "-m", "conntrack", "!", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j", "DROP");
}

function writePostamble(b: Buffers): void {
  b.nat("-A", KUBE_SERVICES, "-m", "comment", "--comment", q("kubernetes service nodeports; NOTE: this must be the last rule in this chain"), "-m", "addrtype", "--dst-type", "LOCAL", "-j", KUBE_NODEPORTS);
  b.filter("-A", KUBE_FORWARD, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
  b.filter("-A", KUBE_FORWARD, "-m", "comment", "--comment", q("kubernetes forwarding rules"), "-m", "mark", "--mark", `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, "-j", "ACCEPT");
  b.filter("-A", KUBE_FORWARD, "-m", "comment", "--comment", q("kubernetes forwarding conntrack rule"), "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
}

interface Plan {
  readonly s: ServicePortInfo;
  readonly p: string;
  readonly name: string;
  readonly cat: ReturnType<typeof categorizeEndpoints>;
  readonly hasInternal: boolean;
  readonly hasExternal: boolean;
  readonly internalChain: string;
  readonly externalPolicyChain: string;
  readonly usesExternal: boolean;
  readonly internalFilter: { readonly target: string; readonly comment: string };
  readonly externalFilter: { readonly target: string; readonly comment: string };
  /** `usesFWChain := hasEndpoints && len(svcInfo.LoadBalancerSourceRanges()) > 0`. */
  readonly usesFW: boolean;
}

function plan(s: ServicePortInfo, opts: ProxyOptions): Plan {
  const cat = categorizeEndpoints(s, opts.nodeName);
  const hasInternal = cat.hasEndpoints && !(s.internalPolicyLocal && cat.localEndpoints.length === 0);
  const hasExternal = cat.hasEndpoints && !(s.externalPolicyLocal && cat.localEndpoints.length === 0);
  const none = { target: "REJECT", comment: q(`${s.nameString} has no endpoints`) };
  const noLocal = { target: "DROP", comment: q(`${s.nameString} has no local endpoints`) };
  return {
    s,
    p: s.protocol.toLowerCase(),
    name: s.nameString,
    cat,
    hasInternal,
    hasExternal,
    internalChain: s.internalPolicyLocal ? N.local(s) : N.cluster(s),
    externalPolicyChain: s.externalPolicyLocal ? N.local(s) : N.cluster(s),
    usesExternal: cat.hasEndpoints && externallyAccessible(s),
    internalFilter: cat.hasEndpoints ? noLocal : none,
    externalFilter: cat.hasEndpoints ? noLocal : none,
    usesFW: cat.hasEndpoints && s.loadBalancerSourceRanges.length > 0,
  };
}

function writeCaptures(b: Buffers, x: Plan): void {
  const { s, p } = x;
  const match = (ip: string, port: number): string[] => ["-m", p, "-p", p, "-d", ip, "--dport", String(port)];
  const cip = formatIp(s.clusterIP);
  if (x.hasInternal) b.nat("-A", KUBE_SERVICES, "-m", "comment", "--comment", q(`${x.name} cluster IP`), ...match(cip, s.port), "-j", x.internalChain);
  else b.filter("-A", KUBE_SERVICES, "-m", "comment", "--comment", x.internalFilter.comment, ...match(cip, s.port), "-j", x.internalFilter.target);
  for (const ip of s.externalIPs.map(formatIp)) {
    if (x.cat.hasEndpoints) b.nat("-A", KUBE_SERVICES, "-m", "comment", "--comment", q(`${x.name} external IP`), ...match(ip, s.port), "-j", N.external(s));
    if (!x.hasExternal) b.filter("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment", x.externalFilter.comment, ...match(ip, s.port), "-j", x.externalFilter.target);
  }
  // loadBalancerSourceRanges: LB traffic goes through KUBE-FW-*; what it does not DNAT is dropped by KUBE-PROXY-FIREWALL.
  const lbChain = x.usesFW ? N.firewall(s) : N.external(s);
  for (const ip of s.loadBalancerIPs.map(formatIp)) {
    if (x.cat.hasEndpoints) b.nat("-A", KUBE_SERVICES, "-m", "comment", "--comment", q(`${x.name} loadbalancer IP`), ...match(ip, s.port), "-j", lbChain);
    if (x.usesFW) b.filter("-A", KUBE_PROXY_FIREWALL, "-m", "comment", "--comment", q(`${x.name} traffic not accepted by ${N.firewall(s)}`), ...match(ip, s.port), "-j", "DROP");
  }
  if (!x.hasExternal) {
    for (const ip of s.loadBalancerIPs.map(formatIp)) b.filter("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment", x.externalFilter.comment, ...match(ip, s.port), "-j", x.externalFilter.target);
  }
  if (s.nodePort !== 0) {
    if (x.cat.hasEndpoints) b.nat("-A", KUBE_NODEPORTS, "-m", "comment", "--comment", x.name, "-m", p, "-p", p, "--dport", String(s.nodePort), "-j", N.external(s));
    if (!x.hasExternal) {
      b.filter("-A", KUBE_EXTERNAL_SERVICES, "-m", "comment", "--comment", x.externalFilter.comment, "-m", "addrtype", "--dst-type", "LOCAL", "-m", p, "-p", p, "--dport", String(s.nodePort), "-j", x.externalFilter.target);
    }
  }
}

function writeInternalAndExternal(b: Buffers, x: Plan, opts: ProxyOptions): void {
  const { s, p } = x;
  if (x.hasInternal) {
    const args = ["-m", "comment", "--comment", q(`${x.name} cluster IP`), "-m", p, "-p", p, "-d", formatIp(s.clusterIP), "--dport", String(s.port)];
    if (opts.masqueradeAll) b.nat("-A", x.internalChain, ...args, "-j", KUBE_MARK_MASQ);
    else if (opts.clusterCIDR) b.nat("-A", x.internalChain, ...args, "!", "-s", formatCidr(opts.clusterCIDR), "-j", KUBE_MARK_MASQ);
  }
  if (!x.usesExternal) return;
  const ext = N.external(s);
  b.natChains.push(ext);
  if (!s.externalPolicyLocal) {
    b.nat("-A", ext, "-m", "comment", "--comment", q(`masquerade traffic for ${x.name} external destinations`), "-j", KUBE_MARK_MASQ);
  } else {
    if (opts.clusterCIDR) b.nat("-A", ext, "-m", "comment", "--comment", q(`pod traffic for ${x.name} external destinations`), "-s", formatCidr(opts.clusterCIDR), "-j", N.cluster(s));
    b.nat("-A", ext, "-m", "comment", "--comment", q(`masquerade LOCAL traffic for ${x.name} external destinations`), "-m", "addrtype", "--src-type", "LOCAL", "-j", KUBE_MARK_MASQ);
    b.nat("-A", ext, "-m", "comment", "--comment", q(`route LOCAL traffic for ${x.name} external destinations`), "-m", "addrtype", "--src-type", "LOCAL", "-j", N.cluster(s));
  }
  if (x.hasExternal) b.nat("-A", ext, "-j", x.externalPolicyChain);
  if (x.usesFW) writeFirewallChain(b, x, opts);
}

/**
 * The KUBE-FW-* chain (proxier.go "Set up firewall chain, if needed"): each source range jumps
 * to the EXT chain; when a range holds the node's IP, so does traffic from the LB IPs
 * themselves (a VIP looped back by the node); the rest falls through undNATed and is dropped
 * in the filter table's KUBE-PROXY-FIREWALL.
 */
function writeFirewallChain(b: Buffers, x: Plan, opts: ProxyOptions): void {
  const { s } = x;
  const fw = N.firewall(s);
  b.natChains.push(fw);
  const head = ["-A", fw, "-m", "comment", "--comment", q(`${x.name} loadbalancer IP`)];
  const nodeIP = opts.nodeIPs.find((ip) => ip.family === s.clusterIP.family);
  let allowFromNode = false;
  for (const cidr of s.loadBalancerSourceRanges) {
    b.nat(...head, "-s", formatCidr(cidr), "-j", N.external(s));
    if (nodeIP && cidrContainsIp(cidr, nodeIP)) allowFromNode = true;
  }
  if (allowFromNode) for (const lbip of s.loadBalancerIPs) b.nat(...head, "-s", formatIp(lbip), "-j", N.external(s));
  b.nat("-A", fw, "-m", "comment", "--comment", q(`other traffic to ${x.name} will be dropped by KUBE-PROXY-FIREWALL`));
}

function writeServiceToEndpointRules(b: Buffers, x: Plan, chain: string, eps: readonly ProxyEndpoint[]): void {
  const { s } = x;
  if (s.sessionAffinity) {
    for (const e of eps) {
      b.nat("-A", chain, "-m", "comment", "--comment", q(`${x.name} -> ${endpointString(e)}`), "-m", "recent", "--name", N.endpoint(s, e), "--rcheck", "--seconds", String(s.stickySeconds), "--reap", "-j", N.endpoint(s, e));
    }
  }
  eps.forEach((e, i) => {
    const stat = i < eps.length - 1 ? ["-m", "statistic", "--mode", "random", "--probability", probability(eps.length - i)] : [];
    b.nat("-A", chain, "-m", "comment", "--comment", q(`${x.name} -> ${endpointString(e)}`), ...stat, "-j", N.endpoint(s, e));
  });
}

function writePolicyAndEndpointChains(b: Buffers, x: Plan): void {
  const { s, p, cat } = x;
  if (cat.clusterEndpoints.length > 0) {
    b.natChains.push(N.cluster(s));
    writeServiceToEndpointRules(b, x, N.cluster(s), cat.clusterEndpoints);
  }
  if (cat.localEndpoints.length > 0) {
    b.natChains.push(N.local(s));
    writeServiceToEndpointRules(b, x, N.local(s), cat.localEndpoints);
  }
  for (const e of cat.allLocallyReachable) {
    const chain = N.endpoint(s, e);
    b.natChains.push(chain);
    b.nat("-A", chain, "-m", "comment", "--comment", x.name, "-s", formatIp(e.ip), "-j", KUBE_MARK_MASQ);
    const affinity = s.sessionAffinity ? ["-m", "recent", "--name", chain, "--set"] : [];
    b.nat("-A", chain, "-m", "comment", "--comment", x.name, ...affinity, "-m", p, "-p", p, "-j", "DNAT", "--to-destination", endpointString(e));
  }
}

function jumpRules(table: "filter" | "nat"): string[] {
  const out: string[] = [];
  for (const j of JUMP_CHAINS) {
    if (j.table !== table) continue;
    const comment = j.comment ? ["-m", "comment", "--comment", q(j.comment)] : [];
    out.unshift(["-A", j.src, ...j.extra, ...comment, "-j", j.dst].join(" ")); // EnsureRule(Prepend)
  }
  const order = BUILTINS[table] as readonly string[];
  return out.sort((a, b) => order.indexOf(a.split(" ")[1] ?? "") - order.indexOf(b.split(" ")[1] ?? ""));
}

function table(name: "filter" | "nat", chains: readonly string[], rules: readonly string[]): string[] {
  return [
    `*${name}`,
    ...BUILTINS[name].map((c) => `:${c} ACCEPT [0:0]`),
    ...chains.map((c) => `:${c} - [0:0]`),
    ...jumpRules(name),
    ...rules,
    "COMMIT",
  ];
}

export function renderIptables(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): string {
  const b = new Buffers();
  writePreamble(b, opts.family ?? 4);
  for (const s of snapshot) {
    const x = plan(s, opts);
    writeCaptures(b, x);
    writeInternalAndExternal(b, x, opts);
    writePolicyAndEndpointChains(b, x);
  }
  writePostamble(b);
  const header = `# kube-proxy iptables mode (kwire proxy-rules)${opts.nodeName ? ` on node ${opts.nodeName}` : ""}${opts.family === 6 ? ": the IPv6 proxier (ip6tables-restore input)" : ""}`;
  return [header, ...table("filter", b.filterChains, b.filterRules), ...table("nat", b.natChains, b.natRules)].join("\n") + "\n";
}
