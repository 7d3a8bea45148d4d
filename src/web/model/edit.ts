/**
 * @module edit
 * A what-if edit applied to the input files: replace the document of one object, or add new
 * documents as a file of their own. The original files are never changed.
 */
import type { InputFileMsg } from "../protocol.js";
import { documentSpan, replaceSpan, spanText } from "./documents.js";

export type Edit =
  | { readonly type: "replace"; readonly file: string; readonly line: number; readonly text: string }
  | { readonly type: "add"; readonly text: string };

export const ADDED_FILE = "what-if.yaml";

export function applyEdit(files: readonly InputFileMsg[], edit: Edit): InputFileMsg[] {
  if (edit.type === "add") return [...files, { path: ADDED_FILE, text: edit.text }];
  return files.map((f) => (f.path === edit.file ? { path: f.path, text: replaceSpan(f.text, documentSpan(f.text, edit.line), edit.text) } : f));
}

/** The text of the document an object starts in (what the editor is filled with). */
export function documentOf(files: readonly InputFileMsg[], file: string, line: number): string | undefined {
  const f = files.find((x) => x.path === file);
  return f ? spanText(f.text, documentSpan(f.text, line)) : undefined;
}
