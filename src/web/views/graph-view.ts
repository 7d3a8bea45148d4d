/**
 * @module graph-view
 * View 1: the allowed connections as a graph (Cytoscape.js). Namespaces are compound nodes, IP
 * blocks outside the cluster have their own group; hovering shows ports, clicking an edge opens
 * its trace, clicking a workload highlights its neighbours.
 */
import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import type { App, View } from "../app.js";
import { debugHook } from "../debug.js";
import { clear, h } from "../dom.js";
import { filterMatrix } from "../model/filters.js";
import { graphModel, proxyNode, type GraphModel } from "../model/graph.js";
import { packedLayout } from "../model/layout.js";
import type { MatrixJson } from "../../report/index.js";
import type { Change } from "../model/diff.js";
import { COLORS, graphStyle } from "./cy-style.js";
import { filterBar } from "./filter-bar.js";

/** Past this many connections the graph folds into namespaces. */
export const MAX_EDGES = 2500;

export interface DrawOptions {
  readonly changes?: ReadonlyMap<string, Change>;
  readonly onEdge?: (src: string, dst: string) => void;
  /** A north-south edge from the virtual proxy: the URL that takes it. */
  readonly onExposure?: (url: string) => void;
  readonly layout?: "auto" | "grid" | "cose" | "concentric";
}

/** Draws a matrix into a container; returns the Cytoscape instance and the model it drew. */
export function drawGraph(container: HTMLElement, m: MatrixJson, opts: DrawOptions): { cy: Core; model: GraphModel } {
  const model = graphModel(m, { maxEdges: MAX_EDGES, ...(opts.changes ? { changes: opts.changes } : {}) });
  const positions = packedLayout(model.nodes);
  const elements: ElementDefinition[] = [
    ...model.nodes.map((n) => {
      const p = positions.get(n.data.id);
      return p ? { data: { ...n.data }, position: { ...p } } : { data: { ...n.data } };
    }),
    ...model.edges.map((e) => ({ data: { ...e.data } })),
  ];
  const choice = opts.layout ?? "auto";
  const name = choice === "auto" || choice === "grid" ? "preset" : choice;
  const big = model.edges.length > 800;
  const cy = cytoscape({
    container,
    elements,
    style: graphStyle(model.edges.length <= 12),
    layout: name === "cose"
      ? { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 400000, idealEdgeLength: () => 110, nodeOverlap: 20, padding: 24, componentSpacing: 80, nestingFactor: 1.2, gravity: 0.25, numIter: 2500 }
      : name === "concentric"
        ? { name: "concentric", animate: false, padding: 24, minNodeSpacing: 24 }
        : { name: "preset", padding: 24 },
    minZoom: 0.05,
    maxZoom: 3,
    textureOnViewport: big,
    hideEdgesOnViewport: big,
    pixelRatio: big ? 1 : "auto",
  });
  cy.on("mouseover", "edge", (e) => e.target.addClass("hover"));
  cy.on("mouseout", "edge", (e) => e.target.removeClass("hover"));
  cy.on("tap", "edge", (e) => {
    if (e.target.data("exposure") && !e.target.data("evaluated")) {
      // From the virtual proxy: trace the request from outside, when the route names a URL.
      const url: unknown = e.target.data("url");
      if (typeof url === "string") opts.onExposure?.(url);
      return;
    }
    if (model.level === "workload") opts.onEdge?.(String(e.target.data("source")), String(e.target.data("target")));
  });
  cy.on("tap", 'node[kind = "workload"], node[kind = "ipblock"]', (e) => {
    cy.elements().removeClass("faded");
    const hood = e.target.closedNeighborhood();
    cy.elements().not(hood).not(hood.ancestors()).addClass("faded");
  });
  cy.on("tap", (e) => {
    if (e.target === cy) cy.elements().removeClass("faded");
  });
  const center = (id: string): { x: number; y: number } | undefined => {
    const edge = cy.getElementById(id);
    if (edge.empty()) return undefined;
    const p = edge.renderedMidpoint();
    const r = container.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  };
  debugHook()[opts.changes ? "diffEdgeCenter" : "graphEdgeCenter"] = (src, dst) => center(`edge:${src}->${dst}`);
  if (!opts.changes) debugHook().exposureEdgeCenter = (src, dst) => center(`exposure:${cy.getElementById(src).empty() ? proxyNode(src) : src}->${dst}`);
  return { cy, model };
}

export function graphLegend(diff: boolean): HTMLElement {
  const line = (color: string, text: string, dashed = false): HTMLElement =>
    h("span", { class: "legend-item" }, h("span", { class: `swatch-line${dashed ? " dashed" : ""}`, attrs: { style: `border-color:${color}` } }), text);
  const box = (cls: string, text: string): HTMLElement => h("span", { class: "legend-item" }, h("span", { class: `swatch-box ${cls}` }), text);
  return h(
    "div",
    { class: "legend" },
    ...(diff
      ? [line(COLORS.added, "added by the change"), line(COLORS.removed, "removed by the change", true), line(COLORS.changed, "ports changed")]
      : [line(COLORS.allPorts, "allowed, all ports"), line(COLORS.somePorts, "allowed, some ports"), line(COLORS.northSouth, "north-south exposure (Ingress, Gateway, Route)", true)]),
    box("ns", "namespace"),
    box("wl", "workload"),
    box("ip", "IP block outside the cluster"),
  );
}

export class GraphView implements View {
  readonly tab = "graph" as const;
  readonly el = h("section", { class: "view graph-view" });
  private cy: Core | undefined;
  private dirty = true;
  private layout: DrawOptions["layout"] = "auto";

  constructor(private readonly app: App) {
    app.on("filter", () => this.invalidate());
    app.on("base", () => this.invalidate());
  }

  private invalidate(): void {
    this.dirty = true;
    if (this.el.isConnected && !this.el.hidden) this.show();
  }

  show(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const select = h("select", { attrs: { "aria-label": "layout" } }, ...["auto", "cose", "concentric"].map((l) => h("option", { attrs: { value: l } }, `layout: ${l === "auto" ? "namespaces in a grid" : l}`)));
    select.value = this.layout ?? "auto";
    select.addEventListener("change", () => {
      this.layout = select.value === "grid" || select.value === "cose" || select.value === "concentric" ? select.value : "auto";
      this.dirty = true;
      this.show();
    });
    const canvas = h("div", { class: "cy", attrs: { "data-testid": "graph" } });
    const note = h("p", { class: "note" });
    clear(this.el, h("div", { class: "toolbar" }, filterBar(this.app), select), note, canvas, graphLegend(false));
    this.cy?.destroy();
    const m = filterMatrix(this.app.base.matrix, this.app.filter);
    const { cy, model } = drawGraph(canvas, m, {
      layout: this.layout ?? "auto",
      onEdge: (src, dst) => this.app.openTrace({ src, dst, byId: true }),
      onExposure: (url) => this.app.openTrace({ src: "internet", dst: url, byId: false }),
    });
    this.cy = cy;
    const workloads = model.nodes.filter((n) => n.data.kind === "workload").length;
    const exposed = model.edges.filter((e) => e.data.exposure).length;
    const connections = model.edges.length - exposed;
    note.textContent = model.note ?? `${workloads} workloads, ${connections} allowed connections${exposed ? `, ${exposed} north-south exposure edges (dashed)` : ""}. Click an edge for its trace, a workload to highlight its neighbours.`;
  }
}
