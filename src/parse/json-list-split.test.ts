/**
 * A large JSON List (`kubectl get pods -A -o json`) is read item by item (documents.ts
 * `readList`, for speed and memory: issue 11). That read must give exactly what reading the
 * whole List gives: the same objects, the same places (file:line:column:path) and the same
 * diagnostics and skipped objects. Each case is loaded twice, once split (threshold 0) and once
 * whole (threshold Infinity), and the two results compared in full.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { loadCluster } from "./load.js";

const REPO = join(import.meta.dirname, "..", "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ya?ml|json)$/.test(n) ? [p] : [];
  });
}

/** Every object of every fixture that parses and is small enough to write out as JSON. */
function fixtureObjects(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const f of files(join(REPO, "fixtures"))) {
    const text = readFileSync(f, "utf8");
    // YAML aliases: the bad-input fixtures expand to billions of nodes (kwire refuses them).
    if (/(^|[\s:\[,-])[&*][A-Za-z]/m.test(text)) continue;
    let docs: unknown[];
    try {
      docs = yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA });
    } catch {
      continue;
    }
    for (const d of docs) {
      if (typeof d !== "object" || d === null || Array.isArray(d)) continue;
      let text: string;
      try {
        text = JSON.stringify(d);
      } catch {
        continue; // not JSON (a cycle)
      }
      if (text.length < 100_000) out.push(JSON.parse(text) as Record<string, unknown>);
    }
  }
  return out;
}

const bigint = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? `${v}n` : v);

function both(text: string): { split: string; whole: string } {
  const load = (at: number): string => {
    const r = loadCluster([{ path: "list.json", text }], { splitJsonListsAt: at });
    return JSON.stringify({ cluster: r.cluster, diagnostics: r.diagnostics, counts: r.counts, skipped: r.skippedObjects }, bigint);
  };
  return { split: load(0), whole: load(Number.POSITIVE_INFINITY) };
}

const objects = fixtureObjects();
const items = (indent?: number): string[] => objects.map((o) => JSON.stringify(o, null, indent));
const list = (parts: readonly string[], kind = "List", indent = ""): string =>
  `{${indent}"apiVersion": "v1",${indent}"items": [${parts.join(`,${indent}`)}],${indent}"kind": "${kind}",${indent}"metadata": {"resourceVersion": ""}}\n`;

describe("a JSON List read item by item = the List read whole", () => {
  // A duplicated key is a syntax error (YAML 1.2 §3.2.1.1; the API server: "duplicate field")
  // however many `:` the item's strings hold, written or escaped: the split read tells it by the
  // separators outside strings, which it counts while finding the items.
  it("skips an item with a duplicate key beside strings holding `:`, and reads the next", () => {
    const text = list([
      '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a:b", "name": "c", "labels": {"u": "\\u003a", "t": "10:00"}}}',
      '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "colons", "labels": {"u": "\\u003a", "t": "10:00", "x\\"y": ":"}}}',
    ]);
    const r = loadCluster([{ path: "list.json", text }], { splitJsonListsAt: 0 });
    expect(r.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^YAML syntax error: duplicated mapping key; item 0 of this List/)]);
    expect(r.cluster.namespaces.map((n) => [n.name, n.labels])).toEqual([["colons", { "kubernetes.io/metadata.name": "colons", u: ":", t: "10:00", 'x"y': ":" }]]);
  });

  it("has enough fixture objects to mean something", () => {
    expect(objects.length).toBeGreaterThan(300);
  });

  it.each([
    ["compact", list(items())],
    ["pretty (kubectl's 4-space indent)", list(items(4), "List", "\n    ")],
    // A typed list (GET /api/v1/pods): items take kind and apiVersion from the list.
    ["typed PodList, items without kind", list(objects.filter((o) => o["kind"] === "Pod").map(({ kind: _k, apiVersion: _a, ...rest }) => JSON.stringify(rest)), "PodList")],
    // Items the decoders refuse, a duplicate key (strict decoding), non-objects, a List inside
    // the List, integer-like keys (JSON.parse reorders them), escapes and a deep item.
    [
      "hostile items",
      list([
        ...items().slice(0, 50),
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup", "name": "dup2", "namespace": "default"}}',
        // A duplicate key beside strings holding `:` (written and escaped): the split read counts
        // the separators outside strings, the whole read the `:` inside them.
        '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a:b", "name": "c", "labels": {"u": "\\u003a", "t": "10:00"}}}',
        '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "colons", "labels": {"u": "\\u003a", "t": "10:00", "x\\"y": ":"}}}',
        "42",
        "null",
        '"a string"',
        '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "inner"}}]}',
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ints", "namespace": "default"}, "data": {"10": "a", "2": "b"}}',
        '{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "esc\\u0061ped", "labels": {"a\\"b": "c:d"}}}',
        `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "data": ${"[".repeat(150)}${"]".repeat(150)}}`,
        '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "bad", "namespace": "default"}, "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["11.0.0.0/24"]}}]}]}}',
        ...items().slice(50, 100),
      ]),
    ],
    // A syntax error in one item: both reads fall back to the item-by-item recovery.
    ["a broken item", list([...items().slice(0, 20), '{"apiVersion": "v1", "kind": "Pod" "metadata": {}}', ...items().slice(20, 40)])],
    // No kind: not a List to the whole read either (an object without kind).
    ["no kind", `{"apiVersion": "v1", "items": [${items().slice(0, 10).join(",")}]}`],
    // Another kind that holds `items`: not a List.
    ["a kind that is not a List", `{"apiVersion": "example.com/v1", "kind": "Bag", "metadata": {"name": "b"}, "items": [${items().slice(0, 10).join(",")}]}`],
    // Two Lists in one file, and a List beside YAML documents.
    ["two Lists", `${list(items().slice(0, 30))}---\n${list(items().slice(30, 60), "List", "\n  ")}`],
    ["cut off", list(items().slice(0, 30)).slice(0, -200)],
  ])("%s", (_name, text) => {
    const { split, whole } = both(text);
    // Where they part, with some context (the whole result is too long to read in a failure).
    let at = 0;
    while (at < split.length && split[at] === whole[at]) at++;
    expect(split.slice(Math.max(0, at - 300), at + 200)).toBe(whole.slice(Math.max(0, at - 300), at + 200));
    expect(split.length).toBe(whole.length);
  });
});
