/**
 * @module diagnostic
 * Problems found in user input are data with a place, never exceptions. Codes are stable
 * kebab-case strings; prose is rendered by `renderDiagnostic`.
 */
import { formatSource, type SourceRef } from "./source-ref.js";

export const DIAGNOSTIC_CODES = [
  "yaml-syntax",
  "not-an-object",
  "missing-field",
  "wrong-type",
  "invalid-value",
  "unknown-field",
  "invalid-cidr",
  "except-outside-cidr",
  "invalid-port",
  "invalid-protocol",
  "end-port-without-port",
  "end-port-with-named-port",
  "end-port-below-port",
  "ipblock-with-selector",
  "empty-peer",
  "invalid-label-selector",
  "named-port-with-ipblock",
  "duplicate-object",
  "unsupported-kind",
  "file-unreadable",
  "no-input",
  "policy-kind-not-modelled",
  "peer-not-modelled",
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly source: SourceRef;
  readonly hint?: string;
}

export function diagnostic(
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  source: SourceRef,
  hint?: string,
): Diagnostic {
  return hint === undefined ? { code, severity, message, source } : { code, severity, message, source, hint };
}

/** `file:line:col: error[code]: message (at path)` and an optional hint line. */
export function renderDiagnostic(d: Diagnostic): string {
  const where = formatSource(d.source);
  const path = d.source.path ? ` (field ${d.source.path})` : "";
  const hint = d.hint ? `\n  hint: ${d.hint}` : "";
  return `${where}: ${d.severity}[${d.code}]: ${d.message}${path}${hint}`;
}
