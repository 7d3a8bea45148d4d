/**
 * @module heatmap-canvas
 * The heat map drawn on a canvas (sources down, destinations across): one cell per pair, namespace
 * bands along both axes, names when cells are big enough, a tooltip on hover, and a click handler
 * per cell. A canvas draws 500 × 500 cells in a few milliseconds where a table would not.
 */
import { clear, h } from "../dom.js";
import { CELL, cellAt, type CellState, type HeatmapModel } from "../model/heatmap.js";

export const CELL_COLORS: Readonly<Record<CellState, string>> = {
  [CELL.denied]: "#f1f5f9",
  [CELL.some]: "#60a5fa",
  [CELL.all]: "#0f766e",
  [CELL.added]: "#16a34a",
  [CELL.removed]: "#dc2626",
  [CELL.changed]: "#f59e0b",
  [CELL.self]: "#e2e8f0",
  [CELL.exposed]: "#9333ea",
};

export interface HeatmapOptions {
  readonly describe: (src: number, dst: number) => string;
  readonly onCell: (src: number, dst: number) => void;
}

export interface Geometry {
  readonly left: number;
  readonly top: number;
  readonly cell: number;
}

const BAND = 18;

export function geometry(model: HeatmapModel, width: number): Geometry {
  const n = Math.max(model.size, 1);
  const labelled = model.size <= 60;
  const left = labelled ? 200 : 60;
  const top = labelled ? 150 : 60;
  const cell = Math.max(2, Math.min(28, Math.floor((width - left - 10) / n)));
  return { left, top, cell };
}

/** Renders into `host` and returns the cell centre finder (viewport coordinates), for tests. */
export function drawHeatmap(host: HTMLElement, model: HeatmapModel, opts: HeatmapOptions): (src: number, dst: number) => { x: number; y: number } {
  const g = geometry(model, Math.max(host.clientWidth, 480));
  const n = model.size;
  const w = g.left + n * g.cell + 10;
  const hgt = g.top + n * g.cell + 10;
  const canvas = h("canvas", { attrs: { "data-testid": "heatmap", width: w, height: hgt } });
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(hgt * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${hgt}px`;
  const tip = h("div", { class: "tooltip", attrs: { hidden: true } });
  clear(host, h("div", { class: "heatmap-wrap" }, canvas, tip));
  const ctx = canvas.getContext("2d");
  if (!ctx) return () => ({ x: 0, y: 0 });
  ctx.scale(dpr, dpr);
  paint(ctx, model, g);
  const at = (e: MouseEvent): [number, number] | undefined => {
    const r = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - r.left - g.left) / g.cell);
    const row = Math.floor((e.clientY - r.top - g.top) / g.cell);
    return row >= 0 && col >= 0 && row < n && col < n ? [row, col] : undefined;
  };
  canvas.addEventListener("mousemove", (e) => {
    const rc = at(e);
    if (!rc || rc[0] === rc[1]) {
      tip.hidden = true;
      canvas.style.cursor = "default";
      return;
    }
    canvas.style.cursor = "pointer";
    tip.hidden = false;
    tip.textContent = opts.describe(rc[0], rc[1]);
    tip.style.left = `${e.offsetX + 14}px`;
    tip.style.top = `${e.offsetY + 14}px`;
  });
  canvas.addEventListener("mouseleave", () => void (tip.hidden = true));
  canvas.addEventListener("click", (e) => {
    const rc = at(e);
    if (rc && rc[0] !== rc[1]) opts.onCell(rc[0], rc[1]);
  });
  return (src, dst) => {
    const r = canvas.getBoundingClientRect();
    return { x: r.left + g.left + dst * g.cell + g.cell / 2, y: r.top + g.top + src * g.cell + g.cell / 2 };
  };
}

function paint(ctx: CanvasRenderingContext2D, m: HeatmapModel, g: Geometry): void {
  const n = m.size;
  const { left, top, cell } = g;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, left + n * cell + 10, top + n * cell + 10);
  // Most cells are denied: one fill for all of them, then only the others.
  ctx.fillStyle = CELL_COLORS[CELL.denied];
  ctx.fillRect(left, top, n * cell, n * cell);
  for (let s = 0; s < n; s++) {
    for (let d = 0; d < n; d++) {
      const st = cellAt(m, s, d);
      if (st === CELL.denied) continue;
      ctx.fillStyle = CELL_COLORS[st];
      ctx.fillRect(left + d * cell, top + s * cell, cell, cell);
      if (st === CELL.self && cell >= 8) {
        ctx.strokeStyle = "#94a3b8";
        ctx.beginPath();
        ctx.moveTo(left + d * cell + 2, top + s * cell + cell - 2);
        ctx.lineTo(left + d * cell + cell - 2, top + s * cell + 2);
        ctx.stroke();
      }
    }
  }
  if (cell >= 6) {
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i <= n; i++) {
      ctx.moveTo(left + i * cell + 0.5, top);
      ctx.lineTo(left + i * cell + 0.5, top + n * cell);
      ctx.moveTo(left, top + i * cell + 0.5);
      ctx.lineTo(left + n * cell, top + i * cell + 0.5);
    }
    ctx.stroke();
  }
  ctx.strokeStyle = "#334155";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (const b of m.bands) {
    ctx.moveTo(left + b.start * cell, top);
    ctx.lineTo(left + b.start * cell, top + n * cell);
    ctx.moveTo(left, top + b.start * cell);
    ctx.lineTo(left + n * cell, top + b.start * cell);
  }
  ctx.rect(left, top, n * cell, n * cell);
  ctx.stroke();
  labels(ctx, m, g);
}

function labels(ctx: CanvasRenderingContext2D, m: HeatmapModel, g: Geometry): void {
  const { left, top, cell } = g;
  ctx.textBaseline = "middle";
  ctx.font = "600 11px Inter, system-ui, sans-serif";
  m.bands.forEach((b, k) => {
    const from = b.start * cell;
    const span = (b.end - b.start) * cell;
    ctx.fillStyle = k % 2 === 0 ? "#e0e7ff" : "#c7d2fe";
    ctx.fillRect(left + from, top - BAND, span, BAND - 2);
    ctx.fillRect(left - BAND, top + from, BAND - 2, span);
    if (span < 28) return;
    const name = fit(ctx, b.name, span - 6);
    ctx.fillStyle = "#1e1b4b";
    ctx.textAlign = "center";
    ctx.fillText(name, left + from + span / 2, top - BAND / 2 - 1);
    ctx.save();
    ctx.translate(left - BAND / 2 - 1, top + from + span / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(name, 0, 0);
    ctx.restore();
  });
  if (cell < 10) return;
  ctx.fillStyle = "#0f172a";
  ctx.font = "11px Inter, system-ui, sans-serif";
  ctx.textAlign = "right";
  m.labels.forEach((l, i) => ctx.fillText(fit(ctx, l, left - BAND - 12), left - BAND - 6, top + i * cell + cell / 2));
  ctx.textAlign = "left";
  m.labels.forEach((l, i) => {
    ctx.save();
    ctx.translate(left + i * cell + cell / 2, top - BAND - 6);
    ctx.rotate(-Math.PI / 3);
    ctx.fillText(fit(ctx, l, (top - BAND - 10) / Math.sin(Math.PI / 3)), 0, 0);
    ctx.restore();
  });
}

function fit(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > width) t = t.slice(0, -1);
  return `${t}…`;
}
