/**
 * @module egress-reach
 * The egress side alone, per class, in bulk: which egress rules apply to a class (its "egress
 * profile", shared by every class with the same rules) and whether a profile lets a source out
 * toward a destination class on some port of a given set. It is the egress half of the fast
 * engine's verdict (`explain(src, dst).egress`) compiled the same way (policy order, peer
 * bitsets from the selector index, named ports per destination signature); the differential
 * test in egress-reach.test.ts holds it to `explain` on every class pair.
 */
import type { Cluster, PolicyRule } from "../model/index.js";
import { policyIsolates, resolveRulePorts } from "../policy/index.js";
import { policyId } from "./analysis.js";
import { Bitset } from "./bitset.js";
import type { ClassIndex } from "./class-index.js";
import { EMPTY_ID, PortSetTable } from "./port-table.js";

interface EgressRule {
  readonly rule: PolicyRule;
  /** undefined: every peer. */
  readonly peers: Bitset | undefined;
}

export class EgressReach {
  readonly ports = new PortSetTable();
  /** Per class: its egress profile, -1 when no policy isolates it for egress. */
  readonly profileOf: Int32Array;
  /** Per profile: the egress rules that apply, in the engine's (policy id, index) order. */
  private readonly profiles: (readonly EgressRule[])[] = [];
  private readonly resolved = new Map<PolicyRule, Map<number, number>>();

  constructor(cluster: Cluster, private readonly index: ClassIndex) {
    const C = index.classCount;
    const perClass: number[][] = Array.from({ length: C }, () => []);
    const rules: EgressRule[] = [];
    const policies = [...cluster.networkPolicies].sort((a, b) => (policyId(a) < policyId(b) ? -1 : 1));
    for (const p of policies) {
      if (!policyIsolates(p, "Egress")) continue;
      const ids = p.egress.map((rule) => {
        let peers: Bitset | undefined;
        if (rule.peers !== "All") {
          const list = rule.peers.map((peer) => index.peer(peer, p.namespace));
          if (list.length === 1) peers = list[0];
          else {
            peers = new Bitset(C);
            for (const b of list) peers.orWith(b);
          }
        }
        rules.push({ rule, peers });
        return rules.length - 1;
      });
      // A policy with no egress rules still isolates: its classes get a profile, maybe empty.
      for (const c of index.podsIn(p.namespace, p.podSelector)) (perClass[c] as number[]).push(-1, ...ids);
    }
    this.profileOf = new Int32Array(C).fill(-1);
    const byKey = new Map<string, number>();
    perClass.forEach((ids, c) => {
      if (ids.length === 0) return;
      const mine = ids.filter((r) => r >= 0);
      const key = mine.join(",");
      let id = byKey.get(key);
      if (id === undefined) {
        id = this.profiles.length;
        byKey.set(key, id);
        this.profiles.push(mine.map((r) => rules[r] as EgressRule));
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

  /** Whether an egress rule of `profile` lets a source out toward class `dst` on a port of `need`. */
  reaches(profile: number, dst: number, need: number): boolean {
    if (need === EMPTY_ID) return false;
    for (const e of this.profiles[profile] ?? []) {
      if (e.peers && !e.peers.has(dst)) continue;
      if (this.ports.intersect(this.portsFor(e.rule, dst), need) !== EMPTY_ID) return true;
    }
    return false;
  }

  /** Egress ports from class `src` (isolated) toward class `dst`: `explain(src, dst).egress.ports`. */
  egressPorts(src: number, dst: number): number {
    const p = this.profileOf[src] ?? -1;
    let acc = EMPTY_ID;
    for (const e of this.profiles[p] ?? []) {
      if (!e.peers || e.peers.has(dst)) acc = this.ports.union(acc, this.portsFor(e.rule, dst));
    }
    return acc;
  }
}
