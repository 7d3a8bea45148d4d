/**
 * @module general
 * The engines for a cluster whose CNI enforces its own policy model (Calico, Cilium): the
 * ordered general tiers of src/policy/enforced.ts, folded per direction by foldGeneralTiers.
 *
 * - reference: every pair straight from tier-eval (which policies select, which rules match),
 *   no classes, no caching — the oracle;
 * - fast: the classes of classes.ts (namespace, labels, named ports, service account, address
 *   cells, and the node under Cilium), the selecting policies of each class prepared once per
 *   direction, rows computed once per source class and cached.
 *
 * Both build their verdicts with `verdictOfGeneralFold`, so they agree by construction on the
 * shape; the property tests check they agree on the answers.
 */
import { intersectPorts, type Cluster, type PolicyType } from "../model/index.js";
import {
  FLOW_SET_OPS,
  evaluateDirection,
  foldGeneralTiers,
  generalRulesOf,
  EMPTY_FLOWS,
  ruleFlows,
  ruleLocalMatches,
  rulePeerMatches,
  ruleTargetFlows,
  subjectSelects,
  type EnforcedTiers,
  type FlowSet,
  type GeneralFold,
  type GeneralRule,
  type GeneralTier,
  type PolicyEndpoint,
  type PolicyPeer,
} from "../policy/index.js";
import { UNPOLICED, type Analysis, type DirectionVerdict, type EngineName, type PairExplanation, type RuleRef } from "./analysis.js";
import { buildClasses, familyBits } from "./classes.js";
import { naiveAnalysis } from "./naive.js";
import { ALL_ID, PortSetTable } from "./port-table.js";
import type { Subject, Topology } from "./topology.js";

/** A direction's verdict from a general fold: the rules that decided, in evaluation order. */
export function verdictOfGeneralFold(fold: GeneralFold<FlowSet>, isolatedBy: readonly string[]): DirectionVerdict {
  const allowedBy: RuleRef[] = [];
  const deniedBy: RuleRef[] = [];
  const passedBy: RuleRef[] = [];
  const uncertain = new Set<string>();
  for (const t of fold.tiers) {
    for (const d of t.decisions) {
      const o = d.origin;
      if (!o) continue;
      if (o.unmodelled !== undefined) uncertain.add(`${o.kind} ${o.policy} ${o.direction.toLowerCase()}[${o.index}]: ${o.unmodelled}`);
      if (o.action === "Log") continue;
      const ref: RuleRef = {
        policy: o.policy,
        kind: o.kind,
        tier: o.tier,
        action: o.action,
        ...(o.order !== undefined ? { order: o.order } : {}),
        direction: o.direction,
        index: o.index,
        source: o.source,
        ports: d.ports.ports,
      };
      (o.action === "Allow" ? allowedBy : o.action === "Deny" ? deniedBy : passedBy).push(ref);
    }
  }
  return { policed: true, isolatedBy: [...new Set(isolatedBy)].sort(), allowedBy, deniedBy, passedBy, ports: fold.allowed.ports, uncertain: [...uncertain].sort() };
}

/** Policies of any tier that select the endpoint and isolate the direction. */
function isolatingPolicies(tiers: readonly GeneralTier[], dir: PolicyType, local: PolicyEndpoint): string[] {
  const out: string[] = [];
  for (const t of tiers) for (const p of t.policies) if (p.isolates[dir] && subjectSelects(p.subject, local)) out.push(p.origin.policy);
  return out;
}

type Party = { readonly type: "subject"; readonly subject: Subject } | { readonly type: "address"; readonly ip: { readonly family: 4 | 6; readonly value: bigint } };

function partyAt(topology: Topology, node: number): Party {
  const s = topology.subjects[node];
  if (s) return { type: "subject", subject: s };
  const cell = topology.cells[node - topology.subjects.length];
  if (!cell) throw new Error(`node ${node} out of range`);
  return { type: "address", ip: { family: cell.family, value: cell.representative } };
}

function peerOf(e: EnforcedTiers, p: Party, local: PolicyEndpoint | undefined): PolicyPeer {
  return p.type === "subject" ? { type: "Pod", endpoint: p.subject } : e.peerOfAddress(p.ip, local);
}

/** The oracle: one pair, every tier and policy looked at afresh. */
function explainNaive(e: EnforcedTiers, src: Party, dst: Party): PairExplanation {
  const side = (dir: PolicyType, local: Party, other: Party): DirectionVerdict => {
    if (local.type !== "subject" || local.subject.hostNetwork) return UNPOLICED;
    const fold = evaluateDirection(e.tiers, dir, local.subject, peerOf(e, other, local.subject), e.context);
    return verdictOfGeneralFold(fold, isolatingPolicies(e.tiers, dir, local.subject));
  };
  const egress = side("Egress", src, dst);
  const ingress = side("Ingress", dst, src);
  return { egress, ingress, ports: intersectPorts(egress.ports, ingress.ports) };
}

export function generalReferenceAnalysis(topology: Topology, e: EnforcedTiers): Analysis {
  return naiveAnalysis(
    topology,
    (a, b) => explainNaive(e, partyAt(topology, a), partyAt(topology, b)),
    (s, dir) => !s.hostNetwork && isolatingPolicies(e.tiers, dir, s).length > 0,
  );
}

/** The tiers as they apply to one endpoint and direction: selecting policies and their rules, in order. */
interface PreparedTier {
  readonly tier: string;
  readonly defaultAction: "Deny" | "Pass";
  readonly selectedBy: readonly string[];
  readonly rules: readonly GeneralRule[];
}

function prepare(tiers: readonly GeneralTier[], dir: PolicyType, local: PolicyEndpoint): PreparedTier[] {
  const out: PreparedTier[] = [];
  for (const t of tiers) {
    const selecting = t.policies.filter((p) => subjectSelects(p.subject, local));
    const selectedBy = selecting.filter((p) => p.isolates[dir]).map((p) => p.origin.policy);
    if (selectedBy.length === 0) continue; // the tier does not count for this endpoint
    const rules = selecting.filter((p) => p.governs[dir]).flatMap((p) => generalRulesOf(p, dir));
    out.push({ tier: t.name, defaultAction: t.defaultAction, selectedBy, rules });
  }
  return out;
}

class GeneralFastEngine implements Analysis {
  readonly engine: EngineName = "fast";
  readonly nodeCount: number;
  readonly classOf: Int32Array;
  readonly classCount: number;
  readonly ports = new PortSetTable();
  private readonly reps: readonly Party[];
  private readonly portsSig: readonly number[];
  private readonly prepared: Map<string, PreparedTier[]> = new Map();

  constructor(readonly topology: Topology, private readonly e: EnforcedTiers) {
    const classes = buildClasses(topology);
    this.nodeCount = topology.subjects.length + topology.cells.length;
    this.classOf = classes.classOf;
    this.classCount = classes.infos.length;
    this.reps = classes.infos.map((c) => partyAt(topology, c.representative));
    this.portsSig = classes.infos.map((c) => c.portsSig);
  }

  private prep(cls: number, dir: PolicyType, local: Subject): PreparedTier[] {
    const key = `${cls}/${dir}`;
    let p = this.prepared.get(key);
    if (!p) {
      p = prepare(this.e.tiers, dir, local);
      this.prepared.set(key, p);
    }
    return p;
  }

  private fold(cls: number, dir: PolicyType, local: Subject, other: Party): GeneralFold<FlowSet> {
    const peer = peerOf(this.e, other, local);
    const inputs = this.prep(cls, dir, local).map((t) => ({
      tier: t.tier,
      defaultAction: t.defaultAction,
      selectedBy: t.selectedBy,
      matched: t.rules.map((r) => ({ origin: r.origin, ports: ruleFlows(r, dir, local, peer, this.e.context) })),
    }));
    return foldGeneralTiers(inputs, FLOW_SET_OPS);
  }

  private side(dir: PolicyType, cls: number, other: Party): DirectionVerdict {
    const local = this.reps[cls];
    if (!local || local.type !== "subject" || local.subject.hostNetwork) return UNPOLICED;
    const prepared = this.prep(cls, dir, local.subject);
    return verdictOfGeneralFold(this.fold(cls, dir, local.subject, other), prepared.flatMap((t) => t.selectedBy));
  }

  /** Cached pieces of ruleFlows (tier-eval's factorisation). */
  private readonly peerBits = new Map<GeneralRule, Map<number, Uint8Array>>();
  private readonly target = new Map<GeneralRule, Map<number, FlowSet>>();
  /** Per class and direction: the port-set id toward every other class (built on demand). */
  private readonly dirRows = [new Map<number, Uint32Array>(), new Map<number, Uint32Array>()];

  private static memo<V>(outer: Map<GeneralRule, Map<number, V>>, r: GeneralRule, key: number, make: () => V): V {
    let inner = outer.get(r);
    if (!inner) outer.set(r, (inner = new Map()));
    let v = inner.get(key);
    if (v === undefined) {
      v = make();
      inner.set(key, v);
    }
    return v;
  }

  /** The families a party has (familyBits; 0 for none, which restricts nothing). */
  private familiesOf(p: Party | undefined): number {
    if (!p) return 0;
    return p.type === "address" ? (p.ip.family === 4 ? 1 : 2) : familyBits(p.subject);
  }

  /**
   * Which classes a rule's peer part accepts, as seen from `local` (class `cls`): computed once
   * per rule and direction (Cilium rules once per local class too: host / remote-node).
   */
  private peersOf(r: GeneralRule, dir: PolicyType, cls: number, local: Subject): Uint8Array {
    const d = dir === "Ingress" ? 0 : 1;
    const key = r.match.dialect === "cilium" ? cls * 2 + d : -1 - d;
    return GeneralFastEngine.memo(this.peerBits, r, key, () => {
      const bits = new Uint8Array(this.classCount);
      for (let o = 0; o < this.classCount; o++) {
        const other = this.reps[o] as Party;
        bits[o] = rulePeerMatches(r, dir, local, peerOf(this.e, other, local), this.e.context) ? 1 : 0;
      }
      return bits;
    });
  }

  /**
   * One direction at class `cls` toward every class: the peers are grouped by what decides
   * their fold — which of the prepared rules accept them, and (for the flows) the destination's
   * named ports and the address family — and each group is folded once.
   */
  private dirRow(dir: PolicyType, cls: number): Uint32Array {
    const d = dir === "Ingress" ? 0 : 1;
    const cached = this.dirRows[d]?.get(cls);
    if (cached) return cached;
    const C = this.classCount;
    const row = new Uint32Array(C).fill(ALL_ID);
    const local = this.reps[cls];
    this.dirRows[d]?.set(cls, row);
    if (!local || local.type !== "subject" || local.subject.hostNetwork) return row;
    const prepared = this.prep(cls, dir, local.subject);
    if (prepared.length === 0) return row;
    const rules = prepared.flatMap((t) => t.rules.filter((r) => ruleLocalMatches(r, dir, local.subject, this.e.context)));
    const bits = rules.map((r) => this.peersOf(r, dir, cls, local.subject));
    const groups = new Map<string, number>();
    for (let o = 0; o < C; o++) {
      const other = this.reps[o] as Party;
      const srcCls = dir === "Ingress" ? o : cls;
      const dstCls = dir === "Ingress" ? cls : o;
      // The families the connection can run over (Calico ipVersion, calico-match.ts
      // connectionFamilies): those both ends have, a party without addresses restricting nothing.
      const family = (this.familiesOf(this.reps[srcCls]) || 3) & (this.familiesOf(this.reps[dstCls]) || 3);
      let key = `${this.portsSig[dstCls] ?? -1}|${family}|`;
      for (let i = 0; i < bits.length; i++) key += (bits[i] as Uint8Array)[o] ? "1" : "0";
      let id = groups.get(key);
      if (id === undefined) {
        const targetKey = ((this.portsSig[dstCls] ?? -1) + 1) * 16 + family * 2 + d; // family ∈ {0, 1, 2, 3}
        let peer: PolicyPeer | undefined;
        const accepted = new Set(rules.filter((_, i) => (bits[i] as Uint8Array)[o]));
        const inputs = prepared.map((t) => ({
          tier: t.tier,
          defaultAction: t.defaultAction,
          selectedBy: t.selectedBy,
          matched: t.rules.map((r) => ({
            origin: r.origin,
            ports: accepted.has(r) ? GeneralFastEngine.memo(this.target, r, targetKey, () => ruleTargetFlows(r, dir, local.subject, (peer ??= peerOf(this.e, other, local.subject)))) : EMPTY_FLOWS,
          })),
        }));
        id = this.ports.intern(foldGeneralTiers(inputs, FLOW_SET_OPS).allowed.ports);
        groups.set(key, id);
      }
      row[o] = id;
    }
    return row;
  }

  classPortsId(a: number, b: number): number {
    return this.ports.intersect(this.dirRow("Egress", a)[b] as number, this.dirRow("Ingress", b)[a] as number);
  }

  classRow(a: number, out: Uint32Array): void {
    const egress = this.dirRow("Egress", a);
    for (let b = 0; b < this.classCount; b++) out[b] = this.ports.intersect(egress[b] as number, this.dirRow("Ingress", b)[a] as number);
  }

  explain(src: number, dst: number): PairExplanation {
    const a = this.classOf[src] as number;
    const b = this.classOf[dst] as number;
    // Verdicts per class, parties as the actual nodes (names in the explanation are the class's).
    const egress = this.side("Egress", a, partyAt(this.topology, dst));
    const ingress = this.side("Ingress", b, partyAt(this.topology, src));
    return { egress, ingress, ports: intersectPorts(egress.ports, ingress.ports) };
  }

  isolated(node: number, dir: PolicyType): boolean {
    const s = this.topology.subjects[node];
    if (!s || s.hostNetwork) return false;
    return this.prep(this.classOf[node] as number, dir, s).length > 0;
  }
}

export function generalFastAnalysis(topology: Topology, e: EnforcedTiers): Analysis {
  return new GeneralFastEngine(topology, e);
}
