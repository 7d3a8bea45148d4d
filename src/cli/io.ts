/**
 * @module io
 * Files, directories and stdin in; exit codes and output streams out. The only place with Node I/O
 * for analysis commands.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { renderDiagnostic, type Diagnostic } from "../model/index.js";
import type { InputFile } from "../parse/index.js";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_BAD_INPUT = 2;
/** A verdict a skipped or unmodelled policy could have changed (`kwire trace`). */
export const EXIT_UNCERTAIN = 3;

export class UsageError extends Error {
  readonly code = "usage";
}

// .conflist: CNI network configurations (/etc/cni/net.d), read as evidence of the CNI.
const MANIFEST_EXT = /\.(ya?ml|json|conflist)$/i;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (MANIFEST_EXT.test(name)) out.push(p);
  }
}

export function readInputs(paths: readonly string[], stdin: () => string): { files: InputFile[]; diagnostics: Diagnostic[] } {
  const files: InputFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const unreadable = (file: string, why: string): void => {
    diagnostics.push({ code: "file-unreadable", severity: "error", message: `cannot read ${file}: ${why}`, source: { file, line: 0, column: 0, path: "" } });
  };
  for (const p of paths) {
    if (p === "-") {
      files.push({ path: "<stdin>", text: stdin() });
      continue;
    }
    try {
      const st = statSync(p);
      const list: string[] = [];
      if (st.isDirectory()) walk(p, list);
      else list.push(p);
      if (st.isDirectory() && list.length === 0) unreadable(p, "the directory holds no .yaml, .yml or .json files");
      for (const f of list) files.push({ path: f, text: readText(f) });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      unreadable(p, err.code === "ENOENT" ? "no such file or directory" : err.message);
    }
  }
  return { files, diagnostics };
}

/**
 * A file (or fd 0) as text, decoded from UTF-8 as `readFileSync(f, "utf8")` decodes it (invalid
 * bytes become U+FFFD, a BOM is kept). Read into a buffer and decoded at once: for a 78 MB
 * `kubectl get -o json` dump that is 0.7 s where `readFileSync(f, "utf8")` took 1.0–1.1 s on
 * Node 20 (it decodes as it grows its buffer; bench/README: the whole `kwire matrix` process).
 */
export function readText(f: string | number): string {
  return readFileSync(f).toString("utf8");
}

export function readStdin(): string {
  try {
    return readText(0);
  } catch {
    return "";
  }
}

export function printDiagnostics(diags: readonly Diagnostic[], write: (s: string) => void): void {
  for (const d of diags) write(renderDiagnostic(d) + "\n");
}
