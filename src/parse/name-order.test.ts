/**
 * The loader's order is `localeCompare`'s; `collate` takes a shortcut for plain names, which must
 * not change it (random names over the shortcut's alphabet and beyond it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collate } from "./name-order.js";

const nameArb = (chars: string) => fc.string({ unit: fc.constantFrom(...chars.split("")), maxLength: 8 });

describe("collate ≡ localeCompare", () => {
  it("for object names (lowercase letters, digits, - and .)", () => {
    fc.assert(fc.property(nameArb("abyz0189-."), nameArb("abyz0189-."), (a, b) => {
      expect(Math.sign(collate(a, b))).toBe(Math.sign(a.localeCompare(b)));
    }), { numRuns: 5000 });
  });

  it("for names the shortcut does not take (capitals, underscores, accents)", () => {
    fc.assert(fc.property(nameArb("aAbB_-é0"), nameArb("aAbB_-é0"), (a, b) => {
      expect(Math.sign(collate(a, b))).toBe(Math.sign(a.localeCompare(b)));
    }), { numRuns: 2000 });
  });
});
