/**
 * @module cursor
 * A read-only view of one value of a parsed document with its place (file, line, column, field
 * path). Decoders walk documents through cursors and report problems as diagnostics; they never
 * throw.
 */
import { diagnostic, type Diagnostic, type DiagnosticCode, type Severity, type SourceRef } from "../model/index.js";
import type { PathSeg, SourceText } from "./source-text.js";

export interface DecodeContext {
  readonly file: string;
  readonly diagnostics: Diagnostic[];
}

type Kind = "null" | "missing" | "map" | "seq" | "string" | "number" | "boolean" | "other";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const MISSING: unique symbol = Symbol("missing");
type Value = unknown;

/** A map as the decoders see it (what `kind` calls "map"). */
export function isRecord(v: Value): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * A parsed map of string to string kept as it is (labels): every value a string. The parsed map
 * is ours and read-only from here on, so it is not copied (one object less per pod). Undefined
 * for anything else.
 */
export function plainStringMap(v: Value): Record<string, string> | undefined {
  if (!isRecord(v) || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  for (const k in v) if (typeof v[k] !== "string") return undefined;
  return v as Record<string, string>;
}

/** A map key as a path segment: bare when it is a plain name (`[A-Za-z_][A-Za-z0-9_-]*`), else quoted. */
function pathKey(key: string): string {
  const n = key.length;
  if (n === 0) return JSON.stringify(key);
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!letter && (i === 0 || !((c >= 48 && c <= 57) || c === 45))) return JSON.stringify(key);
  }
  return key;
}

export class Cursor {
  private pathText: string | undefined;

  private constructor(
    readonly src: SourceText,
    readonly value: Value | typeof MISSING,
    private readonly parent: Cursor | undefined,
    /** Key or index in the parent. */
    private readonly key: PathSeg | undefined,
    /** A root's own offset (children find their owner's on demand, see `ownerOffset`). */
    private readonly rootOffset: number,
    /** For a root: the path of this value in its document when it was parsed on its own. */
    private readonly prefix = "",
  ) {}

  /**
   * The root of a parsed value. `prefix` is its field path in the document when it was parsed
   * alone (an item of a List re-read after a syntax error elsewhere: `items[3]`).
   */
  static root(src: SourceText, value: Value, prefix = ""): Cursor {
    const off = typeof value === "object" && value !== null ? (src.positions.get(value) ?? src.docStart) : src.docStart;
    return new Cursor(src, value, undefined, undefined, src.skipToContent(off), prefix);
  }

  /**
   * Offset of the nearest enclosing map or list (for values without a recorded position): asked
   * only when a place is reported, so walking a clean object never touches positions.
   */
  private get ownerOffset(): number {
    return this.parent ? this.parent.childOffset() : this.rootOffset;
  }

  /** Field path from the document root, e.g. `spec.ingress[0].from[1]` (computed on demand, once). */
  get path(): string {
    if (this.pathText !== undefined) return this.pathText;
    if (!this.parent || this.key === undefined) return this.prefix;
    const base = this.parent.path;
    const key = this.key;
    const text = typeof key === "number" ? `${base}[${key}]` : base ? `${base}.${pathKey(key)}` : pathKey(key);
    this.pathText = text;
    return text;
  }

  get segs(): PathSeg[] {
    if (!this.parent || this.key === undefined) return [];
    return [...this.parent.segs, this.key];
  }

  get ctx(): DecodeContext {
    return this.src.ctx;
  }

  /** The map/list's own position when recorded; else the exact place, found on demand. */
  get ref(): SourceRef {
    const v = this.value;
    if (typeof v === "object" && v !== null) {
      const off = this.src.positions.get(v);
      if (off !== undefined) return this.src.refAt(this.src.skipToContent(off), this.path);
    }
    const exact = this.jsonOffset(false) ?? this.src.locate(this.segs);
    return this.src.refAt(exact ?? this.ownerOffset, this.path);
  }

  /**
   * In JSON, the exact offset of this value (or, `atKey`, of its key) found by scanning from the
   * nearest enclosing map/list whose start was recorded: the cost of one object, not one file.
   * Undefined outside JSON (a YAML block map starts at its first key, not at a `{`).
   */
  private jsonOffset(atKey: boolean): number | undefined {
    const rest: PathSeg[] = [];
    let at: Cursor | undefined = this;
    let start: number | undefined;
    while (at && at.parent && at.key !== undefined) {
      rest.push(at.key);
      at = at.parent;
      const v = at.value;
      start = typeof v === "object" && v !== null ? this.src.positions.get(v) : undefined;
      if (start !== undefined) break;
    }
    if (start === undefined || !this.src.jsonAt(start)) return undefined;
    return this.src.jsonIndex.locate(start, rest.reverse(), atKey);
  }

  get kind(): Kind {
    const v = this.value;
    if (v === MISSING) return "missing";
    if (v === null || v === undefined) return "null";
    if (Array.isArray(v)) return "seq";
    if (isRecord(v)) return "map";
    if (typeof v === "string") return "string";
    if (typeof v === "number" || typeof v === "bigint") return "number";
    if (typeof v === "boolean") return "boolean";
    return "other";
  }

  /** Absent or explicitly null (`key:` / `key: null`). */
  get isAbsent(): boolean {
    const v = this.value;
    return v === MISSING || v === null || v === undefined;
  }

  report(code: DiagnosticCode, severity: Severity, message: string, hint?: string): void {
    this.src.diagnostics.push(diagnostic(code, severity, message, this.ref, hint));
  }

  error(code: DiagnosticCode, message: string, hint?: string): void {
    this.report(code, "error", message, hint);
  }

  /**
   * Decodes this list entry with `decode`; errors it reports cost only this entry (their
   * "entry"): the object around it is kept. For entries whose loss can only hide connections,
   * never add them (a containerPort, a pod IP); undefined when the entry had an error.
   */
  entry<T>(decode: (c: Cursor) => T | undefined): T | undefined {
    const ds = this.src.diagnostics;
    const before = ds.length;
    const value = decode(this);
    let failed = false;
    for (let i = before; i < ds.length; i++) {
      const d = ds[i] as Diagnostic;
      if (d.severity !== "error" || d.entry !== undefined) continue;
      failed = true;
      const path = this.path;
      // Field by field (a spread of the diagnostic cost microseconds per entry).
      const marked: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = diagnostic(d.code, d.severity, `${d.message}; this entry (${path}) is skipped, the rest of the object is analysed`, d.source, d.hint);
      marked.entry = path;
      ds[i] = marked;
    }
    return failed ? undefined : value;
  }

  private childOffset(): number {
    const v = this.value;
    if (typeof v === "object" && v !== null) {
      const off = this.src.positions.get(v);
      if (off !== undefined) return off;
    }
    return this.ownerOffset;
  }

  get(key: string): Cursor {
    const v = this.value;
    const child = isRecord(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : MISSING;
    return new Cursor(this.src, child, this, key, 0);
  }

  keys(): string[] {
    const v = this.value;
    return isRecord(v) ? Object.keys(v) : [];
  }

  entries(): [string, Cursor][] {
    return this.keys().map((k) => [k, this.get(k)]);
  }

  items(): Cursor[] {
    const v = this.value;
    if (!Array.isArray(v)) return [];
    return v.map((item: Value, i) => new Cursor(this.src, item, this, i, 0));
  }

  scalar(): unknown {
    const v = this.value;
    return v === MISSING || (typeof v === "object" && v !== null) ? undefined : v;
  }

  /** The plain value (maps and lists included), for objects kept as they are. */
  plain(): unknown {
    return this.value === MISSING ? undefined : this.value;
  }

  /** Reports fields not in `allowed` (as `kubectl --validate=strict` would). */
  checkKeys(allowed: readonly string[], severity: Severity = "error"): void {
    for (const k of this.keys()) {
      if (!allowed.includes(k)) {
        const field = this.get(k);
        const ref = field.src.refAt(field.jsonOffset(true) ?? field.src.locate(field.segs, true) ?? field.ownerOffset, field.path);
        field.src.diagnostics.push(diagnostic("unknown-field", severity, `unknown field "${k}"`, ref, `known fields here: ${allowed.join(", ")}`));
      }
    }
  }

  expect(kind: "map" | "seq" | "string" | "number" | "boolean", what: string = kind === "seq" ? "list" : kind): boolean {
    if (this.kind === kind) return true;
    if (this.kind === "missing") return false;
    this.error("wrong-type", `expected ${article(what)}, got ${describe(this)}`);
    return false;
  }

  optString(): string | undefined {
    if (this.isAbsent) return undefined;
    return this.expect("string") ? String(this.scalar()) : undefined;
  }

  reqString(): string | undefined {
    if (this.isAbsent) {
      this.error("missing-field", `required field "${lastSegment(this.path)}" is missing`);
      return undefined;
    }
    return this.optString();
  }

  optInt(): number | undefined {
    if (this.isAbsent) return undefined;
    if (!this.expect("number", "integer")) return undefined;
    const v = Number(this.scalar());
    if (!Number.isInteger(v)) {
      this.error("wrong-type", `expected an integer, got ${v}`);
      return undefined;
    }
    // Every integer field kwire reads (ports, replicas, parallelism, nodePort, endPort) is an
    // int32 in the API (k8s.io/api core/v1, apps/v1, batch/v1, networking/v1 types.go); the
    // API server cannot even decode a larger value.
    if (v < INT32_MIN || v > INT32_MAX) {
      this.error("invalid-value", `${String(this.scalar())} is outside the int32 range of this field (${INT32_MIN} to ${INT32_MAX}); the API server rejects it`);
      return undefined;
    }
    return v;
  }

  optBool(): boolean | undefined {
    if (this.isAbsent) return undefined;
    return this.expect("boolean") ? Boolean(this.scalar()) : undefined;
  }

  /** A map of string to string (labels, matchLabels). Non-string values are errors. */
  stringMap(): Record<string, string> {
    const kept = plainStringMap(this.value);
    if (kept) return kept;
    const out: Record<string, string> = {};
    if (this.isAbsent || !this.expect("map")) return out;
    for (const [k, v] of this.entries()) {
      if (v.kind === "string") out[k] = String(v.scalar());
      else v.error("wrong-type", `label "${k}" must be a string, got ${describe(v)}`, `quote it: ${k}: "${String(v.scalar() ?? "")}"`);
    }
    return out;
  }
}

function lastSegment(path: string): string {
  const m = /([^.[\]]+)\]?$/.exec(path);
  return m?.[1] ?? path;
}

function article(what: string): string {
  return /^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`;
}

export function describe(c: Cursor): string {
  switch (c.kind) {
    case "map":
      return "a map";
    case "seq":
      return "a list";
    case "string":
      return `the string ${JSON.stringify(c.scalar())}`;
    case "number":
    case "boolean":
      return `${typeof c.scalar()} ${String(c.scalar())}`;
    case "null":
      return "null";
    case "missing":
      return "nothing";
    case "other":
      return "an unsupported value";
  }
}
