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
export { ClassIndex } from "./class-index.js";
export { Bitset } from "./bitset.js";
export { EgressReach } from "./egress-reach.js";
export * from "./matrix.js";
export * from "./matrix-summary.js";
export { resolveTarget, type Party, type Target, type ResolveResult } from "./resolve.js";
export { traceConnection, traceIcmp, PolicyIndex, type Trace, type TraceStep, type TraceRequest, type IcmpProtocol, type IcmpTraceRequest } from "./trace.js";
export { serviceContext, serviceLayerOf, templatesOf, type ServiceContext } from "./service-context.js";
export { traceService, ROUTE_KINDS, type PipelineRequest, type PipelineRequest as ServiceTraceRequest, type ServiceTraceResult } from "./trace-pipeline.js";
export { parseDestination, type Destination, type DestinationResult } from "./service-target.js";
export { describeResolution } from "./service-dns.js";
export { findController } from "./ingress-trace.js";
export { attachedRoutes, dataPlaneOf } from "./gateway-trace.js";
export { routerPods } from "./openshift-route-trace.js";
export { exposureEdges, hasNorthSouthRoutes, northSouthExposure, VIRTUAL_PROXY, type Exposure, type ExposedBackend, type ExposureEdge, type ExposureLevel, type ExposureVia } from "./exposure.js";
export { traceAny, INTERNET_CLIENT, type TraceAnyRequest, type TraceAnyResult } from "./trace-any.js";
export { computeServiceMatrix, type ServiceMatrix, type ServicePortEndpoint } from "./service-matrix.js";
export * from "./staged.js";
export { incrementalChanges, relabelled, type Relabel, type ClusterState, type Incremental, type Unit, type UnitChange } from "./incremental.js";
export { incrementalMatrixChanges, type EndpointChange } from "./incremental-matrix.js";
