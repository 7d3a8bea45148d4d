/**
 * @module nft/print
 * Render the AST as `nft -f` input, deterministically (same AST ⇒ same bytes): tab indentation as
 * `nft list ruleset` prints, long element lists wrapped, comments sanitized and bounded (nft keeps at
 * most 128 bytes of a comment). `replaceScript` wraps a table in the add/delete/define idiom so one
 * `nft -f` transaction atomically swaps the whole table.
 */
import type { AddrSet, BaseChain, Chain, IpFamily, Match, PortRange, Statement, Table, Verdict, VerdictMap } from "./ast.js";

const MAX_COMMENT = 120;

/** A comment nft accepts: printable ASCII without quotes, at most 120 characters. */
export function sanitizeComment(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, "?").replace(/["\\]/g, "'");
  return clean.length <= MAX_COMMENT ? clean : `${clean.slice(0, MAX_COMMENT - 3)}...`;
}

const comment = (c: string | undefined): string => (c === undefined ? "" : ` comment "${sanitizeComment(c)}"`);

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

export function printMatch(m: Match): string {
  switch (m.type) {
    case "ct-state":
      return `ct state ${m.states.join(",")}`;
    case "addr":
      return `${ipKeyword(m.ipFamily)} ${m.field} @${m.set}`;
    case "addr-literal":
      return `${ipKeyword(m.ipFamily)} ${m.field} ${braces(m.elements)}`;
    case "icmpv6-type":
      return `icmpv6 type ${braces(m.types)}`;
    case "nfproto":
      return `meta nfproto ${m.ipFamily === 6 ? "ipv6" : "ipv4"}`;
    case "l4proto":
      return `meta l4proto ${m.protocol}`;
    case "dport":
      return `th dport ${braces(m.ranges.map(range))}`;
    case "dport-set":
      return `th dport @${m.set}`;
    case "addr-pair":
      return `${ipKeyword(m.ipFamily)} saddr . ${ipKeyword(m.ipFamily)} daddr @${m.set}`;
    case "icmp-type":
      return `icmp type ${braces(m.ranges.map(range))}`;
    case "icmp-code":
      return `icmp code ${braces(m.ranges.map(range))}`;
  }
}

export function printStatement(s: Statement): string {
  if (s.type === "vmap") return `${ipKeyword(s.ipFamily)} ${s.field} vmap @${s.map}${comment(s.comment)}`;
  return [...s.matches.map(printMatch), printVerdict(s.verdict)].join(" ") + comment(s.comment);
}

function priority(p: number): string {
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

function printSet(s: AddrSet): string[] {
  const out = [`\tset ${s.name} {`, `\t\ttype ${s.addrType}`];
  if (!s.addrType.includes(" . ")) out.push(`\t\tflags interval`);
  if (s.comment !== undefined) out.push(`\t\tcomment "${sanitizeComment(s.comment)}"`);
  if (s.elements.length > 0) out.push(`\t\telements = {`, ...wrapElements(s.elements, "\t\t\t"), `\t\t}`);
  out.push(`\t}`);
  return out;
}

function printMap(m: VerdictMap): string[] {
  const out = [`\tmap ${m.name} {`, `\t\ttype ${m.addrType} : verdict`];
  const items = m.elements.map((e) => `${e.key} : ${printVerdict(e.verdict)}`);
  if (items.length > 0) out.push(`\t\telements = {`, ...wrapElements(items, "\t\t\t"), `\t\t}`);
  out.push(`\t}`);
  return out;
}

function printChain(c: Chain): string[] {
  const out = [`\tchain ${c.name} {`];
  if (c.comment !== undefined) out.push(`\t\tcomment "${sanitizeComment(c.comment)}"`);
  if (c.base !== undefined) out.push(`\t\t${baseLine(c.base)}`);
  for (const s of c.statements) out.push(`\t\t${printStatement(s)}`);
  out.push(`\t}`);
  return out;
}

/** The table as `nft -f` input (and close to what `nft list table` prints). */
export function printTable(t: Table): string {
  const out = [`table ${t.family} ${t.name} {`];
  if (t.comment !== undefined) out.push(`\tcomment "${sanitizeComment(t.comment)}"`);
  const blocks = [...t.sets.map(printSet), ...t.maps.map(printMap), ...t.chains.map(printChain)];
  blocks.forEach((b, i) => {
    if (i > 0) out.push("");
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
