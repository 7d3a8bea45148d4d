/**
 * @module nft-ast
 * A tiny nftables AST (table, chains, sets, maps) and its printer, in the layout of
 * `nft list table`. Rule bodies are kept as the text kube-proxy writes (knftables syntax);
 * `nft list` would print some of them in normalised form (e.g. `meta mark`, `0x00004000`).
 */
export type ChainType = "filter" | "nat";
export type Hook = "prerouting" | "input" | "forward" | "output" | "postrouting";

export interface BaseChain {
  readonly name: string;
  readonly type: ChainType;
  readonly hook: Hook;
  /** nft priority expression, e.g. `dstnat - 10`. */
  readonly priority: string;
}

export interface NftChain {
  readonly name: string;
  readonly base?: BaseChain;
  readonly comment?: string;
  readonly rules: string[];
}

export interface NftElement {
  readonly key: string;
  readonly value?: string;
  readonly comment?: string;
}

export interface NftSet {
  readonly kind: "set" | "map";
  readonly name: string;
  readonly type: string;
  readonly comment?: string;
  readonly flags?: readonly string[];
  readonly timeoutSeconds?: number;
  readonly elements: NftElement[];
}

export interface NftTable {
  readonly family: "ip" | "ip6";
  readonly name: string;
  readonly comment: string;
  readonly sets: NftSet[];
  readonly chains: NftChain[];
}

const T = "\t";

function printSet(s: NftSet): string[] {
  const out = [`${T}${s.kind} ${s.name} {`, `${T}${T}type ${s.type}`];
  if (s.flags?.length) out.push(`${T}${T}flags ${s.flags.join(",")}`);
  if (s.timeoutSeconds !== undefined) out.push(`${T}${T}timeout ${s.timeoutSeconds}s`);
  if (s.comment) out.push(`${T}${T}comment "${s.comment}"`);
  if (s.elements.length > 0) {
    const el = s.elements.map((e) => `${e.key}${e.comment ? ` comment "${e.comment}"` : ""}${e.value !== undefined ? ` : ${e.value}` : ""}`);
    out.push(`${T}${T}elements = { ${el.join(`,\n${T}${T}${T}     `)} }`);
  }
  out.push(`${T}}`);
  return out;
}

function printChain(c: NftChain): string[] {
  const out = [`${T}chain ${c.name} {`];
  if (c.comment) out.push(`${T}${T}comment "${c.comment}"`);
  if (c.base) out.push(`${T}${T}type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority}; policy accept;`);
  for (const r of c.rules) out.push(`${T}${T}${r}`);
  out.push(`${T}}`);
  return out;
}

export function printTable(t: NftTable): string {
  const body = [`${T}comment "${t.comment}"`, ...t.sets.flatMap(printSet), ...t.chains.flatMap(printChain)];
  return [`table ${t.family} ${t.name} {`, ...body, "}"].join("\n") + "\n";
}
