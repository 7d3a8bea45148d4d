/**
 * @module calico-selector-parse
 * Calico's selector tokenizer and parser (libcalico-go lib/selector/tokenizer/tokenizer.go and
 * parser/parser.go), with the 1-based column and text of the offending token in every error.
 * The grammar and semantics are restated in calico-selector.ts.
 */
import type { CalicoSelector } from "../model/index.js";

type TokKind =
  | "Label" | "String" | "LBrace" | "RBrace" | "Comma" | "Eq" | "Ne" | "In" | "Not" | "NotIn"
  | "Contains" | "StartsWith" | "EndsWith" | "All" | "Has" | "LParen" | "RParen" | "And" | "Or" | "Global" | "EOF";

interface Token {
  readonly kind: TokKind;
  readonly value: string;
  /** 1-based column of the token's first character in the selector text. */
  readonly column: number;
  /** The token as written (for messages). */
  readonly text: string;
}

export interface SelectorError {
  readonly column: number;
  /** The offending token as written, or "end of selector". */
  readonly token: string;
  readonly message: string;
}

export type SelectorParse = { readonly ok: true; readonly selector: CalicoSelector } | { readonly ok: false; readonly error: SelectorError };

class ParseFailure {
  constructor(readonly error: SelectorError) {}
}

const END = "end of selector";

function fail(column: number, token: string, message: string): never {
  throw new ParseFailure({ column, token, message });
}

function isIdentChar(c: string): boolean {
  return /[A-Za-z0-9_./-]/.test(c);
}

/** Calico's findIdentifier: the identifier characters at the start of `s`. */
function identAt(s: string, i: number): string {
  let j = i;
  while (j < s.length && isIdentChar(s.charAt(j))) j++;
  return s.slice(i, j);
}

function skipBlanks(s: string, i: number): number {
  let j = i;
  while (j < s.length && (s[j] === " " || s[j] === "\t")) j++;
  return j;
}

const SIMPLE: Readonly<Record<string, TokKind>> = { "(": "LParen", ")": "RParen", "{": "LBrace", "}": "RBrace", ",": "Comma" };

/** tokenizer.go AppendTokens, with columns. */
function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokKind, start: number, end: number, value = ""): void => {
    out.push({ kind, value, column: start + 1, text: s.slice(start, end) });
    i = end;
  };
  for (;;) {
    i = skipBlanks(s, i);
    if (i >= s.length) {
      out.push({ kind: "EOF", value: "", column: s.length + 1, text: END });
      return out;
    }
    const c = s.charAt(i);
    const simple = SIMPLE[c];
    if (simple) {
      push(simple, i, i + 1);
      continue;
    }
    if (c === '"' || c === "'") {
      const close = s.indexOf(c, i + 1);
      if (close < 0) fail(i + 1, s.slice(i), "unterminated string");
      push("String", i, close + 1, s.slice(i + 1, close));
      continue;
    }
    if (c === "=" || c === "&" || c === "|") {
      const kind: TokKind = c === "=" ? "Eq" : c === "&" ? "And" : "Or";
      if (s.charAt(i + 1) !== c) fail(i + 1, c, `expected ${c}${c}`);
      push(kind, i, i + 2);
      continue;
    }
    if (c === "!") {
      if (s.charAt(i + 1) === "=") push("Ne", i, i + 2);
      else push("Not", i, i + 1);
      continue;
    }
    if (out[out.length - 1]?.kind === "Label") {
      operatorAfterLabel(s, i, out, push);
      continue;
    }
    const call = /^(has|all|global)\(/.exec(s.slice(i));
    if (call) {
      const start = i;
      let j = skipBlanks(s, i + call[0].length);
      let label = "";
      if (call[1] === "has") {
        label = identAt(s, j);
        if (!label) fail(j + 1, s.charAt(j) || END, "no label name in has( expression");
        j = skipBlanks(s, j + label.length);
      }
      if (s.charAt(j) !== ")") fail(j + 1, s.charAt(j) || END, `no closing ')' after ${call[1]}(`);
      push(call[1] === "has" ? "Has" : call[1] === "all" ? "All" : "Global", start, j + 1, label);
      continue;
    }
    const ident = identAt(s, i);
    if (!ident) fail(i + 1, c, "unexpected character");
    push("Label", i, i + ident.length, ident);
  }
}

/** After a label only an operator word may follow: contains, starts with, ends with, not in, in. */
function operatorAfterLabel(s: string, i: number, out: Token[], push: (kind: TokKind, start: number, end: number) => void): void {
  const rest = s.slice(i);
  const label = out[out.length - 1]?.value ?? "";
  const expecting = (): never => fail(i + 1, identAt(s, i) || s.charAt(i), `unexpected characters after label '${label}', was expecting an operator`);
  if (rest.startsWith("contains")) return push("Contains", i, i + 8);
  for (const [word, second, kind] of [["starts", "with", "StartsWith"], ["ends", "with", "EndsWith"], ["not", "in", "NotIn"]] as const) {
    if (!rest.startsWith(word)) continue;
    const j = skipBlanks(s, i + word.length);
    if (!s.startsWith(second, j)) return expecting();
    return push(kind, i, j + second.length);
  }
  if (rest.startsWith("in")) return push("In", i, i + 2);
  return expecting();
}

function single(ops: readonly CalicoSelector[]): CalicoSelector | undefined {
  return ops.length === 1 ? ops[0] : undefined;
}

class Parser {
  private pos = 0;
  constructor(private readonly toks: readonly Token[]) {}

  private peek(offset = 0): Token {
    const t = this.toks[Math.min(this.pos + offset, this.toks.length - 1)];
    if (!t) throw new Error("token stream without EOF");
    return t;
  }

  root(): CalicoSelector {
    if (this.peek().kind === "EOF") return { type: "All" };
    const sel = this.or();
    const rest = this.peek();
    if (rest.kind !== "EOF") fail(rest.column, rest.text, "unexpected content at end of selector");
    return sel;
  }

  private or(): CalicoSelector {
    const ops = [this.and()];
    while (this.peek().kind === "Or") {
      this.pos++;
      ops.push(this.and());
    }
    return single(ops) ?? { type: "Or", operands: ops };
  }

  private and(): CalicoSelector {
    const ops = [this.operation()];
    while (this.peek().kind === "And") {
      this.pos++;
      ops.push(this.operation());
    }
    return single(ops) ?? { type: "And", operands: ops };
  }

  private operation(): CalicoSelector {
    let negated = false;
    while (this.peek().kind === "Not") {
      negated = !negated;
      this.pos++;
    }
    const sel = this.positive();
    return negated ? { type: "Not", operand: sel } : sel;
  }

  private positive(): CalicoSelector {
    const t = this.peek();
    switch (t.kind) {
      case "Has":
        this.pos++;
        return { type: "Has", label: t.value };
      case "All":
        this.pos++;
        return { type: "All" };
      case "Global":
        this.pos++;
        return { type: "Global" };
      case "LParen": {
        this.pos++;
        const inner = this.or();
        const close = this.peek();
        if (close.kind !== "RParen") fail(close.column, close.text, "expected )");
        this.pos++;
        return inner;
      }
      case "Label":
        return this.comparison(t);
      default:
        return fail(t.column, t.text, t.kind === "EOF" ? "unexpected end of selector, expected an expression" : "unexpected token, expected a label, has(), all(), global(), ! or (");
    }
  }

  private comparison(label: Token): CalicoSelector {
    const op = this.peek(1);
    const arg = this.peek(2);
    if (op.kind === "EOF") fail(op.column, op.text, `unexpected end of selector after label '${label.value}', expected an operator`);
    const binary: Partial<Record<TokKind, "Eq" | "Ne" | "Contains" | "StartsWith" | "EndsWith">> = { Eq: "Eq", Ne: "Ne", Contains: "Contains", StartsWith: "StartsWith", EndsWith: "EndsWith" };
    const b = binary[op.kind];
    if (b) {
      if (arg.kind !== "String") fail(arg.column, arg.text, "expected string");
      this.pos += 3;
      return { type: b, label: label.value, value: arg.value };
    }
    if (op.kind === "In" || op.kind === "NotIn") {
      if (arg.kind !== "LBrace") fail(arg.column, arg.text, "expected set literal");
      this.pos += 3;
      const values: string[] = [];
      while (this.peek().kind === "String") {
        values.push(this.peek().value);
        this.pos++;
        if (this.peek().kind !== "Comma") break;
        this.pos++;
      }
      const close = this.peek();
      if (close.kind !== "RBrace") fail(close.column, close.text, "expected }");
      this.pos++;
      return { type: op.kind, label: label.value, values: [...new Set(values)].sort(compareBytes) };
    }
    return fail(op.column, op.text, "expected == or != or another operator");
  }
}

/** Go's sort.Strings order (byte-wise; for the BMP, UTF-16 code units agree). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Parses a selector; never throws on user input. */
export function parseCalicoSelector(text: string): SelectorParse {
  try {
    return { ok: true, selector: new Parser(tokenize(text)).root() };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: e.error };
    throw e;
  }
}

/** `column N: message (at 'token')` */
export function formatSelectorError(e: SelectorError): string {
  return `column ${e.column}: ${e.message} (at ${e.token === END ? END : `'${e.token}'`})`;
}

