/**
 * @module trace-view
 * View 3: the trace explorer. Pick or type a source and a destination (`ns/name:port`, an IP, a
 * URL), see each stage (source, destination, egress at the source, ingress at the destination,
 * verdict) with the rules that decided it and the YAML around each rule.
 */
import { isProtocol } from "../../model/index.js";
import type { TraceStep } from "../../engine/index.js";
import type { App, TraceTarget, View } from "../app.js";
import { clear, h } from "../dom.js";
import type { TraceResult } from "../protocol.js";
import { yamlExcerpt } from "./yaml-excerpt.js";

const RESULT_ICON: Readonly<Record<TraceStep["result"], string>> = { info: "•", allowed: "✓", denied: "✗", skipped: "–" };

export class TraceView implements View {
  readonly tab = "trace" as const;
  readonly el = h("section", { class: "view trace-view" });
  private readonly src = h("input", { attrs: { list: "kw-endpoints", placeholder: "source: production/frontend", "aria-label": "source", "data-testid": "trace-src" } });
  private readonly dst = h("input", { attrs: { list: "kw-endpoints", placeholder: "destination: production/api-server:8080, 10.0.0.5:443, http://…", "aria-label": "destination", "data-testid": "trace-dst" } });
  private readonly protocol = h("select", { attrs: { "aria-label": "protocol" } }, ...["TCP", "UDP", "SCTP"].map((p) => h("option", { attrs: { value: p } }, p)));
  private readonly port = h("input", { class: "port", attrs: { placeholder: "port", "aria-label": "port" } });
  private readonly scenario = h("select", { attrs: { "aria-label": "input" } }, h("option", { attrs: { value: "base" } }, "loaded input"), h("option", { attrs: { value: "whatif" } }, "what-if input"));
  private readonly out = h("div", { class: "trace-out", attrs: { "data-testid": "trace-out" } });
  private byId = false;
  private built = false;

  constructor(private readonly app: App) {
    app.traceHandler = (t) => void this.run(t);
    app.on("whatif", () => this.syncScenario());
    app.on("base", () => this.syncScenario());
  }

  private syncScenario(): void {
    this.scenario.disabled = this.app.whatif === undefined;
    if (!this.app.whatif) this.scenario.value = "base";
  }

  show(): void {
    if (this.built) return;
    this.built = true;
    const list = h("datalist", { attrs: { id: "kw-endpoints" } }, ...this.app.base.matrix.endpoints.map((e) => h("option", { attrs: { value: e.id } })));
    const go = h("button", { class: "primary", attrs: { type: "submit", "data-testid": "trace-go" } }, "Trace");
    const form = h("form", { class: "trace-form" }, this.src, h("span", { class: "arrow" }, "→"), this.dst, this.protocol, this.port, this.scenario, go, list);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.run({ src: this.src.value, dst: this.dst.value, byId: false, scenario: this.scenario.value === "whatif" ? "whatif" : "base" });
    });
    for (const el of [this.src, this.dst]) el.addEventListener("input", () => void (this.byId = false));
    this.syncScenario();
    clear(
      this.el,
      form,
      h("p", { class: "note" }, "Source and destination: a workload or pod (ns/name, ns/name[Kind]), an IP, or for the destination a URL; add :PORT (number or port name) or use the port box."),
      this.out,
    );
  }

  async run(t: TraceTarget): Promise<void> {
    this.show();
    this.src.value = t.src;
    this.dst.value = t.dst;
    this.byId = t.byId;
    if (t.protocol) this.protocol.value = t.protocol;
    this.port.value = t.port ?? "";
    if (t.scenario) this.scenario.value = t.scenario;
    const protocol = isProtocol(this.protocol.value) ? this.protocol.value : "TCP";
    clear(this.out, h("p", { class: "muted" }, "Tracing…"));
    try {
      const r = await this.app.engine.call("trace", {
        scenario: t.scenario ?? (this.scenario.value === "whatif" ? "whatif" : "base"),
        src: t.src,
        dst: t.dst,
        byId: this.byId,
        protocol,
        ...(this.port.value.trim() ? { port: this.port.value.trim() } : {}),
      });
      if (r.port !== undefined && !this.port.value) this.port.value = String(r.port);
      this.protocol.value = r.protocol;
      clear(this.out, this.render(r));
    } catch (e) {
      clear(this.out, h("div", { class: "error", attrs: { "data-testid": "trace-error" } }, e instanceof Error ? e.message : String(e)));
    }
  }

  private render(r: TraceResult): HTMLElement {
    const tr = r.trace;
    const port = tr.port === undefined ? `any ${tr.protocol} port` : `${tr.protocol}/${tr.port}`;
    const banner = h(
      "div",
      { class: `verdict ${tr.verdict}`, attrs: { "data-testid": "verdict" } },
      h("strong", null, tr.verdict === "allowed" ? "ALLOWED" : "DENIED"),
      h("span", null, ` ${tr.src} → ${tr.dst} on ${port}`),
      tr.verdict === "allowed" ? h("span", { class: "muted" }, ` · open: ${tr.allowedPorts}`) : null,
    );
    const steps = tr.steps.map((s) => {
      const refs = new Map<string, { file: string; line: number; title: string }>();
      for (const rule of s.rules ?? []) refs.set(`${rule.file}:${rule.line}`, { file: rule.file, line: rule.line, title: `${rule.policy} ${rule.direction.toLowerCase()}[${rule.index}]` });
      if (s.source && refs.size === 0) refs.set(`${s.source.file}:${s.source.line}`, { ...s.source, title: "" });
      const showYaml = s.stage !== "source" && s.stage !== "destination";
      return h(
        "li",
        { class: `step ${s.result}`, attrs: { "data-stage": s.stage } },
        h("div", { class: "step-head" }, h("span", { class: "icon" }, RESULT_ICON[s.result]), h("span", { class: "stage" }, s.stage), h("span", { class: "result" }, s.result)),
        h("div", { class: "detail" }, s.detail),
        ...[...refs.values()].map((ref) =>
          showYaml
            ? h("div", { class: "rule" }, ref.title ? h("div", { class: "rule-title" }, ref.title) : null, yamlExcerpt(ref.file, this.app.fileText(ref.file), ref.line))
            : h("div", { class: "where muted" }, `${ref.file}:${ref.line}`),
        ),
      );
    });
    return h("div", null, banner, h("ol", { class: "steps" }, ...steps));
  }
}
