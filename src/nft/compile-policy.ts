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
  type NetworkPolicy,
  type Peer,
  type PolicyRule,
  type PolicyType,
  type PortSet,
} from "../model/index.js";
import { peerMatchesPod, policyIsolates, policySelects, resolvePort, resolveRulePorts, type PodIdentity } from "../policy/index.js";
import { accept, drop, jump, ret, type AddrSet, type Chain, type Match, type Statement, type Table, type Verdict, type VerdictMap, type L4Proto } from "./ast.js";
import { EGRESS_CHAIN_PREFIX, EGRESS_MAP, FORWARD_CHAIN, hashAndTruncate, INGRESS_CHAIN_PREFIX, INGRESS_MAP, peerSetName, TABLE_FAMILY, TABLE_NAME } from "./names.js";

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

/** Shared state of one compilation: peer sets by content, cached per-rule work. */
class Builder {
  readonly sets = new Map<string, AddrSet>();
  readonly chains = new Map<string, Chain>();
  private readonly peerCache = new Map<string, Interval[] | "all">();
  private readonly egressCache = new Map<string, Statement[]>();

  /** Pods by namespace, and each namespace's labels: selectors look at few pods, not all. */
  private readonly byNs = new Map<string, NftPod[]>();
  constructor(readonly input: PolicyInput) {
    for (const pod of input.pods) {
      const list = this.byNs.get(pod.namespace);
      if (list === undefined) this.byNs.set(pod.namespace, [pod]);
      else list.push(pod);
    }
  }

  /** Pods a pod peer can match: its namespace's, or those of namespaces the namespaceSelector picks. */
  private candidates(peer: Peer, policyNs: string): readonly NftPod[] {
    if (peer.type === "IPBlock") return this.input.pods;
    if (peer.namespaces.type === "PolicyNamespace") return this.byNs.get(policyNs) ?? [];
    const sel = peer.namespaces.selector;
    const out: NftPod[] = [];
    for (const pods of this.byNs.values()) if (pods[0] !== undefined && selectorMatches(sel, pods[0].namespaceLabels)) out.push(...pods);
    return out;
  }

  /** Pods matched by any of `peers` (each pod once, in input order of candidates). */
  matchedPods(peers: readonly Peer[], policyNs: string): NftPod[] {
    const seen = new Set<NftPod>();
    for (const peer of peers) for (const pod of this.candidates(peer, policyNs)) if (!seen.has(pod) && peerMatchesPod(peer, policyNs, pod)) seen.add(pod);
    return [...seen];
  }

  /** Intervals of every address a rule's peers match (pods by IP, ipBlocks as sets); "all" for no peers. */
  peerIntervals(p: NetworkPolicy, dir: PolicyType, index: number, rule: PolicyRule): Interval[] | "all" {
    const key = `${policyKey(p)}/${dir}/${index}`;
    const hit = this.peerCache.get(key);
    if (hit !== undefined) return hit;
    let out: Interval[] | "all" = "all";
    if (rule.peers !== "All") {
      const ivs: Interval[] = [];
      for (const peer of rule.peers) {
        if (peer.type === "IPBlock") {
          if (peer.set.family === 4) ivs.push(...peer.set.intervals);
          continue;
        }
        for (const pod of this.matchedPods([peer], p.namespace)) for (const v of v4(pod)) ivs.push({ lo: v, hi: v });
      }
      out = normalizeIntervals(ivs);
    }
    this.peerCache.set(key, out);
    return out;
  }

  /** An address match on `field` for these intervals; undefined when nothing can match. */
  addrMatch(field: "saddr" | "daddr", ivs: Interval[] | "all", owner: string): Match[] | undefined {
    if (ivs === "all") return [];
    if (ivs.length === 0) return undefined;
    if (ivs.length === 1 && ivs[0]?.lo === 0n && ivs[0]?.hi === V4_MAX) return [];
    const elements = elementsOf(ivs);
    const name = peerSetName(elements);
    if (!this.sets.has(name)) this.sets.set(name, { name, addrType: "ipv4_addr", elements, comment: owner });
    return [{ type: "addr", field, set: name }];
  }

  statements(addr: Match[] | undefined, ports: PortSet, anyProtocol: boolean, verdict: Verdict, comment: string): Statement[] {
    if (addr === undefined) return [];
    return portMatches(ports, anyProtocol).map((pm) => ({ type: "rule", matches: [...addr, ...pm], verdict, comment }));
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
    if (!this.chains.has(name)) this.chains.set(name, { name, comment: `${dir} of pods selected by ${names.join(", ")}`, statements: body });
    return name;
  }
}

function selectingPolicies(byNs: ReadonlyMap<string, NetworkPolicy[]>, pod: NftPod, dir: PolicyType): NetworkPolicy[] {
  return (byNs.get(pod.namespace) ?? []).filter((p) => policyIsolates(p, dir) && policySelects(p, pod));
}

/**
 * A pod reaching itself through a Service (hairpin: DNAT picked its own address) is never
 * policed, as the model says (a pod may always reach itself); without this its own egress or
 * ingress isolation would drop it. One rule per isolated local pod: nft cannot compare saddr
 * with daddr in one match.
 */
function hairpinRules(isolated: readonly NftPod[]): Statement[] {
  return isolated.flatMap((pod) => v4(pod).map((v): Statement => {
    const ip = elementsOf([{ lo: v, hi: v }])[0] ?? "";
    return { type: "rule", matches: [{ type: "addr-literal", field: "saddr", elements: [ip] }, { type: "addr-literal", field: "daddr", elements: [ip] }], verdict: accept, comment: `hairpin: ${pod.id} to itself` };
  }));
}

function forwardChain(isolated: readonly NftPod[]): Chain {
  return {
    name: FORWARD_CHAIN,
    base: { type: "filter", hook: "forward", priority: 0, policy: "accept" },
    statements: [
      { type: "rule", matches: [{ type: "ct-state", states: ["established", "related"] }], verdict: accept, comment: "replies and related traffic of admitted connections" },
      ...hairpinRules(isolated),
      { type: "vmap", field: "saddr", map: EGRESS_MAP, comment: "egress policy of local pods" },
      { type: "vmap", field: "daddr", map: INGRESS_MAP, comment: "ingress policy of local pods" },
    ],
  };
}

/** The `inet kwire` table for `node`: policy for the pods running there. */
export function compilePolicyTable(input: PolicyInput, node: string): Table {
  const b = new Builder(input);
  const byNs = new Map<string, NetworkPolicy[]>();
  for (const p of [...input.policies].sort((x, y) => (policyKey(x) < policyKey(y) ? -1 : 1))) pushTo(byNs, p.namespace, p);
  const maps: Record<PolicyType, { key: string; verdict: Verdict }[]> = { Ingress: [], Egress: [] };
  const local = input.pods.filter((p) => p.node === node && !p.hostNetwork).sort((x, y) => (x.id < y.id ? -1 : 1));
  const isolated = new Set<NftPod>();
  for (const pod of local) {
    for (const dir of ["Egress", "Ingress"] as const) {
      const selecting = selectingPolicies(byNs, pod, dir);
      if (selecting.length === 0) continue;
      isolated.add(pod);
      const chain = b.podChain(pod, dir, selecting);
      for (const v of v4(pod)) maps[dir].push({ key: elementsOf([{ lo: v, hi: v }])[0] ?? "", verdict: jump(chain) });
    }
  }
  const vmap = (name: string, dir: PolicyType): VerdictMap => ({ name, addrType: "ipv4_addr", elements: maps[dir] });
  const byName = <T extends { name: string }>(m: Map<string, T>): T[] => [...m.values()].sort((x, y) => (x.name < y.name ? -1 : 1));
  return {
    family: TABLE_FAMILY,
    name: TABLE_NAME,
    comment: `kwire NetworkPolicy for node ${node}`,
    sets: byName(b.sets),
    maps: [vmap(EGRESS_MAP, "Egress"), vmap(INGRESS_MAP, "Ingress")],
    chains: [...byName(b.chains), forwardChain([...isolated])],
  };
}
