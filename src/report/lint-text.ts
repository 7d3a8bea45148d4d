/**
 * @module lint-text
 * Lint findings as a kubectl-style table and as CONTRACT.md's JSON shape
 * `{ "findings": [ { code, severity, message, object, file, line, hint } ] }`.
 */
import type { Finding } from "../lint/index.js";
import { renderTable } from "./text-table.js";

export interface LintJson {
  readonly findings: readonly {
    readonly code: string;
    readonly severity: string;
    readonly message: string;
    readonly object: string;
    readonly file: string;
    readonly line: number;
    readonly hint: string;
  }[];
}

export function lintJson(findings: readonly Finding[]): LintJson {
  return {
    findings: findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, object: f.object, file: f.source.file, line: f.source.line, hint: f.hint })),
  };
}

export function lintTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return "No findings.\n";
  const rows = findings.map((f) => [`${f.source.file}:${f.source.line}`, f.severity, f.code, f.object, f.message]);
  const lines = renderTable(["LOCATION", "SEVERITY", "CODE", "OBJECT", "MESSAGE"], rows).split("\n");
  const out = [lines[0] ?? ""];
  findings.forEach((f, i) => out.push(lines[i + 1] ?? "", `    hint: ${f.hint}`));
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  out.push("", `${findings.length} finding(s): ${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} info`);
  return out.join("\n") + "\n";
}
