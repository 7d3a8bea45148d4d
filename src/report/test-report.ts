/**
 * @module test-report
 * `kwire test` results: a table, JSON, or JUnit XML for CI systems.
 */
import { renderTable } from "./text-table.js";

export interface TestResult {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly expected: "allowed" | "denied";
  /** undefined when the expectation could not be evaluated (bad endpoint name). */
  readonly actual?: "allowed" | "denied";
  readonly passed: boolean;
  readonly detail: string;
  readonly file: string;
  readonly line: number;
  /** Set when a skipped or unmodelled policy could change the verdict (the result is marked `?`). */
  readonly uncertain?: readonly string[];
}

export function testTable(results: readonly TestResult[]): string {
  const rows = results.map((r) => {
    const unc = r.uncertain?.length ? `uncertain: ${r.uncertain.join("; ")}` : "";
    const why = [r.passed ? "" : `${r.detail} (${r.file}:${r.line})`, unc].filter((x) => x !== "").join(" — ");
    return [`${r.passed ? "PASS" : "FAIL"}${unc ? "?" : ""}`, r.from, r.to, r.expected, r.actual ?? "error", why];
  });
  const failed = results.filter((r) => !r.passed).length;
  const uncertain = results.filter((r) => r.uncertain?.length).length;
  return renderTable(["RESULT", "FROM", "TO", "EXPECTED", "ACTUAL", "WHY"], rows) + `\n${results.length - failed} passed, ${failed} failed${uncertain ? `, ${uncertain} uncertain` : ""}\n`;
}

const xml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function testJunit(results: readonly TestResult[], suite: string): string {
  const failed = results.filter((r) => !r.passed).length;
  const cases = results.map((r) => {
    const head = `    <testcase classname="${xml(suite)}" name="${xml(r.name)}" file="${xml(r.file)}" line="${r.line}">`;
    const out = r.uncertain?.length ? `\n      <system-out>${xml(`uncertain: ${r.uncertain.join("; ")}`)}</system-out>` : "";
    if (r.passed) return out ? `${head}${out}\n    </testcase>` : `${head}</testcase>`;
    const kind = r.actual === undefined ? "error" : "failure";
    return `${head}\n      <${kind} message="${xml(`expected ${r.expected}, got ${r.actual ?? "an error"}`)}">${xml(r.detail)}</${kind}>${out}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${results.length}" failures="${failed}">`,
    `  <testsuite name="${xml(suite)}" tests="${results.length}" failures="${failed}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
