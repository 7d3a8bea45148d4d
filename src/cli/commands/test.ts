/**
 * @module test (command)
 * `kwire test -f CLUSTER --expect FILE`: checks expected allowed/denied connections; table,
 * JSON or JUnit XML; exit 1 on any failure.
 */
import { Command } from "commander";
import { loadExpectations, type Expectation } from "../../parse/index.js";
import { testJunit, testTable, traceUncertainty, type TestResult } from "../../report/index.js";
import type { Analyzed } from "../../analyze/index.js";
import { addInputOptions, analyzeInputs, type InputOptions, type Io } from "../context.js";
import { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, printDiagnostics, readInputs, readStdin, UsageError } from "../io.js";
import { runTrace } from "./trace.js";
import { resolveTarget } from "../../engine/index.js";
import { NAMESPACE_HELP, namespaceHelp } from "../help.js";

interface TestOptions extends InputOptions {
  expect?: string[];
  output: string;
}

/**
 * The namespace an expectation's end is in: the pod or workload it names (resolved in `ns`, as
 * trace does), `svc/NAME` in `ns`, a DNS name `svc.NS[.svc…]` in NS; an address: none.
 */
function endNamespace(a: Analyzed, text: string, ns: string): string | undefined {
  const r = resolveTarget(a.analysis.topology, text, ns);
  if (r.ok) return r.target.party.type === "node" ? a.analysis.topology.subjects[r.target.party.node]?.namespace : undefined;
  if (/^(svc|service|services)\//i.test(text)) return ns;
  const host = /^(?:[a-z]+:\/\/)?([a-z0-9.-]+)/i.exec(text)?.[1] ?? "";
  const labels = host.replace(/\.$/, "").split(".");
  if (labels.length >= 2 && !/^\d+$/.test(labels[labels.length - 1] ?? "")) return labels[1];
  return labels.length === 1 && host !== "" ? ns : undefined;
}

function check(a: Analyzed, e: Expectation, namespace: string | undefined): TestResult {
  const base = { name: e.name, from: e.from, to: e.to, expected: e.expect, file: e.source.file, line: e.source.line };
  try {
    const t = runTrace(a, e.from, e.to, { protocol: e.protocol, port: e.port, namespace });
    const last = t.steps.filter((s) => s.result === "denied")[0] ?? t.steps[t.steps.length - 1];
    const uncertain = traceUncertainty(t);
    return { ...base, actual: t.verdict, passed: t.verdict === e.expect, detail: last ? `${last.stage}: ${last.detail}` : "", ...(uncertain.length ? { uncertain } : {}) };
  } catch (err) {
    if (err instanceof UsageError) return { ...base, passed: false, detail: err.message };
    throw err;
  }
}

export function testCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("test").description("check expected allowed and denied connections (exit 1 on any failure)");
  namespaceHelp(addInputOptions(cmd), NAMESPACE_HELP.test)
    .option("--expect <file>", "ConnectivityTest file (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("-o, --output <format>", "table|json|junit", "table")
    .action(async (opts: TestOptions) => {
      if (!opts.expect || opts.expect.length === 0) throw new UsageError("give the expectations with --expect FILE");
      const read = readInputs(opts.expect, io.stdin ?? readStdin);
      printDiagnostics(read.diagnostics, io.err);
      if (read.diagnostics.length > 0) throw new UsageError("cannot read the expectations");
      const { expectations, diagnostics } = loadExpectations(read.files);
      printDiagnostics(diagnostics, io.err);
      if (expectations.length === 0) throw new UsageError("no expectations found");
      const a = await analyzeInputs(opts, io);
      const ns = opts.allNamespaces ? undefined : opts.namespace;
      const chosen = ns === undefined ? expectations : expectations.filter((e) => endNamespace(a, e.from, ns) === ns || endNamespace(a, e.to, ns) === ns);
      if (chosen.length < expectations.length) io.err(`kwire: note: -n ${ns ?? ""}: ${expectations.length - chosen.length} of ${expectations.length} expectation(s) have no end in the namespace and were not checked\n`);
      const results = chosen.map((e) => check(a, e, opts.namespace));
      if (opts.output === "json") io.out(JSON.stringify({ results }, null, 2) + "\n");
      else if (opts.output === "junit") io.out(testJunit(results, "kwire"));
      else if (opts.output === "table") io.out(testTable(results));
      else throw new UsageError(`-o must be table, json or junit, not "${opts.output}"`);
      const broken = diagnostics.some((d) => d.severity === "error");
      setExit(results.some((r) => !r.passed) ? EXIT_FINDINGS : broken ? EXIT_BAD_INPUT : EXIT_OK);
    });
  return cmd;
}
