/** The heat map's grid: endpoint order, namespace bands, cell states, what-if colours. */
import { describe, expect, it } from "vitest";
import { API, COREDNS, DATABASE, DEMO_FILES, FRONTEND, matrixOf } from "../testing/demo.js";
import { CELL, cellAt, heatmapModel, NORTH_SOUTH_GROUP } from "./heatmap.js";
import { EXTERNAL_GROUP, pairKey } from "./matrix-index.js";

const m = matrixOf(DEMO_FILES);

describe("heatmapModel", () => {
  const h = heatmapModel(m);
  const at = (s: string, d: string): number => cellAt(h, h.ids.indexOf(s), h.ids.indexOf(d));

  it("orders endpoints by namespace, IP blocks last, with one band per namespace (the north-south row first)", () => {
    // + 1: the demo's Ingress has no controller pod in the input: one `ingress-controller` row.
    expect(h.size).toBe(m.endpoints.length + 1);
    expect(h.bands.map((b) => b.name)).toEqual([NORTH_SOUTH_GROUP, "kube-system", "monitoring", "production", EXTERNAL_GROUP]);
    expect(h.bands[h.bands.length - 1]?.end).toBe(h.size);
  });

  it("has a state per cell: some ports, all ports, denied, self", () => {
    expect(at(FRONTEND, API)).toBe(CELL.some);
    expect(at(FRONTEND, DATABASE)).toBe(CELL.denied);
    expect(at(API, API)).toBe(CELL.self);
    const ext = h.ids.find((id) => id.startsWith("ipblock:10."));
    expect(ext && at(ext, COREDNS)).toBe(CELL.all);
  });

  it("paints what-if changes over the cells", () => {
    const changed = heatmapModel(m, new Map([[pairKey(FRONTEND, DATABASE), "added" as const], [pairKey(FRONTEND, API), "removed" as const]]));
    const i = (id: string): number => changed.ids.indexOf(id);
    expect(cellAt(changed, i(FRONTEND), i(DATABASE))).toBe(CELL.added);
    expect(cellAt(changed, i(FRONTEND), i(API))).toBe(CELL.removed);
  });
});
