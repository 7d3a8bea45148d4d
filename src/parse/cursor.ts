/**
 * @module cursor
 * A read-only view of one YAML node with its place (file, line, column, field path). Decoders
 * walk documents through cursors and report problems as diagnostics; they never throw.
 */
import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";
import { diagnostic, type Diagnostic, type DiagnosticCode, type Severity, type SourceRef } from "../model/index.js";

export interface DecodeContext {
  readonly file: string;
  readonly lineCounter: LineCounter;
  readonly diagnostics: Diagnostic[];
}

type Kind = "null" | "missing" | "map" | "seq" | "string" | "number" | "boolean" | "other";

export class Cursor {
  constructor(
    readonly ctx: DecodeContext,
    readonly node: Node | null | undefined,
    readonly path: string,
    /** Offset used when the node itself has no position (missing keys, empty values). */
    readonly fallbackOffset: number,
  ) {}

  get ref(): SourceRef {
    const offset = this.node?.range?.[0] ?? this.fallbackOffset;
    const pos = this.ctx.lineCounter.linePos(offset);
    return { file: this.ctx.file, line: pos.line, column: pos.col, path: this.path };
  }

  get kind(): Kind {
    const n = this.node;
    if (n === undefined) return "missing";
    if (n === null) return "null";
    if (isMap(n)) return "map";
    if (isSeq(n)) return "seq";
    if (isScalar(n)) {
      const v = n.value;
      if (v === null || v === undefined) return "null";
      if (typeof v === "string") return "string";
      if (typeof v === "number" || typeof v === "bigint") return "number";
      if (typeof v === "boolean") return "boolean";
    }
    return "other";
  }

  /** Absent or explicitly null (`key:` / `key: null`). */
  get isAbsent(): boolean {
    return this.kind === "missing" || this.kind === "null";
  }

  report(code: DiagnosticCode, severity: Severity, message: string, hint?: string): void {
    this.ctx.diagnostics.push(diagnostic(code, severity, message, this.ref, hint));
  }

  error(code: DiagnosticCode, message: string, hint?: string): void {
    this.report(code, "error", message, hint);
  }

  private pairs(): Pair[] {
    const n = this.node;
    return n && isMap(n) ? (n.items as Pair[]) : [];
  }

  private childPath(key: string): string {
    const safe = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
    return this.path ? `${this.path}.${safe}` : safe;
  }

  get(key: string): Cursor {
    for (const p of this.pairs()) {
      const k = isScalar(p.key) ? p.key.value : p.key;
      if (String(k) === key) {
        const keyOffset = isScalar(p.key) ? (p.key.range?.[0] ?? this.fallbackOffset) : this.fallbackOffset;
        return new Cursor(this.ctx, (p.value as Node | null) ?? null, this.childPath(key), keyOffset);
      }
    }
    return new Cursor(this.ctx, undefined, this.childPath(key), this.node?.range?.[0] ?? this.fallbackOffset);
  }

  keys(): string[] {
    return this.pairs().map((p) => String(isScalar(p.key) ? p.key.value : p.key));
  }

  /** Entries of a map, each as (key, value cursor). */
  entries(): [string, Cursor][] {
    return this.keys().map((k) => [k, this.get(k)]);
  }

  items(): Cursor[] {
    const n = this.node;
    if (!n || !isSeq(n)) return [];
    return n.items.map((item, i) => {
      const node = isPair(item) ? null : ((item as Node | null) ?? null);
      return new Cursor(this.ctx, node, `${this.path}[${i}]`, n.range?.[0] ?? this.fallbackOffset);
    });
  }

  scalar(): unknown {
    const n = this.node;
    return n && isScalar(n) ? n.value : undefined;
  }

  /** Reports fields not in `allowed` (as `kubectl --validate=strict` would). */
  checkKeys(allowed: readonly string[], severity: Severity = "error"): void {
    for (const k of this.keys()) {
      if (!allowed.includes(k)) {
        this.get(k).report("unknown-field", severity, `unknown field "${k}"`, `known fields here: ${allowed.join(", ")}`);
      }
    }
  }

  expect(kind: "map" | "seq" | "string" | "number" | "boolean", what: string = kind): boolean {
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
    return v;
  }

  optBool(): boolean | undefined {
    if (this.isAbsent) return undefined;
    return this.expect("boolean") ? Boolean(this.scalar()) : undefined;
  }

  /** A map of string to string (labels, matchLabels). Non-string values are errors. */
  stringMap(): Record<string, string> {
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
