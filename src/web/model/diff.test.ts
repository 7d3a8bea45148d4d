/** Diff of two matrices: added, removed, changed, and the drawings of both sides. */
import { describe, expect, it } from "vitest";
import type { MatrixJson } from "../../report/index.js";
import { changeMap, diffMatrices, diffOnly, isEmptyDiff, unionMatrix } from "./diff.js";
import { pairKey } from "./matrix-index.js";

const ep = (id: string): MatrixJson["endpoints"][number] => ({ id, kind: "Deployment", namespace: id.split("/")[0] ?? "", name: id.split("/")[1] ?? id, labels: {} });
const mk = (ids: string[], conns: MatrixJson["connections"]): MatrixJson => ({ apiVersion: "kwire/v1alpha1", kind: "ConnectivityMatrix", level: "workload", endpoints: ids.map(ep), connections: conns });
const tcp = (p: number): MatrixJson["connections"][number]["ports"] => [{ protocol: "TCP", from: p, to: p }];

describe("diffMatrices", () => {
  const before = mk(["a/x", "a/y", "b/z"], [
    { src: "a/x", dst: "a/y", ports: tcp(80) },
    { src: "a/y", dst: "b/z", ports: "all" },
    { src: "b/z", dst: "a/x", ports: tcp(53) },
  ]);
  const after = mk(["a/x", "a/y", "b/z", "c/new"], [
    { src: "a/x", dst: "a/y", ports: tcp(8080) },
    { src: "b/z", dst: "a/x", ports: tcp(53) },
    { src: "c/new", dst: "a/x", ports: "all" },
  ]);
  const d = diffMatrices(before, after);

  it("lists connections added, removed and changed (the `kwire diff` shape)", () => {
    expect(d.added).toEqual([{ src: "c/new", dst: "a/x", ports: "all" }]);
    expect(d.removed).toEqual([{ src: "a/y", dst: "b/z", ports: "all" }]);
    expect(d.changed).toEqual([{ src: "a/x", dst: "a/y", before: tcp(80), after: tcp(8080) }]);
    expect(d.endpointsAdded).toEqual(["c/new"]);
    expect(d.endpointsRemoved).toEqual([]);
    expect(isEmptyDiff(d)).toBe(false);
  });

  it("is empty between a matrix and itself", () => {
    expect(isEmptyDiff(diffMatrices(before, before))).toBe(true);
  });

  it("maps each changed pair to its change", () => {
    const c = changeMap(d);
    expect(c.get(pairKey("c/new", "a/x"))).toBe("added");
    expect(c.get(pairKey("a/y", "b/z"))).toBe("removed");
    expect(c.get(pairKey("a/x", "a/y"))).toBe("changed");
    expect(c.size).toBe(3);
  });

  it("draws both sides: the union keeps removed connections, diffOnly keeps only what changed", () => {
    const u = unionMatrix(before, after, d);
    expect(u.connections).toHaveLength(4);
    expect(u.endpoints.map((e) => e.id)).toEqual(["a/x", "a/y", "b/z", "c/new"]);
    const only = diffOnly(u, d);
    expect(only.connections).toHaveLength(3);
    expect(only.connections.some((c) => c.src === "b/z" && c.dst === "a/x")).toBe(false);
  });
});
