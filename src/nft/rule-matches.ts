/**
 * @module nft/rule-matches
 * One policy rule (NetworkPolicy-shaped: peers + ports; cluster policies reuse the shape) → the
 * nft match lists it needs, with the named sets they use. Peers are interval sets of IPv4
 * addresses (pod IPs resolved against the model, ipBlocks/networks as cidr minus except), named
 * and shared by content; a single address is written inline. Named ports resolve against the
 * destination pod: in ingress that is the chain's pod; in egress the peer pods are grouped by what
 * the name resolves to on each of them, one match list per group. The verdict is not decided
 * here: the same rule may `accept`, `return`, `drop` or `goto` depending on its tier and action.
 */
import {
  EMPTY_PORTS,
  formatCidr,
  formatSelector,
  ipSetToCidrs,
  MAX_PORT,
  MIN_PORT,
  normalizeIntervals,
  portSetKey,
  PROTOCOLS,
  selectorMatches,
  unionPorts,
  type Interval,
  type Peer,
  type PolicyRule,
  type PolicyType,
  type PortSet,
} from "../model/index.js";
import { peerMatchesPod, resolvePort, resolveRulePorts, type PodIdentity } from "../policy/index.js";
import type { AddrSet, IpFamily, L4Proto, Match } from "./ast.js";
import { peerSetName, portSetName } from "./names.js";

/** A pod as the compiler needs it: the policy identity plus where it runs. */
export interface NftPod extends PodIdentity {
  /** `namespace/name` */
  readonly id: string;
  /** The node (lab node name) the pod runs on. */
  readonly node: string;
}

/** The matches of one nft rule and the comment naming the policy rule it comes from. */
export interface RuleMatch {
  readonly matches: readonly Match[];
  readonly comment: string;
}

/** A policy rule to compile. `owner` names it (`ns/policy ingress[0]`) and keys the caches. */
export interface RuleSpec {
  readonly owner: string;
  /** The namespace a `PolicyNamespace` peer means (cluster policies never have one: ""). */
  readonly policyNs: string;
  readonly rule: PolicyRule;
}

/** Both address families, in the order rules are emitted. */
export const FAMILIES: readonly IpFamily[] = [4, 6];
const familyMax = (f: IpFamily): bigint => (1n << (f === 4 ? 32n : 128n)) - 1n;

/** Intervals of one family → sorted set elements (`10.0.1.2`, `10.0.2.0/24`, `fd00::1`, `fd00:1::/64`). */
export function elementsOf(intervals: readonly Interval[], family: IpFamily = 4): string[] {
  const single = family === 4 ? 32 : 128;
  return ipSetToCidrs({ family, intervals: normalizeIntervals(intervals) }).map((c) => (c.prefix === single ? formatCidr(c).slice(0, -(String(single).length + 1)) : formatCidr(c)));
}

/** A pod's addresses of one family. */
export const ipsOf = (p: PodIdentity, family: IpFamily): bigint[] => p.ips.filter((ip) => ip.family === family).map((ip) => ip.value);
export const v4 = (p: PodIdentity): bigint[] => ipsOf(p, 4);
/** Addresses per family. */
export type FamilyIntervals = Readonly<Record<IpFamily, Interval[]>>;
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

/** Namespace-independent key of what selectors see of a pod (labels and hostNetwork). */
export const labelsKey = (p: NftPod): string => {
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
export class RuleMatcher {
  readonly sets = new Map<string, AddrSet>();
  private readonly peerCache = new Map<string, FamilyIntervals | "all">();
  private readonly egressCache = new Map<string, RuleMatch[]>();
  private readonly ingressAddr = new Map<string, Match[][]>();
  /** Pods grouped by namespace and label set: selectors are evaluated per group, not per pod. */
  private readonly groups: Map<string, PodGroup[]>;

  constructor(private readonly pods: readonly NftPod[]) {
    this.groups = groupPods(pods);
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
  private matchedPods(peers: readonly Peer[], policyNs: string): NftPod[] {
    const seen = new Set<NftPod>();
    for (const peer of peers) {
      if (peer.type === "IPBlock") {
        for (const pod of this.pods) if (!seen.has(pod) && peerMatchesPod(peer, policyNs, pod)) seen.add(pod);
        continue;
      }
      for (const g of this.candidateGroups(peer, policyNs)) if (peerMatchesPod(peer, policyNs, g.rep)) for (const pod of g.pods) seen.add(pod);
    }
    return [...seen];
  }

  /** Intervals of every address a rule's peers match, per family (pods by IP, ipBlocks as sets); "all" for no peers. */
  private peerIntervals(spec: RuleSpec): FamilyIntervals | "all" {
    const hit = this.peerCache.get(spec.owner);
    if (hit !== undefined) return hit;
    const { rule, policyNs } = spec;
    let out: FamilyIntervals | "all" = "all";
    if (rule.peers !== "All") {
      const only = rule.peers.length === 1 ? rule.peers[0] : undefined;
      if (only?.type === "Pods") out = this.podPeerIntervals(only, policyNs);
      else {
        const ivs: Record<IpFamily, Interval[]> = { 4: [], 6: [] };
        for (const peer of rule.peers) {
          if (peer.type === "IPBlock") {
            ivs[peer.set.family].push(...peer.set.intervals);
            continue;
          }
          const pods = this.podPeerIntervals(peer, policyNs);
          for (const f of FAMILIES) ivs[f].push(...pods[f]);
        }
        out = { 4: normalizeIntervals(ivs[4]), 6: normalizeIntervals(ivs[6]) };
      }
    }
    this.peerCache.set(spec.owner, out);
    return out;
  }

  /** Addresses of the pods one pod peer matches, normalized; equal peers (same text, same namespace) share the work. */
  private readonly podPeerCache = new Map<string, FamilyIntervals>();
  private podPeerIntervals(peer: Peer & { type: "Pods" }, policyNs: string): FamilyIntervals {
    const nsKey = peer.namespaces.type === "PolicyNamespace" ? `=${policyNs}` : `~${formatSelector(peer.namespaces.selector)}`;
    const key = `${nsKey}\u0000${formatSelector(peer.pods)}`;
    const hit = this.podPeerCache.get(key);
    if (hit !== undefined) return hit;
    const pods = this.matchedPods([peer], policyNs);
    const out = { 4: podIntervals(pods, 4), 6: podIntervals(pods, 6) };
    this.podPeerCache.set(key, out);
    return out;
  }

  /** Set elements of an interval list; lists are shared (per peer), so are their elements. */
  private readonly elementsCache = new WeakMap<Interval[], string[]>();

  /** An address match on `field` for these intervals of `family`; undefined when nothing can match. */
  addrMatch(field: "saddr" | "daddr", ivs: Interval[], family: IpFamily, owner: string): Match[] | undefined {
    if (ivs.length === 0) return undefined;
    if (ivs.length === 1 && ivs[0]?.lo === 0n && ivs[0]?.hi === familyMax(family)) return [{ type: "nfproto", ipFamily: family }];
    let elements = this.elementsCache.get(ivs);
    if (elements === undefined) this.elementsCache.set(ivs, (elements = elementsOf(ivs, family)));
    const fam = family === 6 ? { ipFamily: family } : {};
    if (elements.length === 1) return [{ type: "addr-literal", field, elements, ...fam }];
    const name = peerSetName(elements);
    if (!this.sets.has(name)) this.sets.set(name, { kind: "set", name, addrType: family === 6 ? "ipv6_addr" : "ipv4_addr", flags: ["interval"], elements, comment: owner });
    return [{ type: "addr", field, set: name, ...fam }];
  }

  /** Address match lists of a peer set: [] (no condition) for "all", else one per family with addresses. */
  private addrMatches(field: "saddr" | "daddr", peers: FamilyIntervals | "all", owner: string): Match[][] {
    if (peers === "all") return [[]];
    return FAMILIES.flatMap((f) => {
      const m = this.addrMatch(field, peers[f], f, owner);
      return m === undefined ? [] : [m];
    });
  }

  /** Port lists of more than one range become a named set shared by content (no anonymous sets). */
  namedPorts(m: Match): Match {
    if (m.type !== "dport" || m.ranges.length < 2) return m;
    const elements = m.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
    const name = portSetName(elements);
    if (!this.sets.has(name)) this.sets.set(name, { kind: "set", name, addrType: "inet_service", flags: ["interval"], elements });
    return { type: "dport-set", set: name };
  }

  private withPorts(addrs: readonly Match[][], ports: PortSet, anyProtocol: boolean, comment: string): RuleMatch[] {
    const pms = portMatches(ports, anyProtocol);
    return addrs.flatMap((addr) => pms.map((pm) => ({ matches: [...addr, ...pm.map((m) => this.namedPorts(m))], comment })));
  }

  /** The match lists of a rule in `dir`; `dst` is the chain's pod for ingress (named ports resolve on it). */
  matchesOf(spec: RuleSpec, dir: PolicyType, dst: NftPod): RuleMatch[] {
    return dir === "Ingress" ? this.ingress(spec, dst) : this.egress(spec);
  }

  private ingress(spec: RuleSpec, pod: NftPod): RuleMatch[] {
    let addr = this.ingressAddr.get(spec.owner);
    if (addr === undefined) {
      addr = this.addrMatches("saddr", this.peerIntervals(spec), spec.owner);
      this.ingressAddr.set(spec.owner, addr);
    }
    return this.withPorts(addr, resolveRulePorts(spec.rule, pod.ports), spec.rule.ports === "All", spec.owner);
  }

  /** Egress matches of a rule: the same for every source pod, so cached per rule. */
  private egress(spec: RuleSpec): RuleMatch[] {
    const { owner, rule } = spec;
    const hit = this.egressCache.get(owner);
    if (hit !== undefined) return hit;
    const peers = this.peerIntervals(spec);
    const out: RuleMatch[] = [];
    if (rule.ports === "All" || !rule.ports.some((x) => x.port.type === "Named")) {
      out.push(...this.withPorts(this.addrMatches("daddr", peers, owner), resolveRulePorts(rule, undefined), rule.ports === "All", owner));
    } else {
      let fixed = EMPTY_PORTS;
      for (const x of rule.ports) if (x.port.type !== "Named") fixed = unionPorts(fixed, resolvePort(x, undefined));
      out.push(...this.withPorts(this.addrMatches("daddr", peers, owner), fixed, false, owner));
      for (const g of this.namedGroups(spec)) out.push(...this.withPorts(this.addrMatches("daddr", g.ivs, owner), g.ports, false, `${owner} (named port)`));
    }
    this.egressCache.set(owner, out);
    return out;
  }

  /** Destination pods a rule's peers match, grouped by what its named ports resolve to on them. */
  private namedGroups({ rule, policyNs }: RuleSpec): { ivs: FamilyIntervals; ports: PortSet }[] {
    const groups = new Map<string, { pods: NftPod[]; ports: PortSet }>();
    const named = rule.ports === "All" ? [] : rule.ports.filter((x) => x.port.type === "Named");
    for (const pod of rule.peers === "All" ? this.pods : this.matchedPods(rule.peers, policyNs)) {
      let ports = EMPTY_PORTS;
      for (const x of named) ports = unionPorts(ports, resolvePort(x, pod.ports));
      const key = portSetKey(ports);
      if (key === portSetKey(EMPTY_PORTS)) continue;
      const g = groups.get(key) ?? { pods: [], ports };
      g.pods.push(pod);
      groups.set(key, g);
    }
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => ({ ivs: { 4: podIntervals(g.pods, 4), 6: podIntervals(g.pods, 6) }, ports: g.ports }));
  }
}

/** The addresses of `pods` in `family`, as normalized single-address intervals. */
function podIntervals(pods: readonly NftPod[], family: IpFamily): Interval[] {
  const ivs: Interval[] = [];
  for (const pod of pods) for (const v of ipsOf(pod, family)) ivs.push({ lo: v, hi: v });
  return normalizeIntervals(ivs);
}
