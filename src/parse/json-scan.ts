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
  /** The array's `[` and the offset just past its `]` (or `end` when it is not closed). */
  readonly arrayOpen: number;
  readonly arrayEnd: number;
}

/** The elements of the `items` array of the top-level object in `text[start, end)`, if any. */
export function jsonListItems(text: string, start: number, end: number): JsonListSpans | undefined {
  let depth = 0;
  let lastString = "";
  let pendingKey: string | undefined;
  let arrayOpen = -1;
  let itemStart = -1;
  const items: [number, number][] = [];
  const closeItem = (at: number): void => {
    if (itemStart >= 0) items.push([itemStart, at]);
    itemStart = -1;
  };
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (arrayOpen >= 0 && depth === 2 && itemStart < 0 && !isSpace(c) && c !== 44 && c !== 93) itemStart = i;
    if (c === 34) {
      const j = stringEnd(text, i, end);
      if (depth === 1) lastString = text.slice(i + 1, j);
      i = j;
    } else if (c === 58 && depth === 1) pendingKey = lastString;
    else if (c === 44 && depth === 1) pendingKey = undefined;
    else if (c === 44 && depth === 2 && arrayOpen >= 0) closeItem(trimEnd(text, i));
    else if (c === 123 || c === 91) {
      depth++;
      if (depth === 2 && c === 91 && pendingKey === "items" && arrayOpen < 0) arrayOpen = i;
    } else if (c === 125 || c === 93) {
      if (depth === 2 && arrayOpen >= 0 && c === 93) {
        closeItem(trimEnd(text, i));
        return { items, arrayOpen, arrayEnd: i + 1 };
      }
      depth--;
    }
  }
  if (arrayOpen < 0) return undefined;
  closeItem(end);
  return { items, arrayOpen, arrayEnd: end };
}

function trimEnd(text: string, i: number): number {
  let j = i;
  while (j > 0 && isSpace(text.charCodeAt(j - 1))) j--;
  return j;
}

/** Offset just past the JSON value starting at `i` (a string, container or bare scalar). */
function valueEnd(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c === 34) return stringEnd(text, i, end) + 1;
  if (c !== 123 && c !== 91) {
    let j = i;
    while (j < end && !/[,}\]\s]/.test(text[j] ?? "")) j++;
    return j;
  }
  let depth = 0;
  for (let j = i; j < end; j++) {
    const d = text.charCodeAt(j);
    if (d === 34) j = stringEnd(text, j, end);
    else if (d === 123 || d === 91) depth++;
    else if ((d === 125 || d === 93) && --depth === 0) return j + 1;
  }
  return end;
}

function skipSpace(text: string, i: number, end: number): number {
  let j = i;
  while (j < end && (isSpace(text.charCodeAt(j)) || text.charCodeAt(j) === 44 || text.charCodeAt(j) === 58)) j++;
  return j;
}

/**
 * Offset of the value at `segs` inside the JSON value starting at `start` (or of its deepest
 * existing ancestor); with `atKey`, of the last segment's key. One pass over the containers on
 * the way, so a diagnostic costs the size of the object it is in, not of the file.
 */
export function locateJson(text: string, start: number, end: number, segs: readonly (string | number)[], atKey: boolean): number {
  let at = skipSpace(text, start, end);
  for (const [n, seg] of segs.entries()) {
    const c = text.charCodeAt(at);
    let found: number | undefined;
    let keyAt = at;
    if (c === 91 && typeof seg === "number") {
      let j = skipSpace(text, at + 1, end);
      for (let k = 0; j < end && text.charCodeAt(j) !== 93; k++) {
        if (k === seg) {
          found = j;
          break;
        }
        j = skipSpace(text, valueEnd(text, j, end), end);
      }
    } else if (c === 123) {
      let j = skipSpace(text, at + 1, end);
      while (j < end && text.charCodeAt(j) === 34) {
        const close = stringEnd(text, j, end);
        const v = skipSpace(text, close + 1, end);
        if (JSON.parse(text.slice(j, close + 1)) === String(seg)) {
          keyAt = j;
          found = v;
          break;
        }
        j = skipSpace(text, valueEnd(text, v, end), end);
      }
    }
    if (found === undefined) return at;
    if (atKey && n === segs.length - 1) return keyAt;
    at = found;
  }
  return at;
}
