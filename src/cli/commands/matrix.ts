/**
 * @module matrix (command)
 * `kwire matrix`: who can reach whom, in every output of CONTRACT.md.
 */
import { Command } from "commander";
import { stringify } from "yaml";
import { computeMatrix, computeSummary, endpointsAt, exposureEdges, forEachConnection, hasNorthSouthRoutes, northSouthExposure, type ExposureEdge, type Level, type MatrixOptions as EngineMatrixOptions } from "../../engine/index.js";
import { matrixCsv, matrixDot, matrixJson, matrixMarkdown, matrixMermaid, matrixTable, matrixWide, summaryText, writeMatrixJson, type MatrixStream } from "../../report/index.js";
import type { Analyzed } from "../../analyze/index.js";
import { addInputOptions, analyzeInputs, reportNamespaces, type InputOptions, type Io } from "../context.js";
import { EXIT_OK, UsageError } from "../io.js";
import { renderServiceMatrix } from "./matrix-service.js";
import { serviceContextOf } from "./trace.js";
import { cniMapsHostPorts } from "../../parse/index.js";
import { enforcedPolicyCount } from "../../policy/index.js";
import { NAMESPACE_HELP, namespaceHelp } from "../help.js";
import { progress } from "../progress.js";

export const MATRIX_FORMATS = ["table", "wide", "json", "yaml", "csv", "md", "dot", "mermaid", "summary"] as const;
const LEVELS: readonly Level[] = ["namespace", "workload", "pod"];

export interface MatrixOptions extends InputOptions {
  output: string;
  level: string;
  includeSelf?: boolean;
  engine: string;
  json?: boolean;
}

function matrixOptions(opts: MatrixOptions): EngineMatrixOptions {
  const level = opts.level as Level;
  if (!LEVELS.includes(level)) throw new UsageError(`--level must be one of ${LEVELS.join(", ")}, not "${opts.level}"`);
  const namespaces = reportNamespaces(opts);
  return { level, includeSelf: opts.includeSelf ?? false, ...(namespaces ? { namespaces } : {}) };
}

/**
 * North-south exposure at the matrix's level (Ingress, Gateway routes, OpenShift Routes: data
 * plane → backends on their target ports, under the policies), with a note on stderr for what it
 * could not evaluate. Empty, and no Service layer built, when the input has no such route.
 */
export function northSouth(a: Analyzed, mopts: EngineMatrixOptions, err: (s: string) => void): ExposureEdge[] {
  if (!hasNorthSouthRoutes(a.cluster)) return [];
  // A CNI configuration without portmap: no hostPort is forwarded (lint: missing-portmap-with-hostport).
  const noPortmap = cniMapsHostPorts(a.load.cniConfigs) === false;
  const all = northSouthExposure(serviceContextOf(a));
  const list = noPortmap ? all.filter((e) => e.via !== "hostPort") : all;
  if (list.length < all.length) err(`kwire: note: ${all.length - list.length} hostPort(s) are not exposed: the CNI configuration in the input has no portmap plugin (see kwire lint)\n`);
  const r = exposureEdges(list, a.analysis.topology, mopts.level, mopts.namespaces);
  // Edges from the virtual proxy say so in the output itself (`evaluated: false`, the table's POLICY column).
  if (r.denied > 0) err(`kwire: note: ${r.denied} exposed backend(s) are denied to their proxy by policy and are not listed; kwire matrix --level service shows them\n`);
  if (r.outside > 0) err(`kwire: note: ${r.outside} exposed backend(s) are EndpointSlice addresses, not pods of the input; they are not listed (use kwire trace)\n`);
  return r.edges;
}

/**
 * `-o json`: written as the connections are produced (bounded memory at any size). With -n the
 * endpoints depend on the connections (those with one end in the namespaces), so the matrix is
 * collected first.
 */
function streamJson(a: Analyzed, opts: MatrixOptions, write: (chunk: string) => void, err: (s: string) => void): void {
  const mopts = matrixOptions(opts);
  const exposures = northSouth(a, mopts, err);
  if (mopts.namespaces) {
    const m = computeMatrix(a.analysis, mopts);
    writeMatrixJson({ level: m.level, analysis: m.analysis, endpoints: m.endpoints, forEachConnection: (visit) => m.connections.forEach(visit) }, write, a.cluster.policyGaps, exposures);
    return;
  }
  const endpoints = endpointsAt(a.analysis, mopts.level);
  const m: MatrixStream = { level: mopts.level, analysis: a.analysis, endpoints, forEachConnection: (visit) => forEachConnection(a.analysis, endpoints, mopts, visit) };
  writeMatrixJson(m, write, a.cluster.policyGaps, exposures);
}

export function renderMatrix(a: Analyzed, opts: MatrixOptions, err: (s: string) => void): string {
  if (opts.level === "service") return renderServiceMatrix(a, opts.output, reportNamespaces(opts), err);
  const mopts = matrixOptions(opts);
  if (opts.output === "json") {
    let out = "";
    streamJson(a, opts, (chunk) => void (out += chunk), err);
    return out;
  }
  if (opts.output === "summary") {
    const s = computeSummary(a.analysis, mopts, enforcedPolicyCount(a.cluster));
    return opts.json ? JSON.stringify(s, null, 2) + "\n" : summaryText(s);
  }
  if (!MATRIX_FORMATS.includes(opts.output as (typeof MATRIX_FORMATS)[number])) throw new UsageError(`-o must be one of ${MATRIX_FORMATS.join(", ")}, not "${opts.output}"`);
  const m = computeMatrix(a.analysis, mopts);
  // csv and md keep their one-row-per-connection shape: exposure is in table, wide, json, yaml, dot, mermaid.
  const ns = opts.output === "csv" || opts.output === "md" ? [] : northSouth(a, mopts, err);
  switch (opts.output) {
    case "table": return matrixTable(m, ns);
    case "wide": return matrixWide(m, ns);
    case "yaml": return stringify(matrixJson(m, a.cluster.policyGaps, ns));
    case "csv": return matrixCsv(m);
    case "md": return matrixMarkdown(m);
    case "dot": return matrixDot(m, ns);
    case "mermaid": return matrixMermaid(m, ns);
    default: throw new UsageError(`-o must be one of ${MATRIX_FORMATS.join(", ")}, not "${opts.output}"`);
  }
}

export function matrixCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("matrix").description("who can reach whom, on which ports");
  namespaceHelp(addInputOptions(cmd), NAMESPACE_HELP.report)
    .option("-o, --output <format>", `output: ${MATRIX_FORMATS.join("|")}`, "table")
    .option("--level <level>", "namespace|workload|pod|service (workloads → Service ports)", "workload")
    .option("--include-self", "list an endpoint's connections to itself")
    .option("--engine <engine>", "fast|reference (the naive evaluator, for checks and benchmarks)", "fast")
    .option("--json", "with -o summary: print JSON")
    .action(async (opts: MatrixOptions) => {
      const a = await analyzeInputs(opts, io);
      const ns = reportNamespaces(opts);
      for (const n of ns ?? []) {
        if (!a.analysis.topology.namespaces.has(n)) io.err(`kwire: warning: namespace "${n}" is not in the input; only addresses outside the cluster are left to report\n`);
      }
      progress().stage(`computing the ${opts.level}-level matrix`);
      if (opts.output === "json" && opts.level !== "service") streamJson(a, opts, io.out, io.err);
      else io.out(renderMatrix(a, opts, io.err));
      setExit(EXIT_OK);
    });
  return cmd;
}
