/**
 * @module name-order
 * The order objects are listed in: `localeCompare` (the default collator), as the loader always
 * sorted. One collator serves the whole sort, and names made of lowercase ASCII letters, digits,
 * `-` and `.` (every valid object name) skip it: in English and the root locale the collator
 * orders those characters - . 0-9 a-z, as their code units do, with no accents, cases or
 * ignorable characters to weigh, so comparing code units gives the same answer
 * (name-order.test.ts checks it against the collator). Other locales may reorder letters
 * (Estonian puts z after s): they always use the collator.
 */
const collator = new Intl.Collator();
const SIMPLE_NAME = /^[a-z0-9.-]*$/;
const ASCII_ORDER = /^(en|und|root)\b/.test(collator.resolvedOptions().locale);
const simple = new Map<string, boolean>();

function isSimple(s: string): boolean {
  let v = simple.get(s);
  if (v === undefined) {
    v = SIMPLE_NAME.test(s);
    if (simple.size < 1_000_000) simple.set(s, v);
  }
  return v;
}

/** `a.localeCompare(b)`'s sign, faster. */
export function collate(a: string, b: string): number {
  if (a === b) return 0;
  if (ASCII_ORDER && isSimple(a) && isSimple(b)) return a < b ? -1 : 1;
  return collator.compare(a, b);
}

/** `collate` with `isSimple` of both strings known (`sa`, `sb`). */
function collateKnown(a: string, b: string, sa: boolean, sb: boolean): number {
  if (a === b) return 0;
  if (ASCII_ORDER && sa && sb) return a < b ? -1 : 1;
  return collator.compare(a, b);
}

interface Named {
  readonly namespace?: string | undefined;
  readonly name: string;
}

/**
 * `items` sorted by namespace, then name (`collate`), then `tie`: the comparisons `collate`
 * makes, with each name tested once per item instead of looked up once per comparison.
 */
export function sortByName<T extends Named>(items: readonly T[], tie?: (a: T, b: T) => number): T[] {
  const keyed = items.map((item) => {
    const ns = item.namespace ?? "";
    return { item, ns, name: item.name, nsSimple: SIMPLE_NAME.test(ns), nameSimple: SIMPLE_NAME.test(item.name) };
  });
  keyed.sort((a, b) =>
    collateKnown(a.ns, b.ns, a.nsSimple, b.nsSimple) || collateKnown(a.name, b.name, a.nameSimple, b.nameSimple) || (tie ? tie(a.item, b.item) : 0));
  return keyed.map((k) => k.item);
}
