/**
 * @module lint-sarif
 * Lint findings as SARIF 2.1.0 (one run, the tool's rules from the check registry, one result
 * per finding with physicalLocation.region.startLine), for GitHub code scanning and CI.
 */
import { CHECKS, type Finding } from "../lint/index.js";

const LEVEL = { error: "error", warning: "warning", info: "note" } as const;

export function lintSarif(findings: readonly Finding[], version: string): unknown {
  const rules = CHECKS.map((c) => ({
    id: c.code,
    shortDescription: { text: c.description },
    defaultConfiguration: { level: LEVEL[c.severity] },
  }));
  const index = new Map(CHECKS.map((c, i) => [c.code, i]));
  const results = findings.map((f) => ({
    ruleId: f.code,
    ruleIndex: index.get(f.code) ?? 0,
    level: LEVEL[f.severity],
    message: { text: `${f.object}: ${f.message}. Hint: ${f.hint}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: f.source.file },
          region: { startLine: Math.max(1, f.source.line), ...(f.source.column > 0 ? { startColumn: f.source.column } : {}) },
        },
        logicalLocations: [{ name: f.object }],
      },
    ],
  }));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "kwire", version, rules } }, results }],
  };
}
