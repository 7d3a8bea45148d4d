/**
 * @module documents
 * Files → object cursors: multi-document YAML, JSON, `kind: List` (and `*List` kinds from
 * `kubectl get -o yaml`). YAML syntax errors skip only the broken document.
 */
import { LineCounter, parseAllDocuments } from "yaml";
import type { Diagnostic } from "../model/index.js";
import { Cursor, type DecodeContext } from "./cursor.js";

export interface InputFile {
  readonly path: string;
  readonly text: string;
}

export function objectCursors(file: InputFile, diagnostics: Diagnostic[]): Cursor[] {
  const lineCounter = new LineCounter();
  const ctx: DecodeContext = { file: file.path, lineCounter, diagnostics };
  const docs = parseAllDocuments(file.text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  const out: Cursor[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lineCounter.linePos(e.pos[0]);
        diagnostics.push({
          code: "yaml-syntax",
          severity: "error",
          message: `YAML syntax error: ${e.message.split("\n")[0] ?? e.code}; this document is skipped`,
          source: { file: file.path, line: pos.line, column: pos.col, path: "" },
        });
      }
      continue;
    }
    const root = new Cursor(ctx, doc.contents, "", doc.range[0]);
    collect(root, out);
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
