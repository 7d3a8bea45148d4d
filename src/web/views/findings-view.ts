/**
 * @module findings-view
 * View 6: what is wrong with, or worth knowing about, the input — the loader's diagnostics
 * (broken objects that were skipped) and notes (a CNI that enforces no policy), then `kwire
 * lint`'s findings, which the worker computes after the first render — and the north-south
 * exposure edges (proxy => backend : ports, at the Ingress or route that creates them).
 */
import type { App, View } from "../app.js";
import { clear, h } from "../dom.js";
import type { FindingMsg } from "../protocol.js";
import { yamlExcerpt } from "./yaml-excerpt.js";

export class FindingsView implements View {
  readonly tab = "findings" as const;
  readonly el = h("section", { class: "view findings-view" });
  private dirty = true;

  constructor(private readonly app: App) {
    const redraw = (): void => {
      this.dirty = true;
      if (!this.el.hidden) this.show();
    };
    app.on("base", redraw);
    app.on("lint", redraw);
  }

  private list(items: readonly FindingMsg[], empty: string): HTMLElement {
    if (items.length === 0) return h("p", { class: "muted" }, empty);
    const shown = items.slice(0, 300);
    return h(
      "ul",
      { class: "findings" },
      ...shown.map((f) =>
        h(
          "li",
          { class: `finding ${f.severity}` },
          h("div", null, h("span", { class: `sev ${f.severity}` }, f.severity), h("code", null, f.code), ` ${f.message}`),
          yamlExcerpt(f.file, this.app.fileText(f.file), f.line, 10),
        ),
      ),
      items.length > shown.length ? h("li", { class: "muted" }, `… and ${items.length - shown.length} more (kwire lint lists them all)`) : null,
    );
  }

  show(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const { findings, notes, cni } = this.app.base;
    const lint = this.app.lint;
    clear(
      this.el,
      h("p", null, cni ? `CNI: ${cni}. ` : "CNI: not named in the input (policies are taken as enforced). ", ...notes.map((n) => h("div", { class: "note" }, n))),
      h("h3", null, `Input (${findings.length})`),
      this.list(findings, "The input loaded without errors or warnings."),
      h("h3", null, `North-south exposure (${this.app.base.northSouth.length})`),
      this.list(this.app.base.northSouth, "No Ingress, Gateway route or OpenShift Route exposes a workload."),
      h("h3", null, lint ? `Lint (${lint.findings.length}, ${lint.ms.toFixed(0)} ms)` : "Lint"),
      lint ? this.list(lint.findings, "kwire lint found nothing.") : h("p", { class: "muted", attrs: { "data-testid": "lint-pending" } }, "Running kwire lint in the worker…"),
    );
  }
}
