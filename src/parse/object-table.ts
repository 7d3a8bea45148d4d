/**
 * @module object-table
 * The loader's store of decoded objects: by kind, namespace and name, a later object of the same
 * identity replacing the earlier one in the earlier one's place (as a Map keyed by identity
 * would). Nested maps, not one map keyed by a `kind/namespace/name` string: building and hashing
 * that string per object was the largest single cost of storing 100k pods (issue 11).
 */
export class ObjectTable<T> {
  /** kind → namespace → name → index in `items`. */
  private readonly byKind = new Map<string, Map<string, Map<string, number>>>();
  /** In the order each identity was first stored. */
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Stores `value`; returns the object it replaced, if any. */
  set(kind: string, namespace: string, name: string, value: T): T | undefined {
    let inKind = this.byKind.get(kind);
    if (!inKind) this.byKind.set(kind, (inKind = new Map()));
    let inNs = inKind.get(namespace);
    if (!inNs) inKind.set(namespace, (inNs = new Map()));
    const at = inNs.get(name);
    if (at === undefined) {
      inNs.set(name, this.items.length);
      this.items.push(value);
      return undefined;
    }
    const prev = this.items[at];
    this.items[at] = value;
    return prev;
  }

  /** Every object, in the order its identity was first stored. */
  toArray(): T[] {
    return this.items.slice();
  }
}
