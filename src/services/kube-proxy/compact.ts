/**
 * @module compact
 * kwire's compact Service rules: what kube-proxy's nftables mode does on one node (`nftables.ts`
 * renders that mode exactly), in a layout whose number of chains, sets and rules does not grow
 * with the number of Services — the cost goes into map elements. Pure and deterministic.
 *
 * Why: kube-proxy's layout has a chain per Service port and per endpoint and an anonymous
 * `numgen … vmap` per Service chain; the kernel walks the table's set list and the transaction
 * list linearly for each rule and set, so loading it is quadratic (nft 1.0.6 / kernel 6.18: 1k
 * Services 0.8 s, 3k 7–13 s, 10k did not load in 3 minutes). Here it is a few dozen chains and
 * maps whatever the size; figures in README.md.
 *
 * Layout (table `ip kwire-services`; kube-proxy's own is `ip kube-proxy`):
 *
 * ```
 * map service-ips          daddr . proto . dport : verdict   ClusterIP, externalIP, LB IP → goto <path chain>
 * map service-nodeports    proto . dport : verdict           NodePort (`fib daddr type local`) → goto <path chain>
 * map shortcut-ips, shortcut-nodeports                        externalTrafficPolicy Local, source local (or in
 *                                                             --cluster-cidr): kube-proxy's short-circuit to the
 *                                                             Cluster endpoints (masqueraded when local)
 * map groups-ip-<p>        daddr . dport : group address      frontend → its endpoint list ("group")
 * map groups-np-<p>        dport : group address              (groups-sc-…: the short-circuit lists)
 * map eps-<p>-<n>          group . (numgen mod n) : endpoint ip . port    one per (protocol, endpoint count)
 * chain ip-<p>-<n>         meta l4proto <p> ip daddr set ip daddr . <p> dport map @groups-ip-<p>
 *                          meta l4proto <p> dnat ip to ip daddr . numgen random mod <n> map @eps-<p>-<n>
 * chain np-<p>-<n>         the same keyed by the NodePort; sc-ip-/sc-np-…: masquerade first (local sources)
 * chain masq-ip-<p>-<n>, masq-np-<p>-<n>   jump mark-for-masquerade; goto ip-/np-…  (external, policy Cluster)
 * chain clusterip-<p>-<n>  ip saddr != <cluster-cidr> jump mark-for-masquerade; goto ip-…  (--cluster-cidr;
 *                          --masquerade-all uses masq-ip-…)
 * set cluster-ips, map no-endpoint-services, map no-endpoint-nodeports    as kube-proxy (reject / drop)
 * set hairpin              endpoint ip . endpoint ip
 * ```
 *
 * **Endpoint groups.** Identical endpoint lists (same protocol, same `ip:port`s in the same order,
 * e.g. several Services selecting one Deployment's pods on one targetPort, or one Service's
 * ClusterIP and NodePort) are stored once, under a group address 0.x.y.z. nftables has no scratch
 * register to carry a value from one lookup to the next, so the path chain carries it in the
 * destination address: it rewrites `ip daddr` to the group's address, then DNATs through
 * `eps-<p>-<n>` keyed by that address. The DNAT overwrites the address again (checksums stay
 * right: both are incremental), conntrack keeps the original tuple, so replies are un-NATed to the
 * Service address as always; only the first packet of a connection passes the nat hooks. No
 * packet leaves with a group address (0.0.0.0/8 is not routed, should a lookup ever miss).
 *
 * **Semantics** (as kube-proxy's, and traced against it in compact.test.ts): base chains
 * `filter-input|forward|output` at -110 (new connections to Services without usable endpoints:
 * `reject`, or `drop` when only another node has them; forward also rejects ClusterIPs on ports no
 * Service has), `filter-output-post-dnat` at -90 (same ClusterIP check), `nat-prerouting`
 * (dstnat) and `nat-output` (-100) jump `services`, `nat-postrouting` (srcnat) masquerades what
 * carries mark 0x4000 (`mark-for-masquerade`, cleared again as kube-proxy does). The endpoint is
 * `numgen random mod n` over the frontend's list: the uniform choice of kube-proxy's per-Service
 * `numgen random mod n vmap`. Frontends of an externalTrafficPolicy=Local Service without local
 * endpoints map to `return` (kube-proxy's external chain falls through; the filter hooks drop).
 * Hairpin: kube-proxy's per-endpoint `ip saddr <ep> jump mark-for-masquerade` becomes
 * `ct status dnat ip saddr . ip daddr @hairpin jump mark-for-masquerade` in postrouting, with the
 * endpoints a source DNATed on this node can be: this node's (and those without a node), plus,
 * with --cluster-cidr, the Cluster endpoints of externalTrafficPolicy=Local Services (pods of other
 * nodes reach them through the short-circuit). Not covered: a packet from another node's endpoint
 * that reaches this node's ClusterIP rules without having been DNATed on its own node (when every
 * node runs these rules, it cannot happen).
 *
 * Services with sessionAffinity ClientIP (rare) keep kube-proxy's per-Service layout — chains
 * `service-…` / `local-…` / `external-…` / `endpoint-…` and one `affinity-…` timeout set per
 * endpoint, named as kube-proxy names them — reached from the same dispatch maps.
 */
import { formatCidr, formatIp } from "../../model/index.js";
import { endpointString, type ProxyEndpoint } from "./endpoints.js";
import { nftNames as N } from "./names.js";
import type { BaseChain } from "./nft-ast.js";
import {
  BASE_CHAINS,
  CLUSTER_IPS_SET,
  MARK_MASQ_CHAIN,
  MASQUERADE_MARK,
  MASQUERADING_CHAIN,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  REJECT_CHAIN,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  SERVICES_CHAIN,
  FIREWALL_CHECK_CHAIN,
  FIREWALL_IPS_MAP,
  firewallRule,
  plan,
  type Plan,
} from "./nftables.js";
import { categorizeEndpoints, externallyAccessible, type ProxyOptions, type ServicePortInfo } from "./snapshot.js";

export const COMPACT_TABLE_FAMILY = "ip";
export const COMPACT_TABLE = "kwire-services";

// kube-proxy's own names for the objects both layouts have (a reader of `nft list` sees the same
// skeleton); only the compact layout's own maps are named here.
export const SHORTCUT_IPS = "shortcut-ips";
export const SHORTCUT_NODEPORTS = "shortcut-nodeports";
export const HAIRPIN = "hairpin";
const SERVICE_IPS = SERVICE_IPS_MAP;
const SERVICE_NODEPORTS = SERVICE_NODEPORTS_MAP;
const CLUSTER_IPS = CLUSTER_IPS_SET;
const NO_ENDPOINT_SERVICES = NO_ENDPOINT_SERVICES_MAP;
const NO_ENDPOINT_NODEPORTS = NO_ENDPOINT_NODEPORTS_MAP;
const SERVICES = SERVICES_CHAIN;
const MARK_MASQ = MARK_MASQ_CHAIN;
const MASQUERADING = MASQUERADING_CHAIN;

/**
 * kube-proxy's base chains, less `filter-prerouting`, which only a ruleset with
 * loadBalancerSourceRanges needs (`FIREWALL_BASE_CHAIN`, added then).
 */
export const COMPACT_BASE_CHAINS: readonly BaseChain[] = BASE_CHAINS.filter((c) => c.name !== "filter-prerouting");
const FIREWALL_BASE_CHAIN = BASE_CHAINS.find((c) => c.name === "filter-prerouting");

const DISPATCH = "ip daddr . meta l4proto . th dport";
const NODEPORT_DISPATCH = "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport";

export interface CompactSet {
  readonly kind: "set" | "map";
  readonly name: string;
  /** The declaration line: `type …` or `typeof …`. */
  readonly type: string;
  readonly flags?: readonly string[];
  readonly timeoutSeconds?: number;
  readonly comment?: string;
  /** Element texts (`key`, `key comment "…"`, `key : value`). */
  readonly elements: string[];
}

export interface CompactChain {
  readonly name: string;
  readonly base?: BaseChain;
  readonly rules: string[];
}

export interface CompactTable {
  readonly family: typeof COMPACT_TABLE_FAMILY;
  readonly name: typeof COMPACT_TABLE;
  readonly sets: readonly CompactSet[];
  readonly chains: readonly CompactChain[];
}

/** How a frontend is keyed: by destination address and port, or by NodePort. */
type Keying = "ip" | "np";
/** `main`: the frontend's own endpoints; `sc`: kube-proxy's short-circuit to the Cluster endpoints. */
type Variant = "main" | "sc";

/** A DNAT path: (keying, variant, protocol, endpoint count) — one chain. */
interface Path {
  readonly keying: Keying;
  readonly variant: Variant;
  readonly proto: string;
  readonly n: number;
}

const pathChain = (x: Path): string => `${x.variant === "sc" ? "sc-" : ""}${x.keying}-${x.proto}-${x.n}`;
/** The frontend → group-address map of a path's (keying, variant, protocol). */
const groupsMap = (x: Omit<Path, "n">): string => `groups-${x.variant === "sc" ? "sc-" : ""}${x.keying}-${x.proto}`;
const epsMap = (proto: string, n: number): string => `eps-${proto}-${n}`;
const frontendKeyExpr = (x: Pick<Path, "keying" | "proto">): string => (x.keying === "ip" ? `ip daddr . ${x.proto} dport` : `${x.proto} dport`);

/** Group g's address: 0.x.y.z (0.0.0.0/8 is never routed, so a packet that kept it goes nowhere). */
const groupAddress = (g: number): string => `0.${(g >> 16) & 255}.${(g >> 8) & 255}.${g & 255}`;

class Tx {
  readonly claimed = new Set<string>();
  /** Endpoint list (`proto ip:port,…`) → its group address. */
  readonly groups = new Map<string, string>();
  /** `eps-<p>-<n>` elements. */
  readonly eps = new Map<string, { proto: string; n: number; elements: string[] }>();
  /** `groups-…` elements. */
  readonly frontends = new Map<string, { x: Omit<Path, "n">; elements: string[] }>();
  readonly paths = new Map<string, Path>();
  /** `masq-<path>` / `clusterip-<path>` chains in use. */
  readonly wrappers = new Set<string>();
  readonly sets = new Map<string, CompactSet>();
  /** Per-Service (session affinity) objects, in snapshot order, after the shared ones. */
  readonly extraSets: CompactSet[] = [];
  readonly extraChains: CompactChain[] = [];
  private readonly seen = new Map<string, Set<string>>();
  private readonly ipText = new Map<bigint, string>();
  /** --cluster-cidr as text. */
  readonly cidr: string | undefined;

  constructor(opts: ProxyOptions) {
    this.cidr = opts.clusterCIDR ? formatCidr(opts.clusterCIDR) : undefined;
    const map = (name: string, type: string, comment?: string): void => {
      this.sets.set(name, { kind: type.includes(" : ") ? "map" : "set", name, type: `type ${type}`, elements: [], ...(comment ? { comment } : {}) });
    };
    map(CLUSTER_IPS, "ipv4_addr", "Active ClusterIPs");
    map(HAIRPIN, "ipv4_addr . ipv4_addr", "endpoint . endpoint: a pod reaching itself through a Service is masqueraded");
    map(NO_ENDPOINT_SERVICES, "ipv4_addr . inet_proto . inet_service : verdict", "vmap to drop or reject packets to services with no endpoints");
    map(NO_ENDPOINT_NODEPORTS, "inet_proto . inet_service : verdict", "vmap to drop or reject packets to service nodeports with no endpoints");
    map(SERVICE_IPS, "ipv4_addr . inet_proto . inet_service : verdict", "ClusterIP, ExternalIP and LoadBalancer IP traffic");
    map(SHORTCUT_IPS, "ipv4_addr . inet_proto . inet_service : verdict", "externalTrafficPolicy Local: local (or pod) sources short-circuit to all endpoints");
    map(SERVICE_NODEPORTS, "inet_proto . inet_service : verdict", "NodePort traffic");
    map(SHORTCUT_NODEPORTS, "inet_proto . inet_service : verdict", "externalTrafficPolicy Local NodePorts: local (or pod) sources short-circuit to all endpoints");
  }

  ip(ip: ProxyEndpoint["ip"]): string {
    let t = this.ipText.get(ip.value);
    if (t === undefined) this.ipText.set(ip.value, (t = formatIp(ip)));
    return t;
  }

  /** Adds an element once (the first of equal keys wins; later duplicates are dropped). */
  element(set: string, key: string, value?: string, comment?: string): boolean {
    let keys = this.seen.get(set);
    if (!keys) this.seen.set(set, (keys = new Set()));
    if (keys.has(key)) return false;
    keys.add(key);
    this.sets.get(set)?.elements.push(`${key}${comment ? ` comment "${comment}"` : ""}${value !== undefined ? ` : ${value}` : ""}`);
    return true;
  }

  /**
   * One frontend's endpoints: the list's group (created on first use: n elements of `eps-<p>-<n>`)
   * and the frontend's element in its `groups-…` map. Returns the path's DNAT chain.
   */
  endpoints(keying: Keying, variant: Variant, proto: string, key: string, eps: readonly ProxyEndpoint[]): string {
    const n = eps.length;
    const list = `${proto} ${eps.map((e) => `${this.ip(e.ip)}:${e.port}`).join(",")}`;
    let addr = this.groups.get(list);
    if (addr === undefined) {
      this.groups.set(list, (addr = groupAddress(this.groups.size + 1)));
      let m = this.eps.get(epsMap(proto, n));
      if (!m) this.eps.set(epsMap(proto, n), (m = { proto, n, elements: [] }));
      for (let i = 0; i < n; i++) {
        const e = eps[i];
        if (e) m.elements.push(`${addr} . ${i} : ${this.ip(e.ip)} . ${e.port}`);
      }
    }
    const fx = { keying, variant, proto };
    let f = this.frontends.get(groupsMap(fx));
    if (!f) this.frontends.set(groupsMap(fx), (f = { x: fx, elements: [] }));
    f.elements.push(`${key} : ${addr}`);
    const path: Path = { keying, variant, proto, n };
    this.paths.set(pathChain(path), path);
    return pathChain(path);
  }

  /** A chain that masquerades (`masq-…`: always; `clusterip-…`: unless from --cluster-cidr), then goes to `chain`. */
  wrap(kind: "masq" | "clusterip", chain: string): string {
    this.wrappers.add(`${kind}-${chain}`);
    return kind === "masq" ? `masq-${chain}` : `clusterip-${chain.replace(/^ip-/, "")}`;
  }

}

/** The frontends of one Service port: ClusterIP, then externalIPs and LoadBalancer IPs, then the NodePort. */
function writeDispatch(tx: Tx, x: Plan, opts: ProxyOptions): void {
  const { s, p, cat } = x;
  const ipKey = (ip: string): string => `${ip} . ${p} . ${s.port}`;
  const affinity = s.sessionAffinity;
  const internalEps = s.internalPolicyLocal ? cat.localEndpoints : cat.clusterEndpoints;
  const externalEps = s.externalPolicyLocal ? cat.localEndpoints : cat.clusterEndpoints;
  // kube-proxy's external chain for policy Local sends local (and --cluster-cidr) sources to the Cluster endpoints.
  const shortcut = !affinity && s.externalPolicyLocal && cat.clusterEndpoints.length > 0;
  const cip = formatIp(s.clusterIP);
  tx.element(CLUSTER_IPS, cip);

  if (x.hasInternal) {
    if (!tx.claimed.has(`ip ${ipKey(cip)}`)) {
      tx.claimed.add(`ip ${ipKey(cip)}`);
      const target = affinity ? (s.internalPolicyLocal ? N.local(s) : N.cluster(s)) : internalTarget(tx, p, `${cip} . ${s.port}`, internalEps, opts);
      tx.element(SERVICE_IPS, ipKey(cip), `goto ${target}`);
    }
  } else tx.element(NO_ENDPOINT_SERVICES, ipKey(cip), x.internalVerdict, s.nameString);

  const external = (keying: Keying, key: string, groupKey: string, map: string, shortcutMap: string, noEndpointMap: string): void => {
    if (cat.hasEndpoints && !tx.claimed.has(`${keying} ${key}`)) {
      tx.claimed.add(`${keying} ${key}`);
      let verdict: string | undefined;
      if (affinity) verdict = `goto ${N.external(s)}`;
      else if (x.hasExternal) {
        const chain = tx.endpoints(keying, "main", p, groupKey, externalEps);
        verdict = `goto ${s.externalPolicyLocal ? chain : tx.wrap("masq", chain)}`;
      } else if (keying === "ip") verdict = "return";
      if (verdict !== undefined) tx.element(map, key, verdict);
      if (shortcut) tx.element(shortcutMap, key, `goto ${tx.endpoints(keying, "sc", p, groupKey, cat.clusterEndpoints)}`);
    }
    if (!x.hasExternal) tx.element(noEndpointMap, key, x.internalVerdict, s.nameString);
  };
  for (const ip of [...s.externalIPs, ...s.loadBalancerIPs].map(formatIp)) external("ip", ipKey(ip), `${ip} . ${s.port}`, SERVICE_IPS, SHORTCUT_IPS, NO_ENDPOINT_SERVICES);
  if (s.nodePort !== 0) external("np", `${p} . ${s.nodePort}`, `${s.nodePort}`, SERVICE_NODEPORTS, SHORTCUT_NODEPORTS, NO_ENDPOINT_NODEPORTS);

  // Hairpin: kube-proxy masquerades when the chosen endpoint is the source. Sources DNATed here are
  // this node's pods (and the node): its endpoints suffice, plus — with --cluster-cidr — the
  // Cluster endpoints that remote pods reach through an externalTrafficPolicy=Local short-circuit.
  const here = (e: ProxyEndpoint): boolean => opts.nodeName === undefined || e.nodeName === undefined || e.nodeName === opts.nodeName;
  const viaPodShortcut = tx.cidr !== undefined && s.externalPolicyLocal && cat.hasEndpoints && externallyAccessible(s);
  for (const e of viaPodShortcut ? cat.allLocallyReachable : cat.allLocallyReachable.filter(here)) tx.element(HAIRPIN, `${tx.ip(e.ip)} . ${tx.ip(e.ip)}`);
}

/** ClusterIP path: masquerade as --masquerade-all / --cluster-cidr say, then DNAT. */
function internalTarget(tx: Tx, p: string, groupKey: string, eps: readonly ProxyEndpoint[], opts: ProxyOptions): string {
  const chain = tx.endpoints("ip", "main", p, groupKey, eps);
  if (opts.masqueradeAll) return tx.wrap("masq", chain);
  return tx.cidr === undefined ? chain : tx.wrap("clusterip", chain);
}

/** sessionAffinity ClientIP: kube-proxy's per-Service chains and affinity sets (without the per-endpoint hairpin rule: `hairpin` covers it). */
function writeAffinityChains(tx: Tx, x: Plan, opts: ProxyOptions): void {
  const { s, p, cat } = x;
  const chains = new Map<string, string[]>();
  const chain = (name: string): string[] => {
    let rules = chains.get(name);
    if (!rules) chains.set(name, (rules = []));
    return rules;
  };
  const rule = (name: string, text: string, comment?: string): void => void chain(name).push(comment ? `${text} comment "${comment}"` : text);
  for (const e of cat.allLocallyReachable) {
    tx.extraSets.push({ kind: "set", name: N.affinity(s, e), type: "type ipv4_addr", flags: ["dynamic", "timeout"], timeoutSeconds: s.stickySeconds, elements: [] });
  }
  const toEndpoints = (name: string, eps: readonly ProxyEndpoint[]): void => {
    if (eps.length === 0) return;
    for (const e of eps) rule(name, `ip saddr @${N.affinity(s, e)} goto ${N.endpoint(s, e)}`);
    rule(name, `numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${N.endpoint(s, e)}`).join(" , ")} }`);
  };
  if (x.hasInternal) {
    const internal = s.internalPolicyLocal ? N.local(s) : N.cluster(s);
    const head = `ip daddr ${formatIp(s.clusterIP)} ${p} dport ${s.port}`;
    if (opts.masqueradeAll) rule(internal, `${head} jump ${MARK_MASQ}`);
    else if (tx.cidr !== undefined) rule(internal, `${head} ip saddr != ${tx.cidr} jump ${MARK_MASQ}`);
  }
  toEndpoints(N.cluster(s), cat.clusterEndpoints);
  toEndpoints(N.local(s), cat.localEndpoints);
  if (cat.hasEndpoints && externallyAccessible(s)) {
    const ext = N.external(s);
    chain(ext);
    if (!s.externalPolicyLocal) rule(ext, `jump ${MARK_MASQ}`);
    else if (cat.clusterEndpoints.length > 0) {
      if (tx.cidr !== undefined) rule(ext, `ip saddr ${tx.cidr} goto ${N.cluster(s)}`, "short-circuit pod traffic");
      rule(ext, `fib saddr type local jump ${MARK_MASQ}`, "masquerade local traffic");
      rule(ext, `fib saddr type local goto ${N.cluster(s)}`, "short-circuit local traffic");
    }
    if (x.hasExternal) rule(ext, `goto ${s.externalPolicyLocal ? N.local(s) : N.cluster(s)}`);
  }
  for (const e of cat.allLocallyReachable) {
    rule(N.endpoint(s, e), `update @${N.affinity(s, e)} { ip saddr }`);
    rule(N.endpoint(s, e), `meta l4proto ${p} dnat to ${endpointString(e)}`);
  }
  for (const [name, rules] of chains) tx.extraChains.push({ name, rules });
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const PATH_ORDER = (a: Path, b: Path): number =>
  a.keying.localeCompare(b.keying) || a.variant.localeCompare(b.variant) || a.proto.localeCompare(b.proto) || a.n - b.n;

/** The shared maps and chains: frontend → group, group → endpoints, one DNAT chain per path. */
function pathObjects(tx: Tx): { sets: CompactSet[]; chains: CompactChain[] } {
  const sets: CompactSet[] = [];
  for (const { x, elements } of tx.frontends.values()) {
    sets.push({ kind: "map", name: groupsMap(x), type: `typeof ${frontendKeyExpr(x)} : ip daddr`, elements });
  }
  const eps = [...tx.eps.values()].sort((a, b) => a.proto.localeCompare(b.proto) || a.n - b.n);
  sets.sort(byName);
  for (const m of eps) sets.push({ kind: "map", name: epsMap(m.proto, m.n), type: `typeof ip daddr . numgen random mod ${m.n} : ip daddr . ${m.proto} dport`, elements: m.elements });
  const chains: CompactChain[] = [];
  for (const x of [...tx.paths.values()].sort(PATH_ORDER)) {
    const name = pathChain(x);
    const rules = [
      `meta l4proto ${x.proto} ip daddr set ${frontendKeyExpr(x)} map @${groupsMap(x)}`,
      `meta l4proto ${x.proto} dnat ip to ip daddr . numgen random mod ${x.n} map @${epsMap(x.proto, x.n)}`,
    ];
    if (x.variant === "sc") {
      chains.push({ name, rules: [tx.cidr === undefined ? `jump ${MARK_MASQ}` : `ip saddr != ${tx.cidr} jump ${MARK_MASQ}`, ...rules] });
      continue;
    }
    chains.push({ name, rules });
    if (tx.wrappers.has(`masq-${name}`)) chains.push({ name: tx.wrap("masq", name), rules: [`jump ${MARK_MASQ}`, `goto ${name}`] });
    if (tx.wrappers.has(`clusterip-${name}`)) chains.push({ name: tx.wrap("clusterip", name), rules: [`ip saddr != ${tx.cidr ?? ""} jump ${MARK_MASQ}`, `goto ${name}`] });
  }
  return { sets, chains };
}

function skeleton(cidr: string | undefined, firewall: boolean): CompactChain[] {
  const bases = firewall && FIREWALL_BASE_CHAIN ? [FIREWALL_BASE_CHAIN, ...COMPACT_BASE_CHAINS] : COMPACT_BASE_CHAINS;
  const chains = new Map<string, CompactChain>(bases.map((b) => [b.name, { name: b.name, base: b, rules: [] }]));
  const rule = (chain: string, text: string): void => void chains.get(chain)?.rules.push(text);
  const add = (name: string, rules: string[]): void => void chains.set(name, { name, rules });
  const endpointsCheck = `ct state new ${DISPATCH} vmap @${NO_ENDPOINT_SERVICES}`;
  const clusterIpsCheck = `ct state new ip daddr @${CLUSTER_IPS} reject comment "Reject traffic to invalid ports of ClusterIPs"`;
  rule("filter-input", `ct state new ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @${NO_ENDPOINT_NODEPORTS}`);
  rule("filter-input", endpointsCheck);
  rule("filter-forward", endpointsCheck);
  rule("filter-forward", clusterIpsCheck);
  rule("filter-output", endpointsCheck);
  if (firewall) {
    rule("filter-prerouting", `ct state new jump ${FIREWALL_CHECK_CHAIN}`);
    rule("filter-output", `ct state new jump ${FIREWALL_CHECK_CHAIN}`);
    add(FIREWALL_CHECK_CHAIN, [`${DISPATCH} vmap @${FIREWALL_IPS_MAP}`]);
  }
  rule("filter-output-post-dnat", clusterIpsCheck);
  rule("nat-prerouting", `jump ${SERVICES}`);
  rule("nat-output", `jump ${SERVICES}`);
  rule("nat-postrouting", `ct status dnat ip saddr . ip daddr @${HAIRPIN} jump ${MARK_MASQ}`);
  rule("nat-postrouting", `jump ${MASQUERADING}`);
  const pods = cidr === undefined ? [] : [`ip saddr ${cidr} `];
  add(SERVICES, [
    ...pods.map((c) => `${c}${DISPATCH} vmap @${SHORTCUT_IPS}`),
    `fib saddr type local ${DISPATCH} vmap @${SHORTCUT_IPS}`,
    `${DISPATCH} vmap @${SERVICE_IPS}`,
    ...pods.map((c) => `${c}${NODEPORT_DISPATCH} vmap @${SHORTCUT_NODEPORTS}`),
    `fib saddr type local ${NODEPORT_DISPATCH} vmap @${SHORTCUT_NODEPORTS}`,
    `${NODEPORT_DISPATCH} vmap @${SERVICE_NODEPORTS}`,
  ]);
  add(MARK_MASQ, [`mark set mark or ${MASQUERADE_MARK}`]);
  add(MASQUERADING, [`mark and ${MASQUERADE_MARK} == 0 return`, `mark set mark xor ${MASQUERADE_MARK}`, "masquerade fully-random"]);
  add(REJECT_CHAIN, ["reject"]);
  return [...chains.values()];
}

/** The compact table for one node (`opts.nodeName` decides which endpoints are local). */
export function buildCompactTable(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): CompactTable {
  const tx = new Tx(opts);
  const fw = { elements: [] as string[], chains: [] as CompactChain[] };
  for (const s of snapshot) {
    const x = plan(s, opts.nodeName);
    writeDispatch(tx, x, opts);
    if (s.sessionAffinity) writeAffinityChains(tx, x, opts);
    writeFirewall(fw, x, opts);
  }
  const groups = pathObjects(tx);
  const firewall = fw.chains.length > 0;
  const fwMap: CompactSet[] = firewall ? [{ kind: "map", name: FIREWALL_IPS_MAP, type: "type ipv4_addr . inet_proto . inet_service : verdict", comment: "destinations that are subject to LoadBalancerSourceRanges", elements: fw.elements }] : [];
  return {
    family: COMPACT_TABLE_FAMILY,
    name: COMPACT_TABLE,
    sets: [...tx.sets.values(), ...fwMap, ...groups.sets, ...tx.extraSets],
    chains: [...skeleton(tx.cidr, firewall), ...groups.chains, ...tx.extraChains, ...fw.chains],
  };
}

/**
 * loadBalancerSourceRanges (rare, like session affinity): kube-proxy's own `firewall-ips` map
 * and per-Service `firewall-…` chain, reached from `filter-prerouting` / `filter-output`
 * (nftables.ts renders the same rule).
 */
function writeFirewall(fw: { elements: string[]; chains: CompactChain[] }, x: Plan, opts: ProxyOptions): void {
  const rule = firewallRule(x, opts);
  if (rule === undefined) return;
  const name = N.firewall(x.s);
  for (const ip of x.s.loadBalancerIPs.map(formatIp)) fw.elements.push(`${ip} . ${x.p} . ${x.s.port} : goto ${name}`);
  fw.chains.push({ name, rules: [rule] });
}

const T = "\t";

function printSet(s: CompactSet): string[] {
  const out = [`${T}${s.kind} ${s.name} {`, `${T}${T}${s.type}`];
  if (s.flags?.length) out.push(`${T}${T}flags ${s.flags.join(",")}`);
  if (s.timeoutSeconds !== undefined) out.push(`${T}${T}timeout ${s.timeoutSeconds}s`);
  if (s.comment) out.push(`${T}${T}comment "${s.comment}"`);
  if (s.elements.length > 0) out.push(`${T}${T}elements = { ${s.elements.join(`,\n${T}${T}${T}     `)} }`);
  out.push(`${T}}`);
  return out;
}

function printChain(c: CompactChain): string[] {
  const out = [`${T}chain ${c.name} {`];
  if (c.base) out.push(`${T}${T}type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; policy accept;`);
  for (const r of c.rules) out.push(`${T}${T}${r}`);
  out.push(`${T}}`);
  return out;
}

/** `nft -f` text of a compact table (the table block only). */
export function printCompactTable(t: CompactTable): string {
  const body = [`${T}comment "Services by kwire: kube-proxy semantics, compact layout"`, ...t.sets.flatMap(printSet), ...t.chains.flatMap(printChain)];
  return [`table ${t.family} ${t.name} {`, ...body, "}"].join("\n") + "\n";
}

/**
 * kube-proxy's Service semantics for one node as `nft -f` text, table `ip kwire-services`
 * (the benchmark and the lab load this; `renderNftables` is kube-proxy's own layout).
 */
export function renderCompactNftables(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): string {
  const head = `# kwire compact Service rules (kube-proxy semantics)${opts.nodeName ? ` on node ${opts.nodeName}` : ""}\n`;
  return head + printCompactTable(buildCompactTable(snapshot, opts));
}
