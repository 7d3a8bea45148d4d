/**
 * @module diff
 * What changed between two connectivity matrices: connections added, removed, and changed
 * (same pair, other ports). Pure; renders as table, Markdown (a pull-request comment) or JSON.
 */
import { pushTo } from "../model/index.js";
import type { ConnectionJson, MatrixJson, PortsJson } from "./matrix-json.js";
import type { ExposureJson } from "./exposure.js";
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
  /** North-south exposure edges (`ConnectivityMatrix.exposures`) only the new input has; absent when none. */
  readonly exposuresAdded?: ExposureJson[];
  /** North-south exposure edges only the old input has; absent when none. */
  readonly exposuresRemoved?: ExposureJson[];
}

const key = (c: ConnectionJson): string => `${c.src}\u0000${c.dst}`;
/** An exposure edge is the same when its ends, ports, evaluation and routes are. */
const exposureKey = (e: ExposureJson): string => JSON.stringify([e.src, e.dst, e.ports, e.evaluated, e.via]);

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
  const was = new Set((before.exposures ?? []).map(exposureKey));
  const is = new Set((after.exposures ?? []).map(exposureKey));
  const exposuresAdded = (after.exposures ?? []).filter((e) => !was.has(exposureKey(e)));
  const exposuresRemoved = (before.exposures ?? []).filter((e) => !is.has(exposureKey(e)));
  return {
    apiVersion: "kwire/v1alpha1", kind: "ConnectivityDiff", level: after.level, added, removed, changed,
    ...(exposuresAdded.length ? { exposuresAdded } : {}),
    ...(exposuresRemoved.length ? { exposuresRemoved } : {}),
  };
}

export function diffIsEmpty(d: MatrixDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length + (d.exposuresAdded?.length ?? 0) + (d.exposuresRemoved?.length ?? 0) === 0;
}

const viaText = (e: ExposureJson): string => e.via.map((v) => `${v.via} ${v.object} (${v.host} ${v.path})`).join(", ");

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
  const ns = [
    ...(d.exposuresAdded ?? []).map((e) => ["+", e.src, e.dst, portsText(e.ports), e.evaluated ? "allowed" : "not evaluated", viaText(e)]),
    ...(d.exposuresRemoved ?? []).map((e) => ["-", e.src, e.dst, portsText(e.ports), e.evaluated ? "allowed" : "not evaluated", viaText(e)]),
  ];
  const main = rows.length ? renderTable(["", "SOURCE", "DESTINATION", "PORTS"], rows) : "No connectivity changes.\n";
  return ns.length ? `${main}\nNorth-south exposure (proxy => backend : target ports):\n${renderTable(["", "PROXY", "BACKEND", "PORTS", "POLICY", "VIA"], ns)}` : main;
}

export function diffMarkdown(d: MatrixDiff): string {
  if (diffIsEmpty(d)) return "### kwire: no connectivity changes\n";
  const n = (x: number, what: string): string => `${x} ${what}${x === 1 ? "" : "s"}`;
  const head = [
    `### kwire: ${n(d.added.length, "connection")} opened, ${n(d.removed.length, "connection")} closed, ${n(d.changed.length, "connection")} changed${d.exposuresAdded || d.exposuresRemoved ? `, ${n(d.exposuresAdded?.length ?? 0, "north-south exposure")} added, ${d.exposuresRemoved?.length ?? 0} removed` : ""} (level: ${d.level})`,
    "",
    "| | Source | Destination | Ports |",
    "|---|---|---|---|",
    "",
  ].join("\n");
  const rows = [
    ...d.added.map((c) => `| 🟢 opened | \`${escapeMd(c.src)}\` | \`${escapeMd(c.dst)}\` | ${escapeMd(portsText(c.ports))} |`),
    ...d.removed.map((c) => `| 🔴 closed | \`${escapeMd(c.src)}\` | \`${escapeMd(c.dst)}\` | ${escapeMd(portsText(c.ports))} |`),
    ...d.changed.map((c) => `| 🟡 changed | \`${escapeMd(c.src)}\` | \`${escapeMd(c.dst)}\` | ${escapeMd(portsText(c.previousPorts))} → ${escapeMd(portsText(c.ports))} |`),
    ...(d.exposuresAdded ?? []).map((e) => `| 🟢 exposed north-south (${escapeMd(viaText(e))}) | \`${escapeMd(e.src)}\` | \`${escapeMd(e.dst)}\` | ${escapeMd(portsText(e.ports))} |`),
    ...(d.exposuresRemoved ?? []).map((e) => `| 🔴 no longer exposed (${escapeMd(viaText(e))}) | \`${escapeMd(e.src)}\` | \`${escapeMd(e.dst)}\` | ${escapeMd(portsText(e.ports))} |`),
  ];
  return boundedMarkdown(head, rows, "changes", "`kwire diff … -o json` lists them all.");
}
