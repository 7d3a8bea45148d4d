/**
 * The JSON fast path must record exactly the positions js-yaml's parse events record (so every
 * source line and diagnostic is unchanged), and step aside when JSON.parse's key order or
 * duplicate-key handling would misplace them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { bracketOffsets, parseJsonWithPositions } from "./json-fast.js";
import { loadCluster } from "./load.js";

const REPO = join(import.meta.dirname, "..", "..");

/** Pre-order start offsets of every map and list, as documents.ts records them with js-yaml. */
function jsYamlOffsets(text: string): number[] {
  const positions = new WeakMap<object, number>();
  const stack: number[] = [];
  const listener = (event: string, state: { position: number; result: unknown }): void => {
    if (event === "open") stack.push(state.position);
    else {
      const p = stack.pop();
      if (p !== undefined && typeof state.result === "object" && state.result !== null) positions.set(state.result, p);
    }
  };
  const value = yaml.load(text, { schema: yaml.CORE_SCHEMA, listener } as yaml.LoadOptions);
  return preorder(value, positions);
}

function preorder(value: unknown, positions: WeakMap<object, number>): number[] {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (typeof v !== "object" || v === null) return;
    out.push(positions.get(v) ?? -1);
    if (Array.isArray(v)) v.forEach(walk);
    else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
  };
  walk(value);
  return out;
}

const demoAsJson = (): string => {
  const docs = yaml.loadAll(readFileSync(join(REPO, "fixtures/demo/cluster.yaml"), "utf8"));
  return JSON.stringify({ apiVersion: "v1", kind: "List", items: docs }, null, 2);
};

describe("JSON fast path", () => {
  it("finds brackets outside strings only, over escaped quotes", () => {
    const text = String.raw`{"a":"[{\"x}","b":[1,{}]}`;
    expect(JSON.parse(text)).toEqual({ a: '[{"x}', b: [1, {}] });
    expect(bracketOffsets(text)).toEqual([0, text.indexOf("[1"), text.indexOf("{}")]);
  });

  it("records the same positions as js-yaml for every map and list (the demo as one kubectl List)", () => {
    const text = demoAsJson();
    const positions = new WeakMap<object, number>();
    const r = parseJsonWithPositions(text, 0, positions);
    expect(r).toBeDefined();
    const fast = preorder(r?.value, positions);
    expect(fast.length).toBeGreaterThan(100);
    expect(fast).toEqual(jsYamlOffsets(text));
  });

  it("steps aside for integer-like keys (JSON.parse reorders them) and duplicate keys (one value is dropped)", () => {
    expect(parseJsonWithPositions(`{"labels":{"b":{},"2":{}}}`, 0, new WeakMap())).toBeUndefined();
    expect(parseJsonWithPositions(`{"a":{"x":1},"a":{"y":2}}`, 0, new WeakMap())).toBeUndefined();
    expect(parseJsonWithPositions(`{"a": [1, 2,]}`, 0, new WeakMap())).toBeUndefined();
  });

  it("tells duplicate keys from `:` inside strings, escaped or not", () => {
    const fast = (text: string): boolean => parseJsonWithPositions(text, 0, new WeakMap()) !== undefined;
    expect(fast(`{"image":"nginx:1.2","t":"10:00:00","k:x":[":",{"a":"b"}]}`)).toBe(true);
    expect(fast(`{"image":"nginx:1.2","image":"nginx:1.3"}`)).toBe(false);
    // A duplicate dropping a value whose `:` a `\u003a` elsewhere would make up for.
    expect(fast(String.raw`{"a":"x","a":"y","b":"\u003a"}`)).toBe(false);
    expect(fast(String.raw`{"a":"x","b":"\u003a:"}`)).toBe(true);
    expect(fast(String.raw`{"a":"\\u:","b":{"c":1},"b":2}`)).toBe(false);
  });

  it("loads a JSON List with the same objects and source lines as the YAML path", () => {
    const text = demoAsJson();
    // A leading YAML-only line forces the same document through js-yaml.
    const viaYaml = loadCluster([{ path: "demo.json", text: `%YAML 1.2\n---\n${text}` }]);
    const viaJson = loadCluster([{ path: "demo.json", text: `\n\n${text}` }]);
    expect(viaJson.diagnostics).toEqual([]);
    const lines = (c: typeof viaJson): string[] => [...c.cluster.pods, ...c.cluster.networkPolicies].map((o) => `${o.namespace}/${o.name}@${o.source.line}:${o.source.column}`);
    expect(lines(viaJson)).toEqual(lines(viaYaml));
    expect(viaJson.cluster.networkPolicies.length).toBeGreaterThan(3);
  });

  it("reports a bad field in JSON input at its line and column", () => {
    const text = `{\n  "apiVersion": "networking.k8s.io/v1",\n  "kind": "NetworkPolicy",\n  "metadata": { "name": "p", "namespace": "x" },\n  "spec": { "podSelector": {}, "policyTypes": ["Sideways"] }\n}\n`;
    const r = loadCluster([{ path: "p.json", text }]);
    expect(r.diagnostics.map((d) => `${d.source?.line}:${d.message}`)).toEqual([expect.stringMatching(/^5:.*Sideways/)]);
  });
});
