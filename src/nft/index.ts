/**
 * @module nft
 * Pure nftables rendering: the AST of the subset kwire emits, its printer, object names, the
 * NetworkPolicy compiler and a tracer that interprets the AST (for tests and `explain`-style checks).
 */
export * from "./ast.js";
export * from "./names.js";
export { printTable, replaceScript, replaceAllScript, deleteScript, sanitizeComment, printStatement } from "./print.js";
export { compilePolicyTable, compilePolicyTables, policyTableNames, type PolicyInput } from "./compile-policy.js";
export { elementsOf, portMatches, type NftPod } from "./rule-matches.js";
export { traceForward, traceForwardAll, traceHook, type Packet, type TraceResult } from "./tracer.js";
export { compileGeneralTable, type GeneralPod, type GeneralPolicyInput } from "./compile-general.js";
