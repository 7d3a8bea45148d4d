/**
 * @module incremental
 * What changed when one part of a cluster changed, without recomputing the matrix: the changed
 * connections after a policy was added, removed or edited, or after the labels of pods, workloads
 * or namespaces changed. A connection between two pods depends only on those two pods' identity
 * (namespace, labels, namespace labels, ports, addresses) and on the policies that select them;
 * so every changed connection has at one end a pod whose identity changed or a pod that a changed
 * policy selects (before or after) in that direction. Only those rows and columns are evaluated,
 * pair by pair, with the reference semantics (`direction` in reference.ts) over the policies that
 * select each end, in both states; pairs are grouped into units (the fast engine's classes, split
 * where identities changed), so a row costs one evaluation per class, not per pod. Where the
 * analysis before is the fast engine, the sides are the engine's wherever the policies involved
 * did not change: the ingress side of a unit selected by the same policies in both states is read
 * from the engine's row of the source (`FastEngine.profiledRow`, or `ingressFrom` for a source
 * whose labels changed): a row costs one lookup per destination; the ingress side at a unit whose
 * selection changed is a column the engine folds once per program (`ingressColumn`); egress
 * toward such a unit from every source is one column (`egressToward`, a fold per distinct source
 * program), egress from a unit whose side may change one row (`egressRowFor`), any other egress
 * side the engine's fold of the source's program (`foldFor`, kept per program). `direction` over
 * the policies decides only where a changed policy is involved.
 *
 * The partition of addresses by ipBlocks must stay the same (a policy that brings in a new
 * ipBlock changes the classes themselves), as must everything but labels and policies: otherwise
 * `incrementalChanges` returns undefined and the caller recomputes.
 */
import { clusterRulesOf, ipSetKey, selectorMatches, type Cluster, type ClusterPolicy, type Labels, type NetworkPolicy, type Peer, type PolicyRule, type PolicyType } from "../model/index.js";
import { clusterPolicySelects, peerMatchesAddress, peerMatchesPod, policyIsolates, policySelects, type PodIdentity } from "../policy/index.js";
import type { Analysis } from "./analysis.js";
import { FastEngine, type Program, type RelabelledClass, type RuleMembership } from "./fast.js";
import type { Bitset } from "./bitset.js";
import { labelsKey, sameLabels } from "./classes.js";
import { ALL_ID, EMPTY_ID, PortSetTable } from "./port-table.js";
import { direction, partyOf } from "./reference.js";
import type { Subject, Topology } from "./topology.js";

export interface ClusterState {
  readonly cluster: Cluster;
  readonly topology: Topology;
}

/** A group of nodes (subjects, then external cells) that every policy treats alike, in both states. */
export interface Unit {
  /** A node of the unit. */
  readonly rep: number;
  readonly nodes: Int32Array;
  /** Its identity differs between the states (labels or namespace labels changed). */
  readonly changed: boolean;
}

/** A unit that is a whole class: its nodes are a slice of the class layout, cut when first asked. */
class ClassUnit implements Unit {
  readonly changed = false;
  readonly rep: number;
  private list: Int32Array | undefined;
  constructor(
    private readonly order: Int32Array,
    private readonly from: number,
    private readonly to: number,
  ) {
    this.rep = order[from] as number;
  }
  get nodes(): Int32Array {
    return (this.list ??= this.order.subarray(this.from, this.to));
  }
}

export interface UnitChange {
  readonly src: number;
  readonly dst: number;
  /** Port-set ids (in `Incremental.ports`) from a node of `src` to a different node of `dst`. */
  readonly before: number;
  readonly after: number;
}

export interface Incremental {
  readonly units: readonly Unit[];
  /** Node → unit. */
  readonly unitOf: Int32Array;
  readonly ports: PortSetTable;
  /** The unit pairs whose ports changed (external → external pairs are not connections). */
  readonly changes: readonly UnitChange[];
  /** Ports from a node of unit `u` to a different node of unit `v`, in one state (any pair, changed or not). */
  portsBetween(state: "before" | "after", u: number, v: number): number;
  /** Policies whose content changed (added, removed or edited), by id; for reports. */
  readonly changedPolicies: readonly string[];
}

type State = "before" | "after";

/** What `direction` reads of a cluster. */
type PolicyView = Pick<Cluster, "networkPolicies" | "clusterPolicies">;
type PodsPeer = Extract<Peer, { readonly type: "Pods" }>;

/** Policy content without places (a moved policy is not a changed one); bigints as text. */
function canonical(x: unknown): string {
  return JSON.stringify(x, (k, v: unknown) => (k === "source" ? undefined : typeof v === "bigint" ? v.toString() : v));
}

function samePolicy<T>(a: T, b: T): boolean {
  return a === b || canonical(a) === canonical(b);
}

const npKey = (p: NetworkPolicy): string => `${p.namespace}/${p.name}`;
const cpKey = (p: ClusterPolicy): string => `${p.kind}/${p.name}`;

/** Pairs [before, after] of the policies that differ (one side undefined: added or removed). */
function changedPairs<T>(before: readonly T[], after: readonly T[], key: (p: T) => string): [T | undefined, T | undefined][] {
  if (before === after) return [];
  if (before.length === after.length) {
    // An edit in place (a What-if): the same objects but the edited ones, at the same places.
    const out: [T, T][] = [];
    let aligned = true;
    for (let i = 0; i < before.length && aligned; i++) {
      const a = before[i] as T;
      const b = after[i] as T;
      if (a === b) continue;
      if (key(a) !== key(b)) aligned = false;
      else if (!samePolicy(a, b)) out.push([a, b]);
    }
    if (aligned) return out;
  }
  const old = new Map(before.map((p) => [key(p), p]));
  const out: [T | undefined, T | undefined][] = [];
  for (const p of after) {
    const o = old.get(key(p));
    old.delete(key(p));
    if (!o || !samePolicy(o, p)) out.push([o, p]);
  }
  for (const o of old.values()) out.push([o, undefined]);
  return out;
}

/** Everything but labels and namespace labels is the same (else undefined: not incremental). */
function sameButLabels(a: Subject, b: Subject): boolean {
  if (a === b) return true;
  if (a.id !== b.id || a.namespace !== b.namespace || a.hostNetwork !== b.hostNetwork || a.replicas !== b.replicas || a.workloadId !== b.workloadId) return false;
  if (a.ips.length !== b.ips.length || a.ips.some((ip, i) => ip.family !== b.ips[i]?.family || ip.value !== b.ips[i]?.value)) return false;
  if (a.ports.length !== b.ports.length || a.ports.some((p, i) => canonical(p) !== canonical(b.ports[i]))) return false;
  const ra = a.unknownIpRange;
  const rb = b.unknownIpRange;
  return ra === rb || (ra !== undefined && rb !== undefined && ra.family === rb.family && ra.lo === rb.lo && ra.hi === rb.hi);
}

/** The ipBlock sets of some rules (what the external cells are made of), each with how many rules use it. */
function ipBlockCounts(rules: Iterable<PolicyRule>, into = new Map<string, number>(), sign = 1): Map<string, number> {
  for (const r of rules) {
    if (r.peers === "All") continue;
    for (const x of r.peers) {
      if (x.type !== "IPBlock" || x.set.intervals.length === 0) continue;
      const k = ipSetKey(x.set);
      into.set(k, (into.get(k) ?? 0) + sign);
    }
  }
  return into;
}

function* rulesOfCluster(c: Pick<Cluster, "networkPolicies" | "clusterPolicies">): Iterable<PolicyRule> {
  for (const p of c.networkPolicies) yield* [...p.ingress, ...p.egress];
  for (const p of c.clusterPolicies) for (const r of [...p.ingress, ...p.egress]) yield r.rule;
}

/** Per cluster (the state before, reused across edits of it): its ipBlock counts. */
const baseCounts = new WeakMap<Cluster, Map<string, number>>();

/** Do the changed policies leave the set of distinct ipBlocks (so the external cells) as it was? */
function sameIpBlocks(before: Cluster, np: readonly [NetworkPolicy | undefined, NetworkPolicy | undefined][], cp: readonly [ClusterPolicy | undefined, ClusterPolicy | undefined][]): boolean {
  if (np.length + cp.length === 0) return true;
  const olds = { networkPolicies: np.flatMap(([o]) => (o ? [o] : [])), clusterPolicies: cp.flatMap(([o]) => (o ? [o] : [])) };
  const news = { networkPolicies: np.flatMap(([, n]) => (n ? [n] : [])), clusterPolicies: cp.flatMap(([, n]) => (n ? [n] : [])) };
  const delta = ipBlockCounts(rulesOfCluster(olds), new Map(), -1);
  ipBlockCounts(rulesOfCluster(news), delta, 1);
  if ([...delta.values()].every((d) => d === 0)) return true;
  let base = baseCounts.get(before);
  if (!base) baseCounts.set(before, (base = ipBlockCounts(rulesOfCluster(before))));
  for (const [k, d] of delta) {
    const was = base.get(k) ?? 0;
    if ((was > 0) !== (was + d > 0)) return false;
  }
  return true;
}

/**
 * The changed connections between two states of a cluster, given the analysis of the first (its
 * classes) and both topologies. Undefined when the states differ in more than policies and labels.
 */
export function incrementalChanges(before: Analysis, beforeCluster: Cluster, after: ClusterState): Incremental | undefined {
  // The CNI's own tiers (Calico, Cilium) are not incremental: the full comparison decides.
  if (beforeCluster.policyDialect !== undefined || after.cluster.policyDialect !== undefined) return undefined;
  const t0 = before.topology;
  const t1 = after.topology;
  if (t0.subjects.length !== t1.subjects.length || t0.cells.length !== t1.cells.length) return undefined;
  if (t0.cells.some((c, k) => c.id !== t1.cells[k]?.id)) return undefined;
  const S = t0.subjects.length;
  const changedNode = new Uint8Array(S);
  for (let i = 0; i < S; i++) {
    const a = t0.subjects[i] as Subject;
    const b = t1.subjects[i] as Subject;
    if (a === b) continue;
    if (!sameButLabels(a, b)) return undefined;
    if (!sameLabels(a.labels, b.labels) || !sameLabels(a.namespaceLabels, b.namespaceLabels)) changedNode[i] = 1;
  }
  const np = changedPairs(beforeCluster.networkPolicies, after.cluster.networkPolicies, npKey);
  const cp = changedPairs(beforeCluster.clusterPolicies, after.cluster.clusterPolicies, cpKey);
  if (!sameIpBlocks(beforeCluster, np, cp)) return undefined;
  return new IncrementalEval(before, beforeCluster, after, changedNode, np, cp);
}

class IncrementalEval implements Incremental {
  readonly units: Unit[] = [];
  readonly unitOf: Int32Array;
  /** The engine's table when the analysis before is the fast engine: its port-set ids are ours. */
  readonly ports: PortSetTable;
  readonly changes: UnitChange[] = [];
  readonly changedPolicies: string[];
  private readonly topo: Readonly<Record<State, Topology>>;
  private readonly clusters: Readonly<Record<State, Cluster>>;
  private readonly byNs: Readonly<Record<State, ReadonlyMap<string, readonly NetworkPolicy[]>>>;
  /**
   * Per state and direction (`slot`), per unit: the cluster view holding only the policies that
   * select the unit (null: an external cell, no policy applies at it).
   */
  private readonly views: (PolicyView | null | undefined)[][] = [[], [], [], []];
  private readonly cpChanged: number;
  /** Namespaces with a changed NetworkPolicy. */
  private readonly npChangedIn = new Set<string>();
  /** The analysis before, when it is the fast engine: ingress at units whose policies did not change is read from its rows. */
  private readonly engine: FastEngine | undefined;
  /** Per unit as a source: the engine's ingress ports per combo (engine port ids), before; after, for changed units. */
  private readonly engineRows: (Uint32Array | undefined)[][] = [[], []];
  private engineProfileOf: Int32Array | undefined;

  constructor(
    a: Analysis,
    beforeCluster: Cluster,
    after: ClusterState,
    changedNode: Uint8Array,
    np: readonly [NetworkPolicy | undefined, NetworkPolicy | undefined][],
    cp: readonly [ClusterPolicy | undefined, ClusterPolicy | undefined][],
  ) {
    this.topo = { before: a.topology, after: after.topology };
    this.engine = a instanceof FastEngine ? a : undefined;
    this.ports = this.engine ? this.engine.ports : new PortSetTable();
    this.clusters = { before: beforeCluster, after: after.cluster };
    this.byNs = { before: policiesByNamespace(beforeCluster), after: policiesByNamespace(after.cluster) };
    this.cpChanged = cp.length;
    for (const [o, n] of np) for (const p of [o, n]) if (p) this.npChangedIn.add(p.namespace);
    this.changedPolicies = [...np.map(([o, n]) => npKey((o ?? n) as NetworkPolicy)), ...cp.map(([o, n]) => cpKey((o ?? n) as ClusterPolicy))].sort();
    this.unitOf = this.buildUnits(a, changedNode);
    const { ingress, egress } = this.affected(np, cp);
    this.evaluate(ingress, egress);
  }

  /**
   * Units: the analysis' classes (those with a node whose identity did not change), then the
   * nodes whose identity changed, split off their class by their new identity.
   */
  private buildUnits(a: Analysis, changedNode: Uint8Array): Int32Array {
    const N = a.nodeCount;
    const C = a.classCount;
    const { start, order } = classLayout(a);
    const changedList: number[] = [];
    const changedIn = new Int32Array(C);
    for (let i = 0; i < changedNode.length; i++) {
      if (changedNode[i] !== 1) continue;
      changedList.push(i);
      const c = a.classOf[i] as number;
      changedIn[c] = (changedIn[c] as number) + 1;
    }
    const ofClass = new Int32Array(C).fill(-1);
    for (let c = 0; c < C; c++) {
      const from = start[c] as number;
      const to = start[c + 1] as number;
      if (from === to || changedIn[c] === to - from) continue;
      ofClass[c] = this.units.length;
      if (changedIn[c] === 0) this.units.push(new ClassUnit(order, from, to));
      else {
        const nodes = order.subarray(from, to).filter((i) => changedNode[i] !== 1);
        this.units.push({ rep: nodes[0] as number, nodes, changed: false });
      }
    }
    const unitOf = new Int32Array(N);
    for (let i = 0; i < N; i++) unitOf[i] = ofClass[a.classOf[i] as number] as number;
    // Per class, the units split off it (a few: the nodes of a class usually get the same new labels).
    const t1 = this.topo.after;
    const splits = new Map<number, number[]>();
    const members = new Map<number, number[]>();
    for (const i of changedList) {
      const c = a.classOf[i] as number;
      const s = t1.subjects[i] as Subject;
      let list = splits.get(c);
      if (!list) splits.set(c, (list = []));
      let u =
        list.find((v) => {
          const r = t1.subjects[(this.units[v] as Unit).rep] as Subject;
          return sameLabels(r.labels, s.labels) && sameLabels(r.namespaceLabels, s.namespaceLabels);
        }) ?? -1;
      if (u < 0) {
        u = this.units.length;
        list.push(u);
        members.set(u, []);
        this.units.push({ rep: i, nodes: new Int32Array(0), changed: true });
      }
      (members.get(u) as number[]).push(i);
      unitOf[i] = u;
    }
    for (const [u, nodes] of members) this.units[u] = { ...(this.units[u] as Unit), nodes: Int32Array.from(nodes) };
    return unitOf;
  }

  private identity(state: State, u: number): PodIdentity | undefined {
    return this.topo[state].subjects[(this.units[u] as Unit).rep];
  }

  /** Units whose ingress (as destination) or egress (as source) side may differ between the states. */
  private affected(np: readonly [NetworkPolicy | undefined, NetworkPolicy | undefined][], cp: readonly [ClusterPolicy | undefined, ClusterPolicy | undefined][]): { ingress: Set<number>; egress: Set<number> } {
    const ingress = new Set<number>();
    const egress = new Set<number>();
    const U = this.units.length;
    const namespaces = unitsByNamespace(this.units, this.topo.before);
    const relabelled: number[] = [];
    this.units.forEach((u, i) => {
      if (!u.changed) return;
      // A unit whose labels changed but not the policies selecting it keeps its own rules: only
      // the peers that match it differently change anything (`sensitive`).
      if (this.selectionChanged(i)) {
        ingress.add(i);
        egress.add(i);
      } else relabelled.push(i);
    });
    if (relabelled.length > 0) this.sensitive(relabelled, namespaces);
    const mark = (u: number, isolates: (d: PolicyType) => boolean): void => {
      if (isolates("Ingress")) ingress.add(u);
      if (isolates("Egress")) egress.add(u);
    };
    for (const [o, n] of np) {
      for (const [p, state] of [[o, "before"], [n, "after"]] as const) {
        if (!p) continue;
        for (const u of namespaces.get(p.namespace) ?? []) {
          const id = this.identity(state, u);
          if (id && policySelects(p, id)) mark(u, (d) => policyIsolates(p, d));
        }
      }
    }
    for (const [o, n] of cp) {
      for (const [p, state] of [[o, "before"], [n, "after"]] as const) {
        if (!p) continue;
        for (let u = 0; u < U; u++) {
          const id = this.identity(state, u);
          if (id && clusterPolicySelects(p, id)) mark(u, (d) => clusterRulesOf(p, d).length > 0);
        }
      }
    }
    return { ingress, egress };
  }

  /** Pairs to evaluate beyond whole rows and columns (relabelled units against the units whose rules' peers now match them differently). */
  private readonly pairs: [number, number][] = [];

  /** Do the policies selecting unit `u` (either direction, any tier) differ between the states? */
  private selectionChanged(u: number): boolean {
    const a = this.identity("before", u);
    const b = this.identity("after", u);
    if (!a || !b) return false;
    for (const p of this.byNs.after.get(b.namespace) ?? []) if (policySelects(p, a) !== policySelects(p, b)) return true;
    for (const p of this.clusters.after.clusterPolicies) if (clusterPolicySelects(p, a) !== clusterPolicySelects(p, b)) return true;
    return false;
  }

  /**
   * For relabelled units: every rule (of the policies after the change) with a peer that matches
   * the unit's old identity and not its new one, or the reverse, makes the pairs between the unit
   * and the units that rule's policy selects worth evaluating: (unit → them) for ingress rules,
   * (them → unit) for egress rules. Nothing else involving the unit can change.
   */
  private sensitive(relabelled: readonly number[], namespaces: ReadonlyMap<string, readonly number[]>): void {
    // Every pod peer of every rule, once: which policy, which side of the pairs it decides.
    type Ref = { readonly peer: PodsPeer; readonly policyNs: string; readonly np: NetworkPolicy | undefined; readonly cp: ClusterPolicy | undefined; readonly dir: PolicyType };
    const refs: Ref[] = [];
    const add = (rules: readonly PolicyRule[], policyNs: string, np: NetworkPolicy | undefined, cp: ClusterPolicy | undefined, dir: PolicyType): void => {
      for (const r of rules) if (r.peers !== "All") for (const x of r.peers) if (x.type === "Pods") refs.push({ peer: x, policyNs, np, cp, dir });
    };
    for (const p of this.clusters.after.networkPolicies) {
      if (policyIsolates(p, "Ingress")) add(p.ingress, p.namespace, p, undefined, "Ingress");
      if (policyIsolates(p, "Egress")) add(p.egress, p.namespace, p, undefined, "Egress");
    }
    for (const p of this.clusters.after.clusterPolicies) {
      for (const dir of ["Ingress", "Egress"] as const) add(clusterRulesOf(p, dir).map((r) => r.rule), "", undefined, p, dir);
    }
    // The units a policy selects after the change, once per policy.
    const selected = new Map<object, number[]>();
    const selectedUnits = (ref: Ref): number[] => {
      const policy: object = ref.np ?? (ref.cp as ClusterPolicy);
      const got = selected.get(policy);
      if (got) return got;
      const out: number[] = [];
      const candidates: Iterable<number> = ref.np ? (namespaces.get(ref.np.namespace) ?? []) : this.units.keys();
      for (const v of candidates) {
        const id = this.identity("after", v);
        if (id && (ref.np ? policySelects(ref.np, id) : clusterPolicySelects(ref.cp as ClusterPolicy, id))) out.push(v);
      }
      selected.set(policy, out);
      return out;
    };
    // Per pair of namespace label sets (before, after): the refs whose namespaceSelector changes its mind.
    const nsChanged = new Map<object, Map<object, Ref[]>>();
    const nsDiffs = (la: object, lb: object, a: PodIdentity, b: PodIdentity): Ref[] => {
      let byB = nsChanged.get(la);
      if (!byB) nsChanged.set(la, (byB = new Map()));
      let out = byB.get(lb);
      if (!out) {
        out = refs.filter((r) => r.peer.namespaces.type === "Selector" && selectorMatches(r.peer.namespaces.selector, a.namespaceLabels) !== selectorMatches(r.peer.namespaces.selector, b.namespaceLabels));
        byB.set(lb, out);
      }
      return out;
    };
    for (const u of relabelled) {
      const a = this.identity("before", u) as PodIdentity;
      const b = this.identity("after", u) as PodIdentity;
      const hit = new Set<Ref>();
      if (sameLabels(a.labels, b.labels)) {
        // Same pod labels: only a namespaceSelector that changes its mind can see the change
        // (a peer of the policy's own namespace looks at pod labels only).
        for (const ref of nsDiffs(a.namespaceLabels, b.namespaceLabels, a, b)) if (peerMatchesPod(ref.peer, ref.policyNs, a) !== peerMatchesPod(ref.peer, ref.policyNs, b)) hit.add(ref);
      } else {
        for (const ref of refs) {
          const x = ref.peer;
          if (x.namespaces.type === "PolicyNamespace" && ref.policyNs !== a.namespace) continue;
          if (peerMatchesPod(x, ref.policyNs, a) !== peerMatchesPod(x, ref.policyNs, b)) hit.add(ref);
        }
      }
      const seen = new Set<string>();
      for (const ref of hit) {
        const key = `${ref.dir}\u0000${ref.np ? `np:${ref.np.namespace}/${ref.np.name}` : `cp:${(ref.cp as ClusterPolicy).kind}/${(ref.cp as ClusterPolicy).name}`}`;
        if (seen.has(key)) continue;
        seen.add(key);
        for (const v of selectedUnits(ref)) this.pairs.push(ref.dir === "Ingress" ? [u, v] : [v, u]);
      }
    }
  }

  /**
   * A unit that did not change, in a namespace whose policies did not change, with no cluster
   * policy changed, is selected by the same policies in both states.
   */
  private sameSelection(u: number): boolean {
    return this.reselected()[u] === 0;
  }

  /**
   * Ingress ports at subject unit `at` from unit `peer`, read from the engine's row of the peer
   * (in profile form: one lookup per destination) when `at` is selected by the same policies in
   * both states, which are the engine's. A peer that changed is, after, a source the engine has
   * no class for: its row is made by matching it against each peer bitset's rule
   * (`FastEngine.ingressFrom`). Undefined when the engine cannot tell.
   */
  private engineIngress(state: State, at: number, peer: number): number | undefined {
    const e = this.engine;
    const atRep = (this.units[at] as Unit).rep;
    if (!e || atRep >= this.topo.before.subjects.length || !this.sameSelection(at)) return undefined;
    const combo = (this.engineProfileOf ??= e.profileOf)[e.classOf[atRep] as number] as number;
    if (combo < 0) return ALL_ID; // no policy applies at it for ingress
    const row = this.engineRow(e, state, peer);
    return row ? (row[combo] as number) : undefined;
  }

  /** The engine's ingress ports from unit `peer` per combo (its class's row; after, for a unit whose labels changed, FastEngine.ingressFrom). */
  private engineRow(e: FastEngine, state: State, peer: number): Uint32Array | undefined {
    const p = this.units[peer] as Unit;
    const fresh = state === "after" && p.changed;
    const rows = this.engineRows[fresh ? 1 : 0] as (Uint32Array | undefined)[];
    let row = rows[peer];
    if (!row) {
      if (fresh) {
        const member = this.membership(e, peer);
        if (!member) return undefined;
        row = e.ingressFrom(member);
      } else row = e.profiledRow(e.classOf[p.rep] as number).ingress.slice();
      rows[peer] = row;
    }
    return row;
  }

  /**
   * Per unit as a destination: its ingress combo in the engine (-1: no policy applies at it,
   * external cells too), -2 where the engine's combo is not its side (not selected by the same
   * policies in both states).
   */
  private unitCombos(e: FastEngine): Int32Array {
    let got = this.combos;
    if (!got) {
      const S = this.topo.before.subjects.length;
      const reselected = this.reselected();
      const profileOf = e.profileOf;
      got = this.combos = new Int32Array(this.units.length);
      for (let i = 0; i < got.length; i++) {
        const rep = (this.units[i] as Unit).rep;
        got[i] = rep >= S ? -1 : reselected[i] === 1 ? -2 : (profileOf[e.classOf[rep] as number] as number);
      }
    }
    return got;
  }
  private combos: Int32Array | undefined;

  /** Ingress at every unit from unit `u` in `state` (engineIngress in bulk); -1 where the engine cannot tell. */
  private ingressRowOf(e: FastEngine, state: State, u: number): Int32Array | null {
    const row = this.engineRow(e, state, u);
    if (!row) return null;
    const combos = this.unitCombos(e);
    const out = new Int32Array(combos.length);
    for (let v = 0; v < combos.length; v++) {
      const c = combos[v] as number;
      out[v] = c >= 0 ? (row[c] as number) : c === -1 ? ALL_ID : -1;
    }
    return out;
  }

  /**
   * Ports a direction allows at subject unit `at` toward/from unit `peer`, folded by the engine
   * over its compiled rules (FastEngine.foldFor): the program of `at`'s class when `at` is
   * selected by the same policies in both states, else the program of the policies that select
   * it in `state` when none of them changed; a peer the engine has a class for is looked up in
   * the rules' peer bitsets, another (a pod whose labels changed, after) matched rule by rule,
   * once per unit. Undefined when the engine cannot tell.
   */
  private engineSide(state: State, dir: PolicyType, at: number, peer: number, dst: number): number | undefined {
    const e = this.engine;
    if (!e) return undefined;
    const prog = this.engineProgram(state, dir, at);
    if (prog === undefined) return undefined;
    if (prog === null) return ALL_ID; // a hostNetwork pod: no policy applies at it
    const p = this.units[peer] as Unit;
    const fresh = state === "after" && p.changed;
    let member: RuleMembership | undefined;
    if (fresh) {
      member = this.membership(e, peer);
      if (!member) return undefined;
    }
    const dstClass = e.classOf[(this.units[dst] as Unit).rep] as number;
    const peerClass = e.classOf[p.rep] as number;
    let id: number;
    if (dir === "Ingress" && !fresh) id = e.ingressColumn(prog, dstClass)[peerClass] as number;
    else {
      // Per program (equal programs are one object): by peer and destination class.
      let memo = this.folds.get(prog);
      if (!memo) this.folds.set(prog, (memo = new Map()));
      const C = e.classCount;
      const key = (fresh ? C + peer : peerClass) * C + dstClass;
      let got = memo.get(key);
      if (got === undefined) memo.set(key, (got = e.foldFor(prog, dstClass, peerClass, member)));
      id = got;
    }
    return id;
  }

  /** The units whose ingress (as destination) and egress (as source) side may change (`evaluate`). */
  private ingressSet: ReadonlySet<number> = new Set();
  private egressSet: ReadonlySet<number> = new Set();
  /**
   * Per state, per unit of those sets: its side toward every unit at once (-1 where the engine
   * cannot tell: a peer whose labels changed, after), read from the engine's class columns and
   * rows (ClassSide); null when the engine cannot tell at all. Ingress at a unit of the
   * ingress set (`inCols`), egress from every unit toward one (`egCols`), egress at a unit of the
   * egress set (`egRows`).
   */
  private readonly inCols: Map<number, ClassSide | null>[] = [new Map(), new Map()];
  private readonly egCols: Map<number, ClassSide | null>[] = [new Map(), new Map()];
  private readonly egRows: Map<number, ClassSide | null>[] = [new Map(), new Map()];

  /** A side read from the unit arrays above; -1 when there is none. */
  private bulkSide(state: State, dir: PolicyType, at: number, peer: number): number {
    const e = this.engine;
    if (!e) return -1;
    let arr: ClassSide | null;
    let i: number;
    if (dir === "Ingress") {
      if (!this.ingressSet.has(at)) return -1;
      arr = this.sideArray("inCol", e, state, at);
      i = peer;
    } else if (this.egressSet.has(at)) {
      arr = this.sideArray("egRow", e, state, at);
      i = peer;
    } else if (this.ingressSet.has(peer)) {
      arr = this.sideArray("egCol", e, state, peer);
      i = at;
    } else return -1;
    return arr ? sideAt(arr, i, this.unitClasses(e)[i] as number) : -1;
  }

  /** A unit's side of one of the kinds above (`inCols`, `egRows`, `egCols`) in `state`, built once. */
  private sideArray(kind: "inCol" | "egRow" | "egCol", e: FastEngine, state: State, u: number): ClassSide | null {
    const maps = kind === "inCol" ? this.inCols : kind === "egRow" ? this.egRows : this.egCols;
    const m = maps[state === "before" ? 0 : 1] as Map<number, ClassSide | null>;
    let got = m.get(u);
    if (got === undefined) {
      got = kind === "inCol" ? this.ingressColumnOf(e, state, u) : kind === "egRow" ? this.egressRowOf(e, state, u) : this.egressColumnOf(e, state, u);
      m.set(u, got);
    }
    return got;
  }

  /** Per unit: the engine's class of its nodes (their class before). */
  private unitClasses(e: FastEngine): Int32Array {
    let got = this.unitClass;
    if (!got) {
      got = this.unitClass = new Int32Array(this.units.length);
      this.units.forEach((u, i) => void ((got as Int32Array)[i] = e.classOf[u.rep] as number));
    }
    return got;
  }
  private unitClass: Int32Array | undefined;

  /** 1 at the units whose side in `state` the engine's class arrays do not give (their identity is not their class's). */
  private freshMask(state: State): Uint8Array | undefined {
    if (state === "before") return undefined;
    let got = this.changedUnits;
    if (!got) {
      got = this.changedUnits = new Uint8Array(this.units.length);
      for (let u = 0; u < got.length; u++) if ((this.units[u] as Unit).changed) got[u] = 1;
    }
    return got;
  }
  private changedUnits: Uint8Array | undefined;

  /**
   * 1 at the units that may not be selected by the same policies in both states; 0 at those
   * that did not change, in a namespace whose policies did not change, with no cluster policy
   * changed (sameSelection).
   */
  private reselected(): Uint8Array {
    let got = this.reselectedUnits;
    if (!got) {
      got = this.reselectedUnits = new Uint8Array(this.units.length);
      const subjects = this.topo.before.subjects;
      for (let u = 0; u < got.length; u++) {
        const unit = this.units[u] as Unit;
        if (unit.changed || this.cpChanged > 0 || (this.npChangedIn.size > 0 && this.npChangedIn.has(subjects[unit.rep]?.namespace ?? ""))) got[u] = 1;
      }
    }
    return got;
  }
  private reselectedUnits: Uint8Array | undefined;

  /**
   * The rule membership, after, of a unit whose labels changed: its class's, but for the rules
   * whose peers may see the change (`FastEngine.rulesSeeing`, once per distinct change of
   * namespace labels and of pod labels), which are matched against its new identity.
   */
  private membership(e: FastEngine, u: number): RuleMembership | undefined {
    let m = this.memberships[u];
    if (!m) {
      const a = this.identity("before", u);
      const b = this.identity("after", u);
      if (!a || !b) return undefined;
      const part = (which: "namespaces" | "pods", la: Labels, lb: Labels): Uint8Array | undefined => {
        if (sameLabels(la, lb)) return undefined;
        const key = `${which}\u0002${labelsKey(la)}\u0002${labelsKey(lb)}`;
        let got = this.seeing.get(key);
        if (!got) this.seeing.set(key, (got = e.rulesSeeing(which, la, lb)));
        return got;
      };
      const ns = part("namespaces", a.namespaceLabels, b.namespaceLabels);
      const pods = part("pods", a.labels, b.labels);
      let recheck: Uint8Array;
      if (ns && pods) {
        recheck = ns.slice();
        for (let r = 0; r < pods.length; r++) if (pods[r] === 1) recheck[r] = 1;
      } else recheck = ns ?? pods ?? new Uint8Array(0); // (an empty recheck matches every rule)
      const like: RelabelledClass = { cls: e.classOf[(this.units[u] as Unit).rep] as number, recheck };
      m = this.memberships[u] = e.ruleMembership(b, like);
    }
    return m;
  }
  /** FastEngine.rulesSeeing by part and change of labels. */
  private readonly seeing = new Map<string, Uint8Array>();

  /** A peer whose identity in `state` is not its class's. */
  private fresh(state: State, u: number): boolean {
    return state === "after" && (this.units[u] as Unit).changed;
  }

  private ingressColumnOf(e: FastEngine, state: State, at: number): ClassSide | null {
    const prog = this.engineProgram(state, "Ingress", at);
    if (!prog) return null;
    const col = e.ingressColumn(prog, e.classOf[(this.units[at] as Unit).rep] as number);
    return { byClass: col, skip: this.freshMask(state), fill: undefined };
  }

  private egressRowOf(e: FastEngine, state: State, at: number): ClassSide | null {
    const prog = this.engineProgram(state, "Egress", at);
    if (!prog) return null;
    return { byClass: e.egressRowFor(prog), skip: this.freshMask(state), fill: undefined };
  }

  /**
   * Egress toward unit `dst` from every unit selected by the same policies in both states (the
   * engine's programs), folded per source program when first read (`FastEngine.egressToward`).
   */
  private egressColumnOf(e: FastEngine, state: State, dst: number): ClassSide | null {
    const cls = e.classOf[(this.units[dst] as Unit).rep] as number;
    let f: (c: number) => number;
    if (this.fresh(state, dst)) {
      const member = this.membership(e, dst);
      if (!member) return null;
      f = e.egressToward(cls, member, this.classEgress(e, dst));
    } else f = this.classEgress(e, dst);
    const byClass = new Uint32Array(e.classCount).fill(UNSET);
    return { byClass, skip: this.reselected(), fill: (c) => (byClass[c] = f(c)) };
  }

  /** The engine's egress toward unit `dst`'s class (its nodes before), per source class. */
  private classEgress(e: FastEngine, dst: number): (c: number) => number {
    let got = this.classEgressOf.get(dst);
    if (!got) this.classEgressOf.set(dst, (got = e.egressToward(e.classOf[(this.units[dst] as Unit).rep] as number)));
    return got;
  }
  private readonly classEgressOf = new Map<number, (c: number) => number>();

  /** Per state and direction (`slot`), per unit: its engine program (null: unpoliced; false: the engine cannot tell). */
  private readonly programs: (Program | null | false | undefined)[][] = [[], [], [], []];
  /** Per engine program: its folds (engine port ids) by peer and destination (engineSide). */
  private readonly folds = new Map<Program, Map<number, number>>();
  /** Per unit whose labels changed: its rule membership after (FastEngine.ruleMembership). */
  private readonly memberships: (RuleMembership | undefined)[] = [];
  private changedKeys: Set<string> | undefined;

  private engineProgram(state: State, dir: PolicyType, at: number): Program | null | undefined {
    const e = this.engine as FastEngine;
    const shared = this.sameSelection(at);
    const progs = this.programs[slot(shared ? "before" : state, dir)] as (Program | null | false | undefined)[];
    let got = progs[at];
    if (got === undefined) {
      const unit = this.units[at] as Unit;
      const id = this.identity(state, at);
      if (!id) got = false;
      else if (id.hostNetwork) got = null;
      else if (shared) got = e.classProgram(e.classOf[unit.rep] as number, dir);
      else {
        const view = this.view(state, dir, at);
        const changed = (this.changedKeys ??= new Set(this.changedPolicies));
        const untouched = view !== undefined && view.networkPolicies.every((p) => !changed.has(npKey(p))) && view.clusterPolicies.every((p) => !changed.has(cpKey(p)));
        got = (untouched && e.programOf(dir, view.networkPolicies, view.clusterPolicies)) || false;
      }
      progs[at] = got;
    }
    return got === false ? undefined : got;
  }

  /** The cluster as `direction` reads it, with only the policies that select unit `u` in direction `dir`. */
  private view(state: State, dir: PolicyType, u: number): PolicyView | undefined {
    const shared = this.sameSelection(u);
    const views = this.views[slot(shared ? "before" : state, dir)] as (PolicyView | null | undefined)[];
    const got = views[u];
    if (got !== undefined) return got ?? undefined;
    const id = this.identity(state, u);
    if (!id) {
      views[u] = null;
      return undefined;
    }
    const c = this.clusters[state];
    const networkPolicies = (this.byNs[state].get(id.namespace) ?? []).filter((p) => policyIsolates(p, dir) && policySelects(p, id));
    const clusterPolicies = c.clusterPolicies.filter((p) => clusterRulesOf(p, dir).length > 0 && clusterPolicySelects(p, id));
    const v = { networkPolicies, clusterPolicies };
    views[u] = v;
    return v;
  }

  /**
   * Ports a direction allows at unit `at` toward/from unit `peer` (`dst` is the destination). The
   * answer depends on the peer only through which of the view's peers match it (and, for egress
   * with named ports, on the destination's ports): answers are kept per such signature, so a row
   * of 13k units costs a few selector matches per unit and a handful of evaluations.
   */
  private side(state: State, dir: PolicyType, at: number, peer: number, dst: number): number {
    if (dir === "Ingress") {
      const got = this.engineIngress(state, at, peer);
      if (got !== undefined) return got;
    }
    const bulk = this.bulkSide(state, dir, at, peer);
    if (bulk >= 0) return bulk;
    const folded = this.engineSide(state, dir, at, peer, dst);
    if (folded !== undefined) return folded;
    const view = this.view(state, dir, at);
    const id = this.identity(state, at);
    if (!view || !id) return ALL_ID; // an external cell: no policy applies at it
    const sig = this.signature(view, dir, peer, dir === "Egress" ? dst : undefined, state);
    const memos = this.answers[slot(state, dir)] as (Map<number | string, number> | undefined)[];
    let memo = memos[at];
    if (!memo) memos[at] = memo = new Map();
    let got = memo.get(sig);
    if (got === undefined) {
      got = this.ports.intern(direction(view, dir, id, this.party(state, peer), this.identity(state, dst)?.ports).ports);
      memo.set(sig, got);
    }
    return got;
  }

  /** Per state and direction (`slot`), per unit: its answers by signature. */
  private readonly answers: (Map<number | string, number> | undefined)[][] = [[], [], [], []];
  /** Per state, per unit: the unit's representative as `direction` sees a peer. */
  private readonly parties: (ReturnType<typeof partyOf> | undefined)[][] = [[], []];
  /** Per unit: the id of its named-port context (containerPorts and hostNetwork, the same in both states). */
  private readonly portContext: (number | undefined)[] = [];
  private readonly portContextIds = new Map<string, number>();
  /** Per state, per unit the engine has no class for: whether each rule's peers match it (a rule has one namespace). */
  private readonly ruleMatches: (Map<PolicyRule, boolean> | undefined)[][] = [[], []];
  /** Per view: its rules with peers (and the engine's bitset of each, null when the engine has none), and whether one names a port. */
  private readonly viewRules = new WeakMap<PolicyView, { readonly rules: readonly { readonly rule: PolicyRule; readonly ns: string; readonly peers: Bitset | null }[]; readonly named: boolean }>();

  private party(state: State, u: number): ReturnType<typeof partyOf> {
    const parties = this.parties[state === "before" ? 0 : 1] as (ReturnType<typeof partyOf> | undefined)[];
    return (parties[u] ??= partyOf(this.topo[state], (this.units[u] as Unit).rep));
  }

  /** Named ports resolve against the destination's containerPorts: an id per distinct (ports, hostNetwork). */
  private portContextOf(u: number, dst: PodIdentity): number {
    let id = this.portContext[u];
    if (id === undefined) {
      const key = `${dst.ports.map((x) => `${x.name ?? ""}/${x.protocol}/${x.containerPort}`).join(",")}|${dst.hostNetwork ? 1 : 0}`;
      id = this.portContextIds.get(key);
      if (id === undefined) this.portContextIds.set(key, (id = this.portContextIds.size));
      this.portContext[u] = id;
    }
    return id;
  }

  /**
   * Which of the view's rules (in direction `dir`) match unit `peer` (a rule open to every peer
   * needs no bit), plus the named-port context of the destination unit `dst` when a rule names a
   * port: a number (bits, then context) when the view has at most 30 such rules, else text. A
   * peer the engine has a class for (unchanged, or before) is looked up in the engine's peer
   * bitset of each rule it compiled; other peers are matched against the rule's peers.
   */
  private signature(view: PolicyView, dir: PolicyType, peer: number, dst: number | undefined, state: State): number | string {
    let vr = this.viewRules.get(view);
    if (!vr) {
      const rules: { rule: PolicyRule; ns: string; peers: Bitset | null }[] = [];
      let named = false;
      const e = this.engine;
      const add = (r: PolicyRule, ns: string): void => {
        if (r.ports !== "All" && r.ports.some((x) => x.port.type === "Named")) named = true;
        if (r.peers === "All") return;
        const compiled = e?.rulePeers(r, ns);
        rules.push({ rule: r, ns, peers: compiled === undefined ? null : compiled });
      };
      for (const p of view.networkPolicies) for (const r of dir === "Ingress" ? p.ingress : p.egress) add(r, p.namespace);
      for (const p of view.clusterPolicies) for (const r of clusterRulesOf(p, dir)) add(r.rule, "");
      vr = { rules, named };
      this.viewRules.set(view, vr);
    }
    const unit = this.units[peer] as Unit;
    const cls = this.engine && (state === "before" || !unit.changed) ? (this.engine.classOf[unit.rep] as number) : -1;
    let party: ReturnType<typeof partyOf> | undefined;
    const { rules } = vr;
    // A peer the engine has no class for: each rule matched once per unit and state.
    const slot = state === "before" ? 0 : 1;
    const matches = cls >= 0 ? undefined : ((this.ruleMatches[slot] as (Map<PolicyRule, boolean> | undefined)[])[peer] ??= new Map());
    const hit = (i: number): boolean => {
      const r = rules[i] as { rule: PolicyRule; ns: string; peers: Bitset | null };
      if (cls >= 0 && r.peers) return r.peers.has(cls);
      let got = matches?.get(r.rule);
      if (got === undefined) {
        const pa = (party ??= this.party(state, peer));
        const peers = r.rule.peers as readonly Peer[];
        got = pa.type === "pod" ? peers.some((x) => peerMatchesPod(x, r.ns, pa.pod)) : peers.some((x) => peerMatchesAddress(x, pa.ip));
        matches?.set(r.rule, got);
      }
      return got;
    };
    const dstId = vr.named && dst !== undefined ? this.identity(state, dst) : undefined;
    const context = dstId && dst !== undefined ? this.portContextOf(dst, dstId) : -1;
    const n = rules.length;
    if (n <= 30) {
      let bits = 0;
      for (let i = 0; i < n; i++) if (hit(i)) bits |= 1 << i;
      return bits + (context + 1) * 2 ** 30;
    }
    // 15 bits a character.
    let sig = "";
    for (let i = 0; i < n; i += 15) {
      let bits = 0;
      for (let j = i; j < Math.min(n, i + 15); j++) if (hit(j)) bits |= 1 << (j - i);
      sig += String.fromCharCode(bits);
    }
    return `${sig}|${context}`;
  }

  /** A source unit's sides toward every unit, both states, as arrays (-1: the engine cannot tell); undefined when it cannot tell at all. */
  private rowArrays(e: FastEngine, u: number): { in0: Int32Array; in1: Int32Array; eg0: ClassSide; eg1: ClassSide } | undefined {
    const eg0 = this.sideArray("egRow", e, "before", u);
    const eg1 = this.sideArray("egRow", e, "after", u);
    const in0 = this.ingressRowOf(e, "before", u);
    const in1 = (this.units[u] as Unit).changed ? this.ingressRowOf(e, "after", u) : in0;
    return eg0 && eg1 && in0 && in1 ? { in0, in1, eg0, eg1 } : undefined;
  }

  portsBetween(state: State, u: number, v: number): number {
    const eg = this.side(state, "Egress", u, v, v);
    if (eg === EMPTY_ID) return EMPTY_ID;
    return this.ports.intersect(eg, this.side(state, "Ingress", v, u, v));
  }

  private isExternal(u: number): boolean {
    return (this.units[u] as Unit).rep >= this.topo.before.subjects.length;
  }

  private evaluate(ingress: ReadonlySet<number>, egress: ReadonlySet<number>): void {
    const U = this.units.length;
    this.ingressSet = ingress;
    this.egressSet = egress;
    const pair = (u: number, v: number): void => {
      if (this.isExternal(u) && this.isExternal(v)) return;
      const changed = (this.units[u] as Unit).changed || (this.units[v] as Unit).changed;
      const inSame = !changed && !ingress.has(v);
      const egSame = !changed && !egress.has(u);
      let in0: number;
      let in1: number;
      let eg0: number;
      let eg1: number;
      if (inSame && !egSame) {
        // A row: the source's side first; the destination's only where the source's changed.
        eg0 = this.side("before", "Egress", u, v, v);
        eg1 = this.side("after", "Egress", u, v, v);
        if (eg0 === eg1) return;
        in0 = in1 = this.side("before", "Ingress", v, u, v);
      } else {
        in0 = this.side("before", "Ingress", v, u, v);
        in1 = inSame ? in0 : this.side("after", "Ingress", v, u, v);
        if (egSame && in0 === in1) return;
        if (in0 === EMPTY_ID && in1 === EMPTY_ID) return; // nothing gets in, in either state
        eg0 = this.side("before", "Egress", u, v, v);
        eg1 = egSame ? eg0 : this.side("after", "Egress", u, v, v);
      }
      const before = this.ports.intersect(eg0, in0);
      const after = this.ports.intersect(eg1, in1);
      if (before !== after) this.changes.push({ src: u, dst: v, before, after });
    };
    const cols = [...ingress].sort((x, y) => x - y);
    // Columns: with the engine, each side of a column is one array over the source units (the
    // same values `side` reads, without a lookup per pair); pair by pair where an entry is not
    // known (-1), for sources of the egress set (rows), and without the engine.
    const colData = cols.map((v) => {
      const e = this.engine;
      if (!e || this.isExternal(v)) return undefined;
      const in0 = this.sideArray("inCol", e, "before", v);
      const in1 = this.sideArray("inCol", e, "after", v);
      const eg0 = this.sideArray("egCol", e, "before", v);
      const eg1 = this.sideArray("egCol", e, "after", v);
      return in0 && in1 && eg0 && eg1 ? { in0, in1, eg0, eg1, changed: (this.units[v] as Unit).changed } : undefined;
    });
    const ucls = this.engine ? this.unitClasses(this.engine) : new Int32Array(U);
    const changedUnit = this.freshMask("after") as Uint8Array;
    const rowUnit = new Uint8Array(U);
    for (const u of egress) rowUnit[u] = 1;
    for (let j = 0; j < cols.length; j++) {
      const v = cols[j] as number;
      const cd = colData[j];
      if (!cd) {
        for (let u = 0; u < U; u++) pair(u, v);
        continue;
      }
      // v is in the ingress set: its side is computed in both states (pair's second branch).
      const { byClass: in0c, skip: in0s } = cd.in0;
      const { byClass: in1c, skip: in1s } = cd.in1;
      for (let u = 0; u < U; u++) {
        if (rowUnit[u] === 1) {
          pair(u, v);
          continue;
        }
        const cu = ucls[u] as number;
        const in0 = in0s !== undefined && in0s[u] === 1 ? -1 : in0c === undefined ? ALL_ID : (in0c[cu] as number);
        const in1 = in1s !== undefined && in1s[u] === 1 ? -1 : in1c === undefined ? ALL_ID : (in1c[cu] as number);
        if (in0 < 0 || in1 < 0) {
          pair(u, v);
          continue;
        }
        const egSame = changedUnit[u] === 0 && !cd.changed;
        if (egSame && in0 === in1) continue;
        if (in0 === EMPTY_ID && in1 === EMPTY_ID) continue;
        const eg0 = sideAt(cd.eg0, u, cu);
        const eg1 = egSame ? eg0 : sideAt(cd.eg1, u, cu);
        if (eg0 < 0 || eg1 < 0) {
          pair(u, v);
          continue;
        }
        const before = this.ports.intersect(eg0, in0);
        const after = this.ports.intersect(eg1, in1);
        if (before !== after) this.changes.push({ src: u, dst: v, before, after });
      }
    }
    // Rows: each side of a row is one array over the destination units, as for columns.
    const inCol = new Uint8Array(U);
    for (const v of ingress) inCol[v] = 1;
    for (const u of [...egress].sort((x, y) => x - y)) {
      const e = this.engine;
      const rd = e && !this.isExternal(u) ? this.rowArrays(e, u) : undefined;
      for (let v = 0; v < U; v++) {
        if (inCol[v] === 1) continue;
        if (!rd) {
          pair(u, v);
          continue;
        }
        const in0 = rd.in0[v] as number;
        const in1 = rd.in1[v] as number;
        const eg0 = sideAt(rd.eg0, v, ucls[v] as number);
        const eg1 = sideAt(rd.eg1, v, ucls[v] as number);
        if (in0 < 0 || in1 < 0 || eg0 < 0 || eg1 < 0) {
          pair(u, v);
          continue;
        }
        const before = this.ports.intersect(eg0, in0);
        const after = this.ports.intersect(eg1, in1);
        if (before !== after) this.changes.push({ src: u, dst: v, before, after });
      }
    }
    const done = new Set<string>();
    for (const [u, v] of this.pairs) {
      if (ingress.has(v) || egress.has(u)) continue; // evaluated above
      const key = `${u},${v}`;
      if (done.has(key)) continue;
      done.add(key);
      pair(u, v);
    }
  }
}

/**
 * A side toward or from every unit, as the engine gives it per class: `byClass` at the unit's
 * class (undefined: every port), -1 at the units `skip` marks (the class's value is not theirs).
 */
interface ClassSide {
  readonly byClass: Uint32Array | undefined;
  readonly skip: Uint8Array | undefined;
  /** Computes (and stores) the entries of `byClass` that are UNSET, when first read. */
  readonly fill: ((cls: number) => number) | undefined;
}

/** A ClassSide entry not yet computed (port-set ids stay far below). */
const UNSET = 0xffffffff;

function sideAt(s: ClassSide, u: number, cls: number): number {
  if (s.skip !== undefined && s.skip[u] === 1) return -1;
  if (s.byClass === undefined) return ALL_ID;
  const x = s.byClass[cls] as number;
  return x !== UNSET ? x : (s.fill as (c: number) => number)(cls);
}

/** Index of a (state, direction) in the per-unit caches. */
function slot(state: State, dir: PolicyType): number {
  return (state === "before" ? 0 : 2) + (dir === "Ingress" ? 0 : 1);
}



/** An analysis' nodes by class: class c's are order[start[c] … start[c+1]-1], in node order (kept per analysis). */
function classLayout(a: Analysis): { readonly start: Int32Array; readonly order: Int32Array } {
  let got = layouts.get(a.classOf);
  if (!got) {
    const N = a.nodeCount;
    const C = a.classCount;
    const start = new Int32Array(C + 1);
    for (let i = 0; i < N; i++) {
      const k = (a.classOf[i] as number) + 1;
      start[k] = (start[k] as number) + 1;
    }
    for (let c = 0; c < C; c++) start[c + 1] = (start[c + 1] as number) + (start[c] as number);
    const order = new Int32Array(N);
    const at = start.slice(0, C);
    for (let i = 0; i < N; i++) {
      const c = a.classOf[i] as number;
      const k = at[c] as number;
      order[k] = i;
      at[c] = k + 1;
    }
    layouts.set(a.classOf, (got = { start, order }));
  }
  return got;
}
const layouts = new WeakMap<Int32Array, { readonly start: Int32Array; readonly order: Int32Array }>();

/** A cluster's NetworkPolicies by namespace, kept per cluster (a What-if edits another cluster object). */
function policiesByNamespace(c: Cluster): ReadonlyMap<string, readonly NetworkPolicy[]> {
  let m = byNamespace.get(c.networkPolicies);
  if (!m) {
    const out = new Map<string, NetworkPolicy[]>();
    for (const p of c.networkPolicies) {
      const l = out.get(p.namespace);
      if (l) l.push(p);
      else out.set(p.namespace, [p]);
    }
    byNamespace.set(c.networkPolicies, (m = out));
  }
  return m;
}
const byNamespace = new WeakMap<readonly NetworkPolicy[], ReadonlyMap<string, readonly NetworkPolicy[]>>();

function unitsByNamespace(units: readonly Unit[], t: Topology): Map<string, number[]> {
  const m = new Map<string, number[]>();
  units.forEach((u, i) => {
    const s = t.subjects[u.rep];
    if (!s) return;
    const l = m.get(s.namespace);
    if (l) l.push(i);
    else m.set(s.namespace, [i]);
  });
  return m;
}

export type Relabel =
  | { readonly subjects: readonly number[]; readonly labels: Labels }
  | { readonly namespace: string; readonly labels: Labels };

/**
 * The topology after a label edit (a What-if: new labels for some subjects, e.g. a workload's
 * pods, or for a namespace), without rebuilding it: the other subjects are shared.
 */
export function relabelled(t: Topology, change: Relabel): Topology {
  const subjects = [...t.subjects];
  if ("subjects" in change) {
    for (const i of change.subjects) {
      const s = subjects[i];
      if (s) subjects[i] = { ...s, labels: change.labels };
    }
    return { ...t, subjects };
  }
  const ns = t.namespaces.get(change.namespace);
  // The API server sets kubernetes.io/metadata.name on every namespace (parse/kinds/namespace.ts does too).
  const labels = { ...change.labels, "kubernetes.io/metadata.name": change.namespace };
  subjects.forEach((s, i) => {
    if (s.namespace === change.namespace) subjects[i] = { ...s, namespaceLabels: labels };
  });
  const namespaces = new Map(t.namespaces);
  if (ns) namespaces.set(change.namespace, { ...ns, labels });
  return { ...t, subjects, namespaces };
}
