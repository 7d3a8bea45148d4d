/**
 * @module documents
 * Files → object cursors: multi-document YAML, JSON, `kind: List` (and `*List` kinds from
 * `kubectl get -o yaml`). A YAML syntax error skips only the broken document.
 *
 * Parsing uses js-yaml (about 10× faster than the `yaml` library on large inputs), recording the
 * start of every map and list through its parse events; exact positions of scalars are only
 * needed for diagnostics and are then found with the `yaml` library (see source-text.ts).
 * A document that is plain JSON takes a faster path with the same positions (json-fast.ts).
 */
import yaml from "js-yaml";
import type { Diagnostic } from "../model/index.js";
import { Cursor } from "./cursor.js";
import { parseJsonWithPositions } from "./json-fast.js";
import { LineIndex, SourceText } from "./source-text.js";

export interface InputFile {
  readonly path: string;
  readonly text: string;
}

/** [start, end) of each document; `---` / `...` marker lines separate them. */
function splitDocuments(text: string): [number, number][] {
  const out: [number, number][] = [];
  const marker = /^(---|\.\.\.)(?=[ \t]|\r?$)/gm;
  let start = 0;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    out.push([start, m.index]);
    start = m.index + 3;
  }
  out.push([start, text.length]);
  return out.filter(([s, e]) => /\S/.test(stripComments(text.slice(s, e))));
}

function stripComments(s: string): string {
  return s.replace(/^\s*#.*$/gm, "");
}

interface Listener {
  (event: "open" | "close", state: { position: number; result: unknown }): void;
}

export function objectCursors(file: InputFile, diagnostics: Diagnostic[]): Cursor[] {
  const out: Cursor[] = [];
  const lines = new LineIndex(file.text);
  for (const [start, end] of splitDocuments(file.text)) {
    const positions = new Map<object, number>();
    const stack: number[] = [];
    const listener: Listener = (event, state) => {
      if (event === "open") stack.push(state.position);
      else {
        const p = stack.pop();
        const r = state.result;
        if (p !== undefined && typeof r === "object" && r !== null) positions.set(r, start + p);
      }
    };
    const src = new SourceText(file.path, file.text, start, end, positions, diagnostics, lines);
    const first = src.skipToContent(start);
    const ch = file.text.charCodeAt(first);
    const fast = ch === 123 || ch === 91 ? parseJsonWithPositions(file.text.slice(first, end), first, positions) : undefined;
    if (fast !== undefined) {
      collect(Cursor.root(src, fast.value), out);
      continue;
    }
    let value: unknown;
    try {
      value = yaml.load(file.text.slice(start, end), { schema: yaml.CORE_SCHEMA, listener } as yaml.LoadOptions);
    } catch (e) {
      const err = e as { reason?: string; message?: string; mark?: { position?: number } };
      const ref = src.refAt(start + (err.mark?.position ?? 0), "");
      // The parser notices a mistake where it stops making sense, often a line after the typo;
      // naming the document's lines lets the reader find it.
      const first = src.refAt(src.skipToContent(start), "").line;
      const last = src.refAt(Math.max(start, end - 1), "").line;
      const message = `YAML syntax error: ${err.reason ?? err.message ?? "unreadable"}; the document on lines ${first}-${last} is skipped`;
      diagnostics.push({ code: "yaml-syntax", severity: "error", message, source: ref });
      continue;
    }
    collect(Cursor.root(src, value), out);
  }
  return out;
}

function collect(c: Cursor, out: Cursor[]): void {
  if (c.isAbsent) return; // empty document (e.g. a trailing ---)
  if (c.kind !== "map") {
    c.error("not-an-object", "a Kubernetes object must be a map with apiVersion and kind; this document is skipped");
    return;
  }
  const kind = c.get("kind").scalar();
  if (typeof kind === "string" && kind.endsWith("List") && c.get("items").kind === "seq") {
    for (const item of c.get("items").items()) collect(item, out);
    return;
  }
  out.push(c);
}
