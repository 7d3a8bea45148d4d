/**
 * @module kwire
 * Public library API: model, parsing, policy semantics, engines, reports.
 */
export * from "./model/index.js";
export * from "./parse/index.js";
export * from "./policy/index.js";
export * from "./engine/index.js";
export * from "./report/index.js";
export * from "./analyze/index.js";
