/**
 * @module layout
 * A fast, deterministic layout for large graphs: each namespace's workloads in a square grid,
 * namespaces packed in rows (alphabetical, the outside group last). Force-directed layouts take
 * seconds at 500 workloads; this takes microseconds and reads like the matrix.
 */
import type { GraphNode } from "./graph.js";
import { naturalCompare } from "./matrix-index.js";
import { pushTo } from "../../model/collections.js";

export interface Point {
  readonly x: number;
  readonly y: number;
}

interface Block {
  readonly key: string;
  readonly members: readonly string[];
  readonly cols: number;
  readonly width: number;
  readonly height: number;
}

/** Positions of the leaf nodes (compound parents follow their children). */
export function packedLayout(nodes: readonly GraphNode[], dx = 200, dy = 100, gap = 90): Map<string, Point> {
  const parents = new Set<string>();
  for (const n of nodes) if (n.data.parent !== undefined) parents.add(n.data.parent);
  const groups = new Map<string, string[]>();
  for (const n of nodes) {
    if (parents.has(n.data.id)) continue;
    const key = n.data.parent ?? n.data.id;
    pushTo(groups, key, n.data.id);
  }
  const outside = new Set(nodes.filter((n) => n.data.kind === "external-group").map((n) => n.data.id));
  const isOutside = (k: string): number => (outside.has(k) ? 1 : 0);
  const blocks: Block[] = [...groups.entries()]
    .sort((a, b) => isOutside(a[0]) - isOutside(b[0]) || naturalCompare(a[0], b[0]))
    .map(([key, members]) => {
      const cols = Math.max(1, Math.ceil(Math.sqrt(members.length)));
      const rows = Math.ceil(members.length / cols);
      return { key, members, cols, width: cols * dx, height: rows * dy };
    });
  const area = blocks.reduce((s, b) => s + (b.width + gap) * (b.height + gap), 0);
  const rowWidth = Math.max(Math.sqrt(area) * 1.9, ...blocks.map((b) => b.width));
  const out = new Map<string, Point>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const b of blocks) {
    if (x > 0 && x + b.width > rowWidth) {
      x = 0;
      y += rowHeight + gap;
      rowHeight = 0;
    }
    b.members.forEach((id, i) => out.set(id, { x: x + (i % b.cols) * dx, y: y + Math.floor(i / b.cols) * dy }));
    x += b.width + gap;
    rowHeight = Math.max(rowHeight, b.height);
  }
  return out;
}
