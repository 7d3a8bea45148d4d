/**
 * @module json-fast
 * A fast path for JSON documents (`kubectl get -o json`, generated inputs): `JSON.parse` for the
 * value — several times faster than js-yaml. Only the root's place is recorded; the place of
 * anything inside is found in the text by its field path when it is asked for (a policy's rules,
 * a diagnostic: `JsonIndex`, json-scan.ts), which gives the same offsets js-yaml's parse events
 * record (documents.ts), so diagnostics and source lines are unchanged, at the cost of the
 * objects on the path rather than of the whole document.
 *
 * Places are found by key name, so they do not depend on JSON.parse's key order; a document
 * with integer-like keys (V8 enumerates them first, out of text order: the order the former
 * position matching relied on) still steps aside, as do duplicate keys (the last wins, noticed
 * as fewer keys than `:` separators) and anything that is not strict JSON: it returns undefined
 * and goes through js-yaml as before.
 */
import { JsonIndex } from "./json-scan.js";
import { MAX_DEPTH, MAX_EXPANDED } from "./shape.js";

/** Start offsets of maps and lists: a Map, a WeakMap or a `DocumentPositions`. */
export interface PositionStore {
  get(o: object): number | undefined;
  set(o: object, at: number): unknown;
}

/** Offsets (relative to `text`) of every `{` / `[` outside strings, in order. */
export function bracketOffsets(text: string): number[] {
  return scan(text).offsets;
}

/** Bracket offsets, and the number of `:` outside strings (one per key in valid JSON). */
function scan(text: string): { offsets: number[]; colons: number } {
  const out: number[] = [];
  let colons = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = closingQuote(text, i);
    else if (c === 123 || c === 91) out.push(i);
    else if (c === 58) colons++;
  }
  return { offsets: out, colons };
}

/** Index of the quote closing the string that opens at `i` (text.length when unterminated). */
function closingQuote(text: string, i: number): number {
  for (let j = text.indexOf('"', i + 1); j >= 0; j = text.indexOf('"', j + 1)) {
    let k = j - 1;
    while (text.charCodeAt(k) === 92) k--;
    if ((j - 1 - k) % 2 === 0) return j; // an even run of backslashes escapes nothing
  }
  return text.length;
}

/** Is `k` integer-like (V8 enumerates such keys first, out of text order)? */
function integerKey(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  if (c === 48) return k.length === 1;
  for (let i = 1; i < k.length; i++) {
    const d = k.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  return true;
}

export interface JsonDocument {
  readonly value: unknown;
  /**
   * True when the whole value is provably within the shape limits (shape.ts): a JSON value is a
   * tree (no aliases, so no cycles), and this one is at most MAX_DEPTH deep with few enough
   * nodes, so no part of it needs `inspectShape`.
   */
  readonly withinLimits: boolean;
}

/**
 * Parse `text` (one document starting at absolute offset `base`) as JSON; the root's position is
 * recorded in `positions`. Undefined when the fast path does not apply. `separators`, when the
 * caller counted them (an item of a List, json-scan.ts): the `:` of `text` outside strings.
 */
export function parseJson(text: string, base: number, positions: PositionStore, separators?: number): JsonDocument | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  let keys = 0;
  let nodes = 1;
  let deepest = 0;
  // `:` inside keys and string values, counted on the same walk (see keysAreSeparators): real
  // objects nearly always have some (image tags, timestamps), which made a second walk.
  const inStrings = separators === undefined;
  let colonsInStrings = inStrings && typeof value === "string" ? countColonsIn(value) : 0;
  // Iterative (JSON has no depth limit and input drives the depth); `depths` runs beside `todo`
  // (root = 1, as bracket nesting counts).
  const todo: object[] = [];
  const depths: number[] = [];
  if (typeof value === "object" && value !== null) {
    todo.push(value);
    depths.push(1);
  }
  while (todo.length > 0) {
    const v = todo.pop() as object;
    const depth = depths.pop() as number;
    if (depth > deepest) deepest = depth;
    if (Array.isArray(v)) {
      nodes += v.length;
      for (const x of v) {
        if (typeof x === "object" && x !== null) {
          todo.push(x as object);
          depths.push(depth + 1);
        } else if (inStrings && typeof x === "string") colonsInStrings += countColonsIn(x);
      }
      continue;
    }
    const rec = v as Record<string, unknown>;
    // Order does not matter here (counting only); for…in allocates no key array. JSON.parse
    // makes plain objects, whose own keys are all for…in sees.
    for (const k in rec) {
      keys++;
      if (integerKey(k)) return undefined;
      if (inStrings) colonsInStrings += countColonsIn(k);
      const x = rec[k];
      if (typeof x === "object" && x !== null) {
        todo.push(x);
        depths.push(depth + 1);
      } else if (inStrings && typeof x === "string") colonsInStrings += countColonsIn(x);
    }
  }
  nodes += keys;
  // A duplicate key drops a value (JSON.parse keeps the last): fewer keys than `:` separators.
  // js-yaml then reports it, as the API server's strict decoding does ("duplicate field").
  if (separators !== undefined ? keys !== separators : !keysAreSeparators(text, keys, colonsInStrings)) return undefined;
  if (typeof value === "object" && value !== null) positions.set(value, base);
  // Typed-list items get kind and apiVersion filled in (documents.ts): two nodes more per map.
  return { value, withinLimits: deepest < MAX_DEPTH && nodes * 3 <= MAX_EXPANDED };
}

/** Occurrences of `:` in `text`. */
function countColons(text: string): number {
  let n = 0;
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", i + 1)) n++;
  return n;
}

/** Occurrences of `:` in a short string (a key or value): most have none. */
function countColonsIn(s: string): number {
  return s.indexOf(":") < 0 ? 0 : countColons(s);
}

/**
 * Is every `:` separator of `text` (outside strings) one of the `keys` JSON.parse kept, i.e. no
 * duplicate key? Every `:` of the text is a separator or inside a string. When there are as many
 * keys as `:` in all, none is inside a string and none was dropped. Else, without `\u` escapes
 * (the only way a parsed string can hold a `:` its text does not), the strings' parsed `:` are
 * exactly the text's in strings, unless a duplicate dropped some (and a key with them). With
 * `\u` escapes the text is scanned for the separators themselves.
 */
function keysAreSeparators(text: string, keys: number, colonsInStrings: number): boolean {
  const colons = countColons(text);
  if (colons === keys) return true;
  if (text.indexOf("\\u") < 0) return keys + colonsInStrings === colons;
  return scan(text).colons === keys;
}

/**
 * The positions of one document's maps and lists: for YAML every one (the parser's events record
 * them), for JSON the root's alone (the rest is found by path, see the module comment).
 */
export class DocumentPositions implements PositionStore {
  /** The first object recorded (a JSON document's root) is kept apart: most documents need no map. */
  private first: object | undefined;
  private firstAt = 0;
  private map: Map<object, number> | undefined;

  get(o: object): number | undefined {
    return o === this.first ? this.firstAt : this.map?.get(o);
  }

  set(o: object, at: number): this {
    if (this.first === undefined || this.first === o) {
      this.first = o;
      this.firstAt = at;
    } else (this.map ??= new Map()).set(o, at);
    return this;
  }
}

/**
 * Parse `text` (one document starting at absolute offset `base`) as JSON and record the absolute
 * start offset of every map and list in `positions` at once, each found by its path as a
 * diagnostic's would be. Undefined when the fast path does not apply.
 */
export function parseJsonWithPositions(text: string, base: number, positions: PositionStore): { value: unknown } | undefined {
  const r = parseJson(text, base, new DocumentPositions());
  if (!r) return undefined;
  const index = new JsonIndex(text, text.length);
  const todo: { v: unknown; path: (string | number)[] }[] = [{ v: r.value, path: [] }];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const { v, path } = next;
    if (typeof v !== "object" || v === null) continue;
    positions.set(v, base + index.locate(0, path, false));
    if (Array.isArray(v)) v.forEach((x: unknown, i) => todo.push({ v: x, path: [...path, i] }));
    else for (const [k, x] of Object.entries(v)) todo.push({ v: x, path: [...path, k] });
  }
  return { value: r.value };
}
