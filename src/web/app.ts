/**
 * @module app
 * What every view shares: the engine client, the input, the loaded analysis, the filter, the
 * what-if result, and navigation between views (a click on a cell opens its trace).
 */
import { pushTo } from "../model/collections.js";
import type { Protocol } from "../model/index.js";
import type { EngineClient } from "./client.js";
import type { MatrixFilter } from "./model/filters.js";
import type { InputFileMsg, LintResult, LoadResult, Scenario, WhatIfResult } from "./protocol.js";

export const TABS = ["graph", "matrix", "trace", "policies", "whatif", "findings"] as const;
export type Tab = (typeof TABS)[number];

export const TAB_TITLES: Readonly<Record<Tab, string>> = {
  graph: "Graph",
  matrix: "Matrix",
  trace: "Trace",
  policies: "Policies",
  whatif: "What-if",
  findings: "Findings",
};

export interface View {
  readonly tab: Tab;
  readonly el: HTMLElement;
  /** Called when the view becomes visible; draws lazily. */
  show(): void;
}

export interface TraceTarget {
  readonly src: string;
  readonly dst: string;
  readonly byId: boolean;
  readonly protocol?: Protocol;
  readonly port?: string;
  readonly scenario?: Scenario;
}

type Listener = () => void;
type AppEvent = "filter" | "whatif" | "base" | "lint";

export class App {
  filter: MatrixFilter = {};
  whatif: WhatIfResult | undefined;
  /** `kwire lint`'s findings, once the worker has them (asked for after the first render). */
  lint: LintResult | undefined;
  private readonly listeners = new Map<string, Listener[]>();
  /** Set by main.ts: shows a tab. */
  select: (tab: Tab) => void = () => undefined;
  /** Set by the views that answer these requests. */
  traceHandler: (t: TraceTarget) => void = () => undefined;
  policyHandler: (id: string) => void = () => undefined;
  editHandler: (file: string, line: number) => void = () => undefined;

  constructor(
    readonly engine: EngineClient,
    public files: readonly InputFileMsg[],
    public base: LoadResult,
    readonly title: string,
  ) {}

  on(event: AppEvent, fn: Listener): void {
    pushTo(this.listeners, event, fn);
  }

  emit(event: AppEvent): void {
    for (const fn of this.listeners.get(event) ?? []) fn();
  }

  setFilter(f: MatrixFilter): void {
    this.filter = f;
    this.emit("filter");
  }

  openTrace(t: TraceTarget): void {
    this.select("trace");
    this.traceHandler(t);
  }

  openPolicy(id: string): void {
    this.select("policies");
    this.policyHandler(id);
  }

  editObject(file: string, line: number): void {
    this.select("whatif");
    this.editHandler(file, line);
  }

  fileText(path: string): string | undefined {
    return this.files.find((f) => f.path === path)?.text;
  }
}
