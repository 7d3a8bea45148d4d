/**
 * @module cy-style
 * The graph's look: namespaces as tinted boxes, workloads as white cards, IP blocks outside the
 * cluster in orange; edges teal when every port is open, blue for specific ports, and green / red
 * / amber for what a what-if adds / removes / changes.
 */
import type { StylesheetJson } from "cytoscape";

export const COLORS = {
  allPorts: "#0f766e",
  somePorts: "#2563eb",
  added: "#16a34a",
  removed: "#dc2626",
  changed: "#d97706",
  namespace: "#6366f1",
  external: "#ea580c",
  northSouth: "#9333ea",
  ink: "#0f172a",
} as const;

export function graphStyle(showEdgeLabels: boolean): StylesheetJson {
  return [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-family": "Inter, system-ui, sans-serif",
        "font-size": 11,
        color: COLORS.ink,
        "text-valign": "center",
        "text-halign": "center",
        "text-wrap": "ellipsis",
        "text-max-width": "110px",
      },
    },
    {
      selector: 'node[kind = "workload"]',
      style: { shape: "round-rectangle", width: 118, height: 30, "background-color": "#ffffff", "border-width": 1.5, "border-color": "#475569" },
    },
    {
      selector: 'node[kind = "ipblock"]',
      style: { shape: "round-tag", width: 118, height: 30, "background-color": "#fff7ed", "border-width": 1.5, "border-color": COLORS.external, "font-size": 10 },
    },
    {
      selector: 'node[kind = "namespace"], node[kind = "external-group"]',
      style: {
        shape: "round-rectangle",
        "text-valign": "top",
        "text-halign": "center",
        "font-size": 13,
        "font-weight": "bold",
        "text-margin-y": -4,
        "background-opacity": 0.07,
        "background-color": COLORS.namespace,
        "border-width": 1.5,
        "border-style": "dashed",
        "border-color": COLORS.namespace,
        padding: "18px",
        "text-max-width": "320px",
      },
    },
    { selector: 'node[kind = "namespace"][count], node[kind = "external-group"][count]', style: { "text-valign": "center", width: 150, height: 48, "background-opacity": 0.14 } },
    { selector: 'node[kind = "external-group"]', style: { "background-color": COLORS.external, "border-color": COLORS.external } },
    {
      selector: "edge",
      style: {
        width: 1.6,
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        "line-color": COLORS.somePorts,
        "target-arrow-color": COLORS.somePorts,
        opacity: 0.75,
        label: showEdgeLabels ? "data(label)" : "",
        "font-size": 9,
        color: "#1e293b",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.9,
        "text-background-padding": "2px",
        "text-rotation": "autorotate",
      },
    },
    {
      selector: 'node[kind = "proxy"]',
      style: { shape: "hexagon", width: 130, height: 34, "background-color": "#f3e8ff", "border-width": 1.5, "border-color": COLORS.northSouth },
    },
    { selector: "edge[?exposure]", style: { "line-color": COLORS.northSouth, "target-arrow-color": COLORS.northSouth, "line-style": "dashed" } },
    { selector: "edge[?all]", style: { "line-color": COLORS.allPorts, "target-arrow-color": COLORS.allPorts } },
    { selector: "edge[count > 1]", style: { width: "mapData(count, 1, 200, 1.5, 9)" } },
    { selector: 'edge[change = "added"]', style: { "line-color": COLORS.added, "target-arrow-color": COLORS.added, width: 3, opacity: 1 } },
    { selector: 'edge[change = "removed"]', style: { "line-color": COLORS.removed, "target-arrow-color": COLORS.removed, width: 3, "line-style": "dashed", opacity: 1 } },
    { selector: 'edge[change = "changed"]', style: { "line-color": COLORS.changed, "target-arrow-color": COLORS.changed, width: 3, opacity: 1 } },
    { selector: "edge:selected, edge.hover", style: { label: "data(label)", width: 3, opacity: 1, "z-index": 10 } },
    { selector: "node:selected", style: { "border-width": 3, "border-color": "#f59e0b" } },
    { selector: ".faded", style: { opacity: 0.12 } },
  ];
}
