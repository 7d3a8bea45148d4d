/**
 * @module conformance/reachability
 * The expected truth table, written the upstream way (reachability.go): start from all-true,
 * then `expectPeer` / `expectAllIngress` / `expectAllEgress` / `expect`. Self pairs are kept
 * in the table but ignored when comparing, as upstream's `Summary(ignoreLoopback = true)` does.
 */
import { ALL_PODS, type Ns, type PodName, type PodString } from "./model.js";

/** Matches pods by namespace and/or name; an empty field matches everything (upstream `Peer`). */
export interface Peer {
  readonly namespace?: Ns;
  readonly pod?: PodName;
}

function matches(p: Peer, pod: PodString): boolean {
  const [ns, name] = pod.split("/");
  return (p.namespace === undefined || p.namespace === ns) && (p.pod === undefined || p.pod === name);
}

export type TruthTable = ReadonlyMap<PodString, ReadonlyMap<PodString, boolean>>;

export class Reachability {
  private readonly table = new Map<PodString, Map<PodString, boolean>>();

  constructor(defaultExpectation = true) {
    for (const from of ALL_PODS) this.table.set(from, new Map(ALL_PODS.map((to) => [to, defaultExpectation])));
  }

  expect(from: PodString, to: PodString, connected: boolean): this {
    this.table.get(from)?.set(to, connected);
    return this;
  }

  /** Every connection into `pod` (upstream `ExpectAllIngress` → `SetAllTo`). */
  expectAllIngress(pod: PodString, connected: boolean): this {
    for (const from of ALL_PODS) this.expect(from, pod, connected);
    return this;
  }

  /** Every connection out of `pod` (upstream `ExpectAllEgress` → `SetAllFrom`). */
  expectAllEgress(pod: PodString, connected: boolean): this {
    for (const to of ALL_PODS) this.expect(pod, to, connected);
    return this;
  }

  expectPeer(from: Peer, to: Peer, connected: boolean): this {
    for (const f of ALL_PODS) {
      if (!matches(from, f)) continue;
      for (const t of ALL_PODS) if (matches(to, t)) this.expect(f, t, connected);
    }
    return this;
  }

  get expected(): TruthTable {
    return this.table;
  }
}

export function cell(t: TruthTable, from: PodString, to: PodString): boolean {
  const v = t.get(from)?.get(to);
  if (v === undefined) throw new Error(`no cell ${from} -> ${to}`);
  return v;
}

/** Non-self pairs where the two tables differ (loopback ignored, as upstream). */
export function mismatches(expected: TruthTable, observed: TruthTable): [PodString, PodString][] {
  const out: [PodString, PodString][] = [];
  for (const from of ALL_PODS) {
    for (const to of ALL_PODS) {
      if (from !== to && cell(expected, from, to) !== cell(observed, from, to)) out.push([from, to]);
    }
  }
  return out;
}

/**
 * Upstream's PrettyPrint layout: rows are sources, columns destinations, `.` allowed and `X`
 * denied (upstream prints a connected pair as `.`). Self cells print `-` (ignored). With
 * `against`, a differing cell is wrapped in `*…*`, as upstream marks `*X*`.
 */
export function renderTable(t: TruthTable, against?: TruthTable): string {
  const width = 5;
  const pad = (s: string): string => s.padEnd(width);
  const lines = [pad("-") + ALL_PODS.map(pad).join("")];
  for (const from of ALL_PODS) {
    const cells = ALL_PODS.map((to) => {
      if (from === to) return pad("-");
      const v = cell(t, from, to) ? "." : "X";
      return pad(against && cell(against, from, to) !== cell(t, from, to) ? `*${v}*` : v);
    });
    lines.push(pad(from) + cells.join(""));
  }
  return lines.join("\n");
}

/** The failure message: expected, observed (mismatches marked) and the list of wrong pairs. */
export function renderDiff(what: string, expected: TruthTable, observed: TruthTable): string {
  const wrong = mismatches(expected, observed);
  const shown = wrong.slice(0, 12);
  const list = shown.map(([f, t]) => `  ${f} -> ${t}: expected ${cell(expected, f, t) ? "allowed" : "denied"}, got ${cell(observed, f, t) ? "allowed" : "denied"}`);
  if (wrong.length > shown.length) list.push(`  … and ${wrong.length - shown.length} more`);
  return [
    `${what}: ${wrong.length} wrong result(s) in the reachability matrix`,
    "expected:",
    renderTable(expected),
    "observed (*mismatch*):",
    renderTable(observed, expected),
    ...list,
  ].join("\n");
}
