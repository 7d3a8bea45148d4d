/**
 * @module matrix-view
 * View 2: the matrix as a heat map (sources down, destinations across). Hover a cell for its
 * ports; click it for the trace of that connection, allowed or denied.
 */
import type { App, View } from "../app.js";
import { debugHook } from "../debug.js";
import { clear, h } from "../dom.js";
import { filterMatrix } from "../model/filters.js";
import { heatmapModel, type HeatmapModel } from "../model/heatmap.js";
import { indexMatrix, pairKey } from "../model/matrix-index.js";
import { firstPort, formatPorts } from "../model/ports.js";
import { exposureUrl } from "../model/graph.js";
import type { MatrixJson } from "../../report/index.js";
import type { Change } from "../model/diff.js";
import { CELL_COLORS, drawHeatmap } from "./heatmap-canvas.js";
import { filterBar } from "./filter-bar.js";

export function heatLegend(diff: boolean): HTMLElement {
  const item = (color: string, text: string): HTMLElement => h("span", { class: "legend-item" }, h("span", { class: "swatch-box", attrs: { style: `background:${color}` } }), text);
  return h(
    "div",
    { class: "legend" },
    item(CELL_COLORS[2], "allowed, all ports"),
    item(CELL_COLORS[1], "allowed, some ports"),
    item(CELL_COLORS[0], "denied"),
    item(CELL_COLORS[7], "exposed north-south, not evaluated (no proxy pod in the input, or a hostPort)"),
    ...(diff ? [item(CELL_COLORS[3], "added"), item(CELL_COLORS[4], "removed"), item(CELL_COLORS[5], "ports changed")] : []),
    h("span", { class: "legend-item muted" }, "rows: source · columns: destination"),
  );
}

/** Draws a heat map of `m` into `host`; a click opens the trace of the cell. */
export function renderHeatmap(app: App, host: HTMLElement, m: MatrixJson, opts: { scenario: "base" | "whatif"; changes?: ReadonlyMap<string, Change>; before?: MatrixJson }): {
  model: HeatmapModel;
  center: (src: string, dst: string) => { x: number; y: number } | undefined;
} {
  const model = heatmapModel(m, opts.changes);
  const idx = indexMatrix(m);
  const old = opts.before ? indexMatrix(opts.before) : undefined;
  const id = (i: number): string => model.ids[i] ?? "";
  const exposures = new Map<string, NonNullable<MatrixJson["exposures"]>[number]>();
  for (const e of m.exposures ?? []) exposures.set(pairKey(e.src, e.dst), e);
  const northSouth = (s: number, d: number): string => {
    const e = exposures.get(pairKey(id(s), id(d)));
    return e ? `\nnorth-south ${formatPorts(e.ports)}${e.evaluated ? "" : " (policies not evaluated)"} via ${e.via.map((v) => `${v.via} ${v.object} ${v.host} ${v.path}`).join(", ")}` : "";
  };
  const locate = drawHeatmap(host, model, {
    describe: (s, d) => {
      if (!idx.byId.has(id(s))) return `${id(s)} → ${id(d)}${northSouth(s, d) || "\nnot exposed"}`;
      const c = idx.connection(id(s), id(d));
      const change = opts.changes?.get(pairKey(id(s), id(d)));
      const was = old?.connection(id(s), id(d));
      const now = c ? `allowed: ${formatPorts(c.ports)}` : "denied";
      const extra = change === "changed" && was ? ` (was ${formatPorts(was.ports)})` : change === "removed" ? " → denied after the change" : change === "added" ? " (added by the change)" : "";
      return `${id(s)} → ${id(d)}\n${change === "removed" && was ? `allowed: ${formatPorts(was.ports)}` : now}${extra}${northSouth(s, d)}`;
    },
    onCell: (s, d) => {
      if (!idx.byId.has(id(s))) {
        // The virtual proxy's row: trace the request from outside, when the route names a URL.
        const url = exposures.get(pairKey(id(s), id(d)))?.via.map(exposureUrl).find((u) => u !== undefined);
        if (url) app.openTrace({ src: "internet", dst: url, byId: false, scenario: opts.scenario });
        return;
      }
      const c = idx.connection(id(s), id(d));
      const p = c ? firstPort(c.ports) : undefined;
      app.openTrace({ src: id(s), dst: id(d), byId: true, scenario: opts.scenario, ...(p ? { protocol: p.protocol } : {}), ...(p?.port !== undefined ? { port: String(p.port) } : {}) });
    },
  });
  const pos = new Map(model.ids.map((x, i) => [x, i] as const));
  return {
    model,
    center: (src, dst) => {
      const s = pos.get(src);
      const d = pos.get(dst);
      return s === undefined || d === undefined ? undefined : locate(s, d);
    },
  };
}

export class MatrixView implements View {
  readonly tab = "matrix" as const;
  readonly el = h("section", { class: "view matrix-view" });
  private dirty = true;

  constructor(private readonly app: App) {
    app.on("filter", () => this.invalidate());
    app.on("base", () => this.invalidate());
  }

  private invalidate(): void {
    this.dirty = true;
    if (!this.el.hidden) this.show();
  }

  show(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const host = h("div", { class: "heatmap-host" });
    const m = filterMatrix(this.app.base.matrix, this.app.filter);
    const allowed = m.connections.length;
    const n = m.endpoints.length;
    clear(
      this.el,
      h("div", { class: "toolbar" }, filterBar(this.app)),
      h("p", { class: "note" }, `${n} endpoints, ${allowed} allowed connections. Click any cell — allowed or denied — to see its trace.`),
      heatLegend(false),
      host,
    );
    const { center } = renderHeatmap(this.app, host, m, { scenario: "base" });
    debugHook().cellCenter = center;
  }
}
