/**
 * @module nft/compile-general
 * The general tiers a CNI with its own policy model enforces (Calico, Cilium:
 * src/policy/enforced.ts) → the `inet kwire` table of one node, as a pure function.
 *
 * The lab's universe is finite, so rules are materialised: every known party — each pod, each
 * node / API-server address, each cell of the outside world (minus the pod and node addresses,
 * which are parties of their own) — is put through the same predicate the engines use
 * (`ruleFlows` of src/policy/tier-eval.ts), and the parties a rule matches with the same flows
 * become one address set (named and shared by content, as compile-policy.ts does) plus one nft
 * rule per protocol. Per local pod and direction (the layout of compile-policy.ts's tiered chains):
 *  - the counted tiers in order (a tier counts when one of its policies selects the pod and
 *    isolates the direction), one chain per tier;
 *  - a rule's action: Allow → `return` (egress: ingress must still pass) / `accept` (ingress);
 *    Deny → `drop`; Pass → `goto` the next counted tier's chain (after the last: allow);
 *    Log → nothing (it decides nothing; the rule is left out);
 *  - the end of a tier chain: its defaultAction — Deny → `drop`, Pass → as a Pass rule;
 *  - no counted tier: the pod is not dispatched (allowed, the Kubernetes profile / no policy).
 * `forward` and the hairpin pairs are compile-policy.ts's (a pod reaching itself through a
 * Service is not policed; the model's trace says the same when no cluster policy selects it).
 *
 * Flows: TCP/UDP/SCTP ports (`meta l4proto … th dport …`) and ICMP types/codes (`icmp type …
 * icmp code …`, ICMPv6 `icmpv6 type …`); a rule that matches every flow of a family gets no
 * protocol match at all.
 *
 * Both families. A connection runs over one family and the kernel sees only its addresses, so
 * every rule is materialised once per family the local pod has, on that family's view of the
 * universe (src/lab/model.ts familyView: each pod keeps only its addresses of the family): IPv4
 * parties print `ip …`, IPv6 ones `ip6 …` (a party set covering a whole family is `meta nfproto`),
 * and the rule's ICMP flows are `icmp` for IPv4, its ICMPv6 flows `icmpv6` for IPv6. A Calico
 * rule's nets, notNets and ipVersion, a Cilium CIDR, are thus judged per family as the data plane
 * judges them. The dispatch (verdict maps, hairpin pairs, `forward`, `input`/`output`, IPv6 maps
 * and neighbour discovery when some pod has an IPv6 address) is compile-policy.ts's `dispatchParts`.
 */
import { ALL_PORTS, ipSetSubtract, normalizeIntervals, portSetKey, type Interval, type Ip, type IpSet, type Labels, type PolicyType, type PortRange } from "../model/index.js";
import { generalRulesOf, ruleFlows, subjectSelects, type EnforcedTiers, type FlowSet, type GeneralRule, type GeneralTier, type PolicyEndpoint, type PolicyPeer } from "../policy/index.js";
import { accept, drop, goto, ret, type Chain, type IpFamily, type Match, type Statement, type Table, type Verdict } from "./ast.js";
import { dispatchParts, type Dispatched } from "./compile-policy.js";
import { EGRESS_CHAIN_PREFIX, hashAndTruncate, INGRESS_CHAIN_PREFIX, TABLE_FAMILY, TABLE_NAME } from "./names.js";
import { FAMILIES, ipsOf, labelsKey, portMatches, RuleMatcher, type NftPod } from "./rule-matches.js";

/** A lab pod as Calico and Cilium see it: NftPod plus its name and service account. */
export interface GeneralPod extends NftPod {
  readonly name: string;
  /** spec.serviceAccountName; undefined = "default". */
  readonly serviceAccount?: string | undefined;
  readonly serviceAccountLabels?: Labels | undefined;
}

export interface GeneralPolicyInput {
  /** The enforced tiers, their evaluation context and how an address is named (host, remote-node, API server, world). */
  readonly enforced: Pick<EnforcedTiers, "tiers" | "context" | "peerOfAddress">;
  readonly pods: readonly GeneralPod[];
  /** Addresses that are neither pods nor the outside world: nodes, the API server (`enforced.peerOfAddress` names them). */
  readonly addresses: readonly Ip[];
  /**
   * The outside world as cells every rule treats alike (the engine's `Topology.cells`: the
   * partition by every CIDR the dialect names); pod and node addresses are carved out. Pods whose
   * addresses share a cell (and whose labels etc. are equal) share their chains.
   */
  readonly world: readonly { readonly family: 4 | 6; readonly intervals: readonly Interval[] }[];
}

/** One party of the lab's universe in one family and the addresses that are it. */
type Party = { readonly type: "pod"; readonly pod: GeneralPod; readonly intervals: Interval[] } | { readonly type: "address"; readonly ip: Ip; readonly intervals: Interval[] };

const ALL_OF: Readonly<Record<IpFamily, IpSet>> = {
  4: { family: 4, intervals: [{ lo: 0n, hi: (1n << 32n) - 1n }] },
  6: { family: 6, intervals: [{ lo: 0n, hi: (1n << 128n) - 1n }] },
};

/** A pod as traffic of one family sees it: only its addresses of that family (src/lab/model.ts familyView). */
const only = (pod: GeneralPod, family: IpFamily): GeneralPod => ({ ...pod, ips: pod.ips.filter((ip) => ip.family === family) });

/**
 * The universe of one family: pods first (non-hostNetwork before hostNetwork), then node/API
 * addresses, then the world; an address belongs to the first party that claims it.
 */
function universe(input: GeneralPolicyInput, family: IpFamily): Party[] {
  const out: Party[] = [];
  let claimed: Interval[] = [];
  const free = (ivs: readonly Interval[]): Interval[] => ipSetSubtract({ family, intervals: normalizeIntervals(ivs) }, { family, intervals: claimed }).intervals.slice();
  const claim = (ivs: readonly Interval[]): void => void (claimed = normalizeIntervals([...claimed, ...ivs]));
  const pods = [...input.pods].sort((a, b) => Number(a.hostNetwork) - Number(b.hostNetwork) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const pod of pods) {
    const ivs = free(ipsOf(pod, family).map((v) => ({ lo: v, hi: v })));
    if (ivs.length === 0) continue;
    out.push({ type: "pod", pod: only(pod, family), intervals: ivs });
    claim(ivs);
  }
  for (const ip of input.addresses) {
    if (ip.family !== family) continue;
    const ivs = free([{ lo: ip.value, hi: ip.value }]);
    if (ivs.length === 0) continue;
    out.push({ type: "address", ip, intervals: ivs });
    claim(ivs);
  }
  const cells = input.world.filter((c) => c.family === family);
  // Without cells the whole outside world is one cell.
  for (const c of cells.length > 0 ? cells : [ALL_OF[family]]) {
    const ivs = free(c.intervals);
    const first = ivs[0];
    if (first === undefined) continue;
    out.push({ type: "address", ip: { family, value: first.lo }, intervals: ivs });
    claim(ivs);
  }
  return out;
}

function endpointOf(pod: GeneralPod): PolicyEndpoint {
  return { ...pod, nodeName: pod.node };
}

function peerOf(p: Party, local: PolicyEndpoint, enforced: GeneralPolicyInput["enforced"]): PolicyPeer {
  return p.type === "pod" ? { type: "Pod", endpoint: endpointOf(p.pod) } : enforced.peerOfAddress(p.ip, local);
}

const ICMP_ALL = (r: readonly PortRange[]): boolean => r.length === 1 && r[0]?.from === 0 && r[0]?.to === 65535;
/** The ICMP lane a packet of `family` can carry: ICMP over IPv4, ICMPv6 over IPv6. */
const icmpOf = (f: FlowSet, family: IpFamily): readonly PortRange[] => (family === 4 ? f.icmp : f.icmp6);
const flowKey = (f: FlowSet, family: IpFamily): string => `${portSetKey(f.ports)}|${icmpOf(f, family).map((r) => `${r.from}-${r.to}`).join(",")}`;
const ALL_KEY = portSetKey(ALL_PORTS);

/**
 * ICMP (family 4) or ICMPv6 (family 6) type*256+code ranges → match lists: whole types in one
 * `icmp type`, partial ones per type with `icmp code`.
 */
export function icmpMatches(ranges: readonly PortRange[], family: IpFamily = 4): Match[][] {
  const fam = family === 6 ? { ipFamily: family } : {};
  const types: PortRange[] = [];
  const partial: Match[][] = [];
  for (const r of ranges) {
    let a = r.from;
    while (a <= r.to) {
      const t = a >> 8;
      const typeEnd = t * 256 + 255;
      if (a === t * 256 && r.to >= typeEnd) {
        const last = Math.floor((r.to + 1) / 256) - 1;
        const prev = types[types.length - 1];
        if (prev !== undefined && prev.to === t - 1) types[types.length - 1] = { from: prev.from, to: last };
        else types.push({ from: t, to: last });
        a = (last + 1) * 256;
        continue;
      }
      const end = Math.min(r.to, typeEnd);
      partial.push([{ type: "icmp-type", ranges: [{ from: t, to: t }], ...fam }, { type: "icmp-code", ranges: [{ from: a & 255, to: end & 255 }], ...fam }]);
      a = end + 1;
    }
  }
  return [...(types.length > 0 ? [[{ type: "icmp-type", ranges: types, ...fam } satisfies Match]] : []), ...partial];
}

/** Match lists of a flow set for packets of `family`: none for every flow, else one per protocol (ports in shared named sets). */
function flowMatches(f: FlowSet, family: IpFamily, m: RuleMatcher): Match[][] {
  const icmp = icmpOf(f, family);
  if (portSetKey(f.ports) === ALL_KEY && ICMP_ALL(icmp)) return [[]];
  return [...portMatches(f.ports, false).map((ms) => ms.map((x) => m.namedPorts(x))), ...icmpMatches(icmp, family)];
}

/** The tiers as they apply to one pod and direction (src/engine/general.ts prepares them the same way). */
interface CountedTier {
  readonly tier: GeneralTier;
  readonly rules: readonly GeneralRule[];
}

function counted(tiers: readonly GeneralTier[], dir: PolicyType, local: PolicyEndpoint): CountedTier[] {
  const out: CountedTier[] = [];
  for (const tier of tiers) {
    const selecting = tier.policies.filter((p) => subjectSelects(p.subject, local));
    if (!selecting.some((p) => p.isolates[dir])) continue;
    out.push({ tier, rules: selecting.filter((p) => p.governs[dir]).flatMap((p) => generalRulesOf(p, dir)) });
  }
  return out;
}

class Compiler {
  readonly chains = new Map<string, Chain>();
  readonly m: RuleMatcher;
  private readonly parties: Readonly<Record<IpFamily, readonly Party[]>>;
  private readonly memo = new Map<string, string | undefined>();
  private readonly cells: Readonly<Record<IpFamily, readonly (readonly Interval[])[]>>;

  constructor(private readonly input: GeneralPolicyInput) {
    this.m = new RuleMatcher(input.pods);
    this.parties = { 4: universe(input, 4), 6: universe(input, 6) };
    const cellsOf = (f: IpFamily): (readonly Interval[])[] => input.world.filter((c) => c.family === f).map((c) => c.intervals);
    this.cells = { 4: cellsOf(4), 6: cellsOf(6) };
  }

  /**
   * What the predicates can see of a local pod: namespace, labels, service account, ports (named
   * ports), node (Cilium's host) and, for its addresses, the world cell holding them (Calico nets
   * and NetworkSets are cell boundaries, as in the engine's classes). Pods with equal keys get
   * equal chains, so the rules are materialised once per key.
   */
  private localKey(pod: GeneralPod, dir: PolicyType): string {
    const cellOf = (f: IpFamily, v: bigint): number => this.cells[f].findIndex((ivs) => ivs.some((iv) => v >= iv.lo && v <= iv.hi));
    const cells = FAMILIES.map((f) => ipsOf(pod, f).map((v) => cellOf(f, v)));
    return JSON.stringify([dir, pod.namespace, labelsKey(pod), pod.serviceAccount ?? "", pod.serviceAccountLabels ?? {}, pod.node, pod.ports, cells]);
  }

  /**
   * nft rules of one policy rule for `local`, for packets of `family`: parties of that family's
   * universe grouped by the flows the rule gives them, `local` seen with its addresses of the family.
   */
  private ruleStatements(rule: GeneralRule, dir: PolicyType, pod: GeneralPod, family: IpFamily, verdict: Verdict): Statement[] {
    const local = endpointOf(only(pod, family));
    const groups = new Map<string, { flows: FlowSet; ivs: Interval[] }>();
    for (const p of this.parties[family]) {
      const flows = ruleFlows(rule, dir, local, peerOf(p, local, this.input.enforced), this.input.enforced.context);
      if (flows.ports.TCP.length + flows.ports.UDP.length + flows.ports.SCTP.length + icmpOf(flows, family).length === 0) continue;
      const key = flowKey(flows, family);
      const g = groups.get(key) ?? { flows, ivs: [] };
      g.ivs.push(...p.intervals);
      groups.set(key, g);
    }
    const o = rule.origin;
    const owner = `${o.kind} ${o.policy} ${o.direction.toLowerCase()}[${o.index}] ${o.action} (tier ${o.tier})`;
    const out: Statement[] = [];
    for (const key of [...groups.keys()].sort()) {
      const g = groups.get(key);
      if (g === undefined) continue;
      const addr = this.m.addrMatch(dir === "Ingress" ? "saddr" : "daddr", normalizeIntervals(g.ivs), family, owner);
      if (addr === undefined) continue;
      for (const fm of flowMatches(g.flows, family, this.m)) out.push({ type: "rule", matches: [...addr, ...fm], verdict, comment: owner });
    }
    return out;
  }

  private add(dir: PolicyType, ns: string, readable: string, body: Statement[], comment: string): string {
    const name = hashAndTruncate(dir === "Ingress" ? INGRESS_CHAIN_PREFIX : EGRESS_CHAIN_PREFIX, `${ns}-${readable}`, `${dir}\n${JSON.stringify(body)}`);
    if (!this.chains.has(name)) this.chains.set(name, { name, comment, statements: body });
    return name;
  }

  /** The chain a local pod's packets in `dir` jump to; undefined when no tier counts. */
  podChain(pod: GeneralPod, dir: PolicyType): string | undefined {
    const key = this.localKey(pod, dir);
    if (this.memo.has(key)) return this.memo.get(key);
    const chain = this.compileChain(pod, dir);
    this.memo.set(key, chain);
    return chain;
  }

  private compileChain(pod: GeneralPod, dir: PolicyType): string | undefined {
    // Which policies select a pod does not depend on its addresses: one chain serves both families.
    const tiers = counted(this.input.enforced.tiers, dir, endpointOf(pod));
    const families = FAMILIES.filter((f) => ipsOf(pod, f).length > 0);
    const open = dir === "Ingress" ? accept : ret;
    let next: Verdict = open;
    let entry: string | undefined;
    for (let i = tiers.length - 1; i >= 0; i--) {
      const t = tiers[i];
      if (t === undefined) continue;
      const body: Statement[] = [];
      for (const r of t.rules) {
        const a = r.origin.action;
        if (a === "Log") continue;
        const verdict = a === "Allow" ? open : a === "Deny" ? drop : next;
        for (const f of families) body.push(...this.ruleStatements(r, dir, pod, f, verdict));
      }
      const end = t.tier.defaultAction === "Deny" ? drop : next;
      body.push({ type: "rule", matches: [], verdict: end, comment: `tier ${t.tier.name}: no rule matched, default action ${t.tier.defaultAction}` });
      entry = this.add(dir, pod.namespace, t.tier.name, body, `${dir} of ${pod.namespace} pods, tier ${t.tier.name} (${i + 1} of ${tiers.length})`);
      next = goto(entry);
    }
    return entry;
  }
}

const byName = <T extends { name: string }>(xs: Iterable<T>): T[] => [...xs].sort((x, y) => (x.name < y.name ? -1 : 1));

/** The `inet kwire` table for `node` under the enforced dialect: policy for the pods running there. */
export function compileGeneralTable(input: GeneralPolicyInput, node: string, dialect = "general tiers"): Table {
  const c = new Compiler(input);
  const dispatched: Dispatched[] = [];
  const local = input.pods.filter((p) => p.node === node && !p.hostNetwork).sort((x, y) => (x.id < y.id ? -1 : 1));
  for (const pod of local) {
    const e: Dispatched = { pod, tiered: false };
    const eg = c.podChain(pod, "Egress");
    const ig = c.podChain(pod, "Ingress");
    if (eg !== undefined) e.Egress = eg;
    if (ig !== undefined) e.Ingress = ig;
    if (eg !== undefined || ig !== undefined) dispatched.push(e);
  }
  // A policed pod reaching itself (hairpin) is accepted in `forward`, as the trace says (the `hairpin` sets).
  const d = dispatchParts(dispatched, { v6: input.pods.some((p) => p.ips.some((ip) => ip.family === 6)), hostPods: input.pods.some((p) => p.node === node && p.hostNetwork) });
  return {
    family: TABLE_FAMILY,
    name: TABLE_NAME,
    comment: `kwire ${dialect} policy for node ${node}`,
    sets: [...byName(c.m.sets.values()), ...d.sets],
    chains: [...byName(c.chains.values()), ...d.chains],
  };
}
