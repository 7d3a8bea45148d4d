/**
 * @module context
 * Shared input options of the analysis commands, and turning them into an analysis.
 */
import type { Command } from "commander";
import { analyzeCluster, type Analyzed } from "../analyze/index.js";
import type { EngineName } from "../engine/index.js";
import { loadCluster, type InputFile } from "../parse/index.js";
import { EXIT_BAD_INPUT, printDiagnostics, readInputs, readStdin, UsageError } from "./io.js";
import { defaultKubeconfig, readLiveCluster } from "./live.js";
import { progress } from "./progress.js";

export interface InputOptions {
  filename?: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  cni?: string;
  strict?: boolean;
  podCidr?: string;
}

export function addInputOptions(cmd: Command): Command {
  return cmd
    .option("-f, --filename <path>", "file, directory or - for stdin (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--kubeconfig <path>", "read a live cluster (read-only) with this kubeconfig")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <ns>", "report only this namespace (the whole input is still modeled)")
    .option("-A, --all-namespaces", "report every namespace (default)")
    .option("--cni <name>", "the cluster's CNI (calico, cilium, flannel, weave, antrea, kindnet, …); decides whether policies are enforced")
    .option("--pod-cidr <cidr>", "where pods without an IP in the input live (for ipBlock matching)", "10.244.0.0/16")
    .option("--strict", "exit 2 on any input error instead of skipping the broken object");
}

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** What `-f -` reads; the process's stdin when absent (tests pass a string). */
  readonly stdin?: () => string;
}

export async function loadInputs(opts: InputOptions, io: Io): Promise<InputFile[]> {
  if (opts.kubeconfig !== undefined || (opts.filename ?? []).length === 0 && opts.context !== undefined) {
    return [await readLiveCluster(opts.kubeconfig, opts.context)];
  }
  if (!opts.filename || opts.filename.length === 0) {
    // As kubectl does: no input named ⇒ the current context of $KUBECONFIG, else ~/.kube/config.
    const kc = defaultKubeconfig();
    if (!kc) throw new UsageError("no input: give -f FILE|DIR|- (repeatable) or --kubeconfig PATH (no $KUBECONFIG and no ~/.kube/config to read); try `kwire demo` for an example");
    try {
      return [await readLiveCluster(kc.paths, opts.context, (context, server) => {
        io.err(`kwire: no -f given: read the live cluster of kubeconfig context "${context}" (${server}, from ${kc.from}: ${kc.paths.join(", ")}), read-only\n`);
      })];
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`no -f given, so kwire reads the current kubeconfig context (${kc.from}: ${kc.paths.join(", ")}): ${e.message}`);
      throw e;
    }
  }
  const { files, diagnostics } = readInputs(opts.filename, io.stdin ?? readStdin);
  printDiagnostics(diagnostics, io.err);
  // A path that cannot be read is a mistake on the command line, not one broken document among
  // many: analysing only the other inputs would silently answer a different question.
  if (diagnostics.length > 0) {
    throw new UsageError(`${diagnostics.length} input path(s) could not be read; nothing was analysed`);
  }
  if (files.length === 0) throw new UsageError("no readable input");
  return files;
}

export class BadInput extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
}

export async function analyzeInputs(opts: InputOptions & { engine?: string }, io: Io): Promise<Analyzed> {
  return analyzeLoaded(await loadInputs(opts, io), opts, io);
}

/** Files → analysis: prints diagnostics, skips broken objects (exit 2 when nothing loads or --strict). */
export function analyzeLoaded(files: readonly InputFile[], opts: InputOptions & { engine?: string }, io: Io, label = ""): Analyzed {
  progress().stage(`${label}decoding ${files.length} file(s)`);
  const load = loadCluster(files);
  printDiagnostics(load.diagnostics, io.err);
  const errors = load.diagnostics.filter((d) => d.severity === "error").length;
  const loaded = Object.values(load.counts).reduce((a, b) => a + b, 0);
  if (errors > 0 && (opts.strict || loaded === 0)) {
    throw new BadInput(`${label}${errors} input error(s)${loaded === 0 ? " and nothing could be loaded" : " (--strict)"}`);
  }
  if (errors > 0) io.err(`kwire: warning: ${label}${load.skipped} object(s) skipped because of the errors above; analysing the rest\n`);
  const engine = opts.engine ?? "fast";
  if (engine !== "fast" && engine !== "reference") throw new UsageError(`--engine must be fast or reference, not "${engine}"`);
  progress().stage(`${label}analysing ${load.cluster.pods.length} pod(s), ${load.cluster.workloads.length} workload(s), ${load.cluster.networkPolicies.length} NetworkPolicy(s)`);
  const res = analyzeCluster(load, {
    engine: engine as EngineName,
    ...(opts.cni !== undefined ? { cni: opts.cni } : {}),
    ...(opts.podCidr !== undefined ? { podCidr: opts.podCidr } : {}),
  });
  if ("error" in res) throw new UsageError(res.error);
  for (const n of res.notes) io.err(`kwire: note: ${label}${n}\n`);
  return res;
}

export function reportNamespaces(opts: InputOptions): string[] | undefined {
  return opts.namespace !== undefined && !opts.allNamespaces ? [opts.namespace] : undefined;
}
