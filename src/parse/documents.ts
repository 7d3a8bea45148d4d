/**
 * @module documents
 * Files → object cursors: multi-document YAML, JSON, newline-delimited or concatenated JSON,
 * `kind: List` and typed lists (`PodList`, `<Kind>List`, as the API server returns them: items
 * without kind/apiVersion take them from the list). What cannot be read is reported and skipped
 * at the smallest unit: a document, or one item of a List (a syntax error inside an item is
 * recovered at item boundaries, so it costs that item, not the List).
 *
 * Parsing uses js-yaml (about 10× faster than the `yaml` library on large inputs), recording the
 * start of every map and list through its parse events; exact positions of scalars are only
 * needed for diagnostics and are then found with the `yaml` library (see source-text.ts).
 * A document that is plain JSON takes a faster path with the same positions (json-fast.ts).
 * Every value passes `inspectShape` (shape.ts) before anything walks it.
 */
import yaml from "js-yaml";
import type { Diagnostic, SkippedObject, SourceRef } from "../model/index.js";
import { Cursor, isRecord } from "./cursor.js";
import { identityOf, scrapeIdentity, type Identity } from "./identity.js";
import { DocumentPositions, parseJson } from "./json-fast.js";
import { jsonListItems, topLevelJsonValues } from "./json-scan.js";
import { inspectShape, MAX_DEPTH, MAX_EXPANDED } from "./shape.js";
import { LineIndex, SourceText, type PathSeg } from "./source-text.js";
import { blankOut, itemAsDocument, yamlListItems } from "./yaml-list.js";

/** JSON documents of at least this many characters are read item by item when they are Lists. */
export const SPLIT_JSON_LIST_AT = 1 << 20;

export interface InputFile {
  readonly path: string;
  readonly text: string;
}

/** Where documents report what they could not read. */
export interface ReadSink {
  readonly diagnostics: Diagnostic[];
  readonly skipped: SkippedObject[];
}

/** [start, end) of each document; `---` / `...` marker lines separate them. */
function splitDocuments(text: string): [number, number][] {
  const out: [number, number][] = [];
  // A BOM may start any document (YAML 1.2 §5.2), so it may follow a marker (`cat`ed files).
  const marker = /^(---|\.\.\.)(?=[ \t\uFEFF]|\r?$)/gm;
  let start = 0;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    out.push([start, m.index]);
    start = m.index + 3;
  }
  out.push([start, text.length]);
  return out.filter(([s, e]) => hasContent(text, s, e));
}

/** Does `text[s, e)` hold anything but blanks and comment lines? */
function hasContent(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    // A printable ASCII character that does not start a comment: a document. Anything else
    // (a comment, a BOM or another Unicode blank) the slow, sure way.
    if (c !== 35 && c > 32 && c < 127) return true;
    return /\S/.test(stripComments(text.slice(s, e)));
  }
  return false;
}

function stripComments(s: string): string {
  return s.replace(/^\s*#.*$/gm, "");
}

interface Listener {
  (event: "open" | "close", state: { position: number; result: unknown }): void;
}

type Parsed =
  | { readonly ok: true; readonly value: unknown; readonly withinLimits: boolean }
  | { readonly ok: false; readonly reason: string; readonly position: number };

/** One document's text → value, recording absolute map/list starts (`base` = offset of `text`). */
function parseText(raw: string, rawBase: number, positions: DocumentPositions): Parsed {
  // A BOM where a document starts is allowed (YAML 1.2 §5.2): read from just after it (only
  // blanks precede it), so offsets stay those of the file.
  const skip = /^\s*?\uFEFF/.exec(raw)?.[0].length ?? 0;
  const parsed = parseFrom(raw.slice(skip), rawBase + skip, positions);
  return parsed.ok ? parsed : { ...parsed, position: parsed.position + skip };
}

function parseFrom(text: string, base: number, positions: DocumentPositions): Parsed {
  const first = text.search(/\S/);
  const ch = first < 0 ? 0 : text.charCodeAt(first);
  if (ch === 123 || ch === 91) {
    const fast = parseJson(text.slice(first), base + first, positions);
    if (fast !== undefined) return { ok: true, value: fast.value, withinLimits: fast.withinLimits };
  }
  const stack: number[] = [];
  const listener: Listener = (event, state) => {
    if (event === "open") stack.push(state.position);
    else {
      const p = stack.pop();
      const r = state.result;
      if (p !== undefined && typeof r === "object" && r !== null) positions.set(r, base + p);
    }
  };
  try {
    return { ok: true, value: yaml.load(text, { schema: yaml.CORE_SCHEMA, listener } as yaml.LoadOptions), withinLimits: false };
  } catch (e) {
    if (e instanceof RangeError) {
      // js-yaml recurses per nesting level; the stack runs out long before memory does.
      return { ok: false, reason: `nested more than ${MAX_DEPTH} levels deep (too deep to read)`, position: Math.max(0, first) };
    }
    const err = e as { reason?: string; message?: string; mark?: { position?: number } };
    if (err.reason?.startsWith("nesting exceeded maxDepth")) {
      return { ok: false, reason: `nested more than ${MAX_DEPTH} levels deep`, position: err.mark?.position ?? 0 };
    }
    return { ok: false, reason: `YAML syntax error: ${err.reason ?? err.message ?? "unreadable"}`, position: err.mark?.position ?? 0 };
  }
}

class FileReader {
  readonly lines: LineIndex;
  constructor(
    readonly file: InputFile,
    readonly sink: ReadSink,
    private readonly emit: (c: Cursor) => void,
    private readonly splitJsonListsAt: number,
  ) {
    this.lines = new LineIndex(file.text);
  }

  source(start: number, end: number, positions: DocumentPositions, view?: string | (() => string)): SourceText {
    return new SourceText(this.file.path, this.file.text, start, end, positions, this.sink.diagnostics, this.lines, view);
  }

  lineOf(offset: number): number {
    return this.source(0, this.file.text.length, new DocumentPositions()).refAt(offset, "").line;
  }

  /** Reports a part of the file that could not be read, and records what it held. */
  lost(code: "yaml-syntax" | "nesting-too-deep", ref: SourceRef, message: string, who: Identity): void {
    this.sink.diagnostics.push({ code, severity: "error", message, source: ref });
    this.sink.skipped.push({ ...who, source: ref, reason: message });
  }

  document(start: number, end: number): void {
    const text = this.file.text;
    // A large JSON List (`kubectl get pods -A -o json`) is read item by item, as a broken one
    // is: each item's values die young instead of the whole List's staying alive until its last
    // item is decoded, each item is known to be within the shape limits, and its place is where
    // the split found it. The objects, places and diagnostics are those of the whole-List read.
    if (end - start >= this.splitJsonListsAt && this.readList(start, end, true)) return;
    const positions = new DocumentPositions();
    const src = this.source(start, end, positions);
    const parsed = parseText(text.slice(start, end), start, positions);
    if (parsed.ok) {
      src.withinLimits = parsed.withinLimits;
      this.collect(Cursor.root(src, parsed.value));
      return;
    }
    const first = src.skipToContent(start);
    // Two or more JSON values in a row (JSON Lines, concatenated `kubectl get -o json`).
    const ch = text.charCodeAt(first);
    const values = ch === 123 || ch === 91 ? topLevelJsonValues(text, first, end) : undefined;
    if (values) {
      for (const [s, e] of values) this.document(s, e);
      return;
    }
    if (this.readList(start, end, false)) return;
    const ref = src.refAt(start + parsed.position, "");
    // The parser notices a mistake where it stops making sense, often a line after the typo;
    // naming the document's lines lets the reader find it.
    const from = src.refAt(first, "").line;
    const to = src.refAt(Math.max(start, end - 1), "").line;
    const code = parsed.reason.startsWith("nested") ? "nesting-too-deep" : "yaml-syntax";
    this.lost(code, ref, `${parsed.reason}; the document on lines ${from}-${to} is skipped`, scrapeIdentity(text.slice(first, end)));
  }

  /**
   * A List read item by item (YAML block list or JSON array): a List whose text does not parse,
   * so only the broken items are lost, or (`jsonOnly`) a large JSON List. False when the document
   * is not such a List or its list header itself is broken.
   */
  readList(start: number, end: number, jsonOnly: boolean): boolean {
    const text = this.file.text;
    const first = text.charCodeAt(new SourceText(this.file.path, text, start, end, new DocumentPositions(), [], this.lines).skipToContent(start));
    if (jsonOnly && first !== 123) return false;
    const json = first === 123 ? jsonListItems(text, start, end) : undefined;
    const block = json || jsonOnly ? undefined : yamlListItems(text, start, end);
    const spans = json?.items ?? block?.items;
    if (!spans || spans.length === 0) return false;
    const positions = new DocumentPositions();
    // The List without its items: blanked (same length) when the array is closed; when the text
    // ends inside it (a cut-off download), closed by hand. A closed JSON array is first tried
    // cut out (its root is all JSON records), the blanked text only built when that fails.
    const closed = json !== undefined && text[json.arrayEnd - 1] === "]";
    const blanked = (): string =>
      json
        ? closed ? blankOut(text, start, end, json.arrayOpen + 1, json.arrayEnd - 1) : `${text.slice(start, json.arrayOpen + 1)}]}`
        : blankOut(text, start, end, block?.block[0] ?? start, block?.block[1] ?? start);
    const cut = json && closed ? parseJson(text.slice(start, json.arrayOpen + 1) + text.slice(json.arrayEnd - 1, end), start, positions) : undefined;
    const headerText = cut ? undefined : blanked();
    const header: Parsed = cut ? { ok: true, value: cut.value, withinLimits: cut.withinLimits } : parseText(headerText as string, start, positions);
    if (!header.ok || typeof header.value !== "object" || header.value === null || Array.isArray(header.value)) return false;
    const listSrc = this.source(start, end, positions, headerText ?? blanked);
    const list = Cursor.root(listSrc, header.value);
    // kubectl writes `kind: List` after the items: a cut-off List has none, and is still one.
    // (A large JSON document that parses is a List only when it says so, as `listKind` asks.)
    const kindValue = list.get("kind").scalar() ?? (jsonOnly ? undefined : "List");
    if (typeof kindValue !== "string" || !kindValue.endsWith("List")) return false;
    const kind = kindValue;
    const defaults = itemDefaults(kind, list.get("apiVersion").scalar());
    spans.forEach(([s, e], i) => {
      const view = json ? text.slice(s, e) : itemAsDocument(text, [s, e], block?.indent ?? 0);
      const itemPositions = new DocumentPositions();
      // A JSON item starts at its value: JSON.parse with the separators the split counted, else
      // (not JSON after all, a duplicate key, a syntax error) the general way, which says why.
      const fast = json ? parseJson(view, s, itemPositions, json.separators[i]) : undefined;
      const parsed: Parsed = fast ? { ok: true, value: fast.value, withinLimits: fast.withinLimits } : parseText(view, s, itemPositions);
      const src = this.source(s, e, itemPositions, view);
      if (!parsed.ok) {
        const ref = src.refAt(s + parsed.position, `items[${i}]`);
        const lines = `lines ${this.lineOf(s)}-${this.lineOf(Math.max(s, e - 1))}`;
        const what = `${parsed.reason}; item ${i} of this ${kind} (${lines}) is skipped, the other ${spans.length - 1} item(s) are read`;
        const who = scrapeIdentity(view, json ? 0 : (block?.indent ?? 0) + 2);
        this.lost(parsed.reason.startsWith("nested") ? "nesting-too-deep" : "yaml-syntax", ref, what, { ...defaults, ...who });
        return;
      }
      src.withinLimits = parsed.withinLimits;
      this.item(Cursor.root(src, parsed.value, `items[${i}]`), defaults);
    });
    return true;
  }

  /** One document's value: a List is flattened (iteratively; a List inside itself is an error). */
  collect(root: Cursor): void {
    const todo: { c: Cursor; lists: readonly object[] }[] = [{ c: root, lists: [] }];
    for (let next = todo.pop(); next; next = todo.pop()) {
      const { c, lists } = next;
      if (c.isAbsent) continue; // empty document (e.g. a trailing ---)
      if (c.kind !== "map") {
        c.error("not-an-object", "a Kubernetes object must be a map with apiVersion and kind; this document is skipped");
        this.sink.skipped.push({ source: c.ref, reason: "not a map" });
        continue;
      }
      const kind = listKind(c.value);
      if (kind === undefined) {
        this.item(c, {});
        continue;
      }
      const items = c.get("items");
      const self = c.value as object;
      if (lists.includes(self) || lists.length >= MAX_DEPTH) {
        const message = lists.includes(self)
          ? "this List contains itself (through a YAML alias); it is skipped"
          : `Lists nested more than ${MAX_DEPTH} deep; this one is skipped`;
        c.error(lists.includes(self) ? "yaml-alias-cycle" : "nesting-too-deep", message);
        this.sink.skipped.push({ kind, source: c.ref, reason: message });
        continue;
      }
      const defaults = itemDefaults(kind, c.get("apiVersion").scalar());
      const inner = [...lists, self];
      const entries = items.items();
      for (let i = entries.length - 1; i >= 0; i--) {
        const item = entries[i] as Cursor;
        applyDefaults(item, defaults);
        todo.push({ c: item, lists: inner });
      }
    }
  }

  /** An object (not a List): checked for shape, then handed to the decoders. */
  item(c: Cursor, defaults: Identity): void {
    if (c.kind === "map") applyDefaults(c, defaults);
    if (c.kind !== "map" || listKind(c.value) !== undefined) {
      this.collect(c);
      return;
    }
    const problem = c.src.withinLimits ? undefined : inspectShape(c.value);
    if (!problem) {
      this.emit(c);
      return;
    }
    const at = problem.type === "expansion" ? c : descend(c, problem.path);
    const message =
      problem.type === "cycle" ? "this value contains itself (a YAML alias to an enclosing node); the object is skipped"
      : problem.type === "depth" ? `nested more than ${MAX_DEPTH} levels deep; the object is skipped`
      : `YAML aliases expand this object to more than ${MAX_EXPANDED} nodes (${problem.nodes} in its first part alone); the object is skipped`;
    const code = problem.type === "cycle" ? "yaml-alias-cycle" : problem.type === "depth" ? "nesting-too-deep" : "alias-expansion-too-large";
    at.error(code, message);
    this.sink.skipped.push({ ...identityOf(c.value), source: c.ref, reason: message });
  }
}

/** The kind of a List (a map whose kind ends in `List` and whose `items` is a list), else undefined. */
function listKind(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  const kind = v["kind"];
  return typeof kind === "string" && kind.endsWith("List") && Array.isArray(v["items"]) ? kind : undefined;
}

function descend(c: Cursor, path: readonly PathSeg[]): Cursor {
  let at = c;
  // Stop a few levels in: the place of the first deep or cyclic node is what the reader needs.
  for (const seg of path.slice(0, 16)) {
    const next = typeof seg === "number" ? at.items()[seg] : at.get(seg);
    if (!next) break;
    at = next;
  }
  return at;
}

/** apiVersion of a kind's group, for typed lists without one (`GET /api/v1/pods` has it). */
const GROUP_OF: Readonly<Record<string, string>> = {
  Pod: "v1", Namespace: "v1", Service: "v1", Endpoints: "v1", Node: "v1", ReplicationController: "v1", ConfigMap: "v1", Secret: "v1", ServiceAccount: "v1",
  Deployment: "apps/v1", ReplicaSet: "apps/v1", StatefulSet: "apps/v1", DaemonSet: "apps/v1",
  Job: "batch/v1", CronJob: "batch/v1",
  NetworkPolicy: "networking.k8s.io/v1", Ingress: "networking.k8s.io/v1", IngressClass: "networking.k8s.io/v1",
  EndpointSlice: "discovery.k8s.io/v1",
};

/** A typed list (`PodList`) gives its items kind and apiVersion; a plain `List` gives nothing. */
function itemDefaults(listKind: string, listApiVersion: unknown): Identity {
  if (listKind === "List") return {};
  const kind = listKind.slice(0, -"List".length);
  const apiVersion = typeof listApiVersion === "string" && listApiVersion !== "" ? listApiVersion : GROUP_OF[kind];
  return apiVersion === undefined ? { kind } : { kind, apiVersion };
}

/** Items of a typed list carry no kind/apiVersion: fill them in (on our own parsed value). */
function applyDefaults(item: Cursor, d: Identity): void {
  const v = item.value;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return;
  const rec = v as Record<string, unknown>;
  if (d.kind !== undefined && rec["kind"] === undefined) rec["kind"] = d.kind;
  if (d.apiVersion !== undefined && rec["apiVersion"] === undefined) rec["apiVersion"] = d.apiVersion;
}

export function objectCursors(file: InputFile, sink: ReadSink): Cursor[] {
  const out: Cursor[] = [];
  forEachObject(file, sink, (c) => out.push(c));
  return out;
}

/**
 * Each object of `file`, in input order, handed to `visit` as soon as its document is read:
 * a document's parsed value is garbage once its objects are decoded, instead of every document
 * of a 70 MB file staying alive until the last is parsed. JSON Lists of `splitJsonListsAt`
 * characters or more are read item by item (the same objects, places and diagnostics).
 */
export function forEachObject(file: InputFile, sink: ReadSink, visit: (c: Cursor) => void, splitJsonListsAt = SPLIT_JSON_LIST_AT): void {
  const reader = new FileReader(file, sink, visit, splitJsonListsAt);
  for (const [start, end] of splitDocuments(file.text)) reader.document(start, end);
}
