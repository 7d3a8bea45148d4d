/**
 * @module reference
 * The naive evaluator: the API text, pair by pair, with no classes and no caching. It is the
 * oracle the fast engine is tested against and the baseline `npm run bench` measures.
 */
import { ALL_PORTS, EMPTY_PORTS, intersectPorts, isEmptyPorts, unionPorts, type Cluster, type Ip, type PolicyType, type PortSet } from "../model/index.js";
import {
  peerMatchesAddress,
  peerMatchesPod,
  policyIsolates,
  policySelects,
  resolveRulePorts,
  rulesOf,
  type PodIdentity,
} from "../policy/index.js";
import { compareRuleRefs, policyId, type Analysis, type DirectionVerdict, type PairExplanation, type RuleRef } from "./analysis.js";
import { PortSetTable } from "./port-table.js";
import { buildTopology, type Topology } from "./topology.js";

type Party = { readonly type: "pod"; readonly pod: PodIdentity } | { readonly type: "address"; readonly ip: Ip };

const UNPOLICED: DirectionVerdict = { policed: false, isolatedBy: [], allowedBy: [], ports: ALL_PORTS };

/** One direction at one pod: is it isolated, and which rules admit the peer on which ports. */
function direction(cluster: Cluster, direction: PolicyType, at: PodIdentity, peer: Party, dstPorts: PodIdentity["ports"] | undefined): DirectionVerdict {
  if (at.hostNetwork) return UNPOLICED;
  const isolatedBy: string[] = [];
  const allowedBy: RuleRef[] = [];
  let ports: PortSet = EMPTY_PORTS;
  for (const p of cluster.networkPolicies) {
    if (!policySelects(p, at) || !policyIsolates(p, direction)) continue;
    isolatedBy.push(policyId(p));
    rulesOf(p, direction).forEach((rule, index) => {
      const peerOk =
        rule.peers === "All" ||
        rule.peers.some((x) => (peer.type === "pod" ? peerMatchesPod(x, p.namespace, peer.pod) : peerMatchesAddress(x, peer.ip)));
      if (!peerOk) return;
      const rp = resolveRulePorts(rule, dstPorts);
      if (isEmptyPorts(rp)) return;
      allowedBy.push({ policy: policyId(p), direction, index, source: rule.source, ports: rp });
      ports = unionPorts(ports, rp);
    });
  }
  if (isolatedBy.length === 0) return { policed: true, isolatedBy, allowedBy, ports: ALL_PORTS };
  return { policed: true, isolatedBy: isolatedBy.sort(), allowedBy: allowedBy.sort(compareRuleRefs), ports };
}

export function explainPair(cluster: Cluster, src: Party, dst: Party): PairExplanation {
  const dstPorts = dst.type === "pod" ? dst.pod.ports : undefined;
  const egress = src.type === "pod" ? direction(cluster, "Egress", src.pod, dst, dstPorts) : UNPOLICED;
  const ingress = dst.type === "pod" ? direction(cluster, "Ingress", dst.pod, src, dstPorts) : UNPOLICED;
  return { egress, ingress, ports: intersectPorts(egress.ports, ingress.ports) };
}

export function partyOf(topology: Topology, node: number): Party {
  const s = topology.subjects[node];
  if (s) return { type: "pod", pod: s };
  const cell = topology.cells[node - topology.subjects.length];
  if (!cell) throw new Error(`node ${node} out of range`);
  return { type: "address", ip: { family: cell.family, value: cell.representative } };
}

export function referenceAnalysis(cluster: Cluster, topology: Topology = buildTopology(cluster)): Analysis {
  const nodeCount = topology.subjects.length + topology.cells.length;
  const classOf = new Int32Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) classOf[i] = i;
  const ports = new PortSetTable();
  const explain = (a: number, b: number): PairExplanation => explainPair(cluster, partyOf(topology, a), partyOf(topology, b));
  return {
    engine: "reference",
    topology,
    nodeCount,
    classOf,
    classCount: nodeCount,
    ports,
    classPortsId: (a, b) => ports.intern(explain(a, b).ports),
    classRow(a, out) {
      for (let b = 0; b < nodeCount; b++) out[b] = ports.intern(explain(a, b).ports);
    },
    explain,
    isolated(node, dir) {
      const s = topology.subjects[node];
      return !!s && !s.hostNetwork && cluster.networkPolicies.some((p) => policySelects(p, s) && policyIsolates(p, dir));
    },
  };
}
