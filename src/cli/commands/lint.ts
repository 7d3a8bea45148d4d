/**
 * @module lint (command)
 * `kwire lint`: findings about Services, NetworkPolicies, Ingresses and the CNI, as a table,
 * JSON (CONTRACT.md) or SARIF 2.1.0. Exit 1 when any finding is an error.
 */
import { Command } from "commander";
import { cniByName } from "../../model/index.js";
import { podRange } from "../../engine/index.js";
import { detectCni, policyDialectOf } from "../../analyze/index.js";
import { LINT_CODES, runLint } from "../../lint/index.js";
import { lintJson, lintSarif, lintTable } from "../../report/index.js";
import { addInputOptions, type InputOptions, type Io } from "../context.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../io.js";
import { loadModel } from "../load-model.js";
import { NAMESPACE_HELP, namespaceHelp } from "../help.js";
import { progress } from "../progress.js";
import { packageVersion } from "../version.js";

export const LINT_FORMATS = ["table", "json", "sarif"] as const;

export interface LintCommandOptions extends InputOptions {
  output: string;
  check?: string[];
  nodePortRange?: string;
}

function parseRange(text: string): { from: number; to: number } {
  const m = /^(\d+)-(\d+)$/.exec(text);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1 || to > 65535 || from > to) throw new UsageError(`--service-node-port-range must look like 30000-32767, not "${text}"`);
  return { from, to };
}

export function lintCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("lint").description("find mistakes in Services, NetworkPolicies, Ingresses and the CNI setup");
  namespaceHelp(addInputOptions(cmd), NAMESPACE_HELP.unused)
    .option("-o, --output <format>", `output: ${LINT_FORMATS.join("|")}`, "table")
    .option("--check <code>", "run only this check (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--service-node-port-range <from-to>", "the API server's node port range", "30000-32767")
    .action(async (opts: LintCommandOptions & { serviceNodePortRange: string }) => {
      if (!(LINT_FORMATS as readonly string[]).includes(opts.output)) throw new UsageError(`-o must be one of ${LINT_FORMATS.join(", ")}, not "${opts.output}"`);
      for (const c of opts.check ?? []) {
        if (!(LINT_CODES as readonly string[]).includes(c)) throw new UsageError(`unknown check "${c}"; checks: ${LINT_CODES.join(", ")}`);
      }
      if (opts.cni !== undefined && !cniByName(opts.cni)) throw new UsageError(`unknown CNI "${opts.cni}"`);
      const range = parseRange(opts.serviceNodePortRange);
      if (opts.podCidr !== undefined && !podRange(opts.podCidr)) throw new UsageError(`--pod-cidr: "${opts.podCidr}" is not a CIDR`);
      if (opts.namespace !== undefined) io.err(`kwire: note: -n does not narrow lint: every namespace is checked\n`);
      const load = await loadModel(opts, io);
      // The dialect checks need to know whose policy model applies (as `kwire matrix` decides it).
      const dialect = policyDialectOf(load.cluster, opts.cni !== undefined ? cniByName(opts.cni) : detectCni(load.cluster), opts.cni !== undefined);
      if ("error" in dialect) io.err(`kwire: note: ${dialect.error}; the Calico/Cilium tier checks (calico-tier-unreachable, dialect-rule-shadowed, cilium-l7-ineffective) are skipped\n`);
      progress().stage("running the lint checks");
      const findings = runLint(load.cluster, {
        nodePortRange: range,
        skipped: load.skippedObjects,
        cniConfigs: load.cniConfigs,
        ...(opts.cni !== undefined ? { cni: opts.cni } : {}),
        ...(opts.podCidr !== undefined ? { podCidr: opts.podCidr } : {}),
        ...(opts.check ? { only: opts.check } : {}),
      });
      if (opts.output === "json") io.out(JSON.stringify(lintJson(findings), null, 2) + "\n");
      else if (opts.output === "sarif") io.out(JSON.stringify(lintSarif(findings, packageVersion()), null, 2) + "\n");
      else io.out(lintTable(findings));
      setExit(findings.some((f) => f.severity === "error") ? EXIT_FINDINGS : EXIT_OK);
    });
  return cmd;
}
