/**
 * @module object-table
 * The loader's store of decoded objects: by kind, namespace and name, a later object of the same
 * identity replacing the earlier one (`kubectl apply` of both gives the later). Nested maps, not
 * one map keyed by a `kind/namespace/name` string: building and hashing that string per object
 * was the largest single cost of storing 100k pods (issue 11).
 */
export class ObjectTable<T> {
  private readonly byKind = new Map<string, Map<string, Map<string, T>>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Stores `value`; returns the object it replaced, if any. */
  set(kind: string, namespace: string, name: string, value: T): T | undefined {
    let inKind = this.byKind.get(kind);
    if (!inKind) this.byKind.set(kind, (inKind = new Map()));
    let inNs = inKind.get(namespace);
    if (!inNs) inKind.set(namespace, (inNs = new Map()));
    const prev = inNs.get(name);
    if (prev === undefined) this.count++;
    inNs.set(name, value);
    return prev;
  }

  /** Every object, grouped by kind and namespace (callers sort). */
  toArray(): T[] {
    const out: T[] = [];
    for (const inKind of this.byKind.values()) for (const inNs of inKind.values()) for (const v of inNs.values()) out.push(v);
    return out;
  }
}
