/**
 * @module fast
 * The product engine. Policies are compiled once against equivalence classes: every rule's
 * peers become a bitset over classes, every port list an interned port-set id (per named-port
 * signature of the destination). A class's ingress side is a small list of (peers, ports)
 * groups shared by all classes with the same rules ("ingress profile"); a row of the class
 * matrix is computed in bulk: egress painted from the source's rules, ingress looked up once
 * per profile, then combined per destination with integer fast paths.
 */
import { clusterRulesOf, type Cluster, type ClusterPolicy, type NetworkPolicy, type PolicyRule, type PolicyType, type PortSet, type RuleAction } from "../model/index.js";
import {
  PORT_SET_OPS,
  clusterRuleOrigin,
  foldTiers,
  npRuleOrigin,
  resolveRulePorts,
  tierPolicies,
  type MatchedRule,
  type RuleOrigin,
  type TierInput,
} from "../policy/index.js";
import { UNPOLICED, policyId, verdictOfFold, type Analysis, type DirectionVerdict, type PairExplanation } from "./analysis.js";
import { Bitset } from "./bitset.js";
import { buildClasses, type ClassInfo } from "./classes.js";
import { ALL_ID, EMPTY_ID, PortSetTable, subtractIds } from "./port-table.js";
import { SelectionIndex } from "./selection.js";
import { buildTopology, type Topology } from "./topology.js";

interface CompiledRule {
  /** Index into the NetworkPolicies (tier NetworkPolicy) or the cluster policies (other tiers). */
  readonly policy: number;
  readonly origin: RuleOrigin;
  readonly direction: PolicyType;
  readonly index: number;
  readonly rule: PolicyRule;
  /** undefined: every peer. */
  readonly peers: Bitset | undefined;
  /** Port-set id when the rule has no named port (same for every destination). */
  readonly fixedPorts: number | undefined;
}

/** Entry codes of a tiered program: a rule's action, or the end of a tier. */
const ALLOW = 0;
const DENY = 1;
const PASS = 2;
const TIER_END = 3;
const TIER_END_ISOLATING = 4;
const ACTION_CODE: Readonly<Record<RuleAction, number>> = { Allow: ALLOW, Deny: DENY, Pass: PASS };

/** A class's program for one direction: admin rule ids, NetworkPolicy isolation + rule ids, baseline rule ids. */
interface Program {
  readonly admin: readonly number[];
  readonly np: readonly number[];
  readonly isolated: boolean;
  readonly baseline: readonly number[];
}

/**
 * The ingress side of all classes, flattened: profile p (classes with the same ingress rules and
 * resolved ports) owns groups start[p] … start[p+1]-1, each a peers bitset (index into the
 * transposed bitset table, -1 for every peer) and a port-set id. The table stores word w of every
 * bitset contiguously, so evaluating all profiles for one source class reads one small slice.
 */
interface IngressProfiles {
  readonly count: number;
  readonly start: Int32Array;
  readonly groupBits: Int32Array;
  readonly groupPorts: Uint32Array;
  /** Per group: ALLOW/DENY/PASS, or TIER_END(_ISOLATING) markers (tiered profiles only). */
  readonly groupAction: Uint8Array;
  /** Per profile: 1 when it has cluster-policy rules (evaluated by the tiered fold). */
  readonly tiered: Uint8Array;
  /** words[w * bitsetCount + i] = word w of bitset i. */
  readonly words: Uint32Array;
  readonly bitsetCount: number;
  /** Profile per class, -1 when the class is not isolated for ingress. */
  readonly profileOf: Int32Array;
}

export class FastEngine implements Analysis {
  readonly engine = "fast" as const;
  readonly topology: Topology;
  readonly nodeCount: number;
  readonly classOf: Int32Array;
  readonly classCount: number;
  readonly ports = new PortSetTable();
  private readonly infos: readonly ClassInfo[];
  private readonly policies: readonly NetworkPolicy[];
  private readonly clusterPolicies: readonly ClusterPolicy[];
  /** Per class: cluster-policy rule ids (evaluation order) per tier and direction. */
  private readonly tierRules: { Admin: { Ingress: number[][]; Egress: number[][] }; Baseline: { Ingress: number[][]; Egress: number[][] } };
  private readonly rules: CompiledRule[] = [];
  /** Per class: ids of policies selecting it, per direction (in policy id order). */
  private readonly selectedBy: { Ingress: number[][]; Egress: number[][] };
  private readonly rulesOfPolicy: number[][] = [];
  private readonly resolved = new Map<number, number>();
  private readonly portsSigs: ReturnType<typeof buildClasses>["portsSigs"];
  private profiles: IngressProfiles | undefined;
  private profileScratch = new Uint32Array(0);
  private readonly egressScratch: { key: string; row: Uint32Array } = { key: "", row: new Uint32Array(0) };

  constructor(cluster: Cluster, topology: Topology = buildTopology(cluster)) {
    this.topology = topology;
    const classes = buildClasses(topology);
    this.classOf = classes.classOf;
    this.infos = classes.infos;
    this.portsSigs = classes.portsSigs;
    this.classCount = this.infos.length;
    this.nodeCount = topology.subjects.length + topology.cells.length;
    this.policies = [...cluster.networkPolicies].sort((a, b) => (policyId(a) < policyId(b) ? -1 : 1));
    const index = new SelectionIndex(topology, this.infos);
    this.selectedBy = { Ingress: this.infos.map(() => []), Egress: this.infos.map(() => []) };
    this.policies.forEach((p, pi) => this.compilePolicy(p, pi, index));
    const perClass = (): { Ingress: number[][]; Egress: number[][] } => ({ Ingress: this.infos.map(() => []), Egress: this.infos.map(() => []) });
    this.tierRules = { Admin: perClass(), Baseline: perClass() };
    this.clusterPolicies = [...tierPolicies(cluster.clusterPolicies, "Admin"), ...tierPolicies(cluster.clusterPolicies, "Baseline")];
    this.clusterPolicies.forEach((p, ci) => this.compileClusterPolicy(p, ci, index));
  }

  private peersOf(rule: PolicyRule, policyNs: string, index: SelectionIndex): Bitset | undefined {
    if (rule.peers === "All") return undefined;
    const list = rule.peers.map((peer) => index.peer(peer, policyNs));
    if (list.length === 1) return list[0];
    const peers = new Bitset(this.classCount);
    for (const b of list) peers.orWith(b);
    return peers;
  }

  private fixedPortsOf(rule: PolicyRule): number | undefined {
    const named = rule.ports !== "All" && rule.ports.some((x) => x.port.type === "Named");
    return named ? undefined : this.ports.intern(resolveRulePorts(rule, undefined));
  }

  private compileClusterPolicy(p: ClusterPolicy, ci: number, index: SelectionIndex): void {
    const subject: number[] = [];
    for (const ns of index.namespacesMatching(p.subject.namespaces)) subject.push(...index.podsIn(ns, p.subject.pods));
    for (const dir of ["Ingress", "Egress"] as const) {
      const ids = clusterRulesOf(p, dir).map((r, i) => {
        this.rules.push({ policy: ci, origin: clusterRuleOrigin(p, dir, i), direction: dir, index: i, rule: r.rule, peers: this.peersOf(r.rule, "", index), fixedPorts: this.fixedPortsOf(r.rule) });
        return this.rules.length - 1;
      });
      if (ids.length === 0) continue;
      const byClass = this.tierRules[p.tier][dir];
      for (const c of subject) byClass[c]?.push(...ids);
    }
  }

  private compilePolicy(p: NetworkPolicy, pi: number, index: SelectionIndex): void {
    for (const c of index.podsIn(p.namespace, p.podSelector)) {
      for (const dir of p.policyTypes) this.selectedBy[dir][c]?.push(pi);
    }
    const ids: number[] = [];
    for (const dir of ["Ingress", "Egress"] as const) {
      if (!p.policyTypes.includes(dir)) continue;
      (dir === "Ingress" ? p.ingress : p.egress).forEach((rule, i) => {
        ids.push(this.rules.length);
        this.rules.push({ policy: pi, origin: npRuleOrigin(p, dir, i, rule.source), direction: dir, index: i, rule, peers: this.peersOf(rule, p.namespace, index), fixedPorts: this.fixedPortsOf(rule) });
      });
    }
    this.rulesOfPolicy.push(ids);
  }

  /** Ports rule `r` admits toward a destination of class `dst`. */
  private rulePorts(r: number, dst: number): number {
    const rule = this.rules[r] as CompiledRule;
    if (rule.fixedPorts !== undefined) return rule.fixedPorts;
    const sig = (this.infos[dst] as ClassInfo).portsSig;
    const key = r * 2 ** 21 + (sig + 1);
    let id = this.resolved.get(key);
    if (id === undefined) {
      id = this.ports.intern(resolveRulePorts(rule.rule, sig < 0 ? undefined : this.portsSigs[sig]));
      this.resolved.set(key, id);
    }
    return id;
  }

  private directionRules(c: number, dir: PolicyType): number[] {
    const out: number[] = [];
    for (const pi of this.selectedBy[dir][c] ?? []) {
      for (const r of this.rulesOfPolicy[pi] ?? []) if ((this.rules[r] as CompiledRule).direction === dir) out.push(r);
    }
    return out;
  }

  /** The class's tiered program, or undefined when no cluster policy applies (NetworkPolicy only). */
  private program(c: number, dir: PolicyType): Program | undefined {
    const admin = this.tierRules.Admin[dir][c] ?? [];
    const baseline = this.tierRules.Baseline[dir][c] ?? [];
    if (admin.length === 0 && baseline.length === 0) return undefined;
    const isolated = (this.selectedBy[dir][c] ?? []).length > 0;
    return { admin, np: isolated ? this.directionRules(c, dir) : [], isolated, baseline };
  }

  private buildProfiles(): IngressProfiles {
    if (this.profiles) return this.profiles;
    const profileOf = new Int32Array(this.classCount).fill(-1);
    const byKey = new Map<string, number>();
    const bitsetIds = new Map<Bitset, number>();
    const bitsets: Bitset[] = [];
    const start: number[] = [0];
    const groupBits: number[] = [];
    const groupPorts: number[] = [];
    const groupAction: number[] = [];
    const tiered: number[] = [];
    const bitsOf = (r: number): number => {
      const peers = (this.rules[r] as CompiledRule).peers;
      if (!peers) return -1;
      let bi = bitsetIds.get(peers);
      if (bi === undefined) {
        bi = bitsets.length;
        bitsetIds.set(peers, bi);
        bitsets.push(peers);
      }
      return bi;
    };
    for (let d = 0; d < this.classCount; d++) {
      const prog = this.program(d, "Ingress");
      let entries: (readonly [number, number, number])[];
      if (prog) {
        const rule = (r: number): readonly [number, number, number] => [r, this.rulePorts(r, d), ACTION_CODE[(this.rules[r] as CompiledRule).origin.action]];
        entries = [
          ...prog.admin.map(rule),
          [-1, EMPTY_ID, TIER_END],
          ...prog.np.map(rule),
          [-1, EMPTY_ID, prog.isolated ? TIER_END_ISOLATING : TIER_END],
          ...prog.baseline.map(rule),
        ];
        entries = entries.filter(([r, p]) => r < 0 || p !== EMPTY_ID);
      } else {
        if ((this.selectedBy.Ingress[d] ?? []).length === 0) continue;
        entries = this.directionRules(d, "Ingress").map((r) => [r, this.rulePorts(r, d), ALLOW] as const).filter(([, p]) => p !== EMPTY_ID);
      }
      const key = `${prog ? "t" : "n"}:${entries.map(([r, p, a]) => `${r}:${p}:${a}`).join(",")}`;
      let id = byKey.get(key);
      if (id === undefined) {
        id = start.length - 1;
        byKey.set(key, id);
        for (const [r, p, a] of entries) {
          groupBits.push(r < 0 ? -1 : bitsOf(r));
          groupPorts.push(p);
          groupAction.push(a);
        }
        start.push(groupBits.length);
        tiered.push(prog ? 1 : 0);
      }
      profileOf[d] = id;
    }
    const W = (this.classCount + 31) >>> 5;
    const n = bitsets.length;
    const words = new Uint32Array(W * n);
    bitsets.forEach((b, i) => {
      for (let w = 0; w < W; w++) words[w * n + i] = b.words[w] as number;
    });
    this.profiles = {
      count: start.length - 1,
      start: Int32Array.from(start),
      groupBits: Int32Array.from(groupBits),
      groupPorts: Uint32Array.from(groupPorts),
      groupAction: Uint8Array.from(groupAction),
      tiered: Uint8Array.from(tiered),
      words,
      bitsetCount: n,
      profileOf,
    };
    return this.profiles;
  }

  /** Egress ports from class s to every class, or undefined when no policy applies to s for egress. */
  private egressRow(s: number): Uint32Array | undefined {
    const prog = this.program(s, "Egress");
    if (prog) return this.tieredEgressRow(prog);
    if ((this.selectedBy.Egress[s] ?? []).length === 0) return undefined;
    const rules = this.directionRules(s, "Egress");
    const key = rules.join(",");
    const scratch = this.egressScratch;
    if (scratch.key === key && scratch.row.length === this.classCount) return scratch.row;
    const row = scratch.row.length === this.classCount ? scratch.row.fill(0) : new Uint32Array(this.classCount);
    const t = this.ports;
    for (const r of rules) {
      const rule = this.rules[r] as CompiledRule;
      const fixed = rule.fixedPorts;
      if (fixed === EMPTY_ID) continue;
      const paint = (c: number): void => {
        row[c] = t.union(row[c] as number, fixed ?? this.rulePorts(r, c));
      };
      if (rule.peers) rule.peers.forEach(paint);
      else for (let c = 0; c < row.length; c++) paint(c);
    }
    scratch.key = key;
    scratch.row = row;
    return row;
  }

  /** The tiered fold of an egress program toward every destination class at once. */
  private tieredEgressRow(prog: Program): Uint32Array {
    const key = `t:${prog.admin.join(",")}|${prog.isolated ? "i" : ""}${prog.np.join(",")}|${prog.baseline.join(",")}`;
    const scratch = this.egressScratch;
    if (scratch.key === key && scratch.row.length === this.classCount) return scratch.row;
    const C = this.classCount;
    const t = this.ports;
    const undecided = new Uint32Array(C).fill(ALL_ID);
    const allowed = new Uint32Array(C).fill(EMPTY_ID);
    const remaining = new Uint32Array(C).fill(ALL_ID);
    const apply = (r: number): void => {
      const rule = this.rules[r] as CompiledRule;
      const code = ACTION_CODE[rule.origin.action];
      const fixed = rule.fixedPorts;
      if (fixed === EMPTY_ID) return;
      const one = (c: number): void => {
        const rem = remaining[c] as number;
        if (rem === EMPTY_ID) return;
        const hit = t.intersect(fixed ?? this.rulePorts(r, c), rem);
        if (hit === EMPTY_ID) return;
        remaining[c] = subtractIds(t, rem, hit);
        if (code === PASS) return;
        undecided[c] = subtractIds(t, undecided[c] as number, hit);
        if (code === ALLOW) allowed[c] = t.union(allowed[c] as number, hit);
      };
      if (rule.peers) rule.peers.forEach(one);
      else for (let c = 0; c < C; c++) one(c);
    };
    const endTier = (isolating: boolean): void => {
      if (isolating) undecided.fill(EMPTY_ID);
      remaining.set(undecided);
    };
    for (const r of prog.admin) apply(r);
    endTier(false);
    for (const r of prog.np) apply(r);
    endTier(prog.isolated);
    for (const r of prog.baseline) apply(r);
    const row = scratch.row.length === C ? scratch.row : new Uint32Array(C);
    for (let c = 0; c < C; c++) row[c] = t.union(allowed[c] as number, undecided[c] as number);
    scratch.key = key;
    scratch.row = row;
    return row;
  }

  /** Ingress verdict of a tiered profile for a source class (bit `bit` of word slice `base`). */
  private foldProfile(prof: IngressProfiles, p: number, base: number, bit: number): number {
    const t = this.ports;
    const { start, groupBits, groupPorts, groupAction, words } = prof;
    let undecided = ALL_ID;
    let allowed = EMPTY_ID;
    let remaining = ALL_ID;
    const end = start[p + 1] as number;
    for (let k = start[p] as number; k < end; k++) {
      const code = groupAction[k] as number;
      if (code >= TIER_END) {
        if (code === TIER_END_ISOLATING) undecided = EMPTY_ID;
        remaining = undecided;
        continue;
      }
      if (remaining === EMPTY_ID) continue;
      const bi = groupBits[k] as number;
      if (bi >= 0 && (((words[base + bi] as number) >>> bit) & 1) !== 1) continue;
      const hit = t.intersect(groupPorts[k] as number, remaining);
      if (hit === EMPTY_ID) continue;
      remaining = subtractIds(t, remaining, hit);
      if (code === PASS) continue;
      undecided = subtractIds(t, undecided, hit);
      if (code === ALLOW) allowed = t.union(allowed, hit);
    }
    return t.union(allowed, undecided);
  }

  classRow(a: number, out: Uint32Array): void {
    const C = this.classCount;
    const t = this.ports;
    const prof = this.buildProfiles();
    const profileOf = prof.profileOf;
    const srcIsSubject = (this.infos[a] as ClassInfo).subject !== undefined;
    const e = srcIsSubject ? this.egressRow(a) : undefined;
    // Ingress verdict toward each profile for source a: a union over the groups whose peers hold a
    // (NetworkPolicy only), or the tiered fold.
    const v = this.profileScratch.length === prof.count ? this.profileScratch : (this.profileScratch = new Uint32Array(prof.count));
    const base = (a >>> 5) * prof.bitsetCount;
    const bit = a & 31;
    const { start, groupBits, groupPorts, words, tiered } = prof;
    for (let p = 0; p < prof.count; p++) {
      if (tiered[p] === 1) {
        v[p] = this.foldProfile(prof, p, base, bit);
        continue;
      }
      let acc = EMPTY_ID;
      const end = start[p + 1] as number;
      for (let k = start[p] as number; k < end; k++) {
        const bi = groupBits[k] as number;
        if (bi < 0 || (((words[base + bi] as number) >>> bit) & 1) === 1) {
          const g = groupPorts[k] as number;
          acc = acc === EMPTY_ID ? g : acc === g ? acc : t.union(acc, g);
        }
      }
      v[p] = acc;
    }
    for (let b = 0; b < C; b++) {
      const ep = e ? (e[b] as number) : ALL_ID;
      if (ep === EMPTY_ID) {
        out[b] = EMPTY_ID;
        continue;
      }
      const p = profileOf[b] as number;
      const ip = p < 0 ? ALL_ID : (v[p] as number);
      out[b] = ep === ALL_ID ? ip : ip === ALL_ID ? ep : ip === EMPTY_ID ? EMPTY_ID : t.intersect(ep, ip);
    }
  }

  classPortsId(a: number, b: number): number {
    const row = new Uint32Array(this.classCount);
    this.classRow(a, row);
    return row[b] as number;
  }

  isolated(node: number, dir: PolicyType): boolean {
    const c = this.classOf[node] as number;
    return (this.selectedBy[dir][c] ?? []).length > 0 || this.program(c, dir) !== undefined;
  }

  private verdict(at: number, peer: number, dir: PolicyType, dstClass: number): DirectionVerdict {
    const info = this.infos[at] as ClassInfo;
    if (!info.subject || info.subject.hostNetwork) return UNPOLICED;
    const matched = (ids: readonly number[]): MatchedRule<PortSet>[] => {
      const out: MatchedRule<PortSet>[] = [];
      for (const r of ids) {
        const rule = this.rules[r] as CompiledRule;
        if (rule.peers && !rule.peers.has(peer)) continue;
        out.push({ origin: rule.origin, ports: this.ports.get(this.rulePorts(r, dstClass)) });
      }
      return out;
    };
    const pis = this.selectedBy[dir][at] ?? [];
    const isolatedBy = pis.map((pi) => policyId(this.policies[pi] as NetworkPolicy));
    const npMatched = pis.length > 0 ? matched(this.directionRules(at, dir)) : [];
    const selected = (ids: readonly number[]): string[] => [...new Set(ids.map((r) => (this.clusterPolicies[(this.rules[r] as CompiledRule).policy] as ClusterPolicy).name))];
    const admin = this.tierRules.Admin[dir][at] ?? [];
    const baseline = this.tierRules.Baseline[dir][at] ?? [];
    const tiers: TierInput<PortSet>[] = [
      { tier: "Admin", isolating: false, selectedBy: selected(admin), matched: matched(admin) },
      { tier: "NetworkPolicy", isolating: pis.length > 0, selectedBy: isolatedBy, matched: npMatched },
      { tier: "Baseline", isolating: false, selectedBy: selected(baseline), matched: matched(baseline) },
    ];
    return verdictOfFold(foldTiers(tiers, PORT_SET_OPS), isolatedBy, npMatched);
  }

  explain(src: number, dst: number): PairExplanation {
    const a = this.classOf[src] as number;
    const b = this.classOf[dst] as number;
    const egress = this.verdict(a, b, "Egress", b);
    const ingress = this.verdict(b, a, "Ingress", b);
    const id = this.ports.intersect(this.ports.intern(egress.ports), this.ports.intern(ingress.ports));
    return { egress, ingress, ports: this.ports.get(id) };
  }
}

export function fastAnalysis(cluster: Cluster, topology?: Topology): Analysis {
  return new FastEngine(cluster, topology);
}
