/**
 * @module json-fast
 * A fast path for JSON documents (`kubectl get -o json`, generated inputs): `JSON.parse` for the
 * value — several times faster than js-yaml — plus one scan of the text for the offset of every
 * `{` and `[` outside strings, matched to the parsed maps and lists in document order. That gives
 * the same start positions js-yaml's parse events record (documents.ts), so diagnostics and
 * source lines are unchanged.
 *
 * The match relies on JSON.parse keeping keys in text order, which V8 does except for
 * integer-like keys (they are enumerated first, ascending) and duplicate keys (the last wins,
 * noticed as fewer keys than `:` separators);
 * a document with either, or anything that is not strict JSON, returns undefined and goes
 * through js-yaml as before.
 *
 * Positions are matched lazily (`DocumentPositions`): a clean object needs only its root's
 * place, which is the document's first `{`. The map of every nested map and list is built the
 * first time one is asked for (a policy's rules, a diagnostic), once per document.
 */
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
 * Parse `text` (one document starting at absolute offset `base`) as JSON; its positions are
 * matched lazily into `positions`. Undefined when the fast path does not apply.
 */
export function parseJson(text: string, base: number, positions: DocumentPositions): JsonDocument | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  let keys = 0;
  let nodes = 1;
  let deepest = 0;
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
        }
      }
      continue;
    }
    const rec = v as Record<string, unknown>;
    // Order does not matter here (counting only); for…in allocates no key array. JSON.parse
    // makes plain objects, whose own keys are all for…in sees.
    for (const k in rec) {
      keys++;
      if (integerKey(k)) return undefined;
      const x = rec[k];
      if (typeof x === "object" && x !== null) {
        todo.push(x);
        depths.push(depth + 1);
      }
    }
  }
  nodes += keys;
  // A duplicate key drops a value (JSON.parse keeps the last): fewer keys than `:` separators.
  // js-yaml then reports it, as the API server's strict decoding does ("duplicate field").
  if (!keysAreSeparators(text, value, keys)) return undefined;
  if (typeof value === "object" && value !== null) positions.deferJson(text, base, value);
  // Typed-list items get kind and apiVersion filled in (documents.ts): two nodes more per map.
  return { value, withinLimits: deepest < MAX_DEPTH && nodes * 3 <= MAX_EXPANDED };
}

/** Occurrences of `:` in `text`. */
function countColons(text: string): number {
  let n = 0;
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", i + 1)) n++;
  return n;
}

/** Occurrences of `:` in the keys and string values of a parsed JSON value. */
function colonsInStrings(value: unknown): number {
  const count = (s: string): number => (s.indexOf(":") < 0 ? 0 : countColons(s));
  let n = 0;
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (typeof v === "string") n += count(v);
    else if (Array.isArray(v)) for (const x of v) todo.push(x);
    else if (typeof v === "object" && v !== null) {
      const rec = v as Record<string, unknown>;
      for (const k in rec) {
        n += count(k);
        todo.push(rec[k]);
      }
    }
  }
  return n;
}

/**
 * Is every `:` separator of `text` (outside strings) one of the `keys` JSON.parse kept, i.e. no
 * duplicate key? Every `:` of the text is a separator or inside a string. When there are as many
 * keys as `:` in all, none is inside a string and none was dropped. Else, without `\u` escapes
 * (the only way a parsed string can hold a `:` its text does not), the strings' parsed `:` are
 * exactly the text's in strings, unless a duplicate dropped some (and a key with them). With
 * `\u` escapes the text is scanned for the separators themselves.
 */
function keysAreSeparators(text: string, value: unknown, keys: number): boolean {
  const colons = countColons(text);
  if (colons === keys) return true;
  if (text.indexOf("\\u") < 0) return keys + colonsInStrings(value) === colons;
  return scan(text).colons === keys;
}

/** Records the start offset of every map and list of `value` (parsed from `text` at `base`). */
function match(text: string, base: number, value: object, into: PositionStore): void {
  const { offsets } = scan(text);
  // Pre-order, children in document order (pushed last to first); scalars never enter the stack.
  const todo: object[] = [value];
  let next = 0;
  while (todo.length > 0) {
    const v = todo.pop() as object;
    into.set(v, base + (offsets[next++] as number));
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const x: unknown = v[i];
        if (typeof x === "object" && x !== null) todo.push(x);
      }
      continue;
    }
    const rec = v as Record<string, unknown>;
    const names = Object.keys(rec);
    for (let i = names.length - 1; i >= 0; i--) {
      const x = rec[names[i] as string];
      if (typeof x === "object" && x !== null) todo.push(x);
    }
  }
}

/**
 * The positions of one document's maps and lists. For JSON they are matched on first use (the
 * root's is known at once); for YAML the parser's events fill them as it goes.
 */
export class DocumentPositions implements PositionStore {
  private readonly map = new Map<object, number>();
  private lazy: { readonly text: string; readonly base: number; readonly root: object } | undefined;

  deferJson(text: string, base: number, root: object): void {
    this.lazy = { text, base, root };
  }

  get(o: object): number | undefined {
    const l = this.lazy;
    if (l) {
      if (o === l.root) return l.base;
      this.fill(l);
    }
    return this.map.get(o);
  }

  set(o: object, at: number): this {
    if (this.lazy) this.fill(this.lazy);
    this.map.set(o, at);
    return this;
  }

  private fill(l: { readonly text: string; readonly base: number; readonly root: object }): void {
    this.lazy = undefined;
    match(l.text, l.base, l.root, this.map);
  }
}

/**
 * Parse `text` (one document starting at absolute offset `base`) as JSON and record the absolute
 * start offset of every map and list in `positions` at once. Undefined when the fast path does
 * not apply.
 */
export function parseJsonWithPositions(text: string, base: number, positions: PositionStore): { value: unknown } | undefined {
  const lazy = new DocumentPositions();
  const r = parseJson(text, base, lazy);
  if (!r) return undefined;
  if (typeof r.value === "object" && r.value !== null) match(text, base, r.value, positions);
  return { value: r.value };
}
