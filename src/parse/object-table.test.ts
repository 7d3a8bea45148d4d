/**
 * ObjectTable keeps what a Map keyed by `kind/namespace/name` kept (the loader's store before
 * issue 11's sixth round): one object per identity, the later replacing the earlier in the
 * earlier one's place (kubectl apply of both gives the later; the loader warns of the duplicate
 * with the object returned), and the first-stored order of identities.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ObjectTable } from "./object-table.js";

describe("ObjectTable", () => {
  it("replaces an identity in place and tells what it replaced", () => {
    const t = new ObjectTable<string>();
    expect(t.set("Pod", "a", "x", "1")).toBeUndefined();
    expect(t.set("Pod", "b", "x", "2")).toBeUndefined();
    expect(t.set("Deployment", "a", "x", "3")).toBeUndefined(); // another kind: another identity
    expect(t.set("Pod", "a", "x", "4")).toBe("1");
    expect(t.toArray()).toEqual(["4", "2", "3"]);
    expect(t.size).toBe(3);
  });

  it("is a Map keyed by kind, namespace and name", () => {
    const part = fc.constantFrom("", "a", "b", "a/b", "\u0000");
    fc.assert(
      fc.property(fc.array(fc.tuple(part, part, part, fc.integer())), (ops) => {
        const t = new ObjectTable<number>();
        const m = new Map<string, number>();
        for (const [k, ns, n, v] of ops) {
          const key = JSON.stringify([k, ns, n]);
          expect(t.set(k, ns, n, v)).toBe(m.get(key));
          m.set(key, v);
        }
        expect(t.toArray()).toEqual([...m.values()]);
        expect(t.size).toBe(m.size);
      }),
      { numRuns: 300 },
    );
  });
});
