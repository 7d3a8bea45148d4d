/**
 * @module diff (command)
 * `kwire diff OLD NEW`: connections opened, closed and changed between two inputs (paths, `-`,
 * or `git:REV:PATH`). `--exit-code`: exit 1 when anything changed.
 */
import { Command } from "commander";
import { stringify } from "yaml";
import { computeMatrix, incrementalChanges, incrementalMatrixChanges, type Level, type MatrixOptions } from "../../engine/index.js";
import { isAllPorts, portSetToList } from "../../model/index.js";
import type { Analyzed } from "../../analyze/index.js";
import type { MatrixDiff, PortsJson } from "../../report/index.js";
import type { InputFile } from "../../parse/index.js";
import { diffIsEmpty, diffMarkdown, diffMatrices, diffTable, matrixJson } from "../../report/index.js";
import { analyzeLoaded, reportNamespaces, type InputOptions, type Io } from "../context.js";
import { isGitSpec, readGitInput } from "../git-input.js";
import { NAMESPACE_HELP } from "../help.js";
import { EXIT_FINDINGS, EXIT_OK, printDiagnostics, readInputs, readStdin, UsageError } from "../io.js";

interface DiffOptions extends InputOptions {
  output: string;
  level: string;
  includeSelf?: boolean;
  exitCode?: boolean;
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
    .argument("<old>", "the input before (file, directory, - or git:REV:PATH)")
    .argument("<new>", "the input after")
    .option("-o, --output <format>", "table|md|json|yaml", "table")
    .option("--level <level>", "namespace|workload|pod", "workload")
    .option("--include-self", "include endpoints' connections to themselves")
    .option("-n, --namespace <ns>", NAMESPACE_HELP.report)
    .option("--cni <name>", "the cluster's CNI (decides whether policies are enforced)")
    .option("--exit-code", "exit 1 when anything changed")
    .action((oldSpec: string, newSpec: string, opts: DiffOptions) => {
      if (!["namespace", "workload", "pod"].includes(opts.level)) throw new UsageError(`--level must be namespace, workload or pod, not "${opts.level}"`);
      const namespaces = reportNamespaces(opts);
      const mopts = { level: opts.level as Level, includeSelf: opts.includeSelf ?? false, ...(namespaces ? { namespaces } : {}) };
      const before = analyzeLoaded(readSide(oldSpec, io), opts, io, `${oldSpec}: `);
      const after = analyzeLoaded(readSide(newSpec, io), opts, io, `${newSpec}: `);
      const d = incrementalDiff(before, after, mopts) ?? diffMatrices(matrixJson(computeMatrix(before.analysis, mopts)), matrixJson(computeMatrix(after.analysis, mopts)));
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

/**
 * When the inputs differ only in policies and labels (the usual pull request), the changed
 * connections come from the engine's incremental path (src/engine/incremental.ts), without
 * either full matrix; otherwise undefined (the two matrices are computed and compared).
 */
function incrementalDiff(before: Analyzed, after: Analyzed, opts: MatrixOptions): MatrixDiff | undefined {
  if (before.analysis.engine !== "fast" || after.analysis.engine !== "fast") return undefined;
  const inc = incrementalChanges(before.analysis, before.cluster, { cluster: after.cluster, topology: after.analysis.topology });
  if (!inc) return undefined;
  const json = (id: number): PortsJson => {
    const p = inc.ports.get(id);
    return isAllPorts(p) ? "all" : portSetToList(p);
  };
  const changes = incrementalMatrixChanges(inc, after.analysis.topology, opts);
  return {
    apiVersion: "kwire/v1alpha1",
    kind: "ConnectivityDiff",
    level: opts.level,
    added: changes.filter((c) => c.before === 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.after) })),
    removed: changes.filter((c) => c.after === 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.before) })),
    changed: changes.filter((c) => c.before !== 0 && c.after !== 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.after), previousPorts: json(c.before) })),
  };
}
