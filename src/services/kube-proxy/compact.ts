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
 * **IPv6** (`opts.family` 6): the same layout in table `ip6 kwire-services`, as kube-proxy's IPv6
 * proxier owns `ip6 kube-proxy`: `ip6 daddr`, `ipv6_addr` keys, `ip6 daddr != ::1`, and group
 * addresses in 100::/64, the IPv6 discard-only prefix (RFC 6666), instead of 0.0.0.0/8.
 *
 * Services with sessionAffinity ClientIP (rare) keep kube-proxy's per-Service layout — chains
 * `service-…` / `local-…` / `external-…` / `endpoint-…` and one `affinity-…` timeout set per
 * endpoint, named as kube-proxy names them — reached from the same dispatch maps.
 */
import { formatCidr, formatIp, type Ip } from "../../model/index.js";
import { goto, jump, printTable, ret, type AddrSet, type Chain, type DataMap, type Expr, type L4Proto, type Match, type NamedSet, type Statement, type Table, type Verdict, type VerdictElement } from "../../nft/index.js";
import { type ProxyEndpoint } from "./endpoints.js";
import { nftNames as N } from "./names.js";
import {
  BASE_CHAINS,
  CLUSTER_IPS_SET,
  CT_NEW,
  FIB_DADDR_LOCAL,
  FIB_SADDR_LOCAL,
  MARK_MASQ_CHAIN,
  MARK_MASQ_RULES,
  MASQUERADING_CHAIN,
  MASQUERADING_RULES,
  NO_ENDPOINT_NODEPORTS_MAP,
  NO_ENDPOINT_SERVICES_MAP,
  NODEPORT_DISPATCH,
  REJECT_CHAIN,
  REJECT_RULES,
  SERVICE_IPS_MAP,
  SERVICE_NODEPORTS_MAP,
  SERVICES_CHAIN,
  FIREWALL_CHECK_CHAIN,
  FIREWALL_IPS_MAP,
  addSetElement,
  addMapElement,
  addrIs,
  affinitySet,
  closeSet,
  openSet,
  type OpenChain,
  type OpenSet,
  endpointRules,
  familyParts,
  firewallRule,
  internalMasqueradeRule,
  plan,
  rule,
  serviceToEndpointRules,
  shortCircuitRules,
  vmap,
  type FamilyParts,
  type Plan,
} from "./nftables.js";
import { externallyAccessible, type ProxyOptions, type ServicePortInfo } from "./snapshot.js";

/** The IPv4 proxier's table family (the IPv6 one's is `ip6`: `familyParts`). */
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
export const COMPACT_BASE_CHAINS = BASE_CHAINS.filter((c) => c.name !== "filter-prerouting");
const FIREWALL_BASE_CHAIN = BASE_CHAINS.find((c) => c.name === "filter-prerouting");

/** How a frontend is keyed: by destination address and port, or by NodePort. */
type Keying = "ip" | "np";
/** `main`: the frontend's own endpoints; `sc`: kube-proxy's short-circuit to the Cluster endpoints. */
type Variant = "main" | "sc";

/** A DNAT path: (keying, variant, protocol, endpoint count) — one chain. */
interface Path {
  readonly keying: Keying;
  readonly variant: Variant;
  readonly proto: L4Proto;
  readonly n: number;
}

const pathChain = (x: Path): string => `${x.variant === "sc" ? "sc-" : ""}${x.keying}-${x.proto}-${x.n}`;
/** The frontend → group-address map of a path's (keying, variant, protocol). */
const groupsMap = (x: Omit<Path, "n">): string => `groups-${x.variant === "sc" ? "sc-" : ""}${x.keying}-${x.proto}`;
const epsMap = (proto: string, n: number): string => `eps-${proto}-${n}`;
/** `ip daddr . tcp dport` / `tcp dport`: the key of a frontend. */
const frontendKey = (x: Pick<Path, "keying" | "proto">, f: FamilyParts): Expr[] => [...(x.keying === "ip" ? [f.addr("daddr")] : []), { type: "dport", protocol: x.proto }];

/**
 * Group g's address: 0.x.y.z (0.0.0.0/8 is never routed, so a packet that kept it goes nowhere);
 * IPv6: 100::g in the discard-only prefix 100::/64 (RFC 6666).
 */
const groupAddress = (g: number, family: 4 | 6): string =>
  family === 4 ? `0.${(g >> 16) & 255}.${(g >> 8) & 255}.${g & 255}` : formatIp({ family: 6, value: (0x100n << 112n) | BigInt(g) });

class Tx {
  readonly claimed = new Set<string>();
  /** Endpoint list (`proto ip:port,…`) → its group address. */
  readonly groups = new Map<string, string>();
  /** `eps-<p>-<n>` elements. */
  readonly eps = new Map<string, { proto: L4Proto; n: number; elements: DataMap["elements"][number][] }>();
  /** `groups-…` elements. */
  readonly frontends = new Map<string, { x: Omit<Path, "n">; elements: DataMap["elements"][number][] }>();
  readonly paths = new Map<string, Path>();
  /** `masq-<path>` / `clusterip-<path>` chains in use. */
  readonly wrappers = new Set<string>();
  readonly sets = new Map<string, OpenSet>();
  /** Per-Service (session affinity) objects, in snapshot order, after the shared ones. */
  readonly extraSets: NamedSet[] = [];
  readonly extraChains: Chain[] = [];
  private readonly seen = new Map<string, Set<string>>();
  private readonly ipText = new Map<bigint, string>();
  /** --cluster-cidr as text. */
  readonly cidr: string | undefined;
  readonly f: FamilyParts;

  constructor(opts: ProxyOptions) {
    this.cidr = opts.clusterCIDR ? formatCidr(opts.clusterCIDR) : undefined;
    const f = (this.f = familyParts(opts.family));
    const set = (name: string, addrType: AddrSet["addrType"], comment: string): void => void this.sets.set(name, openSet({ kind: "set", name, addrType, comment }));
    const map = (name: string, addrType: AddrSet["addrType"], comment: string): void => void this.sets.set(name, openSet({ kind: "vmap", name, addrType, comment }));
    set(CLUSTER_IPS, f.addrType, "Active ClusterIPs");
    set(HAIRPIN, f.pairType, "endpoint . endpoint: a pod reaching itself through a Service is masqueraded");
    map(NO_ENDPOINT_SERVICES, f.dispatchType, "vmap to drop or reject packets to services with no endpoints");
    map(NO_ENDPOINT_NODEPORTS, "inet_proto . inet_service", "vmap to drop or reject packets to service nodeports with no endpoints");
    map(SERVICE_IPS, f.dispatchType, "ClusterIP, ExternalIP and LoadBalancer IP traffic");
    map(SHORTCUT_IPS, f.dispatchType, "externalTrafficPolicy Local: local (or pod) sources short-circuit to all endpoints");
    map(SERVICE_NODEPORTS, "inet_proto . inet_service", "NodePort traffic");
    map(SHORTCUT_NODEPORTS, "inet_proto . inet_service", "externalTrafficPolicy Local NodePorts: local (or pod) sources short-circuit to all endpoints");
  }

  ip(ip: Ip): string {
    let t = this.ipText.get(ip.value);
    if (t === undefined) this.ipText.set(ip.value, (t = formatIp(ip)));
    return t;
  }

  /** Whether `key` is new in `set` (the first of equal keys wins; later duplicates are dropped). */
  private fresh(set: string, key: string): boolean {
    let keys = this.seen.get(set);
    if (!keys) this.seen.set(set, (keys = new Set()));
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  }

  setElement(set: string, key: string): void {
    if (this.fresh(set, key)) addSetElement(this.sets.get(set), key);
  }

  mapElement(map: string, key: string, verdict: Verdict, comment?: string): void {
    if (this.fresh(map, key)) addMapElement(this.sets.get(map), key, verdict, comment);
  }

  /**
   * One frontend's endpoints: the list's group (created on first use: n elements of `eps-<p>-<n>`)
   * and the frontend's element in its `groups-…` map. Returns the path's DNAT chain.
   */
  endpoints(keying: Keying, variant: Variant, proto: L4Proto, key: string, eps: readonly ProxyEndpoint[]): string {
    const n = eps.length;
    const list = `${proto} ${eps.map((e) => `${this.ip(e.ip)}:${e.port}`).join(",")}`;
    let addr = this.groups.get(list);
    if (addr === undefined) {
      this.groups.set(list, (addr = groupAddress(this.groups.size + 1, this.f.family)));
      let m = this.eps.get(epsMap(proto, n));
      if (!m) this.eps.set(epsMap(proto, n), (m = { proto, n, elements: [] }));
      for (let i = 0; i < n; i++) {
        const e = eps[i];
        if (e) m.elements.push({ key: `${addr} . ${i}`, value: `${this.ip(e.ip)} . ${e.port}` });
      }
    }
    const fx = { keying, variant, proto };
    let f = this.frontends.get(groupsMap(fx));
    if (!f) this.frontends.set(groupsMap(fx), (f = { x: fx, elements: [] }));
    f.elements.push({ key, value: addr });
    const path: Path = { keying, variant, proto, n };
    this.paths.set(pathChain(path), path);
    return pathChain(path);
  }

  /** A chain that masquerades (`masq-…`: always; `clusterip-…`: unless from --cluster-cidr), then goes to `chain`. */
  wrap(kind: "masq" | "clusterip", chain: string): string {
    this.wrappers.add(`${kind}-${chain}`);
    return kind === "masq" ? `masq-${chain}` : `clusterip-${chain.replace(/^ip-/, "")}`;
  }

  /** `[ip saddr != <cluster-cidr>] jump mark-for-masquerade`: masquerade sources outside --cluster-cidr (all without one). */
  masqueradeOutsidePods(): Statement {
    return rule(this.cidr === undefined ? [] : [addrIs("saddr", this.cidr, true)], jump(MARK_MASQ));
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
  tx.setElement(CLUSTER_IPS, cip);

  if (x.hasInternal) {
    if (!tx.claimed.has(`ip ${ipKey(cip)}`)) {
      tx.claimed.add(`ip ${ipKey(cip)}`);
      const target = affinity ? (s.internalPolicyLocal ? N.local(s) : N.cluster(s)) : internalTarget(tx, p, `${cip} . ${s.port}`, internalEps, opts);
      tx.mapElement(SERVICE_IPS, ipKey(cip), goto(target));
    }
  } else tx.mapElement(NO_ENDPOINT_SERVICES, ipKey(cip), x.internalVerdict, s.nameString);

  const external = (keying: Keying, key: string, groupKey: string, map: string, shortcutMap: string, noEndpointMap: string): void => {
    if (cat.hasEndpoints && !tx.claimed.has(`${keying} ${key}`)) {
      tx.claimed.add(`${keying} ${key}`);
      let verdict: Verdict | undefined;
      if (affinity) verdict = goto(N.external(s));
      else if (x.hasExternal) {
        const chain = tx.endpoints(keying, "main", p, groupKey, externalEps);
        verdict = goto(s.externalPolicyLocal ? chain : tx.wrap("masq", chain));
      } else if (keying === "ip") verdict = ret;
      if (verdict !== undefined) tx.mapElement(map, key, verdict);
      if (shortcut) tx.mapElement(shortcutMap, key, goto(tx.endpoints(keying, "sc", p, groupKey, cat.clusterEndpoints)));
    }
    if (!x.hasExternal) tx.mapElement(noEndpointMap, key, x.internalVerdict, s.nameString);
  };
  for (const ip of [...s.externalIPs, ...s.loadBalancerIPs].map(formatIp)) external("ip", ipKey(ip), `${ip} . ${s.port}`, SERVICE_IPS, SHORTCUT_IPS, NO_ENDPOINT_SERVICES);
  if (s.nodePort !== 0) external("np", `${p} . ${s.nodePort}`, `${s.nodePort}`, SERVICE_NODEPORTS, SHORTCUT_NODEPORTS, NO_ENDPOINT_NODEPORTS);

  // Hairpin: kube-proxy masquerades when the chosen endpoint is the source. Sources DNATed here are
  // this node's pods (and the node): its endpoints suffice, plus — with --cluster-cidr — the
  // Cluster endpoints that remote pods reach through an externalTrafficPolicy=Local short-circuit.
  const here = (e: ProxyEndpoint): boolean => opts.nodeName === undefined || e.nodeName === undefined || e.nodeName === opts.nodeName;
  const viaPodShortcut = tx.cidr !== undefined && s.externalPolicyLocal && cat.hasEndpoints && externallyAccessible(s);
  for (const e of viaPodShortcut ? cat.allLocallyReachable : cat.allLocallyReachable.filter(here)) tx.setElement(HAIRPIN, `${tx.ip(e.ip)} . ${tx.ip(e.ip)}`);
}

/** ClusterIP path: masquerade as --masquerade-all / --cluster-cidr say, then DNAT. */
function internalTarget(tx: Tx, p: L4Proto, groupKey: string, eps: readonly ProxyEndpoint[], opts: ProxyOptions): string {
  const chain = tx.endpoints("ip", "main", p, groupKey, eps);
  if (opts.masqueradeAll) return tx.wrap("masq", chain);
  return tx.cidr === undefined ? chain : tx.wrap("clusterip", chain);
}

/**
 * sessionAffinity ClientIP: kube-proxy's per-Service chains and affinity sets, written by
 * nftables.ts's own rule builders (without the per-endpoint hairpin rule: `hairpin` covers it).
 */
function writeAffinityChains(tx: Tx, x: Plan, opts: ProxyOptions): void {
  const { s, cat } = x;
  const chains = new Map<string, OpenChain>();
  const add = (name: string, ...statements: readonly Statement[]): void => {
    let c = chains.get(name);
    if (!c) chains.set(name, (c = { name, statements: [] }));
    c.statements.push(...statements);
  };
  for (const e of cat.allLocallyReachable) tx.extraSets.push({ ...affinitySet(s, e), elements: [] });
  const toEndpoints = (name: string, eps: readonly ProxyEndpoint[]): void => {
    if (eps.length > 0) add(name, ...serviceToEndpointRules(s, eps));
  };
  if (x.hasInternal) {
    const r = internalMasqueradeRule(x, opts);
    if (r !== undefined) add(s.internalPolicyLocal ? N.local(s) : N.cluster(s), r);
  }
  toEndpoints(N.cluster(s), cat.clusterEndpoints);
  toEndpoints(N.local(s), cat.localEndpoints);
  if (cat.hasEndpoints && externallyAccessible(s)) {
    const ext = N.external(s);
    add(ext);
    if (!s.externalPolicyLocal) add(ext, rule([], jump(MARK_MASQ)));
    else if (cat.clusterEndpoints.length > 0) add(ext, ...shortCircuitRules(s, opts));
    if (x.hasExternal) add(ext, rule([], goto(s.externalPolicyLocal ? N.local(s) : N.cluster(s))));
  }
  for (const e of cat.allLocallyReachable) add(N.endpoint(s, e), ...endpointRules(x, e));
  tx.extraChains.push(...chains.values());
}

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const PATH_ORDER = (a: Path, b: Path): number =>
  a.keying.localeCompare(b.keying) || a.variant.localeCompare(b.variant) || a.proto.localeCompare(b.proto) || a.n - b.n;

/** The shared maps and chains: frontend → group, group → endpoints, one DNAT chain per path. */
function pathObjects(tx: Tx): { sets: DataMap[]; chains: Chain[] } {
  const f = tx.f;
  const daddr: Expr = f.addr("daddr");
  const sets: DataMap[] = [];
  for (const { x, elements } of tx.frontends.values()) sets.push({ kind: "map", name: groupsMap(x), key: frontendKey(x, f), value: [daddr], elements });
  const eps = [...tx.eps.values()].sort((a, b) => a.proto.localeCompare(b.proto) || a.n - b.n);
  sets.sort(byName);
  for (const m of eps) sets.push({ kind: "map", name: epsMap(m.proto, m.n), key: [daddr, { type: "numgen", mod: m.n }], value: [daddr, { type: "dport", protocol: m.proto }], elements: m.elements });
  const chains: Chain[] = [];
  for (const x of [...tx.paths.values()].sort(PATH_ORDER)) {
    const name = pathChain(x);
    const proto: Match = { type: "l4proto", protocol: x.proto };
    const statements = [
      rule([proto], undefined, undefined, [{ type: "addr-set-map", field: "daddr", key: frontendKey(x, f), map: groupsMap(x), ...f.tag }]),
      rule([proto], undefined, undefined, [{ type: "dnat-map", key: [daddr, { type: "numgen", mod: x.n }], map: epsMap(x.proto, x.n), ...f.tag }]),
    ];
    if (x.variant === "sc") {
      chains.push({ name, statements: [tx.masqueradeOutsidePods(), ...statements] });
      continue;
    }
    chains.push({ name, statements });
    if (tx.wrappers.has(`masq-${name}`)) chains.push({ name: tx.wrap("masq", name), statements: [rule([], jump(MARK_MASQ)), rule([], goto(name))] });
    if (tx.wrappers.has(`clusterip-${name}`)) chains.push({ name: tx.wrap("clusterip", name), statements: [tx.masqueradeOutsidePods(), rule([], goto(name))] });
  }
  return { sets, chains };
}

function skeleton(cidr: string | undefined, firewall: boolean, f: FamilyParts): Chain[] {
  const bases = firewall && FIREWALL_BASE_CHAIN ? [FIREWALL_BASE_CHAIN, ...COMPACT_BASE_CHAINS] : COMPACT_BASE_CHAINS;
  const chains = new Map<string, OpenChain>(bases.map((b) => [b.name, { name: b.name, base: b.base, statements: [] }]));
  const add = (chain: string, ...statements: readonly Statement[]): void => {
    let c = chains.get(chain);
    if (!c) chains.set(chain, (c = { name: chain, statements: [] }));
    c.statements.push(...statements);
  };
  const DISPATCH = f.dispatch;
  const endpointsCheck = vmap([CT_NEW], DISPATCH, NO_ENDPOINT_SERVICES);
  const clusterIpsCheck = rule([CT_NEW, { type: "addr", field: "daddr", set: CLUSTER_IPS, ...f.tag }], undefined, "Reject traffic to invalid ports of ClusterIPs", [{ type: "reject" }]);
  add("filter-input", vmap([CT_NEW, f.notLocalhost], NODEPORT_DISPATCH, NO_ENDPOINT_NODEPORTS));
  add("filter-input", endpointsCheck);
  add("filter-forward", endpointsCheck);
  add("filter-forward", clusterIpsCheck);
  add("filter-output", endpointsCheck);
  if (firewall) {
    add("filter-prerouting", rule([CT_NEW], jump(FIREWALL_CHECK_CHAIN)));
    add("filter-output", rule([CT_NEW], jump(FIREWALL_CHECK_CHAIN)));
    add(FIREWALL_CHECK_CHAIN, vmap([], DISPATCH, FIREWALL_IPS_MAP));
  }
  add("filter-output-post-dnat", clusterIpsCheck);
  add("nat-prerouting", rule([], jump(SERVICES)));
  add("nat-output", rule([], jump(SERVICES)));
  add("nat-postrouting", rule([{ type: "ct-status", status: "dnat" }, { type: "addr-pair", set: HAIRPIN, ...f.tag }], jump(MARK_MASQ)));
  add("nat-postrouting", rule([], jump(MASQUERADING)));
  const pods: Match[][] = cidr === undefined ? [] : [[addrIs("saddr", cidr)]];
  const nodePort = [FIB_DADDR_LOCAL, f.notLocalhost];
  add(
    SERVICES,
    ...pods.map((c) => vmap(c, DISPATCH, SHORTCUT_IPS)),
    vmap([FIB_SADDR_LOCAL], DISPATCH, SHORTCUT_IPS),
    vmap([], DISPATCH, SERVICE_IPS),
    ...pods.map((c) => vmap([...c, ...nodePort], NODEPORT_DISPATCH, SHORTCUT_NODEPORTS)),
    vmap([FIB_SADDR_LOCAL, ...nodePort], NODEPORT_DISPATCH, SHORTCUT_NODEPORTS),
    vmap(nodePort, NODEPORT_DISPATCH, SERVICE_NODEPORTS),
  );
  add(MARK_MASQ, ...MARK_MASQ_RULES);
  add(MASQUERADING, ...MASQUERADING_RULES);
  add(REJECT_CHAIN, ...REJECT_RULES);
  return [...chains.values()];
}

/** The compact table for one node (`opts.nodeName` decides which endpoints are local) and one proxier family (`opts.family`). */
export function buildCompactTable(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): Table {
  const tx = new Tx(opts);
  const fw = { elements: [] as VerdictElement[], chains: [] as Chain[] };
  for (const s of snapshot) {
    const x = plan(s, opts.nodeName);
    writeDispatch(tx, x, opts);
    if (s.sessionAffinity) writeAffinityChains(tx, x, opts);
    writeFirewall(fw, x, opts);
  }
  const groups = pathObjects(tx);
  const firewall = fw.chains.length > 0;
  const fwMap: NamedSet[] = firewall ? [{ kind: "vmap", name: FIREWALL_IPS_MAP, addrType: tx.f.dispatchType, comment: "destinations that are subject to LoadBalancerSourceRanges", elements: fw.elements }] : [];
  return {
    family: tx.f.table,
    name: COMPACT_TABLE,
    comment: "Services by kwire: kube-proxy semantics, compact layout",
    layout: "nft-list",
    sets: [...[...tx.sets.values()].map(closeSet), ...fwMap, ...groups.sets, ...tx.extraSets],
    chains: [...skeleton(tx.cidr, firewall, tx.f), ...groups.chains, ...tx.extraChains, ...fw.chains],
  };
}

/**
 * loadBalancerSourceRanges (rare, like session affinity): kube-proxy's own `firewall-ips` map
 * and per-Service `firewall-…` chain, reached from `filter-prerouting` / `filter-output`
 * (nftables.ts writes the same rule).
 */
function writeFirewall(fw: { elements: VerdictElement[]; chains: Chain[] }, x: Plan, opts: ProxyOptions): void {
  const r = firewallRule(x, opts);
  if (r === undefined) return;
  const name = N.firewall(x.s);
  for (const ip of x.s.loadBalancerIPs.map(formatIp)) fw.elements.push({ key: `${ip} . ${x.p} . ${x.s.port}`, verdict: goto(name) });
  fw.chains.push({ name, statements: [r] });
}

/**
 * kube-proxy's Service semantics for one node as `nft -f` text, table `ip kwire-services`
 * (the benchmark and the lab load this; `renderNftables` is kube-proxy's own layout).
 */
export function renderCompactNftables(snapshot: readonly ServicePortInfo[], opts: ProxyOptions): string {
  const head = `# kwire compact Service rules (kube-proxy semantics)${opts.nodeName ? ` on node ${opts.nodeName}` : ""}\n`;
  return head + printTable(buildCompactTable(snapshot, opts));
}
