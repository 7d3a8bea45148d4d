/**
 * @module matrix-text
 * Matrix renderings for people and tools: table, wide, csv, md, dot, mermaid.
 */
import { formatPortSet, intersectPorts, isEmptyPorts, pushTo } from "../model/index.js";
import { compareRuleRefs, type ExposureEdge, type Matrix, type MatrixEndpoint, type RuleRef } from "../engine/index.js";
import { ipBlockLabel } from "../model/index.js";
import { csvCell, escapeMd, renderTable } from "./text-table.js";
import { boundedMarkdown } from "./markdown-limit.js";
import { exposureDot, exposureMermaid, exposureSection } from "./exposure.js";

const idOf = (m: Matrix, i: number): string => (m.endpoints[i] as MatrixEndpoint).id;
/** What people read: the id, the same in every format (external cells have short ids: model/ipblock-label.ts); no spaces, so columns split. */
const nameOf = idOf;
const portsText = (m: Matrix, id: number): string => formatPortSet(m.analysis.ports.get(id));

/** `exposures`: north-south edges (engine `exposureEdges`), printed as a section under the matrix. */
export function matrixTable(m: Matrix, exposures: readonly ExposureEdge[] = []): string {
  if (m.connections.length === 0) return `No allowed connections among ${m.endpoints.length} endpoints.\n${exposureSection(exposures)}`;
  const rows = m.connections.map((c) => [nameOf(m, c.src), nameOf(m, c.dst), portsText(m, c.portsId)]);
  return renderTable(["SOURCE", "DESTINATION", "PORTS"], rows) + exposureSection(exposures);
}

/**
 * Adds the rules that allowed each connection: egress at the source, ingress at the
 * destination. An endpoint above pod level stands for several pods, so the rules are collected
 * over every member pair the connection aggregates (once per class pair) that is allowed.
 * `-` means no such pair is isolated in that direction; `loopback` marks a pod's connection to
 * itself (`--include-self`), which NetworkPolicy does not govern.
 */
export function matrixWide(m: Matrix, exposures: readonly ExposureEdge[] = []): string {
  const rows = m.connections.map((c) => {
    const src = m.endpoints[c.src] as MatrixEndpoint;
    const dst = m.endpoints[c.dst] as MatrixEndpoint;
    const why = allowingRules(m, src, dst);
    return [src.id, src.kind, dst.id, dst.kind, portsText(m, c.portsId), why.egress, why.ingress];
  });
  return renderTable(["SOURCE", "SRC-KIND", "DESTINATION", "DST-KIND", "PORTS", "EGRESS-ALLOWED-BY", "INGRESS-ALLOWED-BY"], rows) + exposureSection(exposures);
}

function allowingRules(m: Matrix, src: MatrixEndpoint, dst: MatrixEndpoint): { egress: string; ingress: string } {
  const a = m.analysis;
  const subjects = a.topology.subjects;
  const seen = new Set<string>();
  const egress = new Map<string, RuleRef>();
  const ingress = new Map<string, RuleRef>();
  let egressIsolated = false;
  let ingressIsolated = false;
  let pairs = 0;
  for (const x of src.members) {
    for (const y of dst.members) {
      if (x === y && (subjects[x]?.replicas ?? 1) < 2) continue; // loopback
      const key = `${a.classOf[x]}:${a.classOf[y]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ex = a.explain(x, y);
      if (isEmptyPorts(ex.ports)) continue;
      pairs++;
      if (ex.egress.isolatedBy.length > 0 || ex.egress.allowedBy.some((r) => r.tier !== "NetworkPolicy")) egressIsolated = true;
      if (ex.ingress.isolatedBy.length > 0 || ex.ingress.allowedBy.some((r) => r.tier !== "NetworkPolicy")) ingressIsolated = true;
      // Only rules that admit some port of the connection itself (egress ∩ ingress): an egress
      // rule for port 53 did not allow a connection that ends up on port 80.
      const counts = (r: RuleRef): boolean => !isEmptyPorts(intersectPorts(r.ports, ex.ports));
      for (const r of ex.egress.allowedBy) if (counts(r)) egress.set(ruleName(r), r);
      for (const r of ex.ingress.allowedBy) if (counts(r)) ingress.set(ruleName(r), r);
    }
  }
  if (pairs === 0) return { egress: "loopback", ingress: "loopback" };
  const list = (isolated: boolean, rules: Map<string, RuleRef>): string =>
    isolated ? [...rules.values()].sort(compareRuleRefs).map(ruleName).join(",") : "-";
  return { egress: list(egressIsolated, egress), ingress: list(ingressIsolated, ingress) };
}

/** `ns/name#ingress[0]` for NetworkPolicy; `Kind/name#ingress[0]` (Allow rules of the admin/baseline tiers) otherwise. */
const ruleName = (r: RuleRef): string => `${r.kind === "NetworkPolicy" ? "" : `${r.kind}/`}${r.policy}#${r.direction.toLowerCase()}[${r.index}]`;

export function matrixCsv(m: Matrix): string {
  const lines = ["src,dst,protocol,from,to"];
  for (const c of m.connections) {
    const p = m.analysis.ports.get(c.portsId);
    for (const proto of ["TCP", "UDP", "SCTP"] as const) {
      for (const r of p[proto]) lines.push([idOf(m, c.src), idOf(m, c.dst), proto, String(r.from), String(r.to)].map(csvCell).join(","));
    }
  }
  return lines.join("\n") + "\n";
}

export function matrixMarkdown(m: Matrix): string {
  const head = `| Source | Destination | Ports |\n|---|---|---|\n`;
  const rows = m.connections.map((c) => `| \`${escapeMd(nameOf(m, c.src))}\` | \`${escapeMd(nameOf(m, c.dst))}\` | ${escapeMd(portsText(m, c.portsId))} |`);
  return boundedMarkdown(`**${m.connections.length} allowed connections** among ${m.endpoints.length} endpoints (level: ${m.level}).\n\n${head}`, rows, "connections", "`kwire matrix -o json` (or `-o csv`) lists them all.");
}

const dotId = (s: string): string => JSON.stringify(s);

export function matrixDot(m: Matrix, exposures: readonly ExposureEdge[] = []): string {
  const lines = ["digraph connectivity {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fillcolor="#eef5ff", fontname="Helvetica"];'];
  const byNs = new Map<string, MatrixEndpoint[]>();
  for (const e of m.endpoints) {
    const ns = e.kind === "IPBlock" ? "" : (e.namespace ?? "");
    pushTo(byNs, ns, e);
  }
  let k = 0;
  for (const [ns, eps] of [...byNs.entries()].sort()) {
    if (ns) lines.push(`  subgraph cluster_${k++} {`, `    label=${dotId(ns)};`);
    for (const e of eps) {
      const attrs = e.kind === "IPBlock" ? ', shape=ellipse, fillcolor="#fff3e0"' : "";
      lines.push(`${ns ? "    " : "  "}${dotId(e.id)} [label=${dotId(e.kind === "IPBlock" ? ipBlockLabel(e.cidrs ?? []) : (e.name ?? e.id))}${attrs}];`);
    }
    if (ns) lines.push("  }");
  }
  for (const c of m.connections) lines.push(`  ${dotId(idOf(m, c.src))} -> ${dotId(idOf(m, c.dst))} [label=${dotId(portsText(m, c.portsId))}];`);
  lines.push(...exposureDot(exposures), "}");
  return lines.join("\n") + "\n";
}

export function matrixMermaid(m: Matrix, exposures: readonly ExposureEdge[] = []): string {
  const ids = new Map(m.endpoints.map((e, i) => [i, `n${i}`]));
  const lines = ["flowchart LR"];
  m.endpoints.forEach((e, i) => {
    const label = (e.kind === "IPBlock" ? ipBlockLabel(e.cidrs ?? []) : e.id).replace(/"/g, "'");
    lines.push(e.kind === "IPBlock" ? `  ${ids.get(i)}(["${label}"])` : `  ${ids.get(i)}["${label}"]`);
  });
  for (const c of m.connections) lines.push(`  ${ids.get(c.src)} -->|"${portsText(m, c.portsId)}"| ${ids.get(c.dst)}`);
  lines.push(...exposureMermaid(exposures, new Map(m.endpoints.map((e, i) => [e.id, ids.get(i) ?? ""]))));
  return lines.join("\n") + "\n";
}
