/**
 * @module closest
 * "Did you mean …?": Levenshtein distance and the nearest existing label or name, so a
 * finding about a mistyped selector can suggest what the author probably meant.
 */
import type { Labels } from "../model/index.js";

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** The candidate nearest to `wanted`, if it is close enough to be a plausible typo. */
export function closest(wanted: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of [...new Set(candidates)].sort()) {
    const d = editDistance(wanted, c);
    if (d < bestD && c !== wanted) {
      best = c;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(wanted.length / 3)) ? best : undefined;
}

/** `key=value` for every label of every labelled thing. */
export function labelPairs(all: Iterable<Labels>): string[] {
  const out: string[] = [];
  for (const l of all) for (const k of Object.keys(l)) out.push(`${k}=${l[k]}`);
  return out;
}

/** A hint naming, for each matchLabels pair of the selector, the nearest label in use. */
export function selectorHint(labels: Labels, existing: readonly string[], what: string): string {
  const present = new Set(existing);
  const tips: string[] = [];
  for (const k of Object.keys(labels).sort()) {
    const pair = `${k}=${labels[k]}`;
    if (present.has(pair)) continue;
    const near = closest(pair, existing);
    if (near) tips.push(`did you mean ${near} instead of ${pair}?`);
  }
  return tips.length > 0 ? tips.join(" ") : `no ${what} carries ${Object.keys(labels).length ? Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(",") : "those labels"}; check the labels and the namespace`;
}
