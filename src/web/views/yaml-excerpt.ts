/**
 * @module yaml-excerpt
 * A piece of the input YAML with line numbers and the deciding line highlighted.
 */
import { h } from "../dom.js";
import { excerpt } from "../model/documents.js";

export function yamlExcerpt(file: string, text: string | undefined, line: number, max = 24): HTMLElement {
  const head = h("div", { class: "excerpt-head" }, `${file}:${line}`);
  if (text === undefined || line <= 0) return h("div", { class: "excerpt" }, head);
  const ex = excerpt(text, line, max);
  const rows = ex.lines.map((l, i) => {
    const n = ex.firstLine + i;
    return h("div", { class: n === ex.mark ? "code-line mark" : "code-line" }, h("span", { class: "ln" }, String(n)), h("span", { class: "src" }, l || " "));
  });
  return h("div", { class: "excerpt", attrs: { "data-testid": "excerpt" } }, head, h("pre", { class: "code" }, ...rows));
}
