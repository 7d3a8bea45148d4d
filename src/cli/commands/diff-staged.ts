/**
 * @module diff-staged (command)
 * `kwire diff --staged INPUT…`: what enforcing Calico's staged policies (StagedNetworkPolicy,
 * StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) would change — the matrix of the
 * cluster as it is against the matrix of the same cluster with the staged policies enforced,
 * both from the engine, per endpoint pair: ports gained and lost. Exit codes as `kwire diff`:
 * 0, or 1 with --exit-code when anything changes; 2 on bad input or when the cluster's CNI is
 * not Calico (staged policies are Calico's: no other CNI reads them).
 */
import { stringify } from "yaml";
import { analyzeCluster, detectCni, type Analyzed } from "../../analyze/index.js";
import { computeMatrix, stagedPairChanges, stagedPoliciesOf, withStagedEnforced, type Level } from "../../engine/index.js";
import type { InputFile, LoadResult } from "../../parse/index.js";
import { stagedDiffJson, stagedDiffMarkdown, stagedDiffTable } from "../../report/index.js";
import { configDefaults, loadAndReport, reportNamespaces, type InputOptions, type Io } from "../context.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../io.js";

export interface StagedDiffOptions extends InputOptions {
  output: string;
  level: string;
  includeSelf?: boolean;
  exitCode?: boolean;
}

/** Analyses the load, printing its notes (those not already printed for the other side). */
function analyze(load: LoadResult, cni: string, podCidr: string | undefined, io: Io, label: string, printed: readonly string[] = []): Analyzed {
  const res = analyzeCluster(load, { cni, ...(podCidr !== undefined ? { podCidr } : {}) });
  if ("error" in res) throw new UsageError(res.error);
  for (const n of res.notes) if (!printed.includes(n)) io.err(`kwire: note: ${label}${n}\n`);
  return res;
}

/**
 * What the preview cannot show, per staged Calico rule: ICMP (the matrix has TCP/UDP/SCTP only)
 * and parts kwire reads but does not model (source ports, `services`, `http`), which make the
 * rule's change uncertain.
 */
function stagedCaveats(load: LoadResult): string[] {
  const out: string[] = [];
  for (const p of load.cluster.calico?.policies ?? []) {
    if (p.kind !== "StagedNetworkPolicy" && p.kind !== "StagedGlobalNetworkPolicy") continue;
    for (const r of [...p.ingress, ...p.egress]) {
      const where = `${p.kind} ${p.namespace !== undefined ? `${p.namespace}/` : ""}${p.name} ${r.ref.file}:${r.ref.line}`;
      const names = [r.protocol, r.notProtocol].map((x) => (x?.type === "Name" ? x.name : undefined));
      if (names.includes("ICMP") || names.includes("ICMPv6") || r.icmp !== undefined || r.notICMP !== undefined) {
        out.push(`${where}: a staged rule names ICMP; the diff lists TCP, UDP and SCTP ports only, so its ICMP change is not shown (use kwire trace --protocol ICMP)`);
      }
      if (r.unmodelled.length > 0) out.push(`${where}: the staged rule's change is uncertain: ${r.unmodelled.join("; ")}`);
    }
  }
  return out;
}

export function diffStaged(files: readonly InputFile[], opts: StagedDiffOptions, io: Io, setExit: (n: number) => void): void {
  if (!["namespace", "workload", "pod"].includes(opts.level)) throw new UsageError(`--level must be namespace, workload or pod, not "${opts.level}"`);
  if (!["table", "md", "json", "yaml"].includes(opts.output)) throw new UsageError(`-o must be table, md, json or yaml, not "${opts.output}"`);
  const load = loadAndReport(files, opts, io);
  const defaults = configDefaults(load, opts);
  // Staged policies are Calico's; an input that names no CNI is read as a Calico cluster.
  const detected = detectCni(load.cluster)?.name ?? defaults.cni;
  const cni = opts.cni ?? detected ?? "calico";
  if (opts.cni === undefined && detected === undefined) io.err("kwire: note: staged policies are Calico's and the input names no CNI: both sides are analysed as Calico enforces them (--cni calico)\n");
  const podCidr = opts.podCidr ?? defaults.podCidr;
  const before = analyze(load, cni, podCidr, io, "");
  if (before.cluster.policyDialect !== "calico") {
    throw new UsageError(`staged policies are a Calico feature, but the cluster's CNI is ${cni}${opts.cni !== undefined ? " (--cni)" : ""}, which does not read them: nothing to preview`);
  }
  const staged = stagedPoliciesOf(load.cluster);
  if (staged.length === 0) io.err("kwire: note: the input has no StagedNetworkPolicy, StagedGlobalNetworkPolicy or StagedKubernetesNetworkPolicy: nothing to preview\n");
  for (const c of stagedCaveats(load)) io.err(`kwire: warning: ${c}\n`);
  const after = analyze({ ...load, cluster: withStagedEnforced(load.cluster) }, cni, podCidr, io, "with the staged policies enforced: ", before.notes);
  const namespaces = reportNamespaces(opts);
  const mopts = { level: opts.level as Level, includeSelf: opts.includeSelf ?? false, ...(namespaces ? { namespaces } : {}) };
  const changes = stagedPairChanges(computeMatrix(before.analysis, mopts), computeMatrix(after.analysis, mopts));
  switch (opts.output) {
    case "table": io.out(stagedDiffTable(staged, changes)); break;
    case "md": io.out(stagedDiffMarkdown(opts.level, staged, changes)); break;
    case "json": io.out(JSON.stringify(stagedDiffJson(opts.level, staged, changes), null, 2) + "\n"); break;
    default: io.out(stringify(stagedDiffJson(opts.level, staged, changes))); break;
  }
  setExit(opts.exitCode && changes.length > 0 ? EXIT_FINDINGS : EXIT_OK);
}
