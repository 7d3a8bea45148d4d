/**
 * @module matrix-text
 * Matrix renderings for people and tools: table, wide, csv, md, dot, mermaid.
 */
import { formatPortSet } from "../model/index.js";
import type { Matrix, MatrixEndpoint } from "../engine/index.js";
import { csvCell, escapeMd, renderTable } from "./text-table.js";

const idOf = (m: Matrix, i: number): string => (m.endpoints[i] as MatrixEndpoint).id;
const portsText = (m: Matrix, id: number): string => formatPortSet(m.analysis.ports.get(id));

export function matrixTable(m: Matrix): string {
  if (m.connections.length === 0) return `No allowed connections among ${m.endpoints.length} endpoints.\n`;
  const rows = m.connections.map((c) => [idOf(m, c.src), idOf(m, c.dst), portsText(m, c.portsId)]);
  return renderTable(["SOURCE", "DESTINATION", "PORTS"], rows);
}

/** Adds the rules that allowed each connection (egress at the source, ingress at the destination). */
export function matrixWide(m: Matrix): string {
  const rows = m.connections.map((c) => {
    const src = m.endpoints[c.src] as MatrixEndpoint;
    const dst = m.endpoints[c.dst] as MatrixEndpoint;
    const ex = m.analysis.explain(src.members[0] as number, dst.members[0] as number);
    const eg = ex.egress.isolatedBy.length === 0 ? "-" : ex.egress.allowedBy.map((r) => `${r.policy}#egress[${r.index}]`).join(",");
    const ing = ex.ingress.isolatedBy.length === 0 ? "-" : ex.ingress.allowedBy.map((r) => `${r.policy}#ingress[${r.index}]`).join(",");
    return [src.id, src.kind, dst.id, dst.kind, portsText(m, c.portsId), eg, ing];
  });
  return renderTable(["SOURCE", "SRC-KIND", "DESTINATION", "DST-KIND", "PORTS", "EGRESS-ALLOWED-BY", "INGRESS-ALLOWED-BY"], rows);
}

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
  const rows = m.connections.map((c) => `| \`${escapeMd(idOf(m, c.src))}\` | \`${escapeMd(idOf(m, c.dst))}\` | ${escapeMd(portsText(m, c.portsId))} |`);
  return `**${m.connections.length} allowed connections** among ${m.endpoints.length} endpoints (level: ${m.level}).\n\n${head}${rows.join("\n")}\n`;
}

const dotId = (s: string): string => JSON.stringify(s);

export function matrixDot(m: Matrix): string {
  const lines = ["digraph connectivity {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fillcolor="#eef5ff", fontname="Helvetica"];'];
  const byNs = new Map<string, MatrixEndpoint[]>();
  for (const e of m.endpoints) {
    const ns = e.kind === "IPBlock" ? "" : (e.namespace ?? "");
    byNs.set(ns, [...(byNs.get(ns) ?? []), e]);
  }
  let k = 0;
  for (const [ns, eps] of [...byNs.entries()].sort()) {
    if (ns) lines.push(`  subgraph cluster_${k++} {`, `    label=${dotId(ns)};`);
    for (const e of eps) {
      const attrs = e.kind === "IPBlock" ? ', shape=ellipse, fillcolor="#fff3e0"' : "";
      lines.push(`${ns ? "    " : "  "}${dotId(e.id)} [label=${dotId(e.kind === "IPBlock" ? (e.cidrs ?? []).join("\\n") : (e.name ?? e.id))}${attrs}];`);
    }
    if (ns) lines.push("  }");
  }
  for (const c of m.connections) lines.push(`  ${dotId(idOf(m, c.src))} -> ${dotId(idOf(m, c.dst))} [label=${dotId(portsText(m, c.portsId))}];`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

export function matrixMermaid(m: Matrix): string {
  const ids = new Map(m.endpoints.map((e, i) => [i, `n${i}`]));
  const lines = ["flowchart LR"];
  m.endpoints.forEach((e, i) => {
    const label = (e.kind === "IPBlock" ? (e.cidrs ?? []).join(", ") : e.id).replace(/"/g, "'");
    lines.push(e.kind === "IPBlock" ? `  ${ids.get(i)}(["${label}"])` : `  ${ids.get(i)}["${label}"]`);
  });
  for (const c of m.connections) lines.push(`  ${ids.get(c.src)} -->|"${portsText(m, c.portsId)}"| ${ids.get(c.dst)}`);
  return lines.join("\n") + "\n";
}
