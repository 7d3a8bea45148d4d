/**
 * @module diff (command)
 * `kwire diff OLD NEW`: connections opened, closed and changed between two inputs (paths, `-`,
 * or `git:REV:PATH`). `--exit-code`: exit 1 when anything changed.
 */
import { Command } from "commander";
import { stringify } from "yaml";
import { computeMatrix, type Level } from "../../engine/index.js";
import { incrementalDiff } from "../../analyze/index.js";
import type { InputFile } from "../../parse/index.js";
import { northSouth } from "./matrix.js";
import { diffIsEmpty, diffMarkdown, diffMatrices, diffTable, matrixJson } from "../../report/index.js";
import { analyzeLoaded, reportNamespaces, type InputOptions, type Io } from "../context.js";
import { isGitSpec, readGitInput } from "../git-input.js";
import { NAMESPACE_HELP } from "../help.js";
import { EXIT_FINDINGS, EXIT_OK, printDiagnostics, readInputs, readStdin, UsageError } from "../io.js";
import { diffStaged } from "./diff-staged.js";

interface DiffOptions extends InputOptions {
  output: string;
  level: string;
  includeSelf?: boolean;
  exitCode?: boolean;
  staged?: boolean;
}

function readSide(spec: string, io: Io): InputFile[] {
  if (isGitSpec(spec)) return readGitInput(spec);
  const { files, diagnostics } = readInputs([spec], io.stdin ?? readStdin);
  printDiagnostics(diagnostics, io.err);
  if (diagnostics.length > 0 || files.length === 0) throw new UsageError(`cannot read ${spec}`);
  return files;
}

export function diffCommand(io: Io, setExit: (n: number) => void): Command {
  return new Command("diff")
    .description("connections opened, closed and changed between two inputs (paths or git:REV:PATH)")
    .argument("[old]", "the input before (file, directory, - or git:REV:PATH)")
    .argument("[new]", "the input after")
    .option("-o, --output <format>", "table|md|json|yaml", "table")
    .option("--level <level>", "namespace|workload|pod", "workload")
    .option("--include-self", "include endpoints' connections to themselves")
    .option("-n, --namespace <ns>", NAMESPACE_HELP.report)
    .option("--cni <name>", "the cluster's CNI (decides whether policies are enforced)")
    .option("--exit-code", "exit 1 when anything changed")
    .option("--staged", "one input: what enforcing its Calico staged policies would change (docs/calico-cilium.md)")
    .option("-f, --filename <path>", "with --staged: the input (file, directory, - or git:REV:PATH; repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .action((oldSpec: string | undefined, newSpec: string | undefined, opts: DiffOptions & { filename?: string[] }) => {
      if (opts.staged) {
        const specs = [...(opts.filename ?? []), ...[oldSpec, newSpec].filter((s): s is string => s !== undefined)];
        if (specs.length === 0) throw new UsageError("diff --staged needs an input: kwire diff --staged -f DIR");
        return diffStaged(specs.flatMap((s) => readSide(s, io)), opts, io, setExit);
      }
      if (oldSpec === undefined || newSpec === undefined || opts.filename !== undefined) throw new UsageError("diff needs two inputs, OLD and NEW (or --staged -f INPUT)");
      if (!["namespace", "workload", "pod"].includes(opts.level)) throw new UsageError(`--level must be namespace, workload or pod, not "${opts.level}"`);
      const namespaces = reportNamespaces(opts);
      const mopts = { level: opts.level as Level, includeSelf: opts.includeSelf ?? false, ...(namespaces ? { namespaces } : {}) };
      const before = analyzeLoaded(readSide(oldSpec, io), opts, io, `${oldSpec}: `);
      const after = analyzeLoaded(readSide(newSpec, io), opts, io, `${newSpec}: `);
      // North-south exposure (Ingress, Gateway routes, Routes, hostPorts) is compared too; the
      // incremental path (policies/labels changed only) covers east-west connections, so it is
      // taken only when neither side exposes anything.
      const edges = (a: typeof before, spec: string) => northSouth(a, mopts, (line) => io.err(line.replace(/^kwire: note: /, `kwire: note: ${spec}: `)));
      const eb = edges(before, oldSpec);
      const ea = edges(after, newSpec);
      const d =
        (eb.length === 0 && ea.length === 0 ? incrementalDiff(before, after, mopts) : undefined) ??
        diffMatrices(matrixJson(computeMatrix(before.analysis, mopts), [], eb), matrixJson(computeMatrix(after.analysis, mopts), [], ea));
      switch (opts.output) {
        case "table": io.out(diffTable(d)); break;
        case "md": io.out(diffMarkdown(d)); break;
        case "json": io.out(JSON.stringify(d, null, 2) + "\n"); break;
        case "yaml": io.out(stringify(d)); break;
        default: throw new UsageError(`-o must be table, md, json or yaml, not "${opts.output}"`);
      }
      setExit(opts.exitCode && !diffIsEmpty(d) ? EXIT_FINDINGS : EXIT_OK);
    });
}

