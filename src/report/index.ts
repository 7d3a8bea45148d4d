/**
 * @module report
 * Renderings of matrices, summaries and traces (CONTRACT.md shapes).
 */
export * from "./matrix-json.js";
export * from "./matrix-text.js";
export * from "./summary.js";
export * from "./text-table.js";
export * from "./trace-text.js";
export * from "./diff.js";
export * from "./test-report.js";
export { ipBlockLabel, ipBlockId } from "../model/index.js";
export * from "./lint-text.js";
export * from "./lint-sarif.js";
export * from "./dns-text.js";
export * from "./service-matrix.js";
export * from "./markdown-limit.js";
export * from "./staged-diff.js";
export * from "./exposure.js";
