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
 */

const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;

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
    if (c === 34) {
      // a string: skip to its closing quote, over escapes
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 123 || c === 91) out.push(i);
    else if (c === 58) colons++;
  }
  return { offsets: out, colons };
}

/**
 * Parse `text` (one document starting at absolute offset `base`) as JSON and record the absolute
 * start offset of every map and list in `positions`. Undefined when the fast path does not apply.
 */
export function parseJsonWithPositions(text: string, base: number, positions: Map<object, number> | WeakMap<object, number>): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { offsets, colons } = scan(text);
  let keys = 0;
  // Pre-order (document order), iterative: JSON has no depth limit and input drives the depth.
  const found: object[] = [];
  let ok = true;
  const todo: unknown[] = [value];
  while (ok && todo.length > 0) {
    const v = todo.pop();
    if (typeof v !== "object" || v === null) continue;
    found.push(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) todo.push(v[i]);
      continue;
    }
    const names = Object.keys(v);
    keys += names.length;
    if (names.some((k) => INTEGER_KEY.test(k))) ok = false;
    const rec = v as Record<string, unknown>;
    for (let i = names.length - 1; i >= 0; i--) todo.push(rec[names[i] as string]);
  }
  // A duplicate key drops a value (JSON.parse keeps the last): fewer keys than `:` separators.
  // js-yaml then reports it, as the API server's strict decoding does ("duplicate field").
  if (!ok || found.length !== offsets.length || keys !== colons) return undefined;
  for (let i = 0; i < found.length; i++) positions.set(found[i] as object, base + (offsets[i] as number));
  return { value };
}
