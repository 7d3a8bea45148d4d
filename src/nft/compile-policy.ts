/**
 * @module nft/compile-policy
 * The tiered policy model (NetworkPolicy + AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * ClusterNetworkPolicy) → the `inet kwire` table of one node, as a pure function of an immutable
 * snapshot (kube-proxy renders the same way). Layout (README.md has the picture):
 *  - base chain `forward` (hook forward, priority filter, policy accept):
 *    `ct state established,related accept`, then `ip saddr vmap @egress-pods`, then
 *    `ip daddr vmap @ingress-pods` — each map sends a local pod that some policy polices to its chain;
 *  - a pod only NetworkPolicies police: one `return` (egress) / `accept` (ingress) per allowed
 *    (peers, ports), then `drop` — exactly as before the tiers existed;
 *  - a pod cluster policies select: the fold of src/policy/tiers.ts in nft — Admin rules (Deny
 *    drop, Allow return/accept, Pass goto the rest), the NetworkPolicy tier, the Baseline rules,
 *    then the chain runs out (default allow). See `Chains.tieredChain`.
 * Peers and ports are compiled by `rule-matches.ts`. Chains with identical content are shared.
 * Semantics come from `policy/`, so the table and the engines read the API text the same way.
 * Both families: IPv4 matches print `ip …`, IPv6 ones `ip6 …`; a rule whose peers hold addresses of
 * both becomes one rule per family, and an ipBlock never matches the other family. The IPv6 maps
 * and hairpin sets exist only when some pod has an IPv6 address, so IPv4-only tables are unchanged.
 *
 * Load cost, measured on nft 1.0.6 / kernel 6.18: the kernel finds a rule's set by a linear scan
 * of the table's sets, and every anonymous set is one more set. So port lists are named sets shared
 * by content, hairpin is one rule over a pair set (not a rule per pod), and single addresses are
 * inline. A policy can also be split into namespace shards (`compilePolicyTables` with `shards`),
 * each its own table with only the sets its chains use; measured, that gained little, so it is opt-in.
 */
import {
  clusterRulesOf,
  pushTo,
  type ClusterPolicy,
  type ClusterTier,
  type NetworkPolicy,
  type PolicyType,
  type RuleAction,
} from "../model/index.js";
import { clusterPolicySelects, policyIsolates, policySelects, tierPolicies } from "../policy/index.js";
import { accept, drop, goto, jump, ret, type AddrSet, type Chain, type Statement, type Table, type Verdict, type VerdictMap } from "./ast.js";
import {
  BASELINE_TIER_PART,
  EGRESS_CHAIN_PREFIX,
  EGRESS_MAP,
  EGRESS_MAP6,
  FORWARD_CHAIN,
  INPUT_CHAIN,
  OUTPUT_CHAIN,
  HAIRPIN_SET,
  HAIRPIN_TIERED_SET,
  HAIRPIN_TIERED_SET6,
  HAIRPIN_SET6,
  hashAndTruncate,
  INGRESS_CHAIN_PREFIX,
  INGRESS_MAP,
  INGRESS_MAP6,
  MAX_SHARDS,
  NP_TIER_PART,
  shardTableName,
  TABLE_FAMILY,
  TABLE_NAME,
} from "./names.js";
import { elementsOf, ipsOf, labelsKey, RuleMatcher, type NftPod, type RuleMatch, type RuleSpec } from "./rule-matches.js";



export interface PolicyInput {
  readonly policies: readonly NetworkPolicy[];
  /** AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy (`Cluster.clusterPolicies`). */
  readonly clusterPolicies: readonly ClusterPolicy[];
  readonly pods: readonly NftPod[];
}

const policyKey = (p: NetworkPolicy): string => `${p.namespace}/${p.name}`;

const rules = (ms: readonly RuleMatch[], verdict: Verdict): Statement[] => ms.map((m) => ({ type: "rule", matches: m.matches, verdict, comment: m.comment }));

/** The policies of each tier that apply to a pod in one direction. */
interface Selection {
  readonly admin: readonly ClusterPolicy[];
  /** NetworkPolicies that select the pod and isolate it in this direction. */
  readonly np: readonly NetworkPolicy[];
  readonly baseline: readonly ClusterPolicy[];
}

/** Chains of one compilation, shared by content. */
class Chains {
  readonly chains = new Map<string, Chain>();
  /** The namespace of the pods each chain serves (so namespace shards hold whole chains). */
  readonly chainNamespace = new Map<string, string>();
  readonly m: RuleMatcher;
  /** Some pod has an IPv6 address: hairpin rules are also written for IPv6. */
  readonly v6: boolean;
  private readonly chainOf = new Map<string, string | undefined>();

  constructor(input: PolicyInput) {
    this.m = new RuleMatcher(input.pods);
    this.v6 = input.pods.some((p) => p.ips.some((ip) => ip.family === 6));
  }

  get sets(): ReadonlyMap<string, AddrSet> {
    return this.m.sets;
  }

  /** Register a chain under a content-hashed name; identical chains are emitted once. */
  add(dir: PolicyType, ns: string, readable: string, key: string, comment: string, body: Statement[]): string {
    const prefix = dir === "Ingress" ? INGRESS_CHAIN_PREFIX : EGRESS_CHAIN_PREFIX;
    const name = hashAndTruncate(prefix, `${ns}-${readable}`, key);
    if (!this.chains.has(name)) {
      this.chains.set(name, { name, comment, statements: body });
      this.chainNamespace.set(name, ns);
    }
    return name;
  }

  /** The chain a pod's packets in `dir` jump to (undefined: nothing polices the pod in `dir`). */
  podChain(pod: NftPod, dir: PolicyType, sel: Selection, tiered: boolean): string | undefined {
    // Content depends only on the selecting policies, the namespace (tiered chains are kept per
    // namespace, for shards) and, for ingress, the pod's ports (named ports).
    const ports = dir === "Ingress" ? pod.ports.map((c) => `${c.name ?? ""}/${c.protocol}/${c.containerPort}`).join(",") : "";
    const names = (ps: readonly ClusterPolicy[]): string => ps.map((p) => `${p.kind}/${p.name}`).join(",");
    const memo = tiered
      ? `${dir}|T|${pod.namespace}|${names(sel.admin)}|${sel.np.map(policyKey).join(",")}|${names(sel.baseline)}|${ports}`
      : `${dir}|N|${sel.np.map(policyKey).join(",")}|${ports}`;
    if (this.chainOf.has(memo)) return this.chainOf.get(memo);
    const name = tiered ? this.tieredChain(pod, dir, sel) : sel.np.length > 0 ? this.npChain(pod, dir, sel.np) : undefined;
    this.chainOf.set(memo, name);
    return name;
  }

  private npRules(pod: NftPod, dir: PolicyType, selecting: readonly NetworkPolicy[]): Statement[] {
    const open = dir === "Ingress" ? accept : ret;
    const body: Statement[] = [];
    for (const p of selecting) {
      (dir === "Ingress" ? p.ingress : p.egress).forEach((rule, i) => {
        const spec: RuleSpec = { owner: `${policyKey(p)} ${dir.toLowerCase()}[${i}]`, policyNs: p.namespace, rule };
        body.push(...rules(this.m.matchesOf(spec, dir, pod), open));
      });
    }
    body.push({ type: "rule", matches: [], verdict: drop, comment: `${dir.toLowerCase()} isolated by ${selecting.map(policyKey).join(", ")}` });
    return body;
  }

  /** A pod only NetworkPolicies police: one `return`/`accept` per allowed (peers, ports), then `drop`. */
  private npChain(pod: NftPod, dir: PolicyType, selecting: readonly NetworkPolicy[]): string {
    const body = this.npRules(pod, dir, selecting);
    const names = selecting.map(policyKey);
    return this.add(dir, pod.namespace, selecting[0]?.name ?? "", `${dir}\n${JSON.stringify(body)}`, `${dir} of pods selected by ${names.join(", ")}`, body);
  }

  /** Statements of a cluster-policy tier in evaluation order; `verdictOf` maps a rule's action. */
  private tierRules(pod: NftPod, dir: PolicyType, ps: readonly ClusterPolicy[], verdictOf: (a: RuleAction) => Verdict): Statement[] {
    const out: Statement[] = [];
    for (const p of ps) {
      clusterRulesOf(p, dir).forEach((r, i) => {
        const spec: RuleSpec = { owner: `${p.kind}/${p.name} ${dir.toLowerCase()}[${i}] ${r.action} (${p.tier} tier, priority ${p.priority})`, policyNs: "", rule: r.rule };
        const ms = this.m.matchesOf(spec, dir, pod);
        if (ms.length > 0) out.push(...rules(ms, verdictOf(r.action)));
      });
    }
    return out;
  }

  private sub(pod: NftPod, dir: PolicyType, part: string, body: Statement[], comment: string): string {
    return this.add(dir, pod.namespace, part, `${dir}\n${pod.namespace}\n${part}\n${JSON.stringify(body)}`, comment, body);
  }

  /**
   * A pod cluster policies select: the tiers in order, as the fold in src/policy/tiers.ts.
   *   Admin       Deny → drop; Allow → return (egress: ingress must still pass) / accept (ingress);
   *               Pass → goto the rest (NetworkPolicy tier, then Baseline).
   *   NetworkPolicy (when it isolates the pod) a hairpin goes straight to Baseline; the allow rules;
   *               then drop.
   *   Baseline    Deny → drop; Allow and Pass → return / accept.
   *   default     the chain runs out: return to `forward`, which goes on (egress) or accepts.
   */
  private tieredChain(pod: NftPod, dir: PolicyType, sel: Selection): string | undefined {
    const open = dir === "Ingress" ? accept : ret;
    const baseline = this.tierRules(pod, dir, sel.baseline, (a) => (a === "Deny" ? drop : open));
    let rest = baseline;
    if (sel.np.length > 0) {
      const toBaseline = baseline.length > 0 ? goto(this.sub(pod, dir, BASELINE_TIER_PART, baseline, `${dir} Baseline tier of ${pod.namespace} pods: ${sel.baseline.map((p) => p.name).join(", ")}`)) : open;
      const comment = "hairpin: NetworkPolicy does not police a pod reaching itself; Baseline still does";
      const hairpin: Statement[] = [
        { type: "rule", matches: [{ type: "addr-pair", set: HAIRPIN_TIERED_SET }], verdict: toBaseline, comment },
        ...(this.v6 ? [{ type: "rule", matches: [{ type: "addr-pair", set: HAIRPIN_TIERED_SET6, ipFamily: 6 }], verdict: toBaseline, comment } satisfies Statement] : []),
      ];
      rest = [...hairpin, ...this.npRules(pod, dir, sel.np)];
    }
    let handOver: Verdict | undefined;
    const pass = (): Verdict => {
      handOver ??= rest.length > 0 ? goto(this.sub(pod, dir, sel.np.length > 0 ? NP_TIER_PART : BASELINE_TIER_PART, rest, `${dir} of ${pod.namespace} pods after the Admin tier: ${[...sel.np.map(policyKey), ...sel.baseline.map((p) => p.name)].join(", ")}`)) : open;
      return handOver;
    };
    const admin = this.tierRules(pod, dir, sel.admin, (a) => (a === "Deny" ? drop : a === "Allow" ? open : pass()));
    const passed = handOver !== undefined;
    const body: Statement[] = passed
      ? [...admin, ...(rest.length > 0 ? [{ type: "rule", matches: [], verdict: pass(), comment: sel.np.length > 0 ? "no Admin-tier rule matched: NetworkPolicy tier, then Baseline" : "no Admin-tier rule matched: Baseline tier" } satisfies Statement] : [])]
      : [...admin, ...rest];
    if (body.length === 0) return undefined;
    const names = [...sel.admin.map((p) => p.name), ...sel.np.map(policyKey), ...sel.baseline.map((p) => p.name)];
    const comment = `${dir} of ${pod.namespace} pods: admin ${sel.admin.map((p) => p.name).join(",") || "-"}; networkpolicy ${sel.np.map((p) => p.name).join(",") || "-"}; baseline ${sel.baseline.map((p) => p.name).join(",") || "-"}`;
    return this.add(dir, pod.namespace, names[0] ?? "", `${dir}\n${pod.namespace}\ntiers\n${JSON.stringify(body)}`, comment, body);
  }
}

const ipText = (v: bigint, family: 4 | 6): string => elementsOf([{ lo: v, hi: v }], family)[0] ?? "";

function forwardChain(hairpin: boolean, hairpin6: boolean, v6: boolean): Chain {
  return {
    name: FORWARD_CHAIN,
    base: { type: "filter", hook: "forward", priority: 0, policy: "accept" },
    statements: [
      { type: "rule", matches: [{ type: "ct-state", states: ["established", "related"] }], verdict: accept, comment: "replies and related traffic of admitted connections" },
      // IPv6 finds neighbours with ICMPv6 (RFC 4861), which IPv4 does with ARP: not IP, never
      // policed. Bridged, these messages reach this hook; dropping them would cut an isolated pod
      // off its neighbours. RFC 4890 section 4.4.1: neighbour discovery must not be filtered.
      ...(v6 ? [ND_ACCEPT] : []),
      // A pod reaching itself through a Service (hairpin: DNAT picked its own address) is never
      // policed, as the model says (a pod may always reach itself); without this its own egress or
      // ingress isolation would drop it. nft cannot compare saddr with daddr, so: a set of pairs.
      ...(hairpin ? [{ type: "rule", matches: [{ type: "addr-pair", set: HAIRPIN_SET }], verdict: accept, comment: "hairpin: an isolated pod to itself" } satisfies Statement] : []),
      ...(hairpin6 ? [{ type: "rule", matches: [{ type: "addr-pair", set: HAIRPIN_SET6, ipFamily: 6 }], verdict: accept, comment: "hairpin: an isolated pod to itself (IPv6)" } satisfies Statement] : []),
      { type: "vmap", key: [{ type: "addr", field: "saddr" }], map: EGRESS_MAP, comment: "egress policy of local pods" },
      { type: "vmap", key: [{ type: "addr", field: "daddr" }], map: INGRESS_MAP, comment: "ingress policy of local pods" },
      ...(v6
        ? ([
            { type: "vmap", key: [{ type: "addr", field: "saddr", ipFamily: 6 }], map: EGRESS_MAP6, comment: "egress policy of local pods (IPv6)" },
            { type: "vmap", key: [{ type: "addr", field: "daddr", ipFamily: 6 }], map: INGRESS_MAP6, comment: "ingress policy of local pods (IPv6)" },
          ] satisfies Statement[])
        : []),
    ],
  };
}

const ND_ACCEPT: Statement = { type: "rule", matches: [{ type: "icmpv6-type", types: ["nd-router-solicit", "nd-router-advert", "nd-neighbor-solicit", "nd-neighbor-advert"] }], verdict: accept, comment: "IPv6 neighbour discovery (ARP's job in IPv4) is not pod traffic" };

/**
 * For a node with hostNetwork pods: what the node's own processes send to local pods passes the
 * output hook, not forward — the destination pod's ingress applies there (its source is the
 * node's address, which ipBlocks see); what local pods send to the node passes input — the source
 * pod's egress applies there. A hostNetwork pod itself is never selected (not in the maps).
 */
function hostChains(v6: boolean): Chain[] {
  const ct: Statement = { type: "rule", matches: [{ type: "ct-state", states: ["established", "related"] }], verdict: accept, comment: "replies and related traffic of admitted connections" };
  const nd = v6 ? [ND_ACCEPT] : [];
  return [
    {
      name: INPUT_CHAIN,
      base: { type: "filter", hook: "input", priority: 0, policy: "accept" },
      statements: [ct, ...nd,
        { type: "vmap", key: [{ type: "addr", field: "saddr" }], map: EGRESS_MAP, comment: "egress policy of local pods toward the node (its hostNetwork pods)" },
        ...(v6 ? [{ type: "vmap", key: [{ type: "addr", field: "saddr", ipFamily: 6 }], map: EGRESS_MAP6, comment: "egress policy of local pods toward the node (IPv6)" } satisfies Statement] : [])],
    },
    {
      name: OUTPUT_CHAIN,
      base: { type: "filter", hook: "output", priority: 0, policy: "accept" },
      statements: [ct, ...nd,
        { type: "vmap", key: [{ type: "addr", field: "daddr" }], map: INGRESS_MAP, comment: "ingress policy of local pods from the node (its hostNetwork pods)" },
        ...(v6 ? [{ type: "vmap", key: [{ type: "addr", field: "daddr", ipFamily: 6 }], map: INGRESS_MAP6, comment: "ingress policy of local pods from the node (IPv6)" } satisfies Statement] : [])],
    },
  ];
}

/** A local pod with a chain in some direction. */
export interface Dispatched {
  readonly pod: NftPod;
  /** Cluster policies select it: its hairpin is handled inside its chains (HAIRPIN_TIERED_SET). */
  readonly tiered: boolean;
  Egress?: string;
  Ingress?: string;
}

/** What the compiler decided for the node, before it is cut into tables. */
interface NodePolicy {
  readonly b: Chains;
  readonly dispatched: readonly Dispatched[];
  /** The node runs hostNetwork pods: input and output chains too. */
  readonly hostPods: boolean;
}

function compileNode(input: PolicyInput, node: string): NodePolicy {
  const b = new Chains(input);
  const byNs = new Map<string, NetworkPolicy[]>();
  for (const p of [...input.policies].sort((x, y) => (policyKey(x) < policyKey(y) ? -1 : 1))) pushTo(byNs, p.namespace, p);
  const tiers: Record<ClusterTier, ClusterPolicy[]> = { Admin: tierPolicies(input.clusterPolicies, "Admin"), Baseline: tierPolicies(input.clusterPolicies, "Baseline") };
  const local = input.pods.filter((p) => p.node === node && !p.hostNetwork).sort((x, y) => (x.id < y.id ? -1 : 1));
  // Which policies select a pod depends on its namespace and labels only: decide once per group.
  const memo = new Map<string, Selection>();
  const selection = (pod: NftPod, labels: string, dir: PolicyType): Selection => {
    const key = `${dir}\u0002${pod.namespace}\u0002${labels}`;
    let hit = memo.get(key);
    if (hit === undefined) {
      const cluster = (t: ClusterTier): ClusterPolicy[] => tiers[t].filter((p) => clusterRulesOf(p, dir).length > 0 && clusterPolicySelects(p, pod));
      hit = { admin: cluster("Admin"), np: (byNs.get(pod.namespace) ?? []).filter((p) => policyIsolates(p, dir) && policySelects(p, pod)), baseline: cluster("Baseline") };
      memo.set(key, hit);
    }
    return hit;
  };
  const dispatched: Dispatched[] = [];
  for (const pod of local) {
    const labels = labelsKey(pod);
    const sel = { Egress: selection(pod, labels, "Egress"), Ingress: selection(pod, labels, "Ingress") };
    const tiered = [sel.Egress, sel.Ingress].some((x) => x.admin.length > 0 || x.baseline.length > 0);
    const entry: Dispatched = { pod, tiered };
    for (const dir of ["Egress", "Ingress"] as const) {
      const chain = b.podChain(pod, dir, sel[dir], tiered);
      if (chain !== undefined) entry[dir] = chain;
    }
    if (entry.Egress !== undefined || entry.Ingress !== undefined) dispatched.push(entry);
  }
  return { b, dispatched, hostPods: input.pods.some((p) => p.node === node && p.hostNetwork) };
}

const byName = <T extends { name: string }>(xs: Iterable<T>): T[] => [...xs].sort((x, y) => (x.name < y.name ? -1 : 1));

/** Sets a chain's rules name. */
function setsOf(chain: Chain): string[] {
  const out: string[] = [];
  for (const s of chain.statements) {
    if (s.type !== "rule") continue;
    for (const m of s.matches) if (m.type === "addr" || m.type === "dport-set" || m.type === "addr-pair") out.push(m.set);
  }
  return out;
}

/** One table: the given namespaces' chains, the sets they use, and the dispatch of their pods. */
function buildTable(n: NodePolicy, node: string, name: string, namespaces: ReadonlySet<string> | undefined, shardNote: string): Table {
  const inShard = (ns: string): boolean => namespaces === undefined || namespaces.has(ns);
  const chains = byName([...n.b.chains.values()].filter((c) => inShard(n.b.chainNamespace.get(c.name) ?? "")));
  const setNames = new Set(chains.flatMap(setsOf));
  const sets: AddrSet[] = byName([...n.b.sets.values()].filter((s) => setNames.has(s.name)));
  const d = dispatchParts(n.dispatched.filter((e) => inShard(e.pod.namespace)), { v6: n.b.v6, hostPods: n.hostPods, tieredSets: setNames });
  return {
    family: TABLE_FAMILY,
    name,
    comment: `kwire NetworkPolicy for node ${node}${shardNote}`,
    sets: [...sets, ...d.sets],
    chains: [...chains, ...d.chains],
  };
}

/**
 * The dispatch part of a node's policy table, both families (shared by compile-general.ts): the
 * verdict maps from each dispatched pod's addresses to its chains (`egress-pods6` / `ingress-pods6`
 * too when `v6`), its hairpin pairs (`hairpin` — accepted in `forward` — or, for a tiered pod,
 * `hairpin-tiered`, kept only when `tieredSets` holds its name: a chain tests it), then the base
 * chains: `forward`, and `input` / `output` when the node runs hostNetwork pods.
 */
export function dispatchParts(dispatched: readonly Dispatched[], opts: { readonly v6: boolean; readonly hostPods: boolean; readonly tieredSets?: ReadonlySet<string> }): { sets: (AddrSet | VerdictMap)[]; chains: Chain[] } {
  type Entries = Record<PolicyType, { key: string; verdict: Verdict }[]>;
  const maps: Record<4 | 6, Entries> = { 4: { Ingress: [], Egress: [] }, 6: { Ingress: [], Egress: [] } };
  const pairs: Record<4 | 6, string[]> = { 4: [], 6: [] };
  const tieredPairs: Record<4 | 6, string[]> = { 4: [], 6: [] };
  for (const e of dispatched) {
    for (const f of [4, 6] as const) {
      for (const v of ipsOf(e.pod, f)) {
        const ip = ipText(v, f);
        (e.tiered ? tieredPairs : pairs)[f].push(`${ip} . ${ip}`);
        if (e.Egress !== undefined) maps[f].Egress.push({ key: ip, verdict: jump(e.Egress) });
        if (e.Ingress !== undefined) maps[f].Ingress.push({ key: ip, verdict: jump(e.Ingress) });
      }
    }
  }
  const sets: AddrSet[] = [];
  if (pairs[4].length > 0) sets.push({ kind: "set", name: HAIRPIN_SET, addrType: "ipv4_addr . ipv4_addr", elements: pairs[4], comment: "hairpin: isolated local pods, each paired with itself" });
  if (pairs[6].length > 0) sets.push({ kind: "set", name: HAIRPIN_SET6, addrType: "ipv6_addr . ipv6_addr", elements: pairs[6], comment: "hairpin: isolated local pods (IPv6), each paired with itself" });
  if (opts.tieredSets?.has(HAIRPIN_TIERED_SET) === true) sets.push({ kind: "set", name: HAIRPIN_TIERED_SET, addrType: "ipv4_addr . ipv4_addr", elements: tieredPairs[4], comment: "hairpin: local pods cluster policies select, each paired with itself" });
  if (opts.tieredSets?.has(HAIRPIN_TIERED_SET6) === true) sets.push({ kind: "set", name: HAIRPIN_TIERED_SET6, addrType: "ipv6_addr . ipv6_addr", elements: tieredPairs[6], comment: "hairpin: local pods (IPv6) cluster policies select, each paired with itself" });
  const v6 = opts.v6;
  const vmap = (mapName: string, dir: PolicyType, f: 4 | 6): VerdictMap => ({ kind: "vmap", name: mapName, addrType: f === 4 ? "ipv4_addr" : "ipv6_addr", elements: maps[f][dir] });
  return {
    sets: [...sets, vmap(EGRESS_MAP, "Egress", 4), vmap(INGRESS_MAP, "Ingress", 4), ...(v6 ? [vmap(EGRESS_MAP6, "Egress", 6), vmap(INGRESS_MAP6, "Ingress", 6)] : [])],
    chains: [forwardChain(pairs[4].length > 0, pairs[6].length > 0, v6), ...(opts.hostPods ? hostChains(v6) : [])],
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
  for (const e of n.dispatched) if (!weight.has(e.pod.namespace)) weight.set(e.pod.namespace, 0);
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
