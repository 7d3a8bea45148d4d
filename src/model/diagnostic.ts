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
  "yaml-alias-cycle",
  "alias-expansion-too-large",
  "nesting-too-deep",
  "unrendered-template",
  "kustomization",
  "cidr-non-standard",
  "cidr-host-bits",
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];
export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly source: SourceRef;
  readonly hint?: string;
  /**
   * Set when this error cost only one list entry, the field path of that entry (e.g.
   * `spec.containers[0].ports[1]`): the object itself was kept and analysed. Absent: an error
   * skips the whole object (or document). `--strict` fails on both.
   */
  readonly entry?: string;
}

/**
 * Something the input declared that kwire did not analyse: a whole object (a document that
 * would not parse, an object with an error) or, with `entry`, one list entry of an object that
 * was otherwise kept. kind/namespace/name are filled whenever the document has them, even when
 * it could not be parsed (they are then read from its text).
 */
export interface SkippedObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly source: SourceRef;
  /** The first error that caused the skip, e.g. `invalid CIDR "10.0.0.0/33": …`. */
  readonly reason: string;
  /** Field path of the one entry dropped (e.g. `spec.template.spec.containers[0].ports[1]`). */
  readonly entry?: string;
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
