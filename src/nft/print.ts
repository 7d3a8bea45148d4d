/**
 * @module nft/print
 * Render the AST as `nft -f` input, deterministically (same AST ⇒ same bytes): tab indentation as
 * `nft list ruleset` prints, long element lists wrapped, comments sanitized and bounded (nft keeps at
 * most 128 bytes of a comment). `replaceScript` wraps a table in the add/delete/define idiom so one
 * `nft -f` transaction atomically swaps the whole table.
 */
import type { Action, BaseChain, Chain, Expr, IpFamily, Match, NamedSet, PortRange, Statement, Table, Verdict, VerdictElement } from "./ast.js";

const MAX_COMMENT = 120;

/** A comment nft accepts: printable ASCII without quotes, at most 120 characters. */
export function sanitizeComment(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, "?").replace(/["\\]/g, "'");
  return clean.length <= MAX_COMMENT ? clean : `${clean.slice(0, MAX_COMMENT - 3)}...`;
}

/**
 * How comments print: sanitized (the `kwire` layout), or as given (`nft-list`: the Service tables'
 * comments are Kubernetes names and fixed texts, written as kube-proxy writes them).
 */
type CommentText = (c: string) => string;
const verbatim: CommentText = (c) => c;
const textOf = (t: Pick<Table, "layout">): CommentText => (t.layout === "nft-list" ? verbatim : sanitizeComment);

const comment = (c: string | undefined, text: CommentText = sanitizeComment): string => (c === undefined ? "" : ` comment "${text(c)}"`);

export function printVerdict(v: Verdict): string {
  switch (v.type) {
    case "accept":
    case "drop":
    case "return":
      return v.type;
    case "jump":
      return `jump ${v.chain}`;
    case "goto":
      return `goto ${v.chain}`;
  }
}

const range = (r: PortRange): string => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);

function braces(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `{ ${items.join(", ")} }`;
}

/** `ip` or `ip6`: the payload expression of an address family (absent: IPv4). */
export const ipKeyword = (family: IpFamily | undefined): string => (family === 6 ? "ip6" : "ip");

export function printExpr(e: Expr): string {
  switch (e.type) {
    case "addr":
      return `${ipKeyword(e.ipFamily)} ${e.field}`;
    case "l4proto":
      return "meta l4proto";
    case "dport":
      return `${e.protocol ?? "th"} dport`;
    case "numgen":
      return `numgen random mod ${e.mod}`;
  }
}

/** A concatenation: `ip daddr . meta l4proto . th dport`. */
export const printKey = (key: readonly Expr[]): string => key.map(printExpr).join(" . ");

const hex = (n: number): string => `0x${n.toString(16)}`;

export function printMatch(m: Match): string {
  switch (m.type) {
    case "ct-state":
      return `ct state ${m.states.join(",")}`;
    case "ct-status":
      return `ct status ${m.status}`;
    case "addr":
      return `${ipKeyword(m.ipFamily)} ${m.field} @${m.set}`;
    case "addr-literal": {
      const value = m.anonymousSet === true ? `{ ${m.elements.join(", ")} }` : braces(m.elements);
      return `${ipKeyword(m.ipFamily)} ${m.field} ${m.negate === true ? "!= " : ""}${value}`;
    }
    case "fib-local":
      return `fib ${m.field} type local`;
    case "mark-clear":
      return `mark and ${hex(m.mask)} == 0`;
    case "icmpv6-type":
      return `icmpv6 type ${braces(m.types)}`;
    case "nfproto":
      return `meta nfproto ${m.ipFamily === 6 ? "ipv6" : "ipv4"}`;
    case "l4proto":
      return `meta l4proto ${m.protocol}`;
    case "dport":
      return `${m.protocol ?? "th"} dport ${braces(m.ranges.map(range))}`;
    case "dport-set":
      return `th dport @${m.set}`;
    case "addr-pair":
      return `${ipKeyword(m.ipFamily)} saddr . ${ipKeyword(m.ipFamily)} daddr @${m.set}`;
    case "icmp-type":
      return `${m.ipFamily === 6 ? "icmpv6" : "icmp"} type ${braces(m.ranges.map(range))}`;
    case "icmp-code":
      return `${m.ipFamily === 6 ? "icmpv6" : "icmp"} code ${braces(m.ranges.map(range))}`;
  }
}

export function printAction(a: Action): string {
  switch (a.type) {
    case "mark-set":
      return `mark set mark ${a.op} ${hex(a.value)}`;
    case "masquerade":
      return a.fullyRandom === true ? "masquerade fully-random" : "masquerade";
    case "reject":
      return "reject";
    case "dnat":
      return `dnat to ${a.to}`;
    case "dnat-map":
      return `dnat ${ipKeyword(a.ipFamily)} to ${printKey(a.key)} map @${a.map}`;
    case "addr-set-map":
      return `${ipKeyword(a.ipFamily)} ${a.field} set ${printKey(a.key)} map @${a.map}`;
    case "set-update":
      return `update @${a.set} { ${printKey(a.key)} }`;
  }
}

const verdictElement = (e: VerdictElement, text: CommentText): string => `${e.key}${comment(e.comment, text)} : ${printVerdict(e.verdict)}`;

/** One rule's text (`ct state new ip daddr @x reject comment "…"`); comments as the table's layout prints them. */
export function printStatement(s: Statement, text: CommentText = sanitizeComment): string {
  const parts = (s.matches ?? []).map(printMatch);
  if (s.type === "vmap") {
    const map = typeof s.map === "string" ? `@${s.map}` : `{ ${s.map.map((e) => verdictElement(e, text)).join(" , ")} }`;
    parts.push(`${printKey(s.key)} vmap ${map}`);
  } else {
    parts.push(...(s.actions ?? []).map(printAction));
    if (s.verdict !== undefined) parts.push(printVerdict(s.verdict));
  }
  return parts.join(" ") + comment(s.comment, text);
}

function priority(p: number | string): string {
  if (typeof p === "string") return p;
  return p === 0 ? "filter" : p > 0 ? `filter + ${p}` : `filter - ${-p}`;
}

const baseLine = (b: BaseChain): string => `type ${b.type} hook ${b.hook} priority ${priority(b.priority)}; policy ${b.policy};`;

function wrapElements(items: readonly string[], indent: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += 8) {
    const chunk = items.slice(i, i + 8).join(", ");
    lines.push(`${indent}${chunk}${i + 8 < items.length ? "," : ""}`);
  }
  return lines;
}

function typeLine(s: NamedSet): string {
  switch (s.kind) {
    case "set":
      return `type ${s.addrType}`;
    case "vmap":
      return `type ${s.addrType} : verdict`;
    case "map":
      return `typeof ${printKey(s.key)} : ${printKey(s.value)}`;
  }
}

function elementTexts(s: NamedSet, text: CommentText): string[] {
  switch (s.kind) {
    case "set":
      return [...s.elements];
    case "vmap":
      return s.elements.map((e) => verdictElement(e, text));
    case "map":
      return s.elements.map((e) => `${e.key} : ${e.value}`);
  }
}

function printSet(s: NamedSet, t: Pick<Table, "layout">): string[] {
  const text = textOf(t);
  const keyword = s.kind === "set" ? "set" : "map";
  const out = [`\t${keyword} ${s.name} {`, `\t\t${typeLine(s)}`];
  if (s.kind === "set" && s.flags !== undefined && s.flags.length > 0) out.push(`\t\tflags ${s.flags.join(",")}`);
  if (s.kind === "set" && s.timeoutSeconds !== undefined) out.push(`\t\ttimeout ${s.timeoutSeconds}s`);
  if (s.kind !== "map" && s.comment !== undefined) out.push(`\t\tcomment "${text(s.comment)}"`);
  const items = elementTexts(s, text);
  if (items.length > 0) {
    if (t.layout === "nft-list") out.push(`\t\telements = { ${items.join(",\n\t\t\t     ")} }`);
    else out.push(`\t\telements = {`, ...wrapElements(items, "\t\t\t"), `\t\t}`);
  }
  out.push(`\t}`);
  return out;
}

function printChain(c: Chain, text: CommentText): string[] {
  const out = [`\tchain ${c.name} {`];
  if (c.comment !== undefined) out.push(`\t\tcomment "${text(c.comment)}"`);
  if (c.base !== undefined) out.push(`\t\t${baseLine(c.base)}`);
  for (const s of c.statements) out.push(`\t\t${printStatement(s, text)}`);
  out.push(`\t}`);
  return out;
}

/** The table as `nft -f` input (and close to what `nft list table` prints). */
export function printTable(t: Table): string {
  const text = textOf(t);
  const out = [`table ${t.family} ${t.name} {`];
  if (t.comment !== undefined) out.push(`\tcomment "${text(t.comment)}"`);
  const blocks = [...t.sets.map((s) => printSet(s, t)), ...t.chains.map((c) => printChain(c, text))];
  blocks.forEach((b, i) => {
    if (i > 0 && t.layout !== "nft-list") out.push("");
    out.push(...b);
  });
  out.push("}");
  return out.join("\n") + "\n";
}

/** One transaction that replaces the table wholesale (creating it first so `delete` cannot fail). */
export function replaceScript(t: Table): string {
  return `add table ${t.family} ${t.name}\ndelete table ${t.family} ${t.name}\n${printTable(t)}`;
}

/**
 * One transaction that replaces a node's policy tables (`tables`, from `compilePolicyTables`) and
 * removes every other shard name kwire may have loaded before (`names`): all or nothing.
 */
export function replaceAllScript(tables: readonly Table[], names: readonly { family: Table["family"]; name: string }[]): string {
  const drop = names.map((t) => deleteScript(t.family, t.name)).join("");
  return `${drop}${tables.map(printTable).join("\n")}`;
}

/** One transaction that removes the table (adding it first so a missing table is not an error). */
export function deleteScript(family: Table["family"], name: string): string {
  return `add table ${family} ${name}\ndelete table ${family} ${name}\n`;
}
