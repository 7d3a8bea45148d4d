/**
 * @module engine
 * Reachability: equivalence classes, the fast engine, the reference engine, matrices, traces.
 */
export * from "./analysis.js";
export { PortSetTable, EMPTY_ID, ALL_ID } from "./port-table.js";
export { buildTopology, workloadId, podRange, DEFAULT_POD_CIDR, type Subject, type Topology, type TopologyOptions } from "./topology.js";
export type { ExternalCell } from "./external.js";
export { referenceAnalysis, explainPair } from "./reference.js";
export { fastAnalysis, FastEngine } from "./fast.js";
export * from "./matrix.js";
export { resolveTarget, type Party, type Target, type ResolveResult } from "./resolve.js";
export { traceConnection, PolicyIndex, type Trace, type TraceStep, type TraceRequest } from "./trace.js";
