/**
 * @module filter-bar
 * The filter shared by the graph and the matrix: namespaces (checkboxes in a drop-down),
 * protocol, port, and whether to show IP blocks outside the cluster.
 */
import { isProtocol } from "../../model/index.js";
import type { App } from "../app.js";
import { h } from "../dom.js";
import { namespacesOf, type MatrixFilter } from "../model/filters.js";

export function filterBar(app: App): HTMLElement {
  const namespaces = namespacesOf(app.base.matrix);
  const chosen = new Set(app.filter.namespaces ?? []);
  const summary = h("summary", { attrs: { "data-testid": "ns-filter" } });
  const boxes = namespaces.map((ns) => {
    const box = h("input", { attrs: { type: "checkbox", value: ns, checked: chosen.has(ns) } });
    box.addEventListener("change", () => update());
    return { ns, box, row: h("label", { class: "check" }, box, ns) };
  });
  const clearBtn = h("button", { class: "link", on: { click: () => { for (const b of boxes) b.box.checked = false; update(); } } }, "all namespaces");
  const nsMenu = h("details", { class: "menu" }, summary, h("div", { class: "menu-body" }, clearBtn, ...boxes.map((b) => b.row)));
  const proto = h("select", { attrs: { "aria-label": "protocol" } }, h("option", { attrs: { value: "" } }, "any protocol"), ...["TCP", "UDP", "SCTP"].map((p) => h("option", { attrs: { value: p } }, p)));
  proto.value = app.filter.protocol ?? "";
  const port = h("input", { class: "port", attrs: { type: "number", min: 1, max: 65535, placeholder: "any port", "aria-label": "port" } });
  port.value = app.filter.port === undefined ? "" : String(app.filter.port);
  const ext = h("input", { attrs: { type: "checkbox", checked: app.filter.external ?? true } });
  const label = (): string => {
    const n = boxes.filter((b) => b.box.checked).map((b) => b.ns);
    return n.length === 0 ? "All namespaces" : n.length <= 2 ? n.join(", ") : `${n.length} namespaces`;
  };
  summary.textContent = label();
  function update(): void {
    summary.textContent = label();
    const f: { -readonly [K in keyof MatrixFilter]: MatrixFilter[K] } = {};
    const ns = boxes.filter((b) => b.box.checked).map((b) => b.ns);
    if (ns.length) f.namespaces = ns;
    if (isProtocol(proto.value)) f.protocol = proto.value;
    const p = Number(port.value);
    if (port.value !== "" && Number.isInteger(p) && p >= 1 && p <= 65535) f.port = p;
    if (!ext.checked) f.external = false;
    app.setFilter(f);
  }
  proto.addEventListener("change", update);
  port.addEventListener("change", update);
  ext.addEventListener("change", update);
  return h(
    "div",
    { class: "filters" },
    h("span", { class: "filters-title" }, "Filter"),
    nsMenu,
    proto,
    port,
    h("label", { class: "check" }, ext, "IP blocks outside the cluster"),
  );
}
