/**
 * @module egress-reach
 * The egress side alone, per class, in bulk: which egress rules apply to a class (its "egress
 * profile", shared by every class with the same tiered program) and whether a profile lets a
 * source out toward a destination class on some port of a given set. It is the egress half of
 * the fast engine's verdict (`explain(src, dst).egress`) compiled the same way (tier order from
 * src/policy/tiers.ts, peer bitsets from the selector index, named ports per destination
 * signature) and folded with the same `foldTiers`; the differential test in
 * egress-reach.test.ts holds it to `explain` on every class pair.
 */
import { clusterRulesOf, type Cluster, type PolicyRule, type RuleAction } from "../model/index.js";
import { foldTiers, policyIsolates, resolveRulePorts, tierPolicies, type PortOps, type TierInput, type TierName } from "../policy/index.js";
import { policyId } from "./analysis.js";
import { Bitset } from "./bitset.js";
import type { ClassIndex } from "./class-index.js";
import { ALL_ID, EMPTY_ID, PortSetTable, subtractIds } from "./port-table.js";

interface EgressRule {
  readonly rule: PolicyRule;
  readonly action: RuleAction;
  readonly tier: TierName;
  /** undefined: every peer. */
  readonly peers: Bitset | undefined;
}

interface Profile {
  readonly rules: readonly EgressRule[];
  /** A NetworkPolicy isolates the class for egress. */
  readonly isolated: boolean;
}

export class EgressReach {
  readonly ports = new PortSetTable();
  /** Per class: its egress profile, -1 when no policy of any tier applies to it for egress. */
  readonly profileOf: Int32Array;
  private readonly profiles: Profile[] = [];
  private readonly resolved = new Map<PolicyRule, Map<number, number>>();
  private readonly ops: PortOps<number>;

  constructor(cluster: Cluster, private readonly index: ClassIndex) {
    const C = index.classCount;
    const t = this.ports;
    this.ops = { all: ALL_ID, empty: EMPTY_ID, union: (a, b) => t.union(a, b), intersect: (a, b) => t.intersect(a, b), subtract: (a, b) => subtractIds(t, a, b), isEmpty: (a) => a === EMPTY_ID };
    const perClass: { admin: number[]; np: number[]; isolated: boolean; baseline: number[] }[] = Array.from({ length: C }, () => ({ admin: [], np: [], isolated: false, baseline: [] }));
    const rules: EgressRule[] = [];
    const peersOf = (rule: PolicyRule, ns: string): Bitset | undefined => index.rulePeers(rule, ns);
    for (const tier of ["Admin", "Baseline"] as const) {
      for (const p of tierPolicies(cluster.clusterPolicies, tier)) {
        const ids = clusterRulesOf(p, "Egress").map((r) => rules.push({ rule: r.rule, action: r.action, tier, peers: peersOf(r.rule, "") }) - 1);
        if (ids.length === 0) continue;
        for (const c of index.clusterSubject(p.subject)) perClass[c]?.[tier === "Admin" ? "admin" : "baseline"].push(...ids);
      }
    }
    const policies = [...cluster.networkPolicies].sort((a, b) => (policyId(a) < policyId(b) ? -1 : 1));
    for (const p of policies) {
      if (!policyIsolates(p, "Egress")) continue;
      const ids = p.egress.map((rule) => rules.push({ rule, action: "Allow", tier: "NetworkPolicy", peers: peersOf(rule, p.namespace) }) - 1);
      // A policy with no egress rules still isolates: its classes get a profile, maybe empty.
      for (const c of index.podsIn(p.namespace, p.podSelector)) {
        const pc = perClass[c];
        if (!pc) continue;
        pc.isolated = true;
        pc.np.push(...ids);
      }
    }
    this.profileOf = new Int32Array(C).fill(-1);
    const byKey = new Map<string, number>();
    perClass.forEach((pc, c) => {
      if (!pc.isolated && pc.admin.length === 0 && pc.baseline.length === 0) return;
      const ids = [...pc.admin, ...pc.np, ...pc.baseline];
      const key = `${pc.isolated ? "i" : ""}:${pc.admin.join(",")}|${pc.np.join(",")}|${pc.baseline.join(",")}`;
      let id = byKey.get(key);
      if (id === undefined) {
        id = this.profiles.length;
        byKey.set(key, id);
        this.profiles.push({ rules: ids.map((r) => rules[r] as EgressRule), isolated: pc.isolated });
      }
      this.profileOf[c] = id;
    });
  }

  get profileCount(): number {
    return this.profiles.length;
  }

  /** Interned ports `rule` admits toward a destination of class `dst` (named ports resolved there). */
  portsFor(rule: PolicyRule, dst: number): number {
    const sig = this.index.info(dst).portsSig;
    let bySig = this.resolved.get(rule);
    if (!bySig) this.resolved.set(rule, (bySig = new Map()));
    let id = bySig.get(sig);
    if (id === undefined) {
      id = this.ports.intern(resolveRulePorts(rule, sig < 0 ? undefined : this.index.classes.portsSigs[sig]));
      bySig.set(sig, id);
    }
    return id;
  }

  private fold(profile: number, dst: number): number {
    const p = this.profiles[profile];
    if (!p) return ALL_ID;
    const tier = (name: TierName): TierInput<number, EgressRule> => {
      const matched = p.rules
        .filter((e) => e.tier === name && (!e.peers || e.peers.has(dst)))
        .map((e) => ({ origin: e, ports: this.portsFor(e.rule, dst) }));
      return { tier: name, isolating: name === "NetworkPolicy" && p.isolated, selectedBy: [], matched };
    };
    return foldTiers([tier("Admin"), tier("NetworkPolicy"), tier("Baseline")], this.ops).allowed;
  }

  /** Whether the egress policies of `profile` let a source out toward class `dst` on a port of `need`. */
  reaches(profile: number, dst: number, need: number): boolean {
    if (need === EMPTY_ID) return false;
    return this.ports.intersect(this.fold(profile, dst), need) !== EMPTY_ID;
  }

  /** Egress ports from class `src` toward class `dst`: `explain(src, dst).egress.ports`. */
  egressPorts(src: number, dst: number): number {
    const p = this.profileOf[src] ?? -1;
    return p < 0 ? ALL_ID : this.fold(p, dst);
  }
}
