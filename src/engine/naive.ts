/**
 * @module naive
 * The oracle's shape of an Analysis: one class per node, every answer computed afresh from an
 * `explain` function (the reference engine of the Kubernetes tiers and of the general tiers).
 */
import type { PolicyType } from "../model/index.js";
import type { Analysis, PairExplanation } from "./analysis.js";
import { PortSetTable } from "./port-table.js";
import type { Subject, Topology } from "./topology.js";

/** An Analysis with one class per node, every answer computed afresh from `explain` (the oracle's shape). */
export function naiveAnalysis(topology: Topology, explain: (a: number, b: number) => PairExplanation, isolated: (s: Subject, dir: PolicyType) => boolean): Analysis {
  const nodeCount = topology.subjects.length + topology.cells.length;
  const classOf = new Int32Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) classOf[i] = i;
  const ports = new PortSetTable();
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
      return !!s && isolated(s, dir);
    },
  };
}
