/**
 * @module context
 * Shared input options of the analysis commands, and turning them into an analysis.
 */
import type { Command } from "commander";
import { analyzeCluster, detectCni, type Analyzed } from "../analyze/index.js";
import type { EngineName } from "../engine/index.js";
import { cniOfConfig, loadCluster, type InputFile, type LoadResult } from "../parse/index.js";
import { EXIT_BAD_INPUT, printDiagnostics, readInputs, readStdin, UsageError } from "./io.js";
import { defaultKubeconfig, readLiveCluster } from "./live.js";
import { progress } from "./progress.js";
import { parseIp, type Ip } from "../model/index.js";

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
    .option("--pod-cidr <cidr>", "where pods without an IP in the input live (for ipBlock matching); default: the IPAM range of a CNI configuration in the input, else 10.244.0.0/16")
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

export async function analyzeInputs(opts: InputOptions & { engine?: string; externalIp?: readonly string[] | undefined }, io: Io): Promise<Analyzed> {
  return analyzeLoaded(await loadInputs(opts, io), opts, io);
}

/**
 * Files → decoded model, with the input's story on stderr: every diagnostic, one line for
 * repository files that are not manifests, one for kinds read but not modelled, and how much was
 * skipped. Exit 2 (BadInput) when nothing loads, or on any error with --strict.
 */
export function loadAndReport(files: readonly InputFile[], opts: InputOptions, io: Io, label = ""): LoadResult {
  progress().stage(`${label}decoding ${files.length} file(s)`);
  const load = loadCluster(files);
  printDiagnostics(load.diagnostics, io.err);
  if (load.ignoredFiles.length > 0) {
    io.err(`kwire: note: ${label}${load.ignoredFiles.length} file(s) that are not Kubernetes manifests were ignored: ${load.ignoredFiles.join(", ")}\n`);
  }
  const unmodelled = Object.entries(load.unmodelledKinds).sort(([a], [b]) => a.localeCompare(b));
  if (unmodelled.length > 0) {
    io.err(`kwire: note: ${label}read but not modelled (kept, not analysed): ${unmodelled.map(([k, n]) => `${n} ${k}`).join(", ")}\n`);
  }
  for (const c of load.cniConfigs) {
    const ranges = c.plugins.flatMap((p) => p.ranges);
    const mtu = c.plugins.find((p) => p.mtu !== undefined)?.mtu;
    const facts = [...(ranges.length > 0 ? [`IPAM ${ranges.join(", ")}`] : []), ...(mtu !== undefined ? [`mtu ${mtu}`] : [])];
    const cni = cniOfConfig(c);
    io.err(`kwire: note: ${label}CNI configuration ${c.source.file}${c.name !== undefined ? ` (${c.name})` : ""}: plugins ${c.plugins.map((p) => p.type).join(", ") || "none"}${facts.length > 0 ? `; ${facts.join("; ")}` : ""}${cni !== undefined ? ` (the CNI is ${cni})` : ""}\n`);
  }
  const errors = load.diagnostics.filter((d) => d.severity === "error").length;
  const loaded = Object.values(load.counts).reduce((a, b) => a + b, 0) + load.cniConfigs.length;
  if (errors > 0 && (opts.strict || loaded === 0)) {
    throw new BadInput(`${label}${errors} input error(s)${loaded === 0 ? " and nothing could be loaded" : " (--strict)"}`);
  }
  const entries = load.skippedObjects.length - load.skipped;
  if (errors > 0) {
    const list = `${entries} list entr${entries === 1 ? "y" : "ies"}`;
    const what = entries === 0 ? `${load.skipped} object(s)` : load.skipped === 0 ? list : `${load.skipped} object(s) and ${list}`;
    io.err(`kwire: warning: ${label}${what} skipped because of the errors above; analysing the rest\n`);
  }
  return load;
}

/** Files → analysis: prints diagnostics, skips broken objects (exit 2 when nothing loads or --strict). */
/** `--external-ip NAME=IP` (repeatable): the address a name outside the cluster stands for. */
export function parseExternalIps(list: readonly string[] | undefined): Map<string, Ip> | undefined {
  let out: Map<string, Ip> | undefined;
  for (const e of list ?? []) {
    const [name, addr] = e.split("=", 2);
    const ip = parseIp(addr ?? "");
    if (!name || !ip) throw new UsageError(`--external-ip must be NAME=IP (e.g. db.example.com=192.0.2.10), not "${e}"`);
    (out ??= new Map()).set(name.toLowerCase().replace(/\.$/, ""), ip);
  }
  return out;
}

export function analyzeLoaded(files: readonly InputFile[], opts: InputOptions & { engine?: string; externalIp?: readonly string[] | undefined }, io: Io, label = ""): Analyzed {
  const load = loadAndReport(files, opts, io, label);
  const engine = opts.engine ?? "fast";
  if (engine !== "fast" && engine !== "reference") throw new UsageError(`--engine must be fast or reference, not "${engine}"`);
  const fromConfig = configDefaults(load, opts);
  const cni = opts.cni ?? fromConfig.cni;
  const podCidr = opts.podCidr ?? fromConfig.podCidr;
  const externalIps = parseExternalIps(opts.externalIp);
  progress().stage(`${label}analysing ${load.cluster.pods.length} pod(s), ${load.cluster.workloads.length} workload(s), ${load.cluster.networkPolicies.length + load.cluster.clusterPolicies.length} polic(ies)`);
  const res = analyzeCluster(load, {
    engine: engine as EngineName,
    ...(cni !== undefined ? { cni } : {}),
    ...(podCidr !== undefined ? { podCidr } : {}),
    ...(externalIps ? { externalIps } : {}),
  });
  if ("error" in res) throw new UsageError(res.error);
  for (const n of res.notes) io.err(`kwire: note: ${label}${n}\n`);
  return res;
}

export function reportNamespaces(opts: InputOptions): string[] | undefined {
  return opts.namespace !== undefined && !opts.allNamespaces ? [opts.namespace] : undefined;
}

/**
 * What a CNI configuration in the input decides when the command line does not: the CNI (unless
 * a DaemonSet in the input names one) and the pod CIDR (its first IPv4 IPAM range).
 */
export function configDefaults(load: LoadResult, opts: InputOptions): { cni?: string; podCidr?: string } {
  const cni = opts.cni === undefined && !detectCni(load.cluster) ? load.cniConfigs.map(cniOfConfig).find((n) => n !== undefined) : undefined;
  const podCidr = opts.podCidr === undefined ? load.cniConfigs.flatMap((c) => c.plugins.flatMap((p) => p.ranges)).find((r) => !r.includes(":")) : undefined;
  return { ...(cni !== undefined ? { cni } : {}), ...(podCidr !== undefined ? { podCidr } : {}) };
}
