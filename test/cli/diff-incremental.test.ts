/**
 * `kwire diff` takes the engine's incremental path (src/engine/incremental.ts) when the two inputs
 * differ only in policies and labels; its output must be what comparing the two full matrices
 * gives (`kwire matrix -o json` of each side, report/diff.ts `diffMatrices`), at every level.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { buildTopology, fastAnalysis, incrementalChanges } from "../../src/engine/index.js";
import { loadCluster } from "../../src/parse/index.js";
import { diffMatrices, type MatrixJson } from "../../src/report/index.js";
import { ROOT, run } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "kwire-diff-inc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Doc = { kind?: string; metadata?: { name?: string; labels?: Record<string, string> }; spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
const demo = yaml.loadAll(readFileSync(join(ROOT, "fixtures/demo/cluster.yaml"), "utf8")) as Doc[];
const write = (name: string, docs: readonly Doc[]): string => {
  const file = join(dir, name);
  writeFileSync(file, docs.map((d) => yaml.dump(d)).join("---\n"));
  return file;
};

/** The demo with one edit: its `database` NetworkPolicy removed, a workload's labels or a namespace's labels changed. */
const edits: Record<string, (docs: Doc[]) => Doc[]> = {
  "policy removed": (docs) => {
    const i = docs.findIndex((d) => d.kind === "NetworkPolicy" && d.metadata?.name === "database");
    return docs.filter((_, j) => j !== i);
  },
  "workload relabelled": (docs) =>
    docs.map((d) => {
      const labels = d.spec?.template?.metadata?.labels;
      if (d.kind !== "Deployment" || !labels) return d;
      const c = structuredClone(d);
      (c.spec?.template?.metadata as { labels: Record<string, string> }).labels = { ...labels, app: "renamed" };
      return c;
    }),
  "namespace relabelled": (docs) => docs.map((d) => (d.kind === "Namespace" && d.metadata?.name === "monitoring" ? { ...d, metadata: { ...d.metadata, labels: { env: "production" } } } : d)),
};

describe("kwire diff, incremental", () => {
  for (const [name, edit] of Object.entries(edits)) {
    for (const level of ["workload", "pod", "namespace"]) {
      it(`${name}, --level ${level}: the same changes as comparing the full matrices`, async () => {
        const before = write("before.yaml", demo);
        const after = write(`after-${name.replace(/ /g, "-")}.yaml`, edit(demo));
        // The incremental path applies to this pair (only policies and labels differ).
        const c0 = loadCluster([{ path: before, text: readFileSync(before, "utf8") }]).cluster;
        const c1 = loadCluster([{ path: after, text: readFileSync(after, "utf8") }]).cluster;
        const t1 = buildTopology(c1);
        expect(incrementalChanges(fastAnalysis(c0), c0, { cluster: c1, topology: t1 })).toBeDefined();
        const d = await run(["diff", before, after, "--level", level, "-o", "json"]);
        expect(d.code).toBe(0);
        const m0 = await run(["matrix", "-f", before, "--level", level, "-o", "json"]);
        const m1 = await run(["matrix", "-f", after, "--level", level, "-o", "json"]);
        const full = diffMatrices(JSON.parse(m0.stdout) as MatrixJson, JSON.parse(m1.stdout) as MatrixJson);
        expect(JSON.parse(d.stdout)).toEqual(JSON.parse(JSON.stringify(full)));
        // Not vacuous: each edit changes some connection of the demo.
        expect(full.added.length + full.removed.length + full.changed.length).toBeGreaterThan(0);
      });
    }
  }
});
