/**
 * @module main
 * The page: reads the input (embedded by `kwire serve --export`, else `api/input` from
 * `kwire serve`), starts the engine worker, loads the analysis and shows the views.
 */
import { App, TAB_TITLES, TABS, type Tab, type View } from "./app.js";
import { EngineClient } from "./client.js";
import { debugHook } from "./debug.js";
import { byId, clear, h } from "./dom.js";
import type { InputFileMsg } from "./protocol.js";
import { FindingsView } from "./views/findings-view.js";
import { GraphView } from "./views/graph-view.js";
import { MatrixView } from "./views/matrix-view.js";
import { PolicyView } from "./views/policy-view.js";
import { TraceView } from "./views/trace-view.js";
import { WhatIfView } from "./views/whatif-view.js";
import EngineWorker from "./worker/index.ts?worker&inline";

/** `/api/input` or the embedded input: the files and `kwire serve`'s --cni, --pod-cidr and -n. */
interface Input {
  readonly title: string;
  readonly files: readonly InputFileMsg[];
  readonly cni?: string;
  readonly podCidr?: string;
  readonly namespace?: string;
}

function isInput(x: unknown): x is Input {
  if (typeof x !== "object" || x === null || !("files" in x) || !Array.isArray(x.files)) return false;
  return x.files.every((f: unknown) => typeof f === "object" && f !== null && "path" in f && "text" in f && typeof f.path === "string" && typeof f.text === "string");
}

async function readInput(): Promise<Input> {
  const embedded = document.getElementById("kwire-input");
  const data: unknown = embedded?.textContent ? JSON.parse(embedded.textContent) : await (await fetch("api/input")).json();
  if (!isInput(data)) throw new Error("the input is not { files: [{ path, text }] }");
  return data;
}

function header(app: App, onTab: (t: Tab) => void): HTMLElement {
  const s = app.base.summary;
  const stat = (n: number | string, label: string): HTMLElement => h("span", { class: "stat" }, h("b", null, String(n)), ` ${label}`);
  const count = app.base.findings.length + (app.lint?.findings.length ?? 0);
  const tabs = TABS.map((t) => h("button", { class: "tab", attrs: { "data-tab": t, role: "tab" }, on: { click: () => onTab(t) } }, TAB_TITLES[t], t === "findings" && count ? h("span", { class: "badge" }, String(count)) : null));
  return h(
    "header",
    null,
    h("div", { class: "brand" }, h("span", { class: "logo" }, "kwire"), h("span", { class: "title" }, app.title)),
    h(
      "div",
      { class: "stats" },
      stat(s.endpoints - s.externalEndpoints, "workloads"),
      stat(s.externalEndpoints, "IP blocks"),
      stat(s.policies, "policies"),
      stat(s.allowedPairs, "allowed"),
      stat(s.deniedPairs, "denied"),
    ),
    h("nav", { class: "tabs", attrs: { role: "tablist" } }, ...tabs),
  );
}

async function start(): Promise<void> {
  const t0 = performance.now();
  const root = byId("app", HTMLDivElement);
  const input = await readInput();
  const engine = new EngineClient(new EngineWorker({ name: "kwire-engine" }));
  const base = await engine.call("load", {
    files: input.files,
    ...(typeof input.cni === "string" ? { cni: input.cni } : {}),
    ...(typeof input.podCidr === "string" ? { podCidr: input.podCidr } : {}),
    ...(typeof input.namespace === "string" ? { namespace: input.namespace } : {}),
  });
  const app = new App(engine, input.files, base, input.title);
  if (base.namespace !== undefined) app.filter = { namespaces: [base.namespace] };
  const views: View[] = [new GraphView(app), new MatrixView(app), new TraceView(app), new PolicyView(app), new WhatIfView(app), new FindingsView(app)];
  const main = h("main", null, ...views.map((v) => v.el));
  const status = h("footer", { attrs: { "data-testid": "status" } });
  const select = (tab: Tab): void => {
    for (const v of views) v.el.hidden = v.tab !== tab;
    for (const b of root.querySelectorAll<HTMLButtonElement>("button.tab")) b.classList.toggle("active", b.dataset["tab"] === tab);
    if (location.hash !== `#${tab}`) history.replaceState(null, "", `#${tab}`);
    views.find((v) => v.tab === tab)?.show();
  };
  app.select = select;
  const rebuild = (): void => clear(root, header(app, select), main, status);
  rebuild();
  const refreshHeader = (): void => {
    const active = root.querySelector<HTMLButtonElement>("button.tab.active")?.dataset["tab"];
    root.querySelector("header")?.replaceWith(header(app, select));
    if (active) root.querySelector(`button.tab[data-tab="${active}"]`)?.classList.add("active");
  };
  const linter = new EngineClient(new EngineWorker({ name: "kwire-lint" }));
  const runLint = (): void => {
    app.lint = undefined;
    void linter.call("lint", { files: app.files, ...(input.cni ? { cni: input.cni } : {}) }).then((r) => {
      app.lint = r;
      debugHook().timings["lintMs"] = r.ms;
      app.emit("lint");
    }, (e: unknown) => console.error("kwire lint failed in the worker:", e));
  };
  app.on("base", () => {
    refreshHeader();
    runLint();
  });
  app.on("lint", refreshHeader);
  const hash = location.hash.slice(1);
  select(TABS.find((t) => t === hash) ?? "graph");
  const firstRender = performance.now() - t0;
  const timings = debugHook().timings;
  timings["firstRenderMs"] = firstRender;
  timings["analyzeMs"] = base.timings.analyzeMs;
  timings["matrixMs"] = base.timings.matrixMs;
  status.textContent = `Engine in a Web Worker: analysis ${base.timings.analyzeMs.toFixed(0)} ms, matrix ${base.timings.matrixMs.toFixed(0)} ms · first render ${firstRender.toFixed(0)} ms · ${input.files.length} file(s)`;
  document.body.dataset["ready"] = "true";
  runLint();
}

start().catch((e: unknown) => {
  const root = document.getElementById("app");
  if (root) clear(root, h("div", { class: "fatal" }, h("h1", null, "kwire could not load the input"), h("pre", null, e instanceof Error ? e.message : String(e))));
  document.body.dataset["ready"] = "error";
});
