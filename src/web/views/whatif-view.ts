/**
 * @module whatif-view
 * View 5: what-if. Edit an object's YAML (a policy, a workload's labels, a namespace's labels) or
 * paste new documents, re-run the analysis in the worker, and see what the change does before it
 * is applied: connections added (green), removed (red) and changed (amber) as a graph, a heat
 * map and a list; each change opens its trace.
 */
import type { App, View } from "../app.js";
import { debugHook } from "../debug.js";
import { clear, h } from "../dom.js";
import { changeMap, diffOnly, isEmptyDiff, unionMatrix, type MatrixDiff } from "../model/diff.js";
import { applyEdit, documentOf, type Edit } from "../model/edit.js";
import { formatPorts } from "../model/ports.js";
import type { ObjectRef } from "../protocol.js";
import type { MatrixJson } from "../../report/index.js";
import { groupBy } from "../../model/collections.js";
import { drawGraph, graphLegend } from "./graph-view.js";
import { heatLegend, renderHeatmap } from "./matrix-view.js";

const NEW_DOC = "__new__";
const EXAMPLE = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: my-change, namespace: production }
spec:
  podSelector: {}
  ingress:
    - from: [{ namespaceSelector: {} }]
`;

export class WhatIfView implements View {
  readonly tab = "whatif" as const;
  readonly el = h("section", { class: "view whatif-view" });
  private readonly picker = h("select", { attrs: { "aria-label": "object to edit", "data-testid": "whatif-object" } });
  private readonly editor = h("textarea", { attrs: { spellcheck: "false", wrap: "off", "data-testid": "whatif-text", rows: 22 } });
  private readonly out = h("div", { class: "whatif-out", attrs: { "data-testid": "whatif-out" } });
  private readonly applyBtn = h("button", { attrs: { disabled: true, "data-testid": "whatif-apply" } }, "Apply");
  private built = false;
  private edited: ReturnType<typeof applyEdit> | undefined;

  constructor(private readonly app: App) {
    app.editHandler = (file, line) => this.pick(file, line);
    app.on("base", () => {
      this.built = false;
      if (!this.el.hidden) this.show();
    });
  }

  private objects(): readonly ObjectRef[] {
    return this.app.base.objects;
  }

  show(): void {
    if (this.built) return;
    this.built = true;
    const groups = groupBy(this.objects(), (o) => o.kind);
    clear(
      this.picker,
      h("option", { attrs: { value: NEW_DOC } }, "+ add new documents (paste YAML)"),
      ...[...groups.entries()].map(([kind, os]) =>
        h("optgroup", { attrs: { label: kind } }, ...os.slice(0, 2000).map((o) => h("option", { attrs: { value: `${o.file}\u0000${o.line}` } }, `${kind} ${o.id}`))),
      ),
    );
    this.picker.addEventListener("change", () => this.fillEditor());
    const run = h("button", { class: "primary", attrs: { "data-testid": "whatif-run" }, on: { click: () => void this.run() } }, "Run what-if");
    this.applyBtn.addEventListener("click", () => void this.apply());
    const reset = h("button", { on: { click: () => this.fillEditor() } }, "Reset text");
    clear(
      this.el,
      h(
        "div",
        { class: "whatif-edit" },
        h("p", { class: "note" }, "Pick an object and edit its YAML (rules, selectors, labels), or add new documents. Nothing changes until you press Apply."),
        this.picker,
        this.editor,
        h("div", { class: "buttons" }, run, this.applyBtn, reset),
      ),
      this.out,
    );
    clear(this.out, h("div", { class: "placeholder" }, h("h3", null, "What would this change do?"), h("p", { class: "muted" }, "Run the what-if to see the connections it adds (green), removes (red) and changes (amber), as a graph, a list and a heat map. Click any of them for its trace on the edited input.")));
    const first = this.objects().find((o) => o.kind === "NetworkPolicy");
    if (first) this.picker.value = `${first.file}\u0000${first.line}`;
    this.fillEditor();
  }

  pick(file: string, line: number): void {
    this.show();
    this.picker.value = `${file}\u0000${line}`;
    this.fillEditor();
  }

  private edit(): Edit {
    if (this.picker.value === NEW_DOC) return { type: "add", text: this.editor.value };
    const [file, line] = this.picker.value.split("\u0000");
    return { type: "replace", file: file ?? "", line: Number(line), text: this.editor.value };
  }

  private fillEditor(): void {
    const e = this.edit();
    this.editor.value = e.type === "add" ? EXAMPLE : (documentOf(this.app.files, e.file, e.line) ?? "");
  }

  async run(): Promise<void> {
    clear(this.out, h("p", { class: "muted" }, "Re-running the analysis…"));
    const files = applyEdit(this.app.files, this.edit());
    try {
      const r = await this.app.engine.call("whatif", { files });
      this.app.whatif = r;
      this.edited = files;
      this.app.emit("whatif");
      this.applyBtn.disabled = false;
      debugHook().timings["whatifMatrixMs"] = r.timings.matrixMs;
      this.render(r.diff, r.matrix, r.findings.filter((f) => f.severity === "error").map((f) => `${f.file}:${f.line}: ${f.message}`));
    } catch (e) {
      clear(this.out, h("div", { class: "error" }, e instanceof Error ? e.message : String(e)));
    }
  }

  private async apply(): Promise<void> {
    if (!this.edited) return;
    const files = this.edited;
    const base = await this.app.engine.call("load", { files });
    this.app.files = files;
    this.app.base = base;
    this.app.whatif = undefined;
    this.edited = undefined;
    this.applyBtn.disabled = true;
    this.app.emit("base");
    this.app.emit("whatif");
  }

  private render(d: MatrixDiff, after: MatrixJson, errors: readonly string[]): void {
    const before = this.app.base.matrix;
    const union = unionMatrix(before, after, d);
    const changes = changeMap(d);
    const head = h(
      "div",
      { class: "diff-summary", attrs: { "data-testid": "diff-summary" } },
      h("span", { class: "pill added" }, `+${d.added.length} added`),
      h("span", { class: "pill removed" }, `−${d.removed.length} removed`),
      h("span", { class: "pill changed" }, `~${d.changed.length} changed`),
      d.endpointsAdded.length + d.endpointsRemoved.length > 0 ? h("span", { class: "muted" }, ` endpoints: +${d.endpointsAdded.length} −${d.endpointsRemoved.length}`) : null,
    );
    const errs = errors.length ? h("div", { class: "error" }, `The edited input has errors (the broken object was skipped):\n${errors.join("\n")}`) : null;
    if (isEmptyDiff(d)) {
      clear(this.out, head, errs, h("p", null, "This change does not alter who can reach whom."));
      return;
    }
    const trace = (src: string, dst: string): void => this.app.openTrace({ src, dst, byId: true, scenario: "whatif" });
    const row = (kind: string, src: string, dst: string, ports: string): HTMLElement =>
      h("tr", { class: `diff-${kind}`, on: { click: () => trace(src, dst) } }, h("td", null, kind), h("td", null, src), h("td", null, "→"), h("td", null, dst), h("td", null, ports));
    const rows = [
      ...d.added.map((c) => row("added", c.src, c.dst, formatPorts(c.ports))),
      ...d.removed.map((c) => row("removed", c.src, c.dst, formatPorts(c.ports))),
      ...d.changed.map((c) => row("changed", c.src, c.dst, `${formatPorts(c.before)} ⇒ ${formatPorts(c.after)}`)),
    ];
    const graphHost = h("div", { class: "cy small", attrs: { "data-testid": "diff-graph" } });
    const heatHost = h("div", { class: "heatmap-host" });
    clear(
      this.out,
      head,
      errs,
      h("h3", null, "Changed connections"),
      graphHost,
      graphLegend(true),
      h("table", { class: "diff-table", attrs: { "data-testid": "diff-table" } }, h("tbody", null, ...rows.slice(0, 500))),
      rows.length > 500 ? h("p", { class: "muted" }, `… and ${rows.length - 500} more`) : null,
      h("h3", null, "Matrix after the change"),
      heatLegend(true),
      heatHost,
    );
    drawGraph(graphHost, diffOnly(union, d), { changes, onEdge: trace });
    const { center } = renderHeatmap(this.app, heatHost, union, { scenario: "whatif", changes, before });
    debugHook().whatifCellCenter = center;
  }
}
