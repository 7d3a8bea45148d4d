/**
 * @module source-text
 * One input document's text and place in its file: offsets → line/column, object positions
 * recorded while parsing, and (only when a problem is reported on a scalar) an exact locator
 * that re-reads the document with the `yaml` library, which keeps every node's range.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import type { Diagnostic, SourceRef } from "../model/index.js";
import type { PositionStore } from "./json-fast.js";
import { isRegexSpace, JsonIndex, jsonListItems } from "./json-scan.js";
import { itemAsDocument, yamlListItems } from "./yaml-list.js";

export type PathSeg = string | number;

/** Line starts of one file, computed once and shared by its documents. */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(private readonly text: string) {}
  get(): number[] {
    if (!this.starts) {
      const ls = [0];
      const t = this.text;
      if (t.indexOf("\r") < 0) {
        for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) ls.push(i + 1);
      } else {
        // A lone CR is a line break too (YAML 1.2 §5.4; old Mac files); CRLF is one break.
        const br = /\r\n?|\n/g;
        for (let m = br.exec(t); m; m = br.exec(t)) ls.push(m.index + m[0].length);
      }
      this.starts = ls;
    }
    return this.starts;
  }
}

export class SourceText {
  private precise: { doc: Node | null | undefined; lc: LineCounter } | undefined;
  /** A List's items as documents of their own, found on the first diagnostic inside one. */
  private itemSpans: { readonly spans: readonly [number, number][]; readonly indent: number | undefined } | undefined;
  private itemSources: Map<number, SourceText> | undefined;
  private json: boolean | undefined;
  private jsonPlaces: JsonIndex | undefined;
  private lastJsonAt = -1;
  private lastJson = false;
  /** The parser proved the whole document within the shape limits (json-fast.ts): no inspectShape. */
  withinLimits = false;
  /** What decoders report into (cursor.ts `ctx`), one object per document. */
  readonly ctx: { readonly file: string; readonly diagnostics: Diagnostic[] };

  constructor(
    readonly file: string,
    /** The whole file's text. */
    readonly text: string,
    /** Where this document starts and ends in `text`. */
    readonly docStart: number,
    readonly docEnd: number,
    /** Start offsets (absolute) of every map and list, from the parser's events. */
    readonly positions: PositionStore,
    readonly diagnostics: Diagnostic[],
    private readonly lineIndex: LineIndex,
    /**
     * The text the parser read for this document when it is not `text[docStart, docEnd)` itself
     * (one item of a List re-read alone, with its `-` blanked; a List's header with its items
     * blanked, built when first asked); same length, so offsets hold.
     */
    private readonly view?: string | (() => string),
  ) {
    this.ctx = { file, diagnostics };
  }

  /**
   * Does the map or list at `start` read as JSON, not a YAML flow collection? A map's first key is
   * quoted; a list starts with a quoted, bracketed or numeric value (a list of bare words or
   * booleans goes the slower, sure way). The last answer is kept: it is nearly always the root's.
   */
  jsonAt(start: number): boolean {
    if (this.lastJsonAt === start) return this.lastJson;
    const t = this.text;
    const c = t.charCodeAt(start);
    let json = false;
    if (c === 123 || c === 91) {
      // What follows the bracket after blanks (at most 32 characters in all).
      let i = start + 1;
      const stop = Math.min(t.length, start + 32);
      while (i < stop && isRegexSpace(t.charCodeAt(i))) i++;
      const d = i < stop ? t.charCodeAt(i) : -1;
      json = c === 123 ? d === 34 || d === 125 : d === 34 || d === 123 || d === 91 || d === 93 || d === 45 || (d >= 48 && d <= 57);
    }
    this.lastJsonAt = start;
    this.lastJson = json;
    return json;
  }

  /** Places in this document's text when it is JSON (see JsonIndex), learnt as they are asked. */
  get jsonIndex(): JsonIndex {
    return (this.jsonPlaces ??= new JsonIndex(this.text, this.docEnd));
  }

  /** Skips blanks, line breaks, a BOM and comments to the node itself. */
  skipToContent(offset: number): number {
    const t = this.text;
    let i = offset;
    while (i < this.docEnd) {
      const ch = t.charCodeAt(i);
      if (ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 0xfeff) i++;
      else if (ch === 35) {
        const nl = t.indexOf("\n", i);
        i = nl < 0 ? this.docEnd : nl + 1;
      } else break;
    }
    return i;
  }

  refAt(offset: number, path: string): SourceRef {
    const ls = this.lineIndex.get();
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((ls[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - (ls[lo] as number) + 1, path };
  }

  /**
   * Exact offset of the node at `segs` (or of its nearest existing ancestor); with `atKey`, of
   * the last segment's key rather than its value (where an unknown field is reported).
   */
  locate(segs: readonly PathSeg[], atKey = false): number | undefined {
    // Inside an item of a List, re-read that item only: re-reading a 4 MB `kubectl get -o json`
    // List per document made every diagnostic cost ~15 ms (issue 11).
    const [first, index] = segs;
    if (first === "items" && typeof index === "number") {
      const item = this.itemSource(index);
      if (item) return item.locate(segs.slice(2), atKey);
    }
    // JSON (the item of a List read as JSON, or a JSON document): scan the text, no re-parse.
    const start = this.skipToContent(this.docStart);
    this.json ??= this.text.charCodeAt(start) === 123 && /^\{\s*["}]/.test(this.text.slice(start, start + 64));
    if (this.json) {
      try {
        return this.jsonIndex.locate(start, segs, atKey);
      } catch {
        this.json = false; // not JSON after all (YAML flow style): the yaml library below
      }
    }
    if (!this.precise) {
      const lc = new LineCounter();
      // The yaml library does not take a lone CR (old Mac files) as a line break; an LF in its
      // place keeps every offset.
      const view = typeof this.view === "function" ? this.view() : this.view;
      const text = (view ?? this.text.slice(this.docStart, this.docEnd)).replace(/\r(?!\n)/g, "\n");
      const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
      this.precise = { doc: doc.contents, lc };
    }
    let node: Node | null | undefined = this.precise.doc;
    let best = node?.range?.[0];
    for (const [i, seg] of segs.entries()) {
      if (!node) break;
      let next: Node | null | undefined;
      if (typeof seg === "number" && isSeq(node)) next = node.items[seg] as Node | null | undefined;
      else if (isMap(node)) {
        for (const pair of node.items) {
          const k = isScalar(pair.key) ? pair.key.value : pair.key;
          if (String(k) === String(seg)) {
            const key = pair.key as Node | null;
            next = atKey && i === segs.length - 1 ? key : ((pair.value as Node | null) ?? key);
            break;
          }
        }
      }
      node = next;
      if (node?.range) best = node.range[0];
    }
    return best === undefined ? undefined : this.docStart + best;
  }

  private itemSource(i: number): SourceText | undefined {
    const cached = this.itemSources?.get(i);
    if (cached) return cached;
    if (this.view !== undefined) return undefined; // already one item of a List read alone
    if (!this.itemSpans) {
      const start = this.skipToContent(this.docStart);
      const json = this.text.charCodeAt(start) === 123 ? jsonListItems(this.text, start, this.docEnd) : undefined;
      const block = json ? undefined : yamlListItems(this.text, this.docStart, this.docEnd);
      this.itemSpans = { spans: json?.items ?? block?.items ?? [], indent: block?.indent };
    }
    const span = this.itemSpans.spans[i];
    if (!span) return undefined;
    const indent = this.itemSpans.indent;
    const view = indent === undefined ? this.text.slice(span[0], span[1]) : itemAsDocument(this.text, span, indent);
    const src = new SourceText(this.file, this.text, span[0], span[1], this.positions, this.diagnostics, this.lineIndex, view);
    (this.itemSources ??= new Map()).set(i, src);
    return src;
  }
}
