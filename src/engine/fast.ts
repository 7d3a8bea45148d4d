/**
 * @module fast
 * The product engine. Policies are compiled once against equivalence classes: every rule's
 * peers become a bitset over classes, every port list an interned port-set id (per named-port
 * signature of the destination). A class's ingress side is a small list of (peers, ports)
 * groups shared by all classes with the same rules ("ingress profile"); a row of the class
 * matrix is computed in bulk: egress painted from the source's rules, ingress looked up once
 * per profile, then combined per destination with integer fast paths.
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
          const list = rule.peers.map((peer) => index.peer(peer, p.namespace));
          if (list.length === 1) peers = list[0];
          else {
            peers = new Bitset(this.classCount);
            for (const b of list) peers.orWith(b);
          }
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

  private buildProfiles(): IngressProfiles {
    if (this.profiles) return this.profiles;
    const profileOf = new Int32Array(this.classCount).fill(-1);
    const byKey = new Map<string, number>();
    const bitsetIds = new Map<Bitset, number>();
    const bitsets: Bitset[] = [];
    const start: number[] = [0];
    const groupBits: number[] = [];
    const groupPorts: number[] = [];
    for (let d = 0; d < this.classCount; d++) {
      if ((this.selectedBy.Ingress[d] ?? []).length === 0) continue;
      const rules = this.directionRules(d, "Ingress").map((r) => [r, this.rulePorts(r, d)] as const).filter(([, p]) => p !== EMPTY_ID);
      const key = rules.map(([r, p]) => `${r}:${p}`).join(",");
      let id = byKey.get(key);
      if (id === undefined) {
        id = start.length - 1;
        byKey.set(key, id);
        for (const [r, p] of rules) {
          const peers = (this.rules[r] as CompiledRule).peers;
          let bi = -1;
          if (peers) {
            bi = bitsetIds.get(peers) ?? -1;
            if (bi < 0) {
              bi = bitsets.length;
              bitsetIds.set(peers, bi);
              bitsets.push(peers);
            }
          }
          groupBits.push(bi);
          groupPorts.push(p);
        }
        start.push(groupBits.length);
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
      words,
      bitsetCount: n,
      profileOf,
    };
    return this.profiles;
  }

  /** Egress ports from class s to every class, or undefined when s is not isolated for egress. */
  private egressRow(s: number): Uint32Array | undefined {
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

  classRow(a: number, out: Uint32Array): void {
    const C = this.classCount;
    const t = this.ports;
    const prof = this.buildProfiles();
    const profileOf = prof.profileOf;
    const srcIsSubject = (this.infos[a] as ClassInfo).subject !== undefined;
    const e = srcIsSubject ? this.egressRow(a) : undefined;
    // Ingress verdict toward each profile for source a: a union over the groups whose peers hold a.
    const v = this.profileScratch.length === prof.count ? this.profileScratch : (this.profileScratch = new Uint32Array(prof.count));
    const base = (a >>> 5) * prof.bitsetCount;
    const bit = a & 31;
    const { start, groupBits, groupPorts, words } = prof;
    for (let p = 0; p < prof.count; p++) {
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
      allowedBy.push({ policy: policyId(pol), direction: dir, index: rule.index, source: rule.rule.source, ports: this.ports.get(p) });
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
