/**
 * @module fast
 * The product engine. Policies are compiled once against equivalence classes: every rule's
 * peers become a bitset over classes, every port list an interned port-set id (per named-port
 * signature of the destination). A class's ingress side is a small list of (peers, ports)
 * groups shared by all classes with the same rules ("ingress profile"); a row of the class
 * matrix is computed in bulk: egress painted from the source's rules, ingress looked up once
 * per profile, then combined per destination with integer fast paths.
 */
import { generalFastAnalysis } from "./general.js";
import { enforcedTiers } from "../policy/enforced.js";
import { clusterRulesOf, type Cluster, type ClusterPolicy, type NetworkPolicy, type PolicyRule, type PolicyType, type PortSet, type RuleAction } from "../model/index.js";
import {
  PORT_SET_OPS,
  clusterRuleOrigin,
  foldTiers,
  npRuleOrigin,
  peerMatchesPod,
  resolveRulePorts,
  tierPolicies,
  type MatchedRule,
  type PodIdentity,
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
const ACTION_CODE: Readonly<Record<RuleAction, number>> = { Allow: ALLOW, Deny: DENY, Pass: PASS };

/** A class's program for one direction: admin rule ids, NetworkPolicy isolation + rule ids, baseline rule ids. */
interface Program {
  readonly admin: readonly number[];
  readonly np: readonly number[];
  readonly isolated: boolean;
  readonly baseline: readonly number[];
}

/**
 * The ingress side of all classes, flattened. Group lists come in two sorts, stored alike
 * (lists start[i] … start[i+1]-1, each group a peers bitset — index into the transposed bitset
 * table, -1 for every peer — a port-set id and an action):
 *  - NetworkPolicy profiles (lists 0 … npCount-1): the allow groups of classes with the same
 *    isolating policies and resolved ports; their verdict is a union;
 *  - tier programs (lists npCount …): the Admin-tier or Baseline-tier rules of a class in
 *    evaluation order; their fold from "everything open" gives (allowed, undecided).
 * Because each port is decided by the first rule that matches it, a tier folded from a smaller
 * open set U gives its full-set result ∩ U; so a class's ingress verdict is
 *   A.allowed ∪ (NP isolates ? NP ∩ A.undecided : (B.allowed ∪ B.undecided) ∩ A.undecided)
 * and every source evaluates each list once, not once per class. A combo is a class's
 * (NP profile, Admin program, Baseline program).
 * The table stores word w of every bitset contiguously, so one source reads one small slice.
 */
interface IngressProfiles {
  readonly npCount: number;
  readonly listCount: number;
  readonly start: Int32Array;
  readonly groupBits: Int32Array;
  readonly groupPorts: Uint32Array;
  readonly groupAction: Uint8Array;
  /** words[w * bitsetCount + i] = word w of bitset i. */
  readonly words: Uint32Array;
  readonly bitsetCount: number;
  /** Per combo: NP profile (-1: not isolated), Admin and Baseline program list ids (-1: none). */
  readonly comboNp: Int32Array;
  readonly comboAdmin: Int32Array;
  readonly comboBaseline: Int32Array;
  /** Combo per class, -1 when no policy applies to the class for ingress. */
  readonly profileOf: Int32Array;
  /** Per NetworkPolicy profile: the union of its groups open to every peer (usually empty). */
  readonly npBase: Uint32Array;
  /** The NetworkPolicy profiles whose npBase is not empty. */
  readonly baseLists: readonly number[];
  /** Per class x: the bitsets of NetworkPolicy groups containing x, colIds[colStart[x] … colStart[x+1]-1]. */
  readonly colStart: Int32Array;
  readonly colIds: Int32Array;
  /** Per bitset i: the NetworkPolicy groups using it, bitGroups[bitGroupStart[i] … bitGroupStart[i+1]-1]. */
  readonly bitGroupStart: Int32Array;
  readonly bitGroups: Int32Array;
  /** The list (profile) each group belongs to. */
  readonly listOfGroup: Int32Array;
  /** Per NetworkPolicy profile: the combo made of it alone (no tier program), or -1. */
  readonly pureCombo: Int32Array;
  /** Per bitset: a compiled rule whose peers it is (what a source outside the classes is matched against). */
  readonly ruleOfBitset: Int32Array;
  /** Combos with an Admin or Baseline program. */
  readonly tieredCombos: Int32Array;
}

/**
 * A source class's row in profile form: what `classRow` expands to one entry per class. The
 * port set toward destination b is `combinePorts(egress?.[b] ?? ALL, profileOf[b] < 0 ? ALL :
 * ingress[profileOf[b]])`.
 */
export interface ProfiledRow {
  /** Ports toward the destinations of each ingress combo; valid for every combo until the next call. */
  readonly ingress: Uint32Array;
  /** The combos whose `ingress` is not empty. */
  readonly nonEmpty: readonly number[];
  /** Egress ports toward each class; undefined when no policy applies to the source for egress. */
  readonly egress: Uint32Array | undefined;
  /** The classes whose `egress` entry may be non-empty, when every egress rule names its peers; undefined: any. */
  readonly egressTouched: readonly number[] | undefined;
}

/** The ports from a source to a destination: its egress ports ∩ the destination's ingress ports. */
export function combinePorts(t: PortSetTable, ep: number, ip: number): number {
  if (ep === EMPTY_ID) return EMPTY_ID;
  return ep === ALL_ID ? ip : ip === ALL_ID ? ep : ip === EMPTY_ID ? EMPTY_ID : t.intersect(ep, ip);
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
  private tierScratch = new Uint32Array(0);
  private listScratch = new Uint32Array(0);
  private readonly egressScratch: { key: string; row: Uint32Array; touched: number[] | undefined } = { key: "", row: new Uint32Array(0), touched: undefined };
  /** profiledRow's state: combo values, the non-empty ones, the NetworkPolicy profiles touched last. */
  private rowState: { v: Uint32Array; nonEmpty: number[]; touched: number[]; stamp: Int32Array; epoch: number } | undefined;

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

  private fixedPortsOf(rule: PolicyRule): number | undefined {
    const named = rule.ports !== "All" && rule.ports.some((x) => x.port.type === "Named");
    return named ? undefined : this.ports.intern(resolveRulePorts(rule, undefined));
  }

  private compileClusterPolicy(p: ClusterPolicy, ci: number, index: SelectionIndex): void {
    const subject = index.clusterSubject(p.subject);
    for (const dir of ["Ingress", "Egress"] as const) {
      const ids = clusterRulesOf(p, dir).map((r, i) => {
        this.rules.push({ policy: ci, origin: clusterRuleOrigin(p, dir, i), direction: dir, index: i, rule: r.rule, peers: index.rulePeers(r.rule, ""), fixedPorts: this.fixedPortsOf(r.rule) });
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
        this.rules.push({ policy: pi, origin: npRuleOrigin(p, dir, i, rule.source), direction: dir, index: i, rule, peers: index.rulePeers(rule, p.namespace), fixedPorts: this.fixedPortsOf(rule) });
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
    const bitsetIds = new Map<Bitset, number>();
    const bitsets: Bitset[] = [];
    const ruleOfBitset: number[] = [];
    const start: number[] = [0];
    const groupBits: number[] = [];
    const groupPorts: number[] = [];
    const groupAction: number[] = [];
    const bitsOf = (r: number): number => {
      const peers = (this.rules[r] as CompiledRule).peers;
      if (!peers) return -1;
      let bi = bitsetIds.get(peers);
      if (bi === undefined) {
        bi = bitsets.length;
        bitsetIds.set(peers, bi);
        bitsets.push(peers);
        ruleOfBitset.push(r);
      }
      return bi;
    };
    type Entry = readonly [number, number, number];
    const addList = (byKey: Map<string, number>, entries: readonly Entry[], offset: number): number => {
      const key = entries.map(([r, p, a]) => `${r}:${p}:${a}`).join(",");
      let id = byKey.get(key);
      if (id === undefined) {
        id = start.length - 1 - offset;
        byKey.set(key, id);
        for (const [r, p, a] of entries) {
          groupBits.push(bitsOf(r));
          groupPorts.push(p);
          groupAction.push(a);
        }
        start.push(groupBits.length);
      }
      return id;
    };
    // NetworkPolicy profiles first (list ids 0 … npCount-1), then the tier programs.
    const npOf = new Int32Array(this.classCount).fill(-1);
    const npKeys = new Map<string, number>();
    for (let d = 0; d < this.classCount; d++) {
      if ((this.selectedBy.Ingress[d] ?? []).length === 0) continue;
      const entries = this.directionRules(d, "Ingress").map((r): Entry => [r, this.rulePorts(r, d), ALLOW]).filter(([, p]) => p !== EMPTY_ID);
      npOf[d] = addList(npKeys, entries, 0);
    }
    const npCount = start.length - 1;
    const progKeys = new Map<string, number>();
    const comboKeys = new Map<string, number>();
    const comboNp: number[] = [];
    const comboAdmin: number[] = [];
    const comboBaseline: number[] = [];
    const program = (ids: readonly number[], d: number): number => {
      if (ids.length === 0) return -1;
      const entries = ids.map((r): Entry => [r, this.rulePorts(r, d), ACTION_CODE[(this.rules[r] as CompiledRule).origin.action]]).filter(([, p]) => p !== EMPTY_ID);
      return entries.length === 0 ? -1 : npCount + addList(progKeys, entries, npCount);
    };
    for (let d = 0; d < this.classCount; d++) {
      const np = npOf[d] as number;
      const admin = program(this.tierRules.Admin.Ingress[d] ?? [], d);
      const baseline = program(this.tierRules.Baseline.Ingress[d] ?? [], d);
      if (np < 0 && admin < 0 && baseline < 0) continue;
      const key = `${np},${admin},${baseline}`;
      let c = comboKeys.get(key);
      if (c === undefined) {
        c = comboNp.length;
        comboKeys.set(key, c);
        comboNp.push(np);
        comboAdmin.push(admin);
        comboBaseline.push(baseline);
      }
      profileOf[d] = c;
    }
    const W = (this.classCount + 31) >>> 5;
    const n = bitsets.length;
    const words = new Uint32Array(W * n);
    bitsets.forEach((b, i) => {
      for (let w = 0; w < W; w++) words[w * n + i] = b.words[w] as number;
    });
    const sparse = this.sparseIngress(start, groupBits, groupPorts, bitsets, npCount);
    const pureCombo = new Int32Array(npCount).fill(-1);
    const tieredCombos: number[] = [];
    comboNp.forEach((np, c) => {
      if (comboAdmin[c] === -1 && comboBaseline[c] === -1) pureCombo[np] = c;
      else tieredCombos.push(c);
    });
    this.profiles = {
      ...sparse,
      pureCombo,
      ruleOfBitset: Int32Array.from(ruleOfBitset),
      tieredCombos: Int32Array.from(tieredCombos),
      npCount,
      listCount: start.length - 1,
      start: Int32Array.from(start),
      groupBits: Int32Array.from(groupBits),
      groupPorts: Uint32Array.from(groupPorts),
      groupAction: Uint8Array.from(groupAction),
      words,
      bitsetCount: n,
      comboNp: Int32Array.from(comboNp),
      comboAdmin: Int32Array.from(comboAdmin),
      comboBaseline: Int32Array.from(comboBaseline),
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
    let touched: number[] | undefined = [];
    for (const r of rules) {
      const rule = this.rules[r] as CompiledRule;
      const fixed = rule.fixedPorts;
      if (fixed === EMPTY_ID) continue;
      const paint = (c: number): void => {
        const was = row[c] as number;
        const now = t.union(was, fixed ?? this.rulePorts(r, c));
        if (was === EMPTY_ID && now !== EMPTY_ID) touched?.push(c);
        row[c] = now;
      };
      if (rule.peers) rule.peers.forEach(paint);
      else {
        touched = undefined;
        for (let c = 0; c < row.length; c++) paint(c);
      }
    }
    scratch.key = key;
    scratch.row = row;
    scratch.touched = touched;
    return row;
  }

  /** The tiered fold of an egress program toward every destination class at once. */
  private tieredEgressRow(prog: Program): Uint32Array {
    const key = `t:${prog.admin.join(",")}|${prog.isolated ? "i" : ""}${prog.np.join(",")}|${prog.baseline.join(",")}`;
    const scratch = this.egressScratch;
    if (scratch.key === key && scratch.row.length === this.classCount) return scratch.row;
    const C = this.classCount;
    const t = this.ports;
    if (this.tierScratch.length !== 3 * C) this.tierScratch = new Uint32Array(3 * C);
    const undecided = this.tierScratch.subarray(0, C).fill(ALL_ID);
    const allowed = this.tierScratch.subarray(C, 2 * C).fill(EMPTY_ID);
    const remaining = this.tierScratch.subarray(2 * C, 3 * C).fill(ALL_ID);
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
        remaining[c] = hit === rem ? EMPTY_ID : subtractIds(t, rem, hit);
        if (code === PASS) return;
        const und = undecided[c] as number;
        undecided[c] = hit === und ? EMPTY_ID : subtractIds(t, und, hit);
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
    scratch.touched = undefined;
    return row;
  }

  /**
   * A tier program's fold from "everything open" for a source (bit `bit` of `words[base + bitset]`
   * says whether the bitset holds it): writes the allowed ports to folded[2*i] and the undecided
   * ones to folded[2*i+1].
   */
  private foldProgram(prof: IngressProfiles, list: number, words: Uint32Array, base: number, bit: number, folded: Uint32Array, i: number): void {
    const t = this.ports;
    const { start, groupBits, groupPorts, groupAction } = prof;
    let undecided = ALL_ID;
    let allowed = EMPTY_ID;
    let remaining = ALL_ID;
    const end = start[list + 1] as number;
    for (let k = start[list] as number; k < end && remaining !== EMPTY_ID; k++) {
      const bi = groupBits[k] as number;
      if (bi >= 0 && (((words[base + bi] as number) >>> bit) & 1) !== 1) continue;
      const hit = t.intersect(groupPorts[k] as number, remaining);
      if (hit === EMPTY_ID) continue;
      remaining = hit === remaining ? EMPTY_ID : subtractIds(t, remaining, hit);
      const code = groupAction[k] as number;
      if (code === PASS) continue;
      undecided = hit === undecided ? EMPTY_ID : subtractIds(t, undecided, hit);
      if (code === ALLOW) allowed = t.union(allowed, hit);
    }
    folded[2 * i] = allowed;
    folded[2 * i + 1] = undecided;
  }

  /**
   * The NetworkPolicy groups indexed both ways, so that a source touches only the groups whose
   * peers contain it: per class the bitsets containing it, per bitset the groups using it.
   */
  private sparseIngress(start: readonly number[], groupBits: readonly number[], groupPorts: readonly number[], bitsets: readonly Bitset[], npCount: number): Pick<IngressProfiles, "npBase" | "baseLists" | "colStart" | "colIds" | "bitGroupStart" | "bitGroups" | "listOfGroup"> {
    const C = this.classCount;
    const t = this.ports;
    const listOfGroup = new Int32Array(groupBits.length);
    for (let p = 0; p + 1 < start.length; p++) for (let k = start[p] as number; k < (start[p + 1] as number); k++) listOfGroup[k] = p;
    const npGroups = start[npCount] as number;
    const npBase = new Uint32Array(npCount);
    const usedBy = new Int32Array(bitsets.length + 1);
    for (let k = 0; k < npGroups; k++) {
      const bi = groupBits[k] as number;
      if (bi < 0) npBase[listOfGroup[k] as number] = t.union(npBase[listOfGroup[k] as number] as number, groupPorts[k] as number);
      else usedBy[bi + 1] = (usedBy[bi + 1] as number) + 1;
    }
    const baseLists: number[] = [];
    npBase.forEach((b, p) => {
      if (b !== EMPTY_ID) baseLists.push(p);
    });
    const bitGroupStart = new Int32Array(bitsets.length + 1);
    for (let i = 0; i < bitsets.length; i++) bitGroupStart[i + 1] = (bitGroupStart[i] as number) + (usedBy[i + 1] as number);
    const bitGroups = new Int32Array(bitGroupStart[bitsets.length] as number);
    const fill = bitGroupStart.slice(0, bitsets.length);
    for (let k = 0; k < npGroups; k++) {
      const bi = groupBits[k] as number;
      if (bi < 0) continue;
      bitGroups[fill[bi] as number] = k;
      fill[bi] = (fill[bi] as number) + 1;
    }
    // Only bitsets of NetworkPolicy groups go into the columns (tier programs are folded in order).
    const counts = new Int32Array(C + 1);
    const npBitset = (i: number): boolean => (bitGroupStart[i + 1] as number) > (bitGroupStart[i] as number);
    bitsets.forEach((b, i) => {
      if (npBitset(i)) b.forEach((x) => void (counts[x + 1] = (counts[x + 1] as number) + 1));
    });
    const colStart = new Int32Array(C + 1);
    for (let x = 0; x < C; x++) colStart[x + 1] = (colStart[x] as number) + (counts[x + 1] as number);
    const colIds = new Int32Array(colStart[C] as number);
    const at = colStart.slice(0, C);
    bitsets.forEach((b, i) => {
      if (!npBitset(i)) return;
      b.forEach((x) => {
        colIds[at[x] as number] = i;
        at[x] = (at[x] as number) + 1;
      });
    });
    return { npBase, baseLists, colStart, colIds, bitGroupStart, bitGroups, listOfGroup };
  }

  /** Combo of each class (its ingress profile), -1 when no policy applies to it for ingress. */
  get profileOf(): Int32Array {
    return this.buildProfiles().profileOf;
  }

  /** The number of combos (ingress profiles). */
  get profileCount(): number {
    return this.buildProfiles().comboNp.length;
  }

  /**
   * Source a's row in profile form (see ProfiledRow): the cost is the groups whose peers contain
   * a, the tier programs and the egress rules, not the number of classes. The arrays are reused
   * by the next call.
   */
  profiledRow(a: number): ProfiledRow {
    const prof = this.buildProfiles();
    const { ingress, nonEmpty } = this.ingressProfiled(prof, prof.colIds, prof.colStart[a] as number, prof.colStart[a + 1] as number, prof.words, (a >>> 5) * prof.bitsetCount, a & 31);
    const srcIsSubject = (this.infos[a] as ClassInfo).subject !== undefined;
    const e = srcIsSubject ? this.egressRow(a) : undefined;
    return { ingress, nonEmpty, egress: e, egressTouched: e ? this.egressScratch.touched : undefined };
  }

  /**
   * The ingress part of a row (per combo, as `profiledRow`'s) from a pod that need not be one of
   * the classes (a pod after a label change, incremental.ts): the bitsets holding it are found by
   * matching each bitset's rule peers against it, as the reference evaluator does. The array is
   * reused by the next call.
   */
  ingressFrom(src: PodIdentity): Pick<ProfiledRow, "ingress" | "nonEmpty"> {
    const prof = this.buildProfiles();
    const n = prof.bitsetCount;
    const member = new Uint32Array(n);
    const cols: number[] = [];
    for (let bi = 0; bi < n; bi++) {
      const compiled = this.rules[prof.ruleOfBitset[bi] as number] as CompiledRule;
      const peers = compiled.rule.peers;
      // Cluster policies' peers are matched with no policy namespace (their rules name namespaces).
      const ns = compiled.origin.kind === "NetworkPolicy" ? (this.policies[compiled.policy] as NetworkPolicy).namespace : "";
      if (peers === "All" || !peers.some((x) => peerMatchesPod(x, ns, src))) continue;
      member[bi] = 1;
      if ((prof.bitGroupStart[bi + 1] as number) > (prof.bitGroupStart[bi] as number)) cols.push(bi);
    }
    return this.ingressProfiled(prof, Int32Array.from(cols), 0, cols.length, member, 0, 0);
  }

  /**
   * Per combo, the ingress ports from a source: `cols[from … to-1]` are the NetworkPolicy
   * bitsets that hold it, bit `bit` of `words[base + bitset]` says whether any bitset does.
   */
  private ingressProfiled(prof: IngressProfiles, cols: Int32Array, from: number, to: number, words: Uint32Array, base: number, bit: number): Pick<ProfiledRow, "ingress" | "nonEmpty"> {
    const t = this.ports;
    const combos = prof.comboNp.length;
    const npCount = prof.npCount;
    let st = this.rowState;
    if (!st || st.v.length !== combos) st = this.rowState = { v: new Uint32Array(combos), nonEmpty: [], touched: [], stamp: new Int32Array(npCount).fill(-1), epoch: 0 };
    const L = prof.listCount;
    if (this.listScratch.length !== 2 * L) this.listScratch = new Uint32Array(2 * L);
    const lists = this.listScratch;
    const v = st.v;
    // Undo the last source's profiles (every untouched NetworkPolicy profile reads empty).
    for (const p of st.touched) {
      lists[2 * p] = EMPTY_ID;
      const c = prof.pureCombo[p] as number;
      if (c >= 0) v[c] = EMPTY_ID;
    }
    st.touched.length = 0;
    st.nonEmpty.length = 0;
    const epoch = ++st.epoch;
    const touch = (p: number): void => {
      if (st.stamp[p] === epoch) return;
      st.stamp[p] = epoch;
      st.touched.push(p);
      lists[2 * p] = prof.npBase[p] as number;
    };
    for (const p of prof.baseLists) touch(p);
    // NetworkPolicy profiles: a union over the groups whose peers hold the source.
    const { bitGroupStart, bitGroups, listOfGroup, groupPorts } = prof;
    for (let j = from; j < to; j++) {
      const bi = cols[j] as number;
      for (let q = bitGroupStart[bi] as number; q < (bitGroupStart[bi + 1] as number); q++) {
        const k = bitGroups[q] as number;
        const p = listOfGroup[k] as number;
        touch(p);
        const acc = lists[2 * p] as number;
        const g = groupPorts[k] as number;
        lists[2 * p] = acc === EMPTY_ID ? g : acc === g ? acc : t.union(acc, g);
      }
    }
    for (const p of st.touched) {
      const c = prof.pureCombo[p] as number;
      if (c < 0) continue;
      const x = lists[2 * p] as number;
      v[c] = x;
      if (x !== EMPTY_ID) st.nonEmpty.push(c);
    }
    // Tier programs, folded in order; then each combo that has one (see IngressProfiles).
    if (prof.tieredCombos.length > 0) {
      for (let p = npCount; p < L; p++) this.foldProgram(prof, p, words, base, bit, lists, p);
      for (const c of prof.tieredCombos) {
        const np = prof.comboNp[c] as number;
        const ad = prof.comboAdmin[c] as number;
        const bl = prof.comboBaseline[c] as number;
        const aAllowed = ad < 0 ? EMPTY_ID : (lists[2 * ad] as number);
        const aOpen = ad < 0 ? ALL_ID : (lists[2 * ad + 1] as number);
        let below: number;
        if (np >= 0) below = lists[2 * np] as number;
        else if (bl >= 0) below = t.union(lists[2 * bl] as number, lists[2 * bl + 1] as number);
        else below = ALL_ID;
        // Fast paths: the Admin tier decided nothing for this source, or left everything open below.
        const x = ad < 0 || (aAllowed === EMPTY_ID && aOpen === ALL_ID) ? below : below === ALL_ID ? t.union(aAllowed, aOpen) : t.union(aAllowed, t.intersect(below, aOpen));
        v[c] = x;
        if (x !== EMPTY_ID) st.nonEmpty.push(c);
      }
    }
    return { ingress: v, nonEmpty: st.nonEmpty };
  }

  classRow(a: number, out: Uint32Array): void {
    const t = this.ports;
    const profileOf = this.buildProfiles().profileOf;
    const { ingress: v, egress: e } = this.profiledRow(a);
    for (let b = 0; b < this.classCount; b++) {
      const p = profileOf[b] as number;
      out[b] = combinePorts(t, e ? (e[b] as number) : ALL_ID, p < 0 ? ALL_ID : (v[p] as number));
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
  const general = enforcedTiers(cluster);
  if (general) return generalFastAnalysis(topology ?? buildTopology(cluster), general);
  return new FastEngine(cluster, topology);
}
