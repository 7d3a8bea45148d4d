/**
 * JsonIndex.locate finds a value's place in JSON text by its path without parsing the text
 * (json-scan.ts): for random JSON values whose strings are full of quotes, backslashes and
 * control characters (RFC 8259 §7: `"` and `\` are escaped inside strings, so a quote preceded
 * by an odd run of backslashes does not close a string), written compact and indented, the
 * offset it gives for every path is where that value's text starts (and, asked for the key, where
 * its key starts), whether the index has learnt the text already or scans it afresh.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonIndex } from "./json-scan.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const tricky = fc.stringMatching(/^[a-z"\\\n\t\u00e9 {}[\],:]{0,8}$/);
const json: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), tricky,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(tricky, tie("v"), { maxKeys: 4 }),
  ),
})).v;

/**
 * `v` written as JSON (compact, or one entry a line), with the offset where each path's value
 * starts, and where its key starts (for a list element: the list's start, as `atKey` gives).
 */
function write(v: Json, pretty: boolean): { text: string; at: Map<string, number>; keyAt: Map<string, number> } {
  let text = " ";
  const at = new Map<string, number>();
  const keyAt = new Map<string, number>();
  const nl = (depth: number): string => (pretty ? `\n${"  ".repeat(depth)}` : "");
  const go = (x: Json, path: (string | number)[], depth: number): void => {
    at.set(JSON.stringify(path), text.length);
    if (Array.isArray(x)) {
      const open = text.length;
      text += "[";
      x.forEach((y, i) => {
        keyAt.set(JSON.stringify([...path, i]), open);
        text += `${i > 0 ? "," : ""}${nl(depth + 1)}`;
        go(y, [...path, i], depth + 1);
      });
      text += `${x.length > 0 ? nl(depth) : ""}]`;
    } else if (x !== null && typeof x === "object") {
      text += "{";
      Object.entries(x).forEach(([k, y], i) => {
        text += `${i > 0 ? "," : ""}${nl(depth + 1)}`;
        keyAt.set(JSON.stringify([...path, k]), text.length);
        text += `${JSON.stringify(k)}:${pretty ? " " : ""}`;
        go(y, [...path, k], depth + 1);
      });
      text += `${Object.keys(x).length > 0 ? nl(depth) : ""}}`;
    } else text += JSON.stringify(x);
  };
  go(v, [], 0);
  return { text, at, keyAt };
}

describe("JsonIndex.locate", () => {
  for (const pretty of [false, true]) {
    it(`gives the start of every value's text (${pretty ? "indented" : "compact"})`, () => {
      fc.assert(
        fc.property(json, (v) => {
          const { text, at, keyAt } = write(v, pretty);
          expect(JSON.parse(text)).toEqual(v);
          // One index asked every path (what it learns is kept from the second place asked on)
          // and, per path, a fresh index (its first place is found by a scan that keeps nothing).
          const index = new JsonIndex(text, text.length);
          const path = (key: string): (string | number)[] => JSON.parse(key) as (string | number)[];
          for (const [key, want] of at) {
            expect([key, index.locate(0, path(key), false)]).toEqual([key, want]);
            expect([key, new JsonIndex(text, text.length).locate(0, path(key), false)]).toEqual([key, want]);
          }
          for (const [key, want] of keyAt) {
            expect([key, index.locate(0, path(key), true)]).toEqual([key, want]);
            expect([key, new JsonIndex(text, text.length).locate(0, path(key), true)]).toEqual([key, want]);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
