/**
 * @module lab
 * The real data plane on network namespaces: plan, up, probe, compare, down/clean. Linux + root.
 */
export { createHost, FakeHost, hostInNetns, type Host } from "./host.js";
export { LabError, type LabErrorCode } from "./errors.js";
export { planLab, podNetns, IP_FAMILIES, isLabIpFamily, familiesOf, type LabIpFamily, type LabPlan, type LabNode, type LabPod, type PlanOptions } from "./plan.js";
export { labCluster, familyView, nftPods } from "./model.js";
export { labUp, type UpOptions } from "./up.js";
export { labDown, labClean, teardown, LAB_NETNS, type CleanupReport } from "./cleanup.js";
export { runProbe, type ProbeRun, type ProbeRunOptions } from "./probe-run.js";
export { planCells, summarize, isMismatch, SCTP_SKIP, type Cell, type CellKind, type CellResult, type ProbeSummary } from "./compare.js";
export { serviceCells, dnsCells, labServiceContext } from "./service-cells.js";
export { proxyScript, nodeScript, LAB_PROXIES, DEFAULT_LAB_PROXY, PROXY_TABLES, isLabProxy, type LabProxy } from "./services.js";
export { startDnsServer, answer as dnsAnswer, type DnsTable } from "./dns-server.js";
export { dnsTable } from "./dns-table.js";
export { labDir, readState, type LabState } from "./state.js";
export { loadLabCluster, currentLab, preflightProblem } from "./session.js";
export { applyTable, removeTable } from "./nft-apply.js";
export { LAB_BACKENDS, DEFAULT_LAB_BACKEND, isLabBackend, podMtuFor, backendOverhead, parseCounters, FABRIC_TABLE, VXLAN_DEVICE, VXLAN_PORT, type LabBackend, type FabricCounter } from "./backends.js";
export { BGP_TOPOLOGIES, isBgpTopology, bgpStatus, birdConfig, bgpSettings, type BgpTopology, type BgpNodeStatus } from "./bgp.js";
export { probeMtu, type MtuPath, type MtuVerdict } from "./mtu.js";
export { planNorthSouth, withLabProxies, INTERNET_NETNS, UNKNOWN_HOST, type NorthSouthCell, type NorthSouthPlan, type LabProxyPlan } from "./north-south.js";
export { labNorthSouth, internetPlan, isOurProxy, type NorthSouthState } from "./north-south-lab.js";
