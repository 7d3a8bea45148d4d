/**
 * @module fast
 * The product engine: policies are compiled once against equivalence classes (bitsets of
 * peers, interned port sets per named-port signature); per-class rows of allowed port-set
 * ids are computed once per distinct rule profile and shared.
 */
import type { Cluster, NetworkPolicy, PolicyRule, PolicyType } from "../model/index.js";
import { resolveRulePorts } from "../policy/index.js";
import { compareRuleRefs, policyId, type Analysis, type DirectionVerdict, type PairExplanation, type RuleRef } from "./analysis.js";
import { Bitset } from "./bitset.js";
import { buildClasses, type ClassInfo } from "./classes.js";
import { ALL_ID, EMPTY_ID, PortSetTable } from "./port-table.js";
import { SelectionIndex } from "./selection.js";
import { buildTopology, type Topology } from "./topology.js";

interface CompiledRule {
  readonly policy: number;
  readonly direction: PolicyType;
  readonly index: number;
  readonly rule: PolicyRule;
  /** undefined: every peer. */
  readonly peers: Bitset | undefined;
  /** Port-set id when the rule has no named port (same for every destination). */
  readonly fixedPorts: number | undefined;
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
  private readonly rules: CompiledRule[] = [];
  /** Per class: ids of policies selecting it, per direction (sorted by policy id). */
  private readonly selectedBy: { Ingress: number[][]; Egress: number[][] };
  private readonly rulesOfPolicy: number[][] = [];
  private readonly resolved = new Map<number, number>();
  private readonly rows = new Map<string, Uint32Array>();
  private readonly rowOf: { Ingress: (Uint32Array | undefined)[]; Egress: (Uint32Array | undefined)[] };
  private readonly portsSigs: ReturnType<typeof buildClasses>["portsSigs"];

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
    this.rowOf = { Ingress: new Array(this.classCount), Egress: new Array(this.classCount) };
    this.policies.forEach((p, pi) => this.compilePolicy(p, pi, index));
  }

  private compilePolicy(p: NetworkPolicy, pi: number, index: SelectionIndex): void {
    for (const c of index.podsIn(p.namespace, p.podSelector)) {
      for (const dir of p.policyTypes) this.selectedBy[dir][c]?.push(pi);
    }
    const ids: number[] = [];
    for (const dir of ["Ingress", "Egress"] as const) {
      if (!p.policyTypes.includes(dir)) continue;
      (dir === "Ingress" ? p.ingress : p.egress).forEach((rule, i) => {
        let peers: Bitset | undefined;
        if (rule.peers !== "All") {
          peers = new Bitset(this.classCount);
          for (const peer of rule.peers) peers.orWith(index.peer(peer, p.namespace));
        }
        const named = rule.ports !== "All" && rule.ports.some((x) => x.port.type === "Named");
        const fixedPorts = named ? undefined : this.ports.intern(resolveRulePorts(rule, undefined));
        ids.push(this.rules.length);
        this.rules.push({ policy: pi, direction: dir, index: i, rule, peers, fixedPorts });
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

  /** Ingress row of class d: allowed port-set id per source class. undefined ⇒ not isolated. */
  private ingressRow(d: number): Uint32Array | undefined {
    if ((this.selectedBy.Ingress[d] ?? []).length === 0) return undefined;
    let row = this.rowOf.Ingress[d];
    if (row) return row;
    const rules = this.directionRules(d, "Ingress");
    const parts = rules.map((r) => [r, this.rulePorts(r, d)] as const);
    const key = `I${parts.map(([r, p]) => `${r}:${p}`).join(",")}`;
    row = this.rows.get(key);
    if (!row) {
      row = new Uint32Array(this.classCount);
      for (const [r, p] of parts) this.paint(row, r, () => p);
      this.rows.set(key, row);
    }
    this.rowOf.Ingress[d] = row;
    return row;
  }

  /** Egress row of class s: allowed port-set id per destination class. */
  private egressRow(s: number): Uint32Array | undefined {
    if ((this.selectedBy.Egress[s] ?? []).length === 0) return undefined;
    let row = this.rowOf.Egress[s];
    if (row) return row;
    const rules = this.directionRules(s, "Egress");
    const key = `E${rules.join(",")}`;
    row = this.rows.get(key);
    if (!row) {
      row = new Uint32Array(this.classCount);
      for (const r of rules) this.paint(row, r, (c) => this.rulePorts(r, c));
      this.rows.set(key, row);
    }
    this.rowOf.Egress[s] = row;
    return row;
  }

  private paint(row: Uint32Array, r: number, portsFor: (c: number) => number): void {
    const peers = (this.rules[r] as CompiledRule).peers;
    const t = this.ports;
    if (!peers) {
      for (let c = 0; c < row.length; c++) row[c] = t.union(row[c] as number, portsFor(c));
      return;
    }
    peers.forEach((c) => {
      row[c] = t.union(row[c] as number, portsFor(c));
    });
  }

  classPortsId(a: number, b: number): number {
    const ia = this.infos[a] as ClassInfo;
    const ib = this.infos[b] as ClassInfo;
    const e = ia.subject ? this.egressRow(a) : undefined;
    const i = ib.subject ? this.ingressRow(b) : undefined;
    const ep = e ? (e[b] as number) : ALL_ID;
    if (ep === EMPTY_ID) return EMPTY_ID;
    return this.ports.intersect(ep, i ? (i[a] as number) : ALL_ID);
  }

  isolated(node: number, dir: PolicyType): boolean {
    return (this.selectedBy[dir][this.classOf[node] as number] ?? []).length > 0;
  }

  private verdict(at: number, peer: number, dir: PolicyType, dstClass: number): DirectionVerdict {
    const info = this.infos[at] as ClassInfo;
    if (!info.subject || info.subject.hostNetwork) return { policed: false, isolatedBy: [], allowedBy: [], ports: this.ports.get(ALL_ID) };
    const pis = this.selectedBy[dir][at] ?? [];
    if (pis.length === 0) return { policed: true, isolatedBy: [], allowedBy: [], ports: this.ports.get(ALL_ID) };
    const allowedBy: RuleRef[] = [];
    let acc = EMPTY_ID;
    for (const r of this.directionRules(at, dir)) {
      const rule = this.rules[r] as CompiledRule;
      if (rule.peers && !rule.peers.has(peer)) continue;
      const p = this.rulePorts(r, dstClass);
      if (p === EMPTY_ID) continue;
      acc = this.ports.union(acc, p);
      const pol = this.policies[rule.policy] as NetworkPolicy;
      allowedBy.push({ policy: policyId(pol), direction: dir, index: rule.index, source: rule.rule.source });
    }
    const isolatedBy = pis.map((pi) => policyId(this.policies[pi] as NetworkPolicy));
    return { policed: true, isolatedBy, allowedBy: allowedBy.sort(compareRuleRefs), ports: this.ports.get(acc) };
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
