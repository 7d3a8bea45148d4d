/**
 * @module diff
 * What changed between two connectivity matrices: connections added, removed, and changed
 * (same pair, other ports). Pure; renders as table, Markdown (a pull-request comment) or JSON.
 */
import { pushTo } from "../model/index.js";
import type { ConnectionJson, MatrixJson, PortsJson } from "./matrix-json.js";
import { escapeMd, renderTable } from "./text-table.js";
import { boundedMarkdown } from "./markdown-limit.js";

export interface ChangedConnection extends ConnectionJson {
  readonly previousPorts: PortsJson;
}

export interface MatrixDiff {
  readonly apiVersion: "kwire/v1alpha1";
  readonly kind: "ConnectivityDiff";
  readonly level: string;
  readonly added: ConnectionJson[];
  readonly removed: ConnectionJson[];
  readonly changed: ChangedConnection[];
}

const key = (c: ConnectionJson): string => `${c.src}\u0000${c.dst}`;

export function diffMatrices(before: MatrixJson, after: MatrixJson): MatrixDiff {
  const old = new Map(before.connections.map((c) => [key(c), c]));
  const now = new Map(after.connections.map((c) => [key(c), c]));
  const added: ConnectionJson[] = [];
  const changed: ChangedConnection[] = [];
  for (const [k, c] of now) {
    const o = old.get(k);
    if (!o) added.push(c);
    else if (JSON.stringify(o.ports) !== JSON.stringify(c.ports)) changed.push({ ...c, previousPorts: o.ports });
  }
  const removed = before.connections.filter((c) => !now.has(key(c)));
  return { apiVersion: "kwire/v1alpha1", kind: "ConnectivityDiff", level: after.level, added, removed, changed };
}

export function diffIsEmpty(d: MatrixDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length === 0;
}

export function portsText(p: PortsJson): string {
  if (p === "all") return "all";
  const by = new Map<string, string[]>();
  for (const r of p) pushTo(by, r.protocol, r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
  return [...by.entries()].map(([proto, list]) => `${proto}:${list.join(",")}`).join(" ");
}

export function diffTable(d: MatrixDiff): string {
  if (diffIsEmpty(d)) return "No connectivity changes.\n";
  const rows = [
    ...d.added.map((c) => ["+", c.src, c.dst, portsText(c.ports)]),
    ...d.removed.map((c) => ["-", c.src, c.dst, portsText(c.ports)]),
    ...d.changed.map((c) => ["~", c.src, c.dst, `${portsText(c.previousPorts)} → ${portsText(c.ports)}`]),
  ];
  return renderTable(["", "SOURCE", "DESTINATION", "PORTS"], rows);
}

export function diffMarkdown(d: MatrixDiff): string {
  if (diffIsEmpty(d)) return "### kwire: no connectivity changes\n";
  const n = (x: number, what: string): string => `${x} ${what}${x === 1 ? "" : "s"}`;
  const head = [
    `### kwire: ${n(d.added.length, "connection")} opened, ${n(d.removed.length, "connection")} closed, ${n(d.changed.length, "connection")} changed (level: ${d.level})`,
    "",
    "| | Source | Destination | Ports |",
    "|---|---|---|---|",
    "",
  ].join("\n");
  const rows = [
    ...d.added.map((c) => `| 🟢 opened | \`${escapeMd(c.src)}\` | \`${escapeMd(c.dst)}\` | ${escapeMd(portsText(c.ports))} |`),
    ...d.removed.map((c) => `| 🔴 closed | \`${escapeMd(c.src)}\` | \`${escapeMd(c.dst)}\` | ${escapeMd(portsText(c.ports))} |`),
    ...d.changed.map((c) => `| 🟡 changed | \`${escapeMd(c.src)}\` | \`${escapeMd(c.dst)}\` | ${escapeMd(portsText(c.previousPorts))} → ${escapeMd(portsText(c.ports))} |`),
  ];
  return boundedMarkdown(head, rows, "changes", "`kwire diff … -o json` lists them all.");
}
