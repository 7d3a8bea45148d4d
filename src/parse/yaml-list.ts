/**
 * @module yaml-list
 * The item boundaries of a block-style `items:` list in a YAML document, found from the text
 * alone (as `kubectl get -o yaml` writes it: `items:` at column 0, each item a `- ` line at the
 * list's indent), so that a syntax error in one item costs that item only. A block sequence's
 * entries all start with `-` at the same indent, and nothing of an entry is indented less than
 * its content, so the boundaries hold whatever is broken inside an entry.
 */

export interface YamlListSpans {
  /** [start, end) of each item: from the start of its `- ` line to the start of the next. */
  readonly items: [number, number][];
  /** Column of the items' `-`. */
  readonly indent: number;
  /** [start, end) of the whole block, from the first item's line. */
  readonly block: [number, number];
}

const ITEMS_KEY = /^items:[ \t]*(#.*)?\r?$/m;

/** Undefined when the document has no top-level block `items:` list. */
export function yamlListItems(text: string, start: number, end: number): YamlListSpans | undefined {
  ITEMS_KEY.lastIndex = 0;
  const doc = text.slice(start, end);
  const m = ITEMS_KEY.exec(doc);
  if (!m) return undefined;
  let pos = start + m.index + m[0].length;
  pos = nextLine(text, pos, end);
  const items: [number, number][] = [];
  let indent = -1;
  let blockStart = -1;
  let blockEnd = end;
  while (pos < end) {
    const eol = lineEnd(text, pos, end);
    const line = text.slice(pos, eol);
    const content = line.search(/\S/);
    if (content < 0 || line[content] === "#") {
      pos = nextLine(text, eol, end);
      continue;
    }
    const isItem = line[content] === "-" && (content + 1 === line.length || /[ \t\r]/.test(line[content + 1] ?? ""));
    if (indent < 0) {
      if (!isItem) return undefined; // `items:` followed by something else (a flow list, a map)
      indent = content;
      blockStart = pos;
    }
    if (content < indent || (content === indent && !isItem)) {
      blockEnd = pos;
      break;
    }
    if (content === indent && isItem) {
      const last = items[items.length - 1];
      if (last) last[1] = pos;
      items.push([pos, end]);
    }
    pos = nextLine(text, eol, end);
  }
  const last = items[items.length - 1];
  if (!last) return undefined;
  last[1] = Math.min(last[1], blockEnd);
  return { items, indent, block: [blockStart, blockEnd] };
}

/** End of the line at `pos`: the next LF or lone CR (a line break too, YAML 1.2 §5.4). */
function lineEnd(text: string, pos: number, end: number): number {
  for (let i = pos; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return end;
}

function nextLine(text: string, pos: number, end: number): number {
  const e = lineEnd(text, pos, end);
  if (e >= end) return end;
  return text.charCodeAt(e) === 13 && text.charCodeAt(e + 1) === 10 ? e + 2 : e + 1;
}

/**
 * The text of one item as a document of its own, the same length as the span so offsets carry
 * over: its `-` becomes a space, making the item a map indented by indent + 2.
 */
export function itemAsDocument(text: string, span: [number, number], indent: number): string {
  const s = text.slice(span[0], span[1]);
  return `${s.slice(0, indent)} ${s.slice(indent + 1)}`;
}

/** `text[start, end)` with `[from, to)` blanked (line breaks kept, so lines and columns stay). */
export function blankOut(text: string, start: number, end: number, from: number, to: number): string {
  return text.slice(start, from) + text.slice(from, to).replace(/[^\n]/g, " ") + text.slice(to, end);
}
