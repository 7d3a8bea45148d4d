/**
 * @module nft
 * Pure nftables rendering: the one AST of the subset kwire emits (NetworkPolicy tables and both
 * Service layouts of `services/kube-proxy`), its printer, object names, the NetworkPolicy compiler
 * and the tracer that interprets the AST (for tests and `explain`-style checks).
 */
export * from "./ast.js";
export * from "./names.js";
export { printTable, replaceScript, replaceAllScript, deleteScript, sanitizeComment, printStatement } from "./print.js";
export { compilePolicyTable, compilePolicyTables, policyTableNames, type PolicyInput } from "./compile-policy.js";
export { elementsOf, portMatches, type NftPod } from "./rule-matches.js";
export { traceConnection, traceForward, traceForwardAll, traceHook, type Final, type Outcome, type Packet, type TraceResult } from "./tracer.js";
export { compileGeneralTable, type GeneralPod, type GeneralPolicyInput } from "./compile-general.js";
