/**
 * @module ingress-without-egress
 * An ingress rule that admits pods which are themselves isolated for egress and that no
 * egress rule lets out toward the destination on those ports: the allow is dead, because a
 * connection needs egress at the source AND ingress at the destination. Decided per class
 * with the engine's class index and egress rules (`EgressReach`, held to `explain` by a
 * differential test): per rule, the admitted source classes, and per egress profile among
 * them the destination classes it reaches — never per pod pair.
 */
import type { NetworkPolicy, PolicyRule } from "../../model/index.js";
import { Bitset } from "../../engine/index.js";
import { peerMatchesPod } from "../../policy/index.js";
import type { LintContext } from "../context.js";
import { objectName, type Finding, type LintCheck } from "../types.js";
import { classMembers, pickedNames, WorkloadPicker, type ClassMembers } from "./class-members.js";

/** Per egress profile, for the rule at hand: how many destination classes it reaches (0, 1, 2+) and the first. */
class Witnesses {
  private readonly stamp: Uint32Array;
  private readonly count: Uint8Array;
  private readonly firstDst: Int32Array;
  private gen = 0;

  constructor(profiles: number, private readonly ctx: LintContext) {
    this.stamp = new Uint32Array(profiles);
    this.count = new Uint8Array(profiles);
    this.firstDst = new Int32Array(profiles);
  }

  next(): void {
    this.gen++;
  }

  /** Whether a source of class `a` (with `replicas`) gets out toward some other selected pod. */
  out(profile: number, a: number, replicas: number, rule: PolicyRule, dsts: readonly number[]): boolean {
    if (this.stamp[profile] !== this.gen) {
      const er = this.ctx.egress;
      let n = 0;
      let first = -1;
      for (const b of dsts) {
        if (!er.reaches(profile, b, er.portsFor(rule, b))) continue;
        if (n++ === 0) first = b;
        else break;
      }
      this.stamp[profile] = this.gen;
      this.count[profile] = n;
      this.firstDst[profile] = first;
    }
    const n = this.count[profile] as number;
    if (n === 0) return false;
    if (n > 1 || this.firstDst[profile] !== a) return true;
    // The only destination reached is the source's own class: another member, or a replica of itself.
    return this.ctx.classes.info(a).size > 1 || replicas > 1;
  }
}

function sourceBits(ctx: LintContext, p: NetworkPolicy, peers: Exclude<PolicyRule["peers"], "All">): Bitset {
  const list = peers.map((peer) => ctx.classes.peer(peer, p.namespace));
  if (list.length === 1 && list[0]) return list[0];
  const bits = new Bitset(ctx.classes.classCount);
  for (const b of list) bits.orWith(b);
  return bits;
}

interface Scratch { readonly members: ClassMembers; readonly picker: WorkloadPicker; readonly witnesses: Witnesses }

function blockedSources(ctx: LintContext, p: NetworkPolicy, r: PolicyRule, dsts: readonly number[], x: Scratch): WorkloadPicker {
  x.picker.reset();
  x.witnesses.next();
  if (r.peers === "All") return x.picker;
  const peers = r.peers;
  const profileOf = ctx.egress.profileOf;
  sourceBits(ctx, p, peers).forEach((a) => {
    const s = ctx.classes.subject(a);
    const profile = profileOf[a] as number;
    if (!s || s.hostNetwork || profile < 0) return;
    if (!x.witnesses.out(profile, a, s.replicas, r, dsts)) x.picker.addClass(a);
  });
  for (const o of x.members.odd) {
    const a = ctx.analysis.classOf[o.index] as number;
    const profile = profileOf[a] as number;
    if (o.subject.hostNetwork || profile < 0 || !peers.some((peer) => peerMatchesPod(peer, p.namespace, o.subject))) continue;
    if (!x.witnesses.out(profile, a, o.subject.replicas, r, dsts)) x.picker.add(o.workload, o.index);
  }
  return x.picker;
}

export const ingressWithoutEgress: LintCheck = {
  code: "ingress-without-egress",
  severity: "warning",
  description: "an ingress rule admits sources whose own egress policy never lets them out",
  run(ctx) {
    const out: Finding[] = [];
    if (!ctx.cluster.networkPolicies.some((p) => p.ingress.some((r) => r.peers !== "All"))) return out;
    const members = classMembers(ctx);
    const x: Scratch = { members, picker: new WorkloadPicker(members), witnesses: new Witnesses(ctx.egress.profileCount, ctx) };
    for (const p of ctx.cluster.networkPolicies) {
      if (p.ingress.length === 0) continue;
      const dsts = ctx.classes.podsIn(p.namespace, p.podSelector);
      p.ingress.forEach((r, i) => {
        const blocked = blockedSources(ctx, p, r, dsts, x);
        if (blocked.count === 0) return;
        const one = blocked.count === 1;
        out.push({
          code: "ingress-without-egress",
          severity: "warning",
          message: `ingress[${i}] admits ${pickedNames(blocked)}, but ${one ? "its" : "their"} egress is isolated and no egress rule allows ${one ? "it" : "them"} to reach the selected pods on these ports: the allow is never used`,
          object: objectName(p),
          source: r.source,
          hint: `add an egress rule for ${pickedNames(blocked, 1)} toward ${p.namespace} pods matching this policy's podSelector (connections need egress at the source and ingress at the destination)`,
        });
      });
    }
    return out;
  },
};
