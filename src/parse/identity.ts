/**
 * @module identity
 * apiVersion, kind, namespace and name of a document read from its text, for documents that do
 * not parse: what was lost must still be named ("NetworkPolicy prod/deny-all was skipped"), since
 * a skipped policy can change verdicts. Best effort, and only ever used to describe a skip.
 * `identityOf` names a parsed object the same way (one that is skipped for an error).
 */

import { isRecord } from "./cursor.js";

export interface Identity {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

const unquote = (s: string | undefined): string | undefined => {
  if (s === undefined) return undefined;
  const t = s.trim().replace(/\s+#.*$/, "");
  const q = /^(["'])(.*)\1$/.exec(t);
  const v = q ? (q[2] ?? "") : t;
  return v === "" || /[{}[\]]/.test(v) ? undefined : v;
};

/** Reads a YAML block document (top-level keys at column `indent`) or a JSON one. */
export function scrapeIdentity(text: string, indent = 0): Identity {
  const t = text.trimStart();
  // CRLF and lone CR are line breaks too: a skipped policy in a Windows file must keep its name.
  return t.startsWith("{") ? scrapeJson(t) : scrapeYaml(text.replace(/\r\n?/g, "\n"), indent);
}

function scrapeYaml(text: string, indent: number): Identity {
  const pad = " ".repeat(indent);
  const top = (key: string): string | undefined =>
    unquote(new RegExp(`^${pad}${key}:[ \\t]*([^\\n]*)$`, "m").exec(text)?.[1]);
  const meta = new RegExp(`^${pad}metadata:[ \\t]*\\r?\\n((?:${pad}[ \\t]+[^\\n]*\\n?|[ \\t]*\\r?\\n)*)`, "m").exec(text)?.[1] ?? "";
  const inMeta = (key: string): string | undefined => {
    const lines = meta.split("\n");
    const first = lines.find((l) => /\S/.test(l));
    const ind = first ? (/^\s*/.exec(first)?.[0].length ?? 0) : 0;
    for (const l of lines) {
      const m = new RegExp(`^ {${ind}}${key}:[ \\t]*(.*)$`).exec(l);
      if (m) return unquote(m[1]);
    }
    return undefined;
  };
  return compact({ apiVersion: top("apiVersion"), kind: top("kind"), namespace: inMeta("namespace"), name: inMeta("name") });
}

function scrapeJson(text: string): Identity {
  const str = (key: string, from = 0): string | undefined => {
    const re = new RegExp(`"${key}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, "g");
    re.lastIndex = from;
    return re.exec(text)?.[1];
  };
  const meta = text.search(/"metadata"\s*:\s*\{/);
  return compact({
    apiVersion: str("apiVersion"),
    kind: str("kind"),
    namespace: meta >= 0 ? str("namespace", meta) : undefined,
    name: meta >= 0 ? str("name", meta) : undefined,
  });
}

function compact(i: { apiVersion: string | undefined; kind: string | undefined; namespace: string | undefined; name: string | undefined }): Identity {
  return {
    ...(i.apiVersion !== undefined ? { apiVersion: i.apiVersion } : {}),
    ...(i.kind !== undefined ? { kind: i.kind } : {}),
    ...(i.namespace !== undefined ? { namespace: i.namespace } : {}),
    ...(i.name !== undefined ? { name: i.name } : {}),
  };
}

/** apiVersion, kind, namespace and name of a parsed object, those that are strings. */
export function identityOf(v: unknown): Identity {
  const text = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
  const own = (o: unknown, k: string): unknown => (isRecord(o) && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
  const meta = own(v, "metadata");
  const who: { apiVersion?: string; kind?: string; namespace?: string; name?: string } = {};
  const apiVersion = text(own(v, "apiVersion"));
  const kind = text(own(v, "kind"));
  const namespace = text(own(meta, "namespace"));
  const name = text(own(meta, "name"));
  if (apiVersion !== undefined) who.apiVersion = apiVersion;
  if (kind !== undefined) who.kind = kind;
  if (namespace !== undefined) who.namespace = namespace;
  if (name !== undefined) who.name = name;
  return who;
}
