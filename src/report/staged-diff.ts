/**
 * @module staged-diff (report)
 * `kwire diff --staged`: what enforcing Calico's staged policies would change, per endpoint pair
 * — the ports gained and lost — as a table, Markdown (a pull-request comment) or the
 * `StagedPolicyDiff` JSON document (docs/json-output.md, docs/schemas/staged-diff.schema.json).
 */
import { formatSource, type PortSet } from "../model/index.js";
import type { StagedPairChange, StagedPolicyRef } from "../engine/index.js";
import { portsText } from "./diff.js";
import { portSetJson, type PortsJson } from "./matrix-json.js";
import { boundedMarkdown } from "./markdown-limit.js";
import { escapeMd, renderTable } from "./text-table.js";

export interface StagedPolicyJson {
  readonly kind: StagedPolicyRef["kind"];
  readonly name: string;
  readonly namespace?: string;
  readonly stagedAction: StagedPolicyRef["stagedAction"];
  readonly file: string;
  readonly line: number;
}

export interface StagedChangeJson {
  readonly src: string;
  readonly dst: string;
  /** Ports allowed only once the staged policies are enforced ([] = none). */
  readonly gained: PortsJson;
  /** Ports allowed now and denied once they are enforced ([] = none). */
  readonly lost: PortsJson;
  readonly before: PortsJson;
  readonly after: PortsJson;
}

export interface StagedDiffJson {
  readonly apiVersion: "kwire/v1alpha1";
  readonly kind: "StagedPolicyDiff";
  readonly level: string;
  readonly staged: StagedPolicyJson[];
  readonly changes: StagedChangeJson[];
}

export function stagedDiffJson(level: string, staged: readonly StagedPolicyRef[], changes: readonly StagedPairChange[]): StagedDiffJson {
  return {
    apiVersion: "kwire/v1alpha1",
    kind: "StagedPolicyDiff",
    level,
    staged: staged.map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), stagedAction: s.stagedAction, file: s.source.file, line: s.source.line })),
    changes: changes.map((c) => ({ src: c.src, dst: c.dst, gained: portSetJson(c.gained), lost: portSetJson(c.lost), before: portSetJson(c.before), after: portSetJson(c.after) })),
  };
}

const text = (p: PortSet): string => portsText(portSetJson(p)) || "-";

const stagedLine = (s: StagedPolicyRef): string =>
  `${s.kind} ${s.namespace !== undefined ? `${s.namespace}/` : ""}${s.name} (stagedAction ${s.stagedAction}) ${formatSource(s.source)}`;

function headline(staged: readonly StagedPolicyRef[], changes: readonly StagedPairChange[]): string {
  const gain = changes.filter((c) => !isNone(c.gained)).length;
  const lose = changes.filter((c) => !isNone(c.lost)).length;
  return `Enforcing ${staged.length} staged polic${staged.length === 1 ? "y" : "ies"}: ${gain} pair(s) gain ports, ${lose} pair(s) lose ports.`;
}

const isNone = (p: PortSet): boolean => p.TCP.length + p.UDP.length + p.SCTP.length === 0;

export function stagedDiffTable(staged: readonly StagedPolicyRef[], changes: readonly StagedPairChange[]): string {
  if (staged.length === 0) return "No staged policies in the input (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy).\n";
  const head = ["Staged:", ...staged.map((s) => `  ${stagedLine(s)}`), ""].join("\n");
  if (changes.length === 0) return `${head}\nEnforcing the staged policies changes no connection.\n`;
  const rows = changes.map((c) => [c.src, c.dst, text(c.gained), text(c.lost), `${text(c.before)} → ${text(c.after)}`]);
  return `${head}\n${headline(staged, changes)}\n\n${renderTable(["SOURCE", "DESTINATION", "GAINED", "LOST", "PORTS NOW → ENFORCED"], rows)}`;
}

export function stagedDiffMarkdown(level: string, staged: readonly StagedPolicyRef[], changes: readonly StagedPairChange[]): string {
  if (staged.length === 0) return "### kwire: no staged policies in the input\n";
  const list = staged.map((s) => `- \`${escapeMd(stagedLine(s))}\``).join("\n");
  if (changes.length === 0) return `### kwire: enforcing the staged policies changes no connection\n\n${list}\n`;
  const head = [`### kwire: ${headline(staged, changes)} (level: ${level})`, "", list, "", "| Source | Destination | Gained | Lost |", "|---|---|---|---|", ""].join("\n");
  const rows = changes.map((c) => `| \`${escapeMd(c.src)}\` | \`${escapeMd(c.dst)}\` | ${escapeMd(text(c.gained))} | ${escapeMd(text(c.lost))} |`);
  return boundedMarkdown(head, rows, "changes", "`kwire diff --staged … -o json` lists them all.");
}
