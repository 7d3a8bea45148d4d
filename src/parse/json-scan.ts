/**
 * @module json-scan
 * Structure of JSON text without parsing values, for what JSON.parse cannot do alone: split
 * newline-delimited or concatenated JSON into its values, and find the items of a
 * `{"kind": "List", "items": [...]}` so that a syntax error in one item costs that item only.
 * One pass, iterative, string-aware (escapes included); offsets are absolute.
 */

/** Index of the closing quote of the string opening at `i` (or `end` when unterminated). */
function stringEnd(text: string, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j;
  }
  return end;
}

/** Does `c` match the regular expression `\s`? (Without making a string for the ASCII ones.) */
export const isRegexSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;

/**
 * Spans [start, end) of the top-level JSON values in `text[start, end)` when there are two or
 * more of them separated only by whitespace (JSON Lines, `kubectl get -o json` run twice into one
 * file); undefined otherwise. An unclosed last value runs to `end` (it then fails alone).
 */
export function topLevelJsonValues(text: string, start: number, end: number): [number, number][] | undefined {
  const out: [number, number][] = [];
  let depth = 0;
  let open = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      if (depth === 0) return undefined; // a bare string at the top level: not a stream of objects
      i = stringEnd(text, i, end);
    } else if (c === 123 || c === 91) {
      if (depth++ === 0) open = i;
    } else if (c === 125 || c === 93) {
      if (depth === 0) return undefined;
      if (--depth === 0) out.push([open, i + 1]);
    } else if (depth === 0 && !isSpace(c)) return undefined;
  }
  if (depth > 0) out.push([open, end]);
  return out.length >= 2 ? out : undefined;
}

export interface JsonListSpans {
  /** [start, end) of each element of the top-level `items` array. */
  readonly items: [number, number][];
  /**
   * Per item, its `:` outside strings (the key separators: `parseJson` tells a duplicate key by
   * them without a walk of its own over the item).
   */
  readonly separators: number[];
  /** The array's `[` and the offset just past its `]` (or `end` when it is not closed). */
  readonly arrayOpen: number;
  readonly arrayEnd: number;
}

/**
 * The elements of the `items` array of the top-level object in `text[start, end)`, if any. The
 * keys before `items` are walked character by character (few: kubectl writes `apiVersion` and
 * `items` first); the items themselves are skipped whole by `valueEnd` (strings by indexOf).
 */
export function jsonListItems(text: string, start: number, end: number): JsonListSpans | undefined {
  let depth = 0;
  let lastString = "";
  let pendingKey: string | undefined;
  let arrayOpen = -1;
  for (let i = start; i < end && arrayOpen < 0; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const j = stringEnd(text, i, end);
      if (depth === 1) lastString = text.slice(i + 1, j);
      i = j;
    } else if (c === 58 && depth === 1) pendingKey = lastString;
    else if (c === 44 && depth === 1) pendingKey = undefined;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth === 2 && c === 91 && pendingKey === "items") arrayOpen = i;
    } else if (c === 125 || c === 93) depth--;
  }
  if (arrayOpen < 0) return undefined;
  const items: [number, number][] = [];
  const separators: number[] = [];
  const seen = { colons: 0 };
  for (let i = arrayOpen + 1; ; ) {
    while (i < end && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === 44)) i++;
    if (i >= end) return { items, separators, arrayOpen, arrayEnd: end };
    const c = text.charCodeAt(i);
    if (c === 93) return { items, separators, arrayOpen, arrayEnd: i + 1 };
    // A stray `}` closes the List's object: the array ends here, unclosed.
    if (c === 125) return { items, separators, arrayOpen, arrayEnd: i };
    seen.colons = 0;
    const e = valueEnd(text, i, end, seen);
    separators.push(seen.colons);
    // A bare scalar runs to the next `,` / `]`: it ends the item, whatever it is.
    items.push([i, e >= end ? end : trimEnd(text, e)]);
    i = Math.max(e, i + 1);
  }
}

function trimEnd(text: string, i: number): number {
  let j = i;
  while (j > 0 && isSpace(text.charCodeAt(j - 1))) j--;
  return j;
}

/** Offset just past the JSON value starting at `i` (a string, container or bare scalar). */
function valueEnd(text: string, i: number, end: number, seen?: { colons: number }): number {
  const c = text.charCodeAt(i);
  if (c === 34) return stringEnd(text, i, end) + 1;
  if (c !== 123 && c !== 91) {
    // A number, true, false or null: up to `,`, `}`, `]` or a blank (`\s`).
    let j = i;
    for (let d = text.charCodeAt(j); j < end && d !== 44 && d !== 125 && d !== 93 && !isRegexSpace(d); d = text.charCodeAt(++j));
    return j;
  }
  // This skips whole List items while a diagnostic's place is searched. A string's closing quote
  // is found natively (indexOf), then checked for an odd run of backslashes before it: strings
  // are most of the characters of Kubernetes JSON.
  let depth = 0;
  for (let j = i; j < end; j++) {
    const d = text.charCodeAt(j);
    if (d === 34) {
      const open = j;
      for (;;) {
        const q = text.indexOf('"', j + 1);
        if (q < 0 || q >= end) return end;
        let b = q - 1;
        while (b > open && text.charCodeAt(b) === 92) b--;
        j = q;
        if ((q - 1 - b) % 2 === 0) break;
      }
    } else if (d === 123 || d === 91) depth++;
    else if ((d === 125 || d === 93) && --depth === 0) return j + 1;
    else if (d === 58 && seen) seen.colons++;
    else if (d === 10) {
      // Pretty-printed JSON (kubectl's 4-space indent): most of the text is the indent after
      // each line break; run through it with one comparison per character.
      while (j + 1 < end && text.charCodeAt(j + 1) === 32) j++;
    }
  }
  return end;
}

function skipSpace(text: string, i: number, end: number): number {
  let j = i;
  while (j < end && (isSpace(text.charCodeAt(j)) || text.charCodeAt(j) === 44 || text.charCodeAt(j) === 58)) j++;
  return j;
}

/**
 * What is known of one list's elements (their starts) or one map's keys (each key's and value's
 * offset), found in order as far as asked. `next` is where the search resumes: the start of the
 * last value found, whose end is looked for only when something after it is asked (so finding a
 * value never scans the value itself); -1 once the container's end was reached.
 */
interface ListIndex {
  readonly starts: number[];
  next: number;
  /** `next` is a value found already (skip it first), not the start of one still to find. */
  pending: boolean;
}

interface MapIndex {
  /**
   * Per key found: its opening quote, its closing quote (negated when the key needs JSON.parse:
   * escapes, raw control characters, no closing quote) and its value's start. Keys are compared
   * in the text, no string made per key (as the unindexed search did, a lookup costs the keys
   * before it).
   */
  readonly keys: number[];
  next: number;
  pending: boolean;
}

/**
 * Places inside one JSON text, found by field path. `locate` descends from a map or list whose
 * start is known, one segment at a time; what it learns about each container on the way (where
 * its elements or keys start) is kept, so the places of many values of one document (every item
 * of a 12k-item List, a thousand diagnostics) cost about one pass over the text in all, and each
 * place the size of the objects on its path, never the file. The first place asked is found by
 * a plain scan that keeps nothing: most documents are asked once (one diagnostic in one item of a
 * List), and building the index cost them more than the scan (issue 11, bad input).
 */
export class JsonIndex {
  /** Built from the second place asked on (see above). */
  private lists: Map<number, ListIndex> | undefined;
  private maps: Map<number, MapIndex> | undefined;
  private asked = 0;

  constructor(private readonly text: string, private readonly end: number) {}

  /**
   * Offset of the value at `segs` inside the JSON value starting at `start` (or of its deepest
   * existing ancestor); with `atKey`, of the last segment's key (of the list itself for an index).
   * Throws (JSON.parse) on a key that is not a JSON string: the text is not JSON after all.
   */
  locate(start: number, segs: readonly (string | number)[], atKey: boolean): number {
    let at = skipSpace(this.text, start, this.end);
    const keep = this.asked++ > 0;
    for (let n = 0; n < segs.length; n++) {
      const seg = segs[n] as string | number;
      const c = this.text.charCodeAt(at);
      let found: number | undefined;
      let keyAt = at;
      if (c === 91 && typeof seg === "number") found = keep ? this.element(at, seg) : this.scanElement(at, seg);
      else if (c === 123) {
        const name = String(seg);
        const kv = keep ? this.key(at, name) : this.scanKey(at, name);
        if (kv) {
          keyAt = kv[0];
          found = kv[1];
        }
      }
      if (found === undefined) return at;
      if (atKey && n === segs.length - 1) return keyAt;
      at = found;
    }
    return at;
  }

  /** `element` without the index: the start of element `index` of the list at `at`. */
  private scanElement(at: number, index: number): number | undefined {
    const { text, end } = this;
    let j = skipSpace(text, at + 1, end);
    for (let k = 0; j < end && text.charCodeAt(j) !== 93; k++) {
      if (k === index) return j;
      j = skipSpace(text, valueEnd(text, j, end), end);
    }
    return undefined;
  }

  /** `key` without the index: the key's and the value's offsets in the map at `at`. */
  private scanKey(at: number, name: string): readonly [number, number] | undefined {
    const { text, end } = this;
    for (let j = skipSpace(text, at + 1, end); j < end && text.charCodeAt(j) === 34; ) {
      const close = this.keyEnd(j);
      const v = skipSpace(text, Math.abs(close) + 1, end);
      if (this.keyIs(j, close, name)) return [j, v];
      j = skipSpace(text, valueEnd(text, v, end), end);
    }
    return undefined;
  }

  /** The closing quote of the key opening at `j`, negated when the key is not plain (see MapIndex). */
  private keyEnd(j: number): number {
    const { text, end } = this;
    const close = stringEnd(text, j, end);
    let plain = close < end;
    for (let i = j + 1; plain && i < close; i++) {
      const c = text.charCodeAt(i);
      if (c === 92 || c < 32) plain = false;
    }
    return plain ? close : -close;
  }

  private element(at: number, index: number): number | undefined {
    const { text, end } = this;
    const lists = (this.lists ??= new Map());
    let l = lists.get(at);
    if (!l) {
      l = { starts: [], next: skipSpace(text, at + 1, end), pending: false };
      lists.set(at, l);
    }
    while (l.starts.length <= index && l.next >= 0) {
      if (l.pending) l.next = skipSpace(text, valueEnd(text, l.next, end), end);
      const j = l.next;
      if (j >= end || text.charCodeAt(j) === 93) {
        l.next = -1;
        break;
      }
      l.starts.push(j);
      l.pending = true;
    }
    return l.starts[index];
  }

  private key(at: number, name: string): readonly [number, number] | undefined {
    const { text, end } = this;
    const maps = (this.maps ??= new Map());
    let m = maps.get(at);
    if (!m) {
      m = { keys: [], next: skipSpace(text, at + 1, end), pending: false };
      maps.set(at, m);
    }
    const keys = m.keys;
    for (let i = 0; i < keys.length; i += 3) {
      if (this.keyIs(keys[i] as number, keys[i + 1] as number, name)) return [keys[i] as number, keys[i + 2] as number];
    }
    while (m.next >= 0) {
      if (m.pending) {
        m.next = skipSpace(text, valueEnd(text, m.next, end), end);
        m.pending = false;
      }
      const j = m.next;
      if (!(j < end && text.charCodeAt(j) === 34)) {
        m.next = -1;
        break;
      }
      const close = this.keyEnd(j);
      const v = skipSpace(text, Math.abs(close) + 1, end);
      keys.push(j, close, v);
      m.next = v;
      m.pending = true;
      if (this.keyIs(j, close, name)) return [j, v];
    }
    return undefined;
  }

  /** Is the key from quote `open` to `close` (negated: not plain, see MapIndex) `name`? */
  private keyIs(open: number, close: number, name: string): boolean {
    if (close >= 0) return close - open - 1 === name.length && this.text.startsWith(name, open + 1);
    // JSON.parse throws for what JSON refuses (a raw control character, no closing quote), as
    // for a key that is not JSON it must.
    return JSON.parse(this.text.slice(open, -close + 1)) === name;
  }
}
