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
import { clusterRulesOf, selectorMatches, type Cluster, type ClusterPolicy, type Labels, type LabelSelector, type NetworkPolicy, type PolicyRule, type PolicyType, type PortSet, type RuleAction } from "../model/index.js";
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
export interface Program {
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
  /** Per bitset: a compiled rule whose peers it is (what a source outside the classes is matched against). */
  readonly ruleOfBitset: Int32Array;
  /** Per NetworkPolicy profile: the combos made with it, npCombos[npComboStart[p] … npComboStart[p+1]-1]. */
  readonly npComboStart: Int32Array;
  readonly npCombos: Int32Array;
  /**
   * Combos are numbered by slot: slot s holds combos slotStart[s] … slotStart[s+1]-1, which share
   * their value for any source whose groups touch none of their NetworkPolicy profiles (see
   * ProfiledRow.slotValue). Slot 0: always empty (a NetworkPolicy profile, with no Admin program);
   * kind 1: the Admin program's allowed ports (isolated by NetworkPolicies, which would add only
   * what the source's groups allow); kind 2: not isolated, Admin over Baseline.
   */
  readonly slotOf: Int32Array;
  readonly slotStart: Int32Array;
  readonly slotKind: Uint8Array;
  readonly slotAdmin: Int32Array;
  readonly slotBaseline: Int32Array;
}

/**
 * A source class's row in profile form: what `classRow` expands to one entry per class. The
 * port set toward destination b is `combinePorts(egress?.[b] ?? ALL, profileOf[b] < 0 ? ALL :
 * ingress[profileOf[b]])`. Its arrays are the engine's, borrowed: the next `profiledRow` or
 * `ingressFrom` call overwrites them (copy what must outlive it).
 */
export interface ProfiledRow {
  /** Ports toward the destinations of each ingress combo (valid for every combo). */
  readonly ingress: Uint32Array;
  /** Per slot (FastEngine.slotOf): the value of its combos that are not in `overrides`. */
  readonly slotValue: Uint32Array;
  /** The combos whose `ingress` may differ from their slot's value (no repeats). */
  readonly overrides: readonly number[];
  /** Egress ports toward each class (valid for every class); undefined when no policy applies to the source for egress. */
  readonly egress: Uint32Array | undefined;
  /** The part of `egress` shared by every source with the same Admin program and isolation or Baseline program. */
  readonly egressLayer: EgressLayer | undefined;
  /** That layer's value at every class. */
  readonly egressLayerRow: Uint32Array | undefined;
  /** The classes where `egress` may differ from `egressLayerRow` (the source's NetworkPolicy rules; no repeats). */
  readonly egressOwn: readonly number[];
}

/**
 * The egress row of a source but its NetworkPolicy rules: the Admin tier over what is below it
 * (empty when NetworkPolicies isolate the source, else the Baseline tier or open): `base` at
 * every class but `touched[i]`, where it is `values[i]`. Kept per program (`id`).
 */
export interface EgressLayer {
  readonly id: number;
  readonly base: number;
  readonly touched: readonly number[];
  readonly values: Uint32Array;
  /** The Admin tier's fold (undefined: no Admin rule), what the source's own rules go under. */
  readonly admin: TierFold | undefined;
}

/** Rule membership of a pod the engine has no class for (FastEngine.ruleMembership). */
export interface RuleMembership {
  has(rule: number): boolean;
  /** Set for a pod of a class, relabelled: the class, and the rules to match again (`FastEngine.rulesSeeing`). */
  readonly like: RelabelledClass | undefined;
}

/**
 * A pod of class `cls` whose labels changed: each rule with `recheck[r] === 0` holds it as it
 * holds the class; the others are matched against its new identity.
 */
export interface RelabelledClass {
  readonly cls: number;
  readonly recheck: Uint8Array;
}

/** Rules by the selector terms of their pod peers (FastEngine.rulesSeeing). */
interface SelectorIndex {
  readonly terms: ReadonlyMap<string, readonly number[]>;
  readonly expressions: ReadonlyMap<string, readonly number[]>;
}

/** A tier list's fold toward one peer: its allowed and undecided ports. */
interface TierPair {
  readonly allowed: number;
  readonly undecided: number;
}

/** A tier's fold over the classes a program's rules name: per touched class, its allowed and undecided ports. */
export interface TierFold {
  readonly touched: readonly number[];
  readonly allowed: Uint32Array;
  readonly undecided: Uint32Array;
}

/** foldTier's per-class state; `seen[c] === epoch` marks the classes touched in the current pass. */
interface FoldScratch {
  readonly allowed: Uint32Array;
  readonly undecided: Uint32Array;
  readonly remaining: Uint32Array;
  readonly seen: Int32Array;
  epoch: number;
}

/**
 * The egress row state (FastEngine.egressRow), the last source's, valid for every class: its
 * layer's values, the Admin tier's fold (allowed and undecided ports), and the row.
 */
interface EgressState {
  prog: Program | undefined;
  layer: EgressLayer;
  readonly layerRow: Uint32Array;
  readonly adminAllowed: Uint32Array;
  readonly adminUndecided: Uint32Array;
  readonly row: Uint32Array;
  own: readonly number[];
  /** The own entries' NetworkPolicy ports while they are painted (empty at rest), and their marks. */
  readonly npAcc: Uint32Array;
  readonly seen: Int32Array;
  epoch: number;
}

/** The ports from a source to a destination: its egress ports ∩ the destination's ingress ports. */
export function combinePorts(t: PortSetTable, ep: number, ip: number): number {
  if (ep === EMPTY_ID) return EMPTY_ID;
  return ep === ALL_ID ? ip : ip === ALL_ID ? ep : ip === EMPTY_ID ? EMPTY_ID : t.intersect(ep, ip);
}

/**
 * A destination's ports once the Admin tier (its allowed and undecided ports for the source) is
 * put over what the tiers below give (`below`).
 */
function withAdmin(t: PortSetTable, allowed: number, undecided: number, below: number): number {
  if (allowed === EMPTY_ID && undecided === ALL_ID) return below;
  if (below === ALL_ID) return t.union(allowed, undecided);
  if (below === EMPTY_ID || undecided === EMPTY_ID) return allowed;
  return t.union(allowed, t.intersect(below, undecided));
}

const NONE: readonly number[] = [];

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
  /** (cluster policy, rule id) of every cluster-policy rule, in compile order. */
  private readonly rulesOfClusterPolicy: (readonly [number, number])[] = [];
  private readonly resolved = new Map<number, number>();
  private readonly portsSigs: ReturnType<typeof buildClasses>["portsSigs"];
  private profiles: IngressProfiles | undefined;
  private listScratch = new Uint32Array(0);
  private egressState: EgressState | undefined;
  /** foldTier's per-class state (allowed, undecided, remaining ports), at rest between calls. */
  private foldScratch: FoldScratch | undefined;
  /** Admin and Baseline egress folds by program (few distinct programs, shared by many classes). */
  private readonly tierFolds = new Map<string, TierFold>();
  /** Egress layers by Admin program over isolation or Baseline program; and by whole program. */
  private readonly egressLayers = new Map<string, EgressLayer>();
  private readonly layerOfProgram = new WeakMap<Program, EgressLayer>();
  /** profiledRow's state: combo values, slot values, the overridden combos and NetworkPolicy profiles touched last. */
  private rowState: { v: Uint32Array; slotValue: Uint32Array; overrides: number[]; touched: number[]; stamp: Int32Array; epoch: number } | undefined;

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
      this.rulesOfClusterPolicy.push(...ids.map((r) => [ci, r] as const));
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

  /** Per direction, per class: its program (classProgram). */
  private readonly programs: { Ingress: (Program | undefined)[]; Egress: (Program | undefined)[] } = { Ingress: [], Egress: [] };

  /** The rules of class c for a direction (at a destination for ingress, at a source for egress), as foldFor takes them. */
  classProgram(c: number, dir: PolicyType): Program {
    let prog = this.programs[dir][c];
    if (!prog) {
      const isolated = (this.selectedBy[dir][c] ?? []).length > 0;
      prog = this.interned({ admin: this.tierRules.Admin[dir][c] ?? [], np: isolated ? this.directionRules(c, dir) : [], isolated, baseline: this.tierRules.Baseline[dir][c] ?? [] });
      this.programs[dir][c] = prog;
    }
    return prog;
  }

  /**
   * The program made of the given policies (those that select a pod in a direction and, for
   * NetworkPolicies, isolate it), found by name among the engine's: for a pod whose labels
   * changed (incremental.ts). Undefined when one of them is not the engine's.
   */
  programOf(dir: PolicyType, networkPolicies: readonly NetworkPolicy[], clusterPolicies: readonly ClusterPolicy[]): Program | undefined {
    if (!this.policyIndex) {
      this.policyIndex = { np: new Map(this.policies.map((p, i) => [`${p.namespace}/${p.name}`, i])), cp: new Map(this.clusterPolicies.map((p, i) => [`${p.kind}/${p.name}`, i])) };
    }
    const np: number[] = [];
    for (const p of networkPolicies) {
      const pi = this.policyIndex.np.get(`${p.namespace}/${p.name}`);
      if (pi === undefined) return undefined;
      for (const r of this.rulesOfPolicy[pi] ?? []) if ((this.rules[r] as CompiledRule).direction === dir) np.push(r);
    }
    const cis = new Set<number>();
    for (const p of clusterPolicies) {
      const ci = this.policyIndex.cp.get(`${p.kind}/${p.name}`);
      if (ci === undefined) return undefined;
      cis.add(ci);
    }
    const admin: number[] = [];
    const baseline: number[] = [];
    for (const [ci, r] of this.rulesOfClusterPolicy) {
      const rule = this.rules[r] as CompiledRule;
      if (!cis.has(ci) || rule.direction !== dir) continue;
      ((this.clusterPolicies[ci] as ClusterPolicy).tier === "Admin" ? admin : baseline).push(r);
    }
    return this.interned({ admin, np, isolated: networkPolicies.length > 0, baseline });
  }

  /** Equal programs are one object (so that what is computed per program is shared). */
  private interned(prog: Program): Program {
    const admin = prog.admin.join(",");
    const baseline = prog.baseline.join(",");
    const key = `${admin}|${prog.isolated ? "i" : ""}${prog.np.join(",")}|${baseline}`;
    const got = this.programByKey.get(key);
    if (got) return got;
    // Equal tier lists are one array, so that a fold over every program folds each once (egressToward).
    const list = (k: string, ids: readonly number[]): readonly number[] => {
      const l = this.tierListByKey.get(k);
      if (l) return l;
      this.tierListByKey.set(k, ids);
      return ids;
    };
    const out = { admin: list(`a${admin}`, prog.admin), np: prog.np, isolated: prog.isolated, baseline: list(`b${baseline}`, prog.baseline) };
    this.programByKey.set(key, out);
    return out;
  }
  private readonly programByKey = new Map<string, Program>();
  private readonly tierListByKey = new Map<string, readonly number[]>();
  private policyIndex: { readonly np: ReadonlyMap<string, number>; readonly cp: ReadonlyMap<string, number> } | undefined;

  /**
   * Which compiled rules' peers hold a pod the engine has no class for (matched on demand, as the
   * reference does). With `like`, a pod of that class relabelled: the rules it names not to
   * recheck answer from the class's bitsets, without matching.
   */
  ruleMembership(src: PodIdentity, like?: RelabelledClass): RuleMembership {
    const known = new Int8Array(this.rules.length).fill(-1);
    return {
      like,
      has: (r: number): boolean => {
        let k = known[r] as number;
        if (k < 0) {
          const compiled = this.rules[r] as CompiledRule;
          if (like && like.recheck[r] === 0) k = !compiled.peers || compiled.peers.has(like.cls) ? 1 : 0;
          else {
            const peers = compiled.rule.peers;
            const ns = compiled.origin.kind === "NetworkPolicy" ? (this.policies[compiled.policy] as NetworkPolicy).namespace : "";
            k = peers === "All" || peers.some((x) => peerMatchesPod(x, ns, src)) ? 1 : 0;
          }
          known[r] = k;
        }
        return k === 1;
      },
    };
  }

  /**
   * The compiled rules with a pod peer whose namespaceSelector (`part` "namespaces") or
   * podSelector ("pods") decides differently on `before` and `after`: once a pod's namespace
   * labels or labels change so, only these can hold it differently (its namespace and addresses
   * stay). 1 per such rule, by rule id: the `recheck` of a RelabelledClass.
   */
  rulesSeeing(part: "namespaces" | "pods", before: Labels, after: Labels): Uint8Array {
    const out = new Uint8Array(this.rules.length);
    // A selector reads only the keys it names: one that names no changed key decides alike.
    const changed = new Set<string>();
    for (const k in before) if (before[k] !== after[k] || !Object.prototype.hasOwnProperty.call(after, k)) changed.add(k);
    for (const k in after) if (!Object.prototype.hasOwnProperty.call(before, k)) changed.add(k);
    const index = (this.selectorKeyIndex ??= this.buildSelectorKeyIndex())[part];
    const check = (r: number): void => {
      if (out[r] === 1) return;
      const peers = (this.rules[r] as CompiledRule).rule.peers;
      if (peers === "All") return;
      for (const x of peers) {
        if (x.type !== "Pods") continue;
        const sel = part === "pods" ? x.pods : x.namespaces.type === "Selector" ? x.namespaces.selector : undefined;
        if (sel && selectorMatches(sel, before) !== selectorMatches(sel, after)) {
          out[r] = 1;
          return;
        }
      }
    };
    // A matchLabels term k=v on a changed key k with v neither value is false in both states, and
    // so is its selector: only terms equal to one of the values and expressions on k can differ.
    for (const k of changed) {
      for (const v of [before[k], after[k]]) if (v !== undefined) for (const r of index.terms.get(`${k}\u0000${v}`) ?? []) check(r);
      for (const r of index.expressions.get(k) ?? []) check(r);
    }
    return out;
  }

  /**
   * Per matchLabels term (key and value) and per key of a matchExpressions requirement: the rules
   * with a pod peer whose podSelector (`pods`) or namespaceSelector (`namespaces`) has it.
   */
  private buildSelectorKeyIndex(): Record<"pods" | "namespaces", SelectorIndex> {
    const index = { pods: { terms: new Map<string, number[]>(), expressions: new Map<string, number[]>() }, namespaces: { terms: new Map<string, number[]>(), expressions: new Map<string, number[]>() } };
    const put = (m: Map<string, number[]>, k: string, r: number): void => {
      const l = m.get(k);
      if (!l) m.set(k, [r]);
      else if (l[l.length - 1] !== r) l.push(r);
    };
    const add = (into: (typeof index)["pods"], sel: LabelSelector, r: number): void => {
      for (const k in sel.matchLabels) put(into.terms, `${k}\u0000${sel.matchLabels[k] as string}`, r);
      for (const x of sel.matchExpressions) put(into.expressions, x.key, r);
    };
    this.rules.forEach((compiled, r) => {
      const peers = compiled.rule.peers;
      if (peers === "All") return;
      for (const x of peers) {
        if (x.type !== "Pods") continue;
        add(index.pods, x.pods, r);
        if (x.namespaces.type === "Selector") add(index.namespaces, x.namespaces.selector, r);
      }
    });
    return index;
  }
  private selectorKeyIndex: Record<"pods" | "namespaces", SelectorIndex> | undefined;

  /**
   * An ingress program's ports from every class toward a destination of class `dst` (a column
   * of the class matrix, for a destination whose program is `prog`): the Admin and Baseline
   * tiers folded once per program over the classes their rules name, the NetworkPolicy rules
   * over theirs. Kept per program and destination port signature.
   */
  ingressColumn(prog: Program, dst: number): Uint32Array {
    let cols = this.columns.get(prog);
    if (!cols) {
      const named = [...prog.admin, ...prog.np, ...prog.baseline].some((r) => (this.rules[r] as CompiledRule).fixedPorts === undefined);
      this.columns.set(prog, (cols = { named, bySig: new Map() }));
    }
    const sig = cols.named ? (this.infos[dst] as ClassInfo).portsSig : -2;
    let col = cols.bySig.get(sig);
    if (col) return col;
    const t = this.ports;
    col = new Uint32Array(this.classCount);
    if (prog.isolated) {
      const own = this.foldTier(prog.np, true, dst);
      own.touched.forEach((c, i) => void ((col as Uint32Array)[c] = own.allowed[i] as number));
    } else {
      col.fill(ALL_ID);
      if (prog.baseline.length > 0) {
        const b = this.cachedFold(prog.baseline, dst);
        b.touched.forEach((c, i) => void ((col as Uint32Array)[c] = t.union(b.allowed[i] as number, b.undecided[i] as number)));
      }
    }
    if (prog.admin.length > 0) {
      const a = this.cachedFold(prog.admin, dst);
      a.touched.forEach((c, i) => void ((col as Uint32Array)[c] = withAdmin(t, a.allowed[i] as number, a.undecided[i] as number, (col as Uint32Array)[c] as number)));
    }
    cols.bySig.set(sig, col);
    return col;
  }
  /** Per program (interned, so that a column is computed once): its columns by destination port signature. */
  private readonly columns = new WeakMap<Program, { readonly named: boolean; readonly bySig: Map<number, Uint32Array> }>();

  /**
   * A program's ports toward one peer: the peer is class `peerClass`, or (with `member`) a pod
   * the engine has no class for; named ports resolve against destination class `dstClass`.
   * The tiers as for ingress (IngressProfiles). `tierMemo` keeps tier folds by list (interned:
   * equal lists are one array) for calls with the same destination and peer.
   */
  foldFor(prog: Program, dstClass: number, peerClass: number, member?: RuleMembership, tierMemo?: Map<readonly number[], TierPair>): number {
    const t = this.ports;
    let below = ALL_ID;
    if (prog.isolated) {
      below = EMPTY_ID;
      for (const r of prog.np) if (this.holds(r, peerClass, member)) below = t.union(below, this.rulePorts(r, dstClass));
    } else if (prog.baseline.length > 0) {
      const b = this.tierPair(prog.baseline, dstClass, peerClass, member, tierMemo);
      below = t.union(b.allowed, b.undecided);
    }
    if (prog.admin.length === 0) return below;
    const a = this.tierPair(prog.admin, dstClass, peerClass, member, tierMemo);
    return withAdmin(t, a.allowed, a.undecided, below);
  }

  /** Does rule r's peers hold the peer (class `peerClass`, or the pod `member` describes)? */
  private holds(r: number, peerClass: number, member: RuleMembership | undefined): boolean {
    if (member) return member.has(r);
    const peers = (this.rules[r] as CompiledRule).peers;
    return !peers || peers.has(peerClass);
  }

  /** A tier list's fold from "everything open" toward one peer (foldFor): its allowed and undecided ports. */
  private tierPair(ids: readonly number[], dstClass: number, peerClass: number, member: RuleMembership | undefined, memo: Map<readonly number[], TierPair> | undefined): TierPair {
    const got = memo?.get(ids);
    if (got) return got;
    const t = this.ports;
    let undecided = ALL_ID;
    let allowed = EMPTY_ID;
    let remaining = ALL_ID;
    for (const r of ids) {
      if (remaining === EMPTY_ID) break;
      if (!this.holds(r, peerClass, member)) continue;
      const hit = t.intersect(this.rulePorts(r, dstClass), remaining);
      if (hit === EMPTY_ID) continue;
      remaining = hit === remaining ? EMPTY_ID : subtractIds(t, remaining, hit);
      const code = ACTION_CODE[(this.rules[r] as CompiledRule).origin.action];
      if (code === PASS) continue;
      undecided = hit === undecided ? EMPTY_ID : subtractIds(t, undecided, hit);
      if (code === ALLOW) allowed = t.union(allowed, hit);
    }
    const out = { allowed, undecided };
    memo?.set(ids, out);
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
    // Slots (see IngressProfiles.slotOf), then combos renumbered so that each slot is a range.
    const slotKeys = new Map<string, number>([["", 0]]);
    const slotKind = [0];
    const slotAdmin = [-1];
    const slotBaseline = [-1];
    const slotOfOld = comboNp.map((np, c) => {
      const ad = comboAdmin[c] as number;
      const bl = comboBaseline[c] as number;
      if (np >= 0 && ad < 0) return 0;
      const key = np >= 0 ? `a${ad}` : `b${ad},${bl}`;
      let s = slotKeys.get(key);
      if (s === undefined) {
        s = slotKind.length;
        slotKeys.set(key, s);
        slotKind.push(np >= 0 ? 1 : 2);
        slotAdmin.push(ad);
        slotBaseline.push(np >= 0 ? -1 : bl);
      }
      return s;
    });
    const order = comboNp.map((_, c) => c).sort((x, y) => (slotOfOld[x] as number) - (slotOfOld[y] as number) || x - y);
    const renumber = new Int32Array(order.length);
    order.forEach((c, i) => void (renumber[c] = i));
    for (let d = 0; d < this.classCount; d++) if ((profileOf[d] as number) >= 0) profileOf[d] = renumber[profileOf[d] as number] as number;
    const slotOf = Int32Array.from(order, (c) => slotOfOld[c] as number);
    const slotStart = new Int32Array(slotKind.length + 1);
    for (const sl of slotOf) slotStart[sl + 1] = (slotStart[sl + 1] as number) + 1;
    for (let sl = 0; sl < slotKind.length; sl++) slotStart[sl + 1] = (slotStart[sl + 1] as number) + (slotStart[sl] as number);
    const newNp = Int32Array.from(order, (c) => comboNp[c] as number);
    const { start: npComboStart, members: npCombos } = membersByGroup(newNp, npCount);
    const W = (this.classCount + 31) >>> 5;
    const n = bitsets.length;
    const words = new Uint32Array(W * n);
    bitsets.forEach((b, i) => {
      for (let w = 0; w < W; w++) words[w * n + i] = b.words[w] as number;
    });
    const sparse = this.sparseIngress(start, groupBits, groupPorts, bitsets, npCount);
    this.profiles = {
      ...sparse,
      ruleOfBitset: Int32Array.from(ruleOfBitset),
      npComboStart,
      npCombos,
      slotOf,
      slotStart,
      slotKind: Uint8Array.from(slotKind),
      slotAdmin: Int32Array.from(slotAdmin),
      slotBaseline: Int32Array.from(slotBaseline),
      npCount,
      listCount: start.length - 1,
      start: Int32Array.from(start),
      groupBits: Int32Array.from(groupBits),
      groupPorts: Uint32Array.from(groupPorts),
      groupAction: Uint8Array.from(groupAction),
      words,
      bitsetCount: n,
      comboNp: newNp,
      comboAdmin: Int32Array.from(order, (c) => comboAdmin[c] as number),
      comboBaseline: Int32Array.from(order, (c) => comboBaseline[c] as number),
      profileOf,
    };
    return this.profiles;
  }

  /**
   * A tier's rules folded from "everything open", over the classes their peers name (every class
   * for a rule open to every peer): per touched class, the ports allowed and still undecided.
   * NetworkPolicy rules (`union`) only allow: their fold is the union of their ports.
   */
  private foldTier(ids: readonly number[], union: boolean, dst?: number): TierFold {
    const C = this.classCount;
    const t = this.ports;
    let fs = this.foldScratch;
    if (!fs || fs.seen.length !== C) {
      fs = this.foldScratch = { allowed: new Uint32Array(C).fill(EMPTY_ID), undecided: new Uint32Array(C).fill(ALL_ID), remaining: new Uint32Array(C).fill(ALL_ID), seen: new Int32Array(C), epoch: 0 };
    }
    const { allowed, undecided, remaining, seen } = fs;
    const epoch = ++fs.epoch;
    const touched: number[] = [];
    for (const r of ids) {
      const rule = this.rules[r] as CompiledRule;
      const fixed = rule.fixedPorts;
      if (fixed === EMPTY_ID) continue;
      const code = ACTION_CODE[rule.origin.action];
      const one = (c: number): void => {
        if (seen[c] !== epoch) {
          seen[c] = epoch;
          touched.push(c);
        }
        const ports = fixed ?? this.rulePorts(r, dst ?? c);
        if (union) {
          allowed[c] = t.union(allowed[c] as number, ports);
          return;
        }
        const rem = remaining[c] as number;
        if (rem === EMPTY_ID) return;
        const hit = t.intersect(ports, rem);
        if (hit === EMPTY_ID) return;
        remaining[c] = hit === rem ? EMPTY_ID : subtractIds(t, rem, hit);
        if (code === PASS) return;
        const und = undecided[c] as number;
        undecided[c] = hit === und ? EMPTY_ID : subtractIds(t, und, hit);
        if (code === ALLOW) allowed[c] = t.union(allowed[c] as number, hit);
      };
      if (rule.peers) rule.peers.forEach(one);
      else for (let c = 0; c < C; c++) one(c);
    }
    const out = { touched, allowed: new Uint32Array(touched.length), undecided: new Uint32Array(touched.length) };
    touched.forEach((c, i) => {
      out.allowed[i] = allowed[c] as number;
      out.undecided[i] = undecided[c] as number;
      allowed[c] = EMPTY_ID;
      undecided[c] = ALL_ID;
      remaining[c] = ALL_ID;
    });
    return out;
  }

  /** An Admin or Baseline program's fold, kept per program (few distinct ones). */
  private cachedFold(ids: readonly number[], dst?: number): TierFold {
    // Named ports resolve against the destination: one fold per destination port signature.
    const named = dst !== undefined && ids.some((r) => (this.rules[r] as CompiledRule).fixedPorts === undefined);
    const key = `${ids.join(",")}${dst === undefined ? "" : named ? `@${(this.infos[dst] as ClassInfo).portsSig}` : "@"}`;
    let f = this.tierFolds.get(key);
    if (!f) this.tierFolds.set(key, (f = this.foldTier(ids, false, dst)));
    return f;
  }

  /** The egress layer of an Admin program over isolation (NetworkPolicies) or a Baseline program. */
  private egressLayer(key: string, admin: readonly number[], isolated: boolean, baseline: readonly number[]): EgressLayer {
    let layer = this.egressLayers.get(key);
    if (layer) return layer;
    const t = this.ports;
    const base = isolated ? EMPTY_ID : ALL_ID;
    const below = new Map<number, number>();
    if (baseline.length > 0) {
      const b = this.cachedFold(baseline);
      b.touched.forEach((c, i) => void below.set(c, t.union(b.allowed[i] as number, b.undecided[i] as number)));
    }
    const a = admin.length > 0 ? this.cachedFold(admin) : undefined;
    const values = new Map(below);
    a?.touched.forEach((c, i) => void values.set(c, withAdmin(t, a.allowed[i] as number, a.undecided[i] as number, below.get(c) ?? base)));
    const touched: number[] = [];
    const vs: number[] = [];
    for (const [c, x] of values) {
      if (x === base) continue;
      touched.push(c);
      vs.push(x);
    }
    layer = { id: this.egressLayers.size, base, touched, values: Uint32Array.from(vs), admin: a };
    this.egressLayers.set(key, layer);
    return layer;
  }

  /**
   * Egress ports from class s to every class, or undefined when no policy applies to s for
   * egress. As for ingress (IngressProfiles), per destination
   *   A.allowed ∪ (NP isolates ? NP ∩ A.undecided : (B.allowed ∪ B.undecided) ∩ A.undecided):
   * the Admin and Baseline tiers are folded once per program, over the classes their rules name
   * (the layer: EgressLayer), and the source's NetworkPolicy rules over the classes they name
   * put on it. The state is reused by the next call.
   */
  private egressRow(s: number): EgressState | undefined {
    const prog = this.classProgram(s, "Egress");
    if (!prog.isolated && prog.admin.length === 0 && prog.baseline.length === 0) return undefined;
    return this.egressOf(prog);
  }

  /**
   * An egress program's ports toward every class (a row of the class matrix, for a source whose
   * program is `prog`: incremental.ts); undefined when no policy applies (everything open). The
   * array is the caller's.
   */
  egressRowFor(prog: Program): Uint32Array | undefined {
    if (!prog.isolated && prog.admin.length === 0 && prog.baseline.length === 0) return undefined;
    return this.egressOf(prog).row.slice();
  }

  /**
   * Egress ports from a class toward a destination of class `dst` (an entry of a column of the
   * class matrix), or toward a pod the engine has no class for (`member`: the rules whose peers
   * hold it; named ports resolve against `dst`, a class with its ports), folded when first
   * asked, once per distinct program (classes with equal programs share one). For a pod of
   * class `dst` relabelled (`member.like`), `before` (the class's own column) gives the value of
   * every program that reads no rule to recheck.
   */
  egressToward(dst: number, member?: RuleMembership, before?: (c: number) => number): (c: number) => number {
    const { programs, programOf, first } = this.egressPrograms();
    const values = new Int32Array(programs.length + 1).fill(-1);
    values[programs.length] = ALL_ID; // external sources: no egress policy
    // The same destination for every program: each distinct Admin or Baseline list folds once.
    const tierMemo = new Map<readonly number[], TierPair>();
    const like = before && member?.like?.cls === dst ? member.like : undefined;
    const readMemo = new Map<readonly number[], boolean>();
    const reads = (ids: readonly number[]): boolean => {
      let got = readMemo.get(ids);
      if (got === undefined) readMemo.set(ids, (got = ids.some((r) => (like as RelabelledClass).recheck[r] !== 0)));
      return got;
    };
    return (c: number): number => {
      const i = programOf[c] as number;
      let x = values[i] as number;
      if (x < 0) {
        const prog = programs[i] as Program;
        x = before && like && !reads(prog.admin) && !prog.np.some((r) => like.recheck[r] !== 0) && !reads(prog.baseline) ? before(first[i] as number) : this.foldFor(prog, dst, dst, member, tierMemo);
        values[i] = x;
      }
      return x;
    };
  }

  /** The distinct egress programs of the subject classes, each with its first class, and each class's (the external ones: programs.length). */
  private egressPrograms(): { readonly programs: readonly Program[]; readonly programOf: Int32Array; readonly first: readonly number[] } {
    if (this.egressProgramIndex) return this.egressProgramIndex;
    const C = this.classCount;
    const ids = new Map<Program, number>();
    const programs: Program[] = [];
    const first: number[] = [];
    const programOf = new Int32Array(C);
    for (let c = 0; c < C; c++) {
      if ((this.infos[c] as ClassInfo).subject === undefined) {
        programOf[c] = -1;
        continue;
      }
      const prog = this.classProgram(c, "Egress");
      let i = ids.get(prog);
      if (i === undefined) {
        ids.set(prog, (i = programs.length));
        programs.push(prog);
        first.push(c);
      }
      programOf[c] = i;
    }
    for (let c = 0; c < C; c++) if (programOf[c] === -1) programOf[c] = programs.length;
    return (this.egressProgramIndex = { programs, programOf, first });
  }
  private egressProgramIndex: { readonly programs: readonly Program[]; readonly programOf: Int32Array; readonly first: readonly number[] } | undefined;

  /** The egress row of a program (interned: see classProgram), in the reused state. */
  private egressOf(prog: Program): EgressState {
    let st = this.egressState;
    if (st && st.prog === prog) return st;
    const { admin, isolated } = prog;
    const baseline = isolated ? [] : prog.baseline;
    const np = isolated ? prog.np : [];
    let layer = this.layerOfProgram.get(prog);
    if (!layer) this.layerOfProgram.set(prog, (layer = this.egressLayer(`${admin.join(",")}|${isolated ? "i" : baseline.join(",")}`, admin, isolated, baseline)));
    const C = this.classCount;
    if (!st) {
      const fill = (x: number): Uint32Array => new Uint32Array(C).fill(x);
      st = this.egressState = { prog: undefined, layer, layerRow: fill(layer.base), adminAllowed: fill(EMPTY_ID), adminUndecided: fill(ALL_ID), row: fill(layer.base), own: [], npAcc: fill(EMPTY_ID), seen: new Int32Array(C), epoch: 0 };
      this.putLayer(st, layer);
    } else if (st.layer !== layer) {
      // Back to the base, then the new layer.
      const old = st.layer;
      const { row, layerRow, adminAllowed, adminUndecided } = st;
      if (old.base !== layer.base) {
        row.fill(layer.base);
        layerRow.fill(layer.base);
      } else {
        for (const c of st.own) row[c] = old.base;
        for (const c of old.touched) row[c] = layerRow[c] = old.base;
      }
      for (const c of old.admin?.touched ?? []) {
        adminAllowed[c] = EMPTY_ID;
        adminUndecided[c] = ALL_ID;
      }
      this.putLayer(st, layer);
    } else for (const c of st.own) st.row[c] = st.layerRow[c] as number;
    st.prog = prog;
    st.own = [];
    if (np.length > 0) {
      // The source's NetworkPolicy rules: the union of their ports per class they name, under the Admin tier.
      const t = this.ports;
      const { row, adminAllowed, adminUndecided, npAcc, seen } = st;
      const epoch = ++st.epoch;
      const own: number[] = [];
      for (const r of np) {
        const rule = this.rules[r] as CompiledRule;
        const fixed = rule.fixedPorts;
        if (fixed === EMPTY_ID) continue;
        const paint = (c: number): void => {
          if (seen[c] !== epoch) {
            seen[c] = epoch;
            own.push(c);
          }
          npAcc[c] = t.union(npAcc[c] as number, fixed ?? this.rulePorts(r, c));
        };
        if (rule.peers) rule.peers.forEach(paint);
        else for (let c = 0; c < C; c++) paint(c);
      }
      const admin = layer.admin !== undefined;
      for (const c of own) {
        const x = npAcc[c] as number;
        row[c] = admin ? withAdmin(t, adminAllowed[c] as number, adminUndecided[c] as number, x) : x;
        npAcc[c] = EMPTY_ID;
      }
      st.own = own;
    }
    return st;
  }

  private putLayer(st: EgressState, layer: EgressLayer): void {
    st.layer = layer;
    layer.touched.forEach((c, i) => void (st.row[c] = st.layerRow[c] = layer.values[i] as number));
    const a = layer.admin;
    a?.touched.forEach((c, i) => {
      st.adminAllowed[c] = a.allowed[i] as number;
      st.adminUndecided[c] = a.undecided[i] as number;
    });
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

  /**
   * The classes a compiled rule's peers hold (policy namespace `ns`: a NetworkPolicy's, "" for
   * a cluster policy), found by the rule object: null for a rule open to every peer, undefined
   * for a rule the engine did not compile (one of another cluster state).
   */
  rulePeers(rule: PolicyRule, ns: string): Bitset | null | undefined {
    if (!this.peersByRule) {
      this.peersByRule = new Map();
      for (const r of this.rules) {
        const rns = r.origin.kind === "NetworkPolicy" ? (this.policies[r.policy] as NetworkPolicy).namespace : "";
        this.peersByRule.set(r.rule, { ns: rns, peers: r.peers ?? null });
      }
    }
    const got = this.peersByRule.get(rule);
    return got && got.ns === ns ? got.peers : undefined;
  }
  private peersByRule: Map<PolicyRule, { readonly ns: string; readonly peers: Bitset | null }> | undefined;

  /** Combo of each class (its ingress profile), -1 when no policy applies to it for ingress. */
  get profileOf(): Int32Array {
    return this.buildProfiles().profileOf;
  }

  /** The number of combos (ingress profiles). */
  get profileCount(): number {
    return this.buildProfiles().comboNp.length;
  }

  /** The slot of each combo (see ProfiledRow.slotValue); slot s holds combos slotStart[s] … slotStart[s+1]-1. */
  get slots(): { readonly slotOf: Int32Array; readonly slotStart: Int32Array } {
    const prof = this.buildProfiles();
    return { slotOf: prof.slotOf, slotStart: prof.slotStart };
  }

  /**
   * Source a's row in profile form (see ProfiledRow): the cost is the groups whose peers contain
   * a, the tier programs and the egress rules, not the number of classes. The arrays are the
   * engine's, overwritten by the next call (of this or `ingressFrom`).
   */
  profiledRow(a: number): ProfiledRow {
    const prof = this.buildProfiles();
    const { ingress, slotValue, overrides } = this.ingressProfiled(prof, prof.colIds, prof.colStart[a] as number, prof.colStart[a + 1] as number, prof.words, (a >>> 5) * prof.bitsetCount, a & 31);
    const srcIsSubject = (this.infos[a] as ClassInfo).subject !== undefined;
    const e = srcIsSubject ? this.egressRow(a) : undefined;
    // (An object literal, not a spread: this runs once per class and row.)
    return { ingress, slotValue, overrides, egress: e?.row, egressLayer: e?.layer, egressLayerRow: e?.layerRow, egressOwn: e ? e.own : NONE };
  }

  /**
   * The ingress part of a row (per combo, as `profiledRow`'s) from a pod that need not be one of
   * the classes (a pod after a label change, incremental.ts): the bitsets holding it are those
   * whose rule holds it (`member`, FastEngine.ruleMembership: matched as the reference evaluator
   * does, or read from its class where the relabel cannot matter). The array is the caller's.
   */
  ingressFrom(member: RuleMembership): Uint32Array {
    const prof = this.buildProfiles();
    const n = prof.bitsetCount;
    const bits = new Uint32Array(n);
    const cols: number[] = [];
    for (let bi = 0; bi < n; bi++) {
      // Rules share a bitset only when their peers are the same (SelectionIndex.peer's key).
      if (!member.has(prof.ruleOfBitset[bi] as number)) continue;
      bits[bi] = 1;
      if ((prof.bitGroupStart[bi + 1] as number) > (prof.bitGroupStart[bi] as number)) cols.push(bi);
    }
    return this.ingressProfiled(prof, Int32Array.from(cols), 0, cols.length, bits, 0, 0).ingress.slice();
  }

  /**
   * Per combo, the ingress ports from a source: `cols[from … to-1]` are the NetworkPolicy
   * bitsets that hold it, bit `bit` of `words[base + bitset]` says whether any bitset does.
   * Only the combos of the NetworkPolicy profiles the source touches are computed one by one;
   * the others take their slot's value (rewritten only where it changed since the last source).
   */
  private ingressProfiled(prof: IngressProfiles, cols: Int32Array, from: number, to: number, words: Uint32Array, base: number, bit: number): Pick<ProfiledRow, "ingress" | "slotValue" | "overrides"> {
    const t = this.ports;
    const combos = prof.comboNp.length;
    const npCount = prof.npCount;
    const slotCount = prof.slotKind.length;
    let st = this.rowState;
    if (!st || st.v.length !== combos) {
      st = this.rowState = { v: new Uint32Array(combos).fill(EMPTY_ID), slotValue: new Uint32Array(slotCount).fill(EMPTY_ID), overrides: [], touched: [], stamp: new Int32Array(npCount).fill(-1), epoch: 0 };
    }
    const L = prof.listCount;
    if (this.listScratch.length !== 2 * L) this.listScratch = new Uint32Array(2 * L);
    const lists = this.listScratch;
    const v = st.v;
    // Undo the last source's profiles (every untouched NetworkPolicy profile reads empty).
    for (const p of st.touched) lists[2 * p] = EMPTY_ID;
    st.touched.length = 0;
    const epoch = ++st.epoch;
    const stamp = st.stamp;
    const touched = st.touched;
    const touch = (p: number): void => {
      if (stamp[p] === epoch) return;
      stamp[p] = epoch;
      touched.push(p);
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
    // Tier programs, folded in order; then the slots (see IngressProfiles).
    for (let p = npCount; p < L; p++) this.foldProgram(prof, p, words, base, bit, lists, p);
    const { slotKind, slotAdmin, slotBaseline, slotStart, slotOf, comboAdmin, npComboStart, npCombos } = prof;
    const slotValue = st.slotValue;
    for (let sl = 1; sl < slotCount; sl++) {
      const ad = slotAdmin[sl] as number;
      const aAllowed = ad < 0 ? EMPTY_ID : (lists[2 * ad] as number);
      let x: number;
      if (slotKind[sl] === 1) x = aAllowed;
      else {
        const bl = slotBaseline[sl] as number;
        const below = bl < 0 ? ALL_ID : t.union(lists[2 * bl] as number, lists[2 * bl + 1] as number);
        x = ad < 0 ? below : withAdmin(t, aAllowed, lists[2 * ad + 1] as number, below);
      }
      if (x !== slotValue[sl]) {
        slotValue[sl] = x;
        v.fill(x, slotStart[sl] as number, slotStart[sl + 1] as number);
      }
    }
    for (const c of st.overrides) v[c] = slotValue[slotOf[c] as number] as number;
    st.overrides.length = 0;
    // The combos of the touched NetworkPolicy profiles, one by one.
    for (const p of touched) {
      const np = lists[2 * p] as number;
      for (let q = npComboStart[p] as number; q < (npComboStart[p + 1] as number); q++) {
        const c = npCombos[q] as number;
        const ad = comboAdmin[c] as number;
        v[c] = ad < 0 ? np : withAdmin(t, lists[2 * ad] as number, lists[2 * ad + 1] as number, np);
        st.overrides.push(c);
      }
    }
    return { ingress: v, slotValue, overrides: st.overrides };
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

/**
 * The members of each group, by a counting sort: `groupOf[i]` is item i's group (negative: none);
 * group g's items, in increasing order, are members[start[g] … start[g+1]-1].
 */
export function membersByGroup(groupOf: ArrayLike<number>, groups: number): { start: Int32Array; members: Int32Array } {
  const start = new Int32Array(groups + 1);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as number;
    if (g >= 0) start[g + 1] = (start[g + 1] as number) + 1;
  }
  for (let g = 0; g < groups; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const members = new Int32Array(start[groups] as number);
  const at = start.slice(0, groups);
  for (let i = 0; i < groupOf.length; i++) {
    const g = groupOf[i] as number;
    if (g < 0) continue;
    members[at[g] as number] = i;
    at[g] = (at[g] as number) + 1;
  }
  return { start, members };
}
