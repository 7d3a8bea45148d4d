/**
 * @module collections
 * Small helpers for grouping without quadratic copying.
 */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function groupBy<K, V>(items: Iterable<V>, keyOf: (v: V) => K): Map<K, V[]> {
  const out = new Map<K, V[]>();
  for (const v of items) pushTo(out, keyOf(v), v);
  return out;
}

/**
 * `xs` in an array of its exact size. An array grown by `push` keeps room for about 16 more
 * elements; for the few-element lists kept per pod (IPs, ports, owners) that room is most of
 * the loaded model's memory, and of the garbage collector's work.
 */
export function trimmed<T>(xs: T[]): T[] {
  return xs.slice();
}
