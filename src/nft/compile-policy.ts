/**
 * @module nft/compile-policy
 * NetworkPolicy (model) → the `inet kwire` table of one node, as a pure function of an immutable
 * snapshot (kube-proxy renders the same way). Layout (README.md has the picture):
 *  - base chain `forward` (hook forward, priority filter, policy accept):
 *    `ct state established,related accept`, then `ip saddr vmap @egress-pods`, then
 *    `ip daddr vmap @ingress-pods` — each map sends a local isolated pod to its chain;
 *  - an egress chain per isolated pod: one `return` per allowed (peers, ports), then `drop`;
 *  - an ingress chain per isolated pod: one `accept` per allowed (peers, ports), then `drop`;
 *  - peers are named interval sets of IPv4 addresses/CIDRs (ipBlock = cidr minus except), shared by
 *    content. Named ports resolve against the destination pod: in ingress chains that is the chain's
 *    pod; in egress chains the peer pods are grouped by what the name resolves to.
 * Chains with identical content are shared. Semantics come from `policy/semantics.ts`, so the table
 * and the engines read the API text the same way. IPv6 peers are left out (lab pods are IPv4).
 *
 * Load cost, measured on nft 1.0.6 / kernel 6.18: the kernel finds a rule's set by a linear scan
 * of the table's sets, and every anonymous set is one more set. So port lists are named sets shared
 * by content, hairpin is one rule over a pair set (not a rule per pod), and single addresses are
 * inline. A policy can also be split into namespace shards (`compilePolicyTables` with `shards`),
 * each its own table with only the sets its chains use; measured, that gained little, so it is opt-in.
 */
import {
  EMPTY_PORTS,
  pushTo,
  ipSetToCidrs,
  formatCidr,
  normalizeIntervals,
  portSetKey,
  PROTOCOLS,
  unionPorts,
  MIN_PORT,
  MAX_PORT,
  type Interval,
  selectorMatches,
  formatSelector,
  type NetworkPolicy,
  type Peer,
  type PolicyRule,
  type PolicyType,
  type PortSet,
} from "../model/index.js";
import { peerMatchesPod, policyIsolates, policySelects, resolvePort, resolveRulePorts, type PodIdentity } from "../policy/index.js";
import { accept, drop, jump, ret, type AddrSet, type Chain, type Match, type Statement, type Table, type Verdict, type VerdictMap, type L4Proto } from "./ast.js";
import {
  EGRESS_CHAIN_PREFIX,
  EGRESS_MAP,
  FORWARD_CHAIN,
  HAIRPIN_SET,
  hashAndTruncate,
  INGRESS_CHAIN_PREFIX,
  INGRESS_MAP,
  MAX_SHARDS,
  peerSetName,
  portSetName,
  shardTableName,
  TABLE_FAMILY,
  TABLE_NAME,
} from "./names.js";

/** A pod as the compiler needs it: the policy identity plus where it runs. */
export interface NftPod extends PodIdentity {
  /** `namespace/name` */
  readonly id: string;
  /** The node (lab node name) the pod runs on. */
  readonly node: string;
}

export interface PolicyInput {
  readonly policies: readonly NetworkPolicy[];
  readonly pods: readonly NftPod[];
}

const V4_MAX = (1n << 32n) - 1n;

/** IPv4 intervals → sorted set elements (`10.0.1.2`, `10.0.2.0/24`). */
export function elementsOf(intervals: readonly Interval[]): string[] {
  return ipSetToCidrs({ family: 4, intervals: normalizeIntervals(intervals) }).map((c) => (c.prefix === 32 ? formatCidr(c).slice(0, -3) : formatCidr(c)));
}

const v4 = (p: PodIdentity): bigint[] => p.ips.filter((ip) => ip.family === 4).map((ip) => ip.value);
const policyKey = (p: NetworkPolicy): string => `${p.namespace}/${p.name}`;
const PROTO: Readonly<Record<(typeof PROTOCOLS)[number], L4Proto>> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };

/** Port matches of a port set: one list per protocol present; [] for "no port condition". */
export function portMatches(ports: PortSet, anyProtocol: boolean): Match[][] {
  if (anyProtocol) return [[]];
  const out: Match[][] = [];
  for (const proto of PROTOCOLS) {
    const rs = ports[proto];
    if (rs.length === 0) continue;
    const full = rs.length === 1 && rs[0]?.from === MIN_PORT && rs[0]?.to === MAX_PORT;
    const l4: Match = { type: "l4proto", protocol: PROTO[proto] };
    out.push(full ? [l4] : [l4, { type: "dport", ranges: rs.map((r) => ({ from: r.from, to: r.to })) }]);
  }
  return out;
}

/** Pods of one namespace with equal labels (and hostNetwork): every selector treats them alike. */
interface PodGroup {
  readonly rep: NftPod;
  readonly pods: NftPod[];
}

const labelsKey = (p: NftPod): string => {
  const keys = Object.keys(p.labels).sort();
  let k = p.hostNetwork ? "H" : "P";
  for (const key of keys) k += `\u0000${key}\u0001${p.labels[key] ?? ""}`;
  return k;
};

function groupPods(pods: readonly NftPod[]): Map<string, PodGroup[]> {
  const byNs = new Map<string, Map<string, PodGroup>>();
  for (const pod of pods) {
    let groups = byNs.get(pod.namespace);
    if (groups === undefined) byNs.set(pod.namespace, (groups = new Map()));
    const key = labelsKey(pod);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { rep: pod, pods: [pod] });
    else g.pods.push(pod);
  }
  return new Map([...byNs].map(([ns, groups]) => [ns, [...groups.values()]]));
}

/** Shared state of one compilation: peer and port sets by content, cached per-rule work. */
class Builder {
  readonly sets = new Map<string, AddrSet>();
  readonly chains = new Map<string, Chain>();
  /** The namespace of the pods each chain serves (policies are namespaced, so it is unique). */
  readonly chainNamespace = new Map<string, string>();
  private readonly peerCache = new Map<string, Interval[] | "all">();
  private readonly egressCache = new Map<string, Statement[]>();

  /** Pods grouped by namespace and label set: selectors are evaluated per group, not per pod. */
  readonly groups: Map<string, PodGroup[]>;
  constructor(readonly input: PolicyInput) {
    this.groups = groupPods(input.pods);
  }

  /** Groups a pod peer can match: its namespace's, or those of namespaces the namespaceSelector picks. */
  private candidateGroups(peer: Peer & { type: "Pods" }, policyNs: string): readonly PodGroup[] {
    if (peer.namespaces.type === "PolicyNamespace") return this.groups.get(policyNs) ?? [];
    const sel = peer.namespaces.selector;
    const out: PodGroup[] = [];
    for (const groups of this.groups.values()) if (groups[0] !== undefined && selectorMatches(sel, groups[0].rep.namespaceLabels)) out.push(...groups);
    return out;
  }

  /** Pods matched by any of `peers` (each pod once). */
  matchedPods(peers: readonly Peer[], policyNs: string): NftPod[] {
    const seen = new Set<NftPod>();
    for (const peer of peers) {
      if (peer.type === "IPBlock") {
        for (const pod of this.input.pods) if (!seen.has(pod) && peerMatchesPod(peer, policyNs, pod)) seen.add(pod);
        continue;
      }
      for (const g of this.candidateGroups(peer, policyNs)) if (peerMatchesPod(peer, policyNs, g.rep)) for (const pod of g.pods) seen.add(pod);
    }
    return [...seen];
  }

  /** Intervals of every address a rule's peers match (pods by IP, ipBlocks as sets); "all" for no peers. */
  peerIntervals(p: NetworkPolicy, dir: PolicyType, index: number, rule: PolicyRule): Interval[] | "all" {
    const key = `${policyKey(p)}/${dir}/${index}`;
    const hit = this.peerCache.get(key);
    if (hit !== undefined) return hit;
    let out: Interval[] | "all" = "all";
    if (rule.peers !== "All") {
      const only = rule.peers.length === 1 ? rule.peers[0] : undefined;
      if (only?.type === "Pods") out = this.podPeerIntervals(only, p.namespace);
      else {
        const ivs: Interval[] = [];
        for (const peer of rule.peers) {
          if (peer.type === "IPBlock") {
            if (peer.set.family === 4) ivs.push(...peer.set.intervals);
            continue;
          }
          for (const iv of this.podPeerIntervals(peer, p.namespace)) ivs.push(iv);
        }
        out = normalizeIntervals(ivs);
      }
    }
    this.peerCache.set(key, out);
    return out;
  }

  /** Addresses of the pods one pod peer matches, normalized; equal peers (same text, same namespace) share the work. */
  private readonly podPeerCache = new Map<string, Interval[]>();
  private podPeerIntervals(peer: Peer & { type: "Pods" }, policyNs: string): Interval[] {
    const nsKey = peer.namespaces.type === "PolicyNamespace" ? `=${policyNs}` : `~${formatSelector(peer.namespaces.selector)}`;
    const key = `${nsKey}\u0000${formatSelector(peer.pods)}`;
    const hit = this.podPeerCache.get(key);
    if (hit !== undefined) return hit;
    const ivs: Interval[] = [];
    for (const pod of this.matchedPods([peer], policyNs)) for (const v of v4(pod)) ivs.push({ lo: v, hi: v });
    const out = normalizeIntervals(ivs);
    this.podPeerCache.set(key, out);
    return out;
  }

  /** Set elements of an interval list; lists are shared (per peer), so are their elements. */
  private readonly elementsCache = new WeakMap<Interval[], string[]>();

  /** An address match on `field` for these intervals; undefined when nothing can match. */
  addrMatch(field: "saddr" | "daddr", ivs: Interval[] | "all", owner: string): Match[] | undefined {
    if (ivs === "all") return [];
    if (ivs.length === 0) return undefined;
    if (ivs.length === 1 && ivs[0]?.lo === 0n && ivs[0]?.hi === V4_MAX) return [];
    let elements = this.elementsCache.get(ivs);
    if (elements === undefined) this.elementsCache.set(ivs, (elements = elementsOf(ivs)));
    if (elements.length === 1) return [{ type: "addr-literal", field, elements }];
    const name = peerSetName(elements);
    if (!this.sets.has(name)) this.sets.set(name, { name, addrType: "ipv4_addr", elements, comment: owner });
    return [{ type: "addr", field, set: name }];
  }

  /** Port lists of more than one range become a named set shared by content (no anonymous sets). */
  private namedPorts(m: Match): Match {
    if (m.type !== "dport" || m.ranges.length < 2) return m;
    const elements = m.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
    const name = portSetName(elements);
    if (!this.sets.has(name)) this.sets.set(name, { name, addrType: "inet_service", elements });
    return { type: "dport-set", set: name };
  }

  statements(addr: Match[] | undefined, ports: PortSet, anyProtocol: boolean, verdict: Verdict, comment: string): Statement[] {
    if (addr === undefined) return [];
    return portMatches(ports, anyProtocol).map((pm) => ({ type: "rule", matches: [...addr, ...pm.map((m) => this.namedPorts(m))], verdict, comment }));
  }

  private readonly ingressAddr = new Map<string, Match[] | undefined>();

  ingressRule(p: NetworkPolicy, index: number, rule: PolicyRule, pod: NftPod): Statement[] {
    const owner = `${policyKey(p)} ingress[${index}]`;
    let addr = this.ingressAddr.get(owner);
    if (addr === undefined && !this.ingressAddr.has(owner)) {
      addr = this.addrMatch("saddr", this.peerIntervals(p, "Ingress", index, rule), owner);
      this.ingressAddr.set(owner, addr);
    }
    return this.statements(addr, resolveRulePorts(rule, pod.ports), rule.ports === "All", accept, owner);
  }

  /** Egress statements of a rule: the same for every source pod, so cached per rule. */
  egressRule(p: NetworkPolicy, index: number, rule: PolicyRule): Statement[] {
    const owner = `${policyKey(p)} egress[${index}]`;
    const hit = this.egressCache.get(owner);
    if (hit !== undefined) return hit;
    const peers = this.peerIntervals(p, "Egress", index, rule);
    const out: Statement[] = [];
    if (rule.ports === "All" || !rule.ports.some((x) => x.port.type === "Named")) {
      out.push(...this.statements(this.addrMatch("daddr", peers, owner), resolveRulePorts(rule, undefined), rule.ports === "All", ret, owner));
    } else {
      let fixed = EMPTY_PORTS;
      for (const x of rule.ports) if (x.port.type !== "Named") fixed = unionPorts(fixed, resolvePort(x, undefined));
      out.push(...this.statements(this.addrMatch("daddr", peers, owner), fixed, false, ret, owner));
      for (const g of this.namedGroups(p, rule)) {
        out.push(...this.statements(this.addrMatch("daddr", g.ivs, owner), g.ports, false, ret, `${owner} (named port)`));
      }
    }
    this.egressCache.set(owner, out);
    return out;
  }

  /** Destination pods a rule's peers match, grouped by what its named ports resolve to on them. */
  private namedGroups(p: NetworkPolicy, rule: PolicyRule): { ivs: Interval[]; ports: PortSet }[] {
    const groups = new Map<string, { ivs: Interval[]; ports: PortSet }>();
    const named = rule.ports === "All" ? [] : rule.ports.filter((x) => x.port.type === "Named");
    for (const pod of rule.peers === "All" ? this.input.pods : this.matchedPods(rule.peers, p.namespace)) {
      let ports = EMPTY_PORTS;
      for (const x of named) ports = unionPorts(ports, resolvePort(x, pod.ports));
      const key = portSetKey(ports);
      if (key === portSetKey(EMPTY_PORTS)) continue;
      const g = groups.get(key) ?? { ivs: [], ports };
      for (const v of v4(pod)) g.ivs.push({ lo: v, hi: v });
      groups.set(key, g);
    }
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => ({ ivs: normalizeIntervals(g.ivs), ports: g.ports }));
  }

  /** The chain for a pod isolated in `dir`, shared with every pod whose chain has the same content. */
  private readonly chainOf = new Map<string, string>();

  podChain(pod: NftPod, dir: PolicyType, selecting: readonly NetworkPolicy[]): string {
    // The content depends only on the selecting policies and, for ingress, on the pod's ports.
    const memo = `${dir}|${selecting.map(policyKey).join(",")}|${dir === "Ingress" ? pod.ports.map((c) => `${c.name ?? ""}/${c.protocol}/${c.containerPort}`).join(",") : ""}`;
    const known = this.chainOf.get(memo);
    if (known !== undefined) return known;
    const name = this.buildChain(pod, dir, selecting);
    this.chainOf.set(memo, name);
    return name;
  }

  private buildChain(pod: NftPod, dir: PolicyType, selecting: readonly NetworkPolicy[]): string {
    const body: Statement[] = [];
    for (const p of selecting) {
      const rules = dir === "Ingress" ? p.ingress : p.egress;
      rules.forEach((rule, i) => body.push(...(dir === "Ingress" ? this.ingressRule(p, i, rule, pod) : this.egressRule(p, i, rule))));
    }
    const names = selecting.map(policyKey);
    body.push({ type: "rule", matches: [], verdict: drop, comment: `${dir.toLowerCase()} isolated by ${names.join(", ")}` });
    const key = `${dir}\n${JSON.stringify(body)}`;
    const prefix = dir === "Ingress" ? INGRESS_CHAIN_PREFIX : EGRESS_CHAIN_PREFIX;
    const name = hashAndTruncate(prefix, `${pod.namespace}-${selecting[0]?.name ?? ""}`, key);
    if (!this.chains.has(name)) {
      this.chains.set(name, { name, comment: `${dir} of pods selected by ${names.join(", ")}`, statements: body });
      this.chainNamespace.set(name, pod.namespace);
    }
    return name;
  }
}

const ipText = (v: bigint): string => elementsOf([{ lo: v, hi: v }])[0] ?? "";

function forwardChain(hairpin: boolean): Chain {
  return {
    name: FORWARD_CHAIN,
    base: { type: "filter", hook: "forward", priority: 0, policy: "accept" },
    statements: [
      { type: "rule", matches: [{ type: "ct-state", states: ["established", "related"] }], verdict: accept, comment: "replies and related traffic of admitted connections" },
      // A pod reaching itself through a Service (hairpin: DNAT picked its own address) is never
      // policed, as the model says (a pod may always reach itself); without this its own egress or
      // ingress isolation would drop it. nft cannot compare saddr with daddr, so: a set of pairs.
      ...(hairpin ? [{ type: "rule", matches: [{ type: "addr-pair", set: HAIRPIN_SET }], verdict: accept, comment: "hairpin: an isolated pod to itself" } satisfies Statement] : []),
      { type: "vmap", field: "saddr", map: EGRESS_MAP, comment: "egress policy of local pods" },
      { type: "vmap", field: "daddr", map: INGRESS_MAP, comment: "ingress policy of local pods" },
    ],
  };
}

/** What the compiler decided for the node, before it is cut into tables. */
interface NodePolicy {
  readonly b: Builder;
  /** Local pods isolated in some direction, with the chain per direction. */
  readonly isolated: readonly { pod: NftPod; Egress?: string; Ingress?: string }[];
}

function compileNode(input: PolicyInput, node: string): NodePolicy {
  const b = new Builder(input);
  const byNs = new Map<string, NetworkPolicy[]>();
  for (const p of [...input.policies].sort((x, y) => (policyKey(x) < policyKey(y) ? -1 : 1))) pushTo(byNs, p.namespace, p);
  const local = input.pods.filter((p) => p.node === node && !p.hostNetwork).sort((x, y) => (x.id < y.id ? -1 : 1));
  // Which policies select a pod depends on its namespace and labels only: decide once per group.
  const selectingMemo = new Map<string, NetworkPolicy[]>();
  const selecting = (pod: NftPod, labels: string, dir: PolicyType): NetworkPolicy[] => {
    const key = `${dir}\u0002${pod.namespace}\u0002${labels}`;
    let hit = selectingMemo.get(key);
    if (hit === undefined) {
      hit = (byNs.get(pod.namespace) ?? []).filter((p) => policyIsolates(p, dir) && policySelects(p, pod));
      selectingMemo.set(key, hit);
    }
    return hit;
  };
  const isolated: { pod: NftPod; Egress?: string; Ingress?: string }[] = [];
  for (const pod of local) {
    const entry: { pod: NftPod; Egress?: string; Ingress?: string } = { pod };
    const labels = labelsKey(pod);
    for (const dir of ["Egress", "Ingress"] as const) {
      const sel = selecting(pod, labels, dir);
      if (sel.length > 0) entry[dir] = b.podChain(pod, dir, sel);
    }
    if (entry.Egress !== undefined || entry.Ingress !== undefined) isolated.push(entry);
  }
  return { b, isolated };
}

const byName = <T extends { name: string }>(xs: Iterable<T>): T[] => [...xs].sort((x, y) => (x.name < y.name ? -1 : 1));

/** Sets a chain's rules name. */
function setsOf(chain: Chain): string[] {
  const out: string[] = [];
  for (const s of chain.statements) {
    if (s.type !== "rule") continue;
    for (const m of s.matches) if (m.type === "addr" || m.type === "dport-set") out.push(m.set);
  }
  return out;
}

/** One table: the given namespaces' chains, the sets they use, and the dispatch of their pods. */
function buildTable(n: NodePolicy, node: string, name: string, namespaces: ReadonlySet<string> | undefined, shardNote: string): Table {
  const inShard = (ns: string): boolean => namespaces === undefined || namespaces.has(ns);
  const chains = byName([...n.b.chains.values()].filter((c) => inShard(n.b.chainNamespace.get(c.name) ?? "")));
  const setNames = new Set(chains.flatMap(setsOf));
  const sets: AddrSet[] = byName([...n.b.sets.values()].filter((s) => setNames.has(s.name)));
  const maps: Record<PolicyType, { key: string; verdict: Verdict }[]> = { Ingress: [], Egress: [] };
  const pairs: string[] = [];
  for (const e of n.isolated) {
    if (!inShard(e.pod.namespace)) continue;
    for (const v of v4(e.pod)) {
      const ip = ipText(v);
      pairs.push(`${ip} . ${ip}`);
      if (e.Egress !== undefined) maps.Egress.push({ key: ip, verdict: jump(e.Egress) });
      if (e.Ingress !== undefined) maps.Ingress.push({ key: ip, verdict: jump(e.Ingress) });
    }
  }
  if (pairs.length > 0) sets.push({ name: HAIRPIN_SET, addrType: "ipv4_addr . ipv4_addr", elements: pairs, comment: "hairpin: isolated local pods, each paired with itself" });
  const vmap = (mapName: string, dir: PolicyType): VerdictMap => ({ name: mapName, addrType: "ipv4_addr", elements: maps[dir] });
  return {
    family: TABLE_FAMILY,
    name,
    comment: `kwire NetworkPolicy for node ${node}${shardNote}`,
    sets,
    maps: [vmap(EGRESS_MAP, "Egress"), vmap(INGRESS_MAP, "Ingress")],
    chains: [...chains, forwardChain(pairs.length > 0)],
  };
}

/** The `inet kwire` table for `node`: policy for the pods running there, in one table. */
export function compilePolicyTable(input: PolicyInput, node: string): Table {
  return buildTable(compileNode(input, node), node, TABLE_NAME, undefined, "");
}

export interface ShardOptions {
  /** Number of tables (at most MAX_SHARDS, at most one per namespace); default 1. */
  readonly shards?: number;
}

/**
 * The node's policy as one table or, when large, several (`kwire`, `kwire-1`, …), split by
 * namespace: a namespace's chains, sets, dispatch entries and hairpin pairs all live in one
 * shard, so each shard polices its own pods completely. Netfilter runs every table's forward
 * chain: a drop in any is final, an accept ends only that table's chain — so egress (source's
 * shard) and ingress (destination's shard) compose exactly as in one table. Load all of them in
 * one transaction (`replaceAllScript` with `policyTableNames()`).
 */
export function compilePolicyTables(input: PolicyInput, node: string, opts: ShardOptions = {}): Table[] {
  const n = compileNode(input, node);
  const wanted = opts.shards ?? 1;
  const k = Math.max(1, Math.min(MAX_SHARDS, Math.floor(wanted)));
  if (k === 1) return [buildTable(n, node, TABLE_NAME, undefined, "")];
  // Weigh namespaces by the rules of their chains; place the heaviest first on the lightest shard.
  const weight = new Map<string, number>();
  for (const c of n.b.chains.values()) {
    const ns = n.b.chainNamespace.get(c.name) ?? "";
    weight.set(ns, (weight.get(ns) ?? 0) + c.statements.length);
  }
  for (const e of n.isolated) if (!weight.has(e.pod.namespace)) weight.set(e.pod.namespace, 0);
  const order = [...weight.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (order.length < k) return compilePolicyTables(input, node, { shards: order.length });
  const load = new Array<number>(k).fill(0);
  const shardOf: Set<string>[] = Array.from({ length: k }, () => new Set<string>());
  for (const [ns, w] of order) {
    let best = 0;
    for (let i = 1; i < k; i++) if ((load[i] ?? 0) < (load[best] ?? 0)) best = i;
    load[best] = (load[best] ?? 0) + w + 1;
    shardOf[best]?.add(ns);
  }
  return shardOf.map((nss, i) => buildTable(n, node, shardTableName(i), nss, ` (shard ${i + 1} of ${k}: ${nss.size} namespaces)`));
}

/** Every table name a node's policy may use: remove them all when replacing or deleting. */
export function policyTableNames(): { family: Table["family"]; name: string }[] {
  return Array.from({ length: MAX_SHARDS }, (_, i) => ({ family: TABLE_FAMILY, name: shardTableName(i) }));
}
