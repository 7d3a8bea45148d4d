/**
 * @module class-members (lint helpers)
 * Who is in each equivalence class, as lint reports it: the workloads of a class's members with
 * the index of their first member (so "web-0, web-1 and 3 more" keeps input order without
 * listing every pod), and the rare "odd" members whose ipBlock matching can differ from the
 * class's (no IP in the input, unlike the class's first member, or the other way round).
 */
import type { Subject } from "../../engine/index.js";
import type { LintContext } from "../context.js";

export interface ClassMembers {
  /** Workload ids, interned: `workloads[w]`. */
  readonly workloads: readonly string[];
  /** Per class: [workload, first subject index, workload, first subject index, …] of its non-odd members. */
  readonly perClass: readonly (readonly number[])[];
  /** Subjects matched against ipBlock peers one by one. */
  readonly odd: readonly { readonly index: number; readonly subject: Subject; readonly workload: number }[];
}

const noIp = (s: Subject): boolean => s.ips.length === 0 && s.unknownIpRange !== undefined;

export function classMembers(ctx: LintContext): ClassMembers {
  const subjects = ctx.topology.subjects;
  const classOf = ctx.analysis.classOf;
  const ids = new Map<string, number>();
  const workloads: string[] = [];
  const perClass: number[][] = Array.from({ length: ctx.analysis.classCount }, () => []);
  const seen = new Set<number>();
  const odd: { index: number; subject: Subject; workload: number }[] = [];
  subjects.forEach((s, i) => {
    let w = ids.get(s.workloadId);
    if (w === undefined) {
      w = workloads.length;
      ids.set(s.workloadId, w);
      workloads.push(s.workloadId);
    }
    const c = classOf[i] as number;
    const rep = ctx.classes.subject(c);
    if (rep && noIp(rep) !== noIp(s)) {
      odd.push({ index: i, subject: s, workload: w });
      return;
    }
    const k = c * subjects.length + w;
    if (seen.has(k)) return;
    seen.add(k);
    (perClass[c] as number[]).push(w, i);
  });
  return { workloads, perClass, odd };
}

/** Distinct workloads in order of first index: the first `max` and how many there are. */
export class WorkloadPicker {
  private readonly best: Float64Array;
  private readonly stamp: Uint32Array;
  private gen = 0;
  private touched: number[] = [];

  constructor(private readonly members: ClassMembers) {
    this.best = new Float64Array(members.workloads.length);
    this.stamp = new Uint32Array(members.workloads.length);
  }

  reset(): void {
    this.gen++;
    this.touched = [];
  }

  add(workload: number, index: number): void {
    if (this.stamp[workload] !== this.gen) {
      this.stamp[workload] = this.gen;
      this.best[workload] = index;
      this.touched.push(workload);
    } else if (index < (this.best[workload] as number)) this.best[workload] = index;
  }

  addClass(c: number): void {
    const list = this.members.perClass[c] ?? [];
    for (let k = 0; k < list.length; k += 2) this.add(list[k] as number, list[k + 1] as number);
  }

  get count(): number {
    return this.touched.length;
  }

  /** The `max` workloads met first (by subject index), in that order. */
  first(max: number): string[] {
    const top: number[] = [];
    for (const w of this.touched) {
      const b = this.best[w] as number;
      let at = top.length;
      while (at > 0 && b < (this.best[top[at - 1] as number] as number)) at--;
      if (at < max) {
        top.splice(at, 0, w);
        if (top.length > max) top.pop();
      }
    }
    return top.map((w) => this.members.workloads[w] as string);
  }
}

/** `someNames` for a picked set: `a, b, c` or `a, b, c and 5 more`. */
export function pickedNames(p: WorkloadPicker, max = 3): string {
  const first = p.first(max);
  return p.count <= max ? first.join(", ") : `${first.join(", ")} and ${p.count - max} more`;
}
