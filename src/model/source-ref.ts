/**
 * @module source-ref
 * Where a value came from: file, 1-based line and column, and the field path inside the object.
 */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path inside the document, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  readonly path: string;
}

export const unknownSource: SourceRef = { file: "<unknown>", line: 0, column: 0, path: "" };

/** `file:line:column` — the form editors and CI annotations understand. */
export function formatSource(ref: SourceRef): string {
  return ref.line > 0 ? `${ref.file}:${ref.line}:${ref.column}` : ref.file;
}
