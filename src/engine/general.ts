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
import { ALL_PORTS, intersectPorts, type Cluster, type PolicyType } from "../model/index.js";
import {
  FLOW_SET_OPS,
  evaluateDirection,
  foldGeneralTiers,
  generalRulesOf,
  ruleFlows,
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
import { buildClasses } from "./classes.js";
import { PortSetTable } from "./port-table.js";
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

export function generalReferenceAnalysis(cluster: Cluster, topology: Topology, e: EnforcedTiers): Analysis {
  void cluster;
  const nodeCount = topology.subjects.length + topology.cells.length;
  const classOf = new Int32Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) classOf[i] = i;
  const ports = new PortSetTable();
  const explain = (a: number, b: number): PairExplanation => explainNaive(e, partyAt(topology, a), partyAt(topology, b));
  return {
    engine: "reference",
    topology,
    nodeCount,
    classOf,
    classCount: nodeCount,
    ports,
    classPortsId: (a, b) => ports.intern(explain(a, b).ports),
    classRow(a, out) {
      for (let b = 0; b < nodeCount; b++) out[b] = ports.intern(explain(a, b).ports);
    },
    explain,
    isolated(node, dir) {
      const s = topology.subjects[node];
      return !!s && !s.hostNetwork && isolatingPolicies(e.tiers, dir, s).length > 0;
    },
  };
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
  private readonly prepared: Map<string, PreparedTier[]> = new Map();
  private readonly rows = new Map<number, Uint32Array>();

  constructor(readonly topology: Topology, private readonly e: EnforcedTiers) {
    const classes = buildClasses(topology);
    this.nodeCount = topology.subjects.length + topology.cells.length;
    this.classOf = classes.classOf;
    this.classCount = classes.infos.length;
    this.reps = classes.infos.map((c) => partyAt(topology, c.representative));
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

  private portsOf(dir: PolicyType, cls: number, other: Party): typeof ALL_PORTS {
    const local = this.reps[cls];
    if (!local || local.type !== "subject" || local.subject.hostNetwork) return ALL_PORTS;
    if (this.prep(cls, dir, local.subject).length === 0) return ALL_PORTS;
    return this.fold(cls, dir, local.subject, other).allowed.ports;
  }

  classPortsId(a: number, b: number): number {
    const pa = this.reps[a];
    const pb = this.reps[b];
    if (!pa || !pb) throw new Error(`class out of range`);
    return this.ports.intern(intersectPorts(this.portsOf("Egress", a, pb), this.portsOf("Ingress", b, pa)));
  }

  classRow(a: number, out: Uint32Array): void {
    let row = this.rows.get(a);
    if (!row) {
      row = new Uint32Array(this.classCount);
      for (let b = 0; b < this.classCount; b++) row[b] = this.classPortsId(a, b);
      this.rows.set(a, row);
    }
    out.set(row);
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
