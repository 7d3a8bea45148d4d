/** Matrix → graph elements (compound namespaces, IP blocks, folding past maxEdges) and the packed layout. */
import { describe, expect, it } from "vitest";
import { DEMO_FILES, FRONTEND, API, matrixOf } from "../testing/demo.js";
import { graphModel, groupNodeId } from "./graph.js";
import { packedLayout } from "./layout.js";
import { EXTERNAL_GROUP, pairKey } from "./matrix-index.js";

const m = matrixOf(DEMO_FILES);

describe("graphModel (matrix → Cytoscape elements)", () => {
  it("draws one compound node per namespace, workloads inside, IP blocks in their own group", () => {
    const g = graphModel(m, { maxEdges: 1000 });
    expect(g.level).toBe("workload");
    const groups = g.nodes.filter((n) => n.data.kind === "namespace").map((n) => n.data.label);
    expect(groups).toEqual(["kube-system", "monitoring", "production"]);
    const api = g.nodes.find((n) => n.data.id === API);
    expect(api?.data).toMatchObject({ kind: "workload", label: "api-server", parent: groupNodeId("production") });
    const ips = g.nodes.filter((n) => n.data.kind === "ipblock");
    expect(ips).toHaveLength(3);
    for (const ip of ips) expect(ip.data.parent).toBe(groupNodeId(EXTERNAL_GROUP));
  });

  it("has one edge per allowed connection, labelled with its ports", () => {
    const g = graphModel(m, { maxEdges: 1000 });
    expect(g.edges.filter((e) => !e.data.exposure)).toHaveLength(m.connections.length);
    const e = g.edges.find((x) => x.data.source === FRONTEND && x.data.target === API);
    expect(e?.data).toMatchObject({ label: "TCP 8080", all: false, count: 1 });
    for (const x of g.edges) {
      expect(g.nodes.some((n) => n.data.id === x.data.source)).toBe(true);
      expect(g.nodes.some((n) => n.data.id === x.data.target)).toBe(true);
    }
  });

  it("folds into namespaces past maxEdges, counting workload pairs per edge", () => {
    const g = graphModel(m, { maxEdges: 5 });
    expect(g.level).toBe("namespace");
    expect(g.note).toMatch(/too many to draw/);
    const prod = g.edges.find((e) => e.data.source === groupNodeId("production") && e.data.target === groupNodeId("kube-system"));
    expect(prod?.data.count).toBe(4);
    const total = g.edges.filter((e) => !e.data.exposure).reduce((s, e) => s + e.data.count, 0);
    expect(total).toBe(m.connections.length);
  });

  it("marks the edges a what-if changes", () => {
    const changes = new Map([[pairKey(FRONTEND, API), "removed" as const]]);
    const g = graphModel(m, { maxEdges: 1000, changes });
    expect(g.edges.find((e) => e.data.source === FRONTEND && e.data.target === API)?.data.change).toBe("removed");
    expect(g.edges.filter((e) => e.data.change !== undefined)).toHaveLength(1);
  });
});

describe("packedLayout", () => {
  it("places every leaf, groups apart, no two leaves on one spot", () => {
    const g = graphModel(m, { maxEdges: 1000 });
    const pos = packedLayout(g.nodes);
    const leaves = g.nodes.filter((n) => n.data.kind === "workload" || n.data.kind === "ipblock" || n.data.kind === "proxy");
    expect(pos.size).toBe(leaves.length);
    const spots = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(leaves.length);
  });
});
