/**
 * @module analysis
 * What an engine answers, whichever engine it is: allowed ports per class pair, and for one
 * pair of endpoints the full explanation (isolating policies, allowing rules, ports).
 */
import type { PolicyType, PortSet, SourceRef } from "../model/index.js";
import type { PortSetTable } from "./port-table.js";
import type { Topology } from "./topology.js";

export type EngineName = "fast" | "reference";

export interface RuleRef {
  /** `namespace/name` of the NetworkPolicy. */
  readonly policy: string;
  readonly direction: PolicyType;
  /** Index of the rule in spec.ingress / spec.egress. */
  readonly index: number;
  readonly source: SourceRef;
  /** The ports this rule admits toward the pair's destination (named ports resolved). */
  readonly ports: PortSet;
}

export interface DirectionVerdict {
  /** False when NetworkPolicy cannot apply (address outside the cluster, hostNetwork pod). */
  readonly policed: boolean;
  /** Policies that select the pod for this direction, sorted. Empty ⇒ not isolated. */
  readonly isolatedBy: readonly string[];
  /** Rules whose peer matches and that admit at least one port, sorted. */
  readonly allowedBy: readonly RuleRef[];
  readonly ports: PortSet;
}

export interface PairExplanation {
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** egress.ports ∩ ingress.ports */
  readonly ports: PortSet;
}

export interface Analysis {
  readonly engine: EngineName;
  readonly topology: Topology;
  /** Nodes are subjects (0 … S-1) then external cells (S … S+C-1). */
  readonly nodeCount: number;
  readonly classOf: Int32Array;
  readonly classCount: number;
  readonly ports: PortSetTable;
  /** Port-set id allowed from a node of class `a` to a different node of class `b`. */
  classPortsId(a: number, b: number): number;
  /** `out[b] = classPortsId(a, b)` for every class b, in bulk. */
  classRow(a: number, out: Uint32Array): void;
  explain(src: number, dst: number): PairExplanation;
  isolated(node: number, direction: PolicyType): boolean;
}

export function compareRuleRefs(a: RuleRef, b: RuleRef): number {
  return a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.direction.localeCompare(b.direction) || a.index - b.index;
}

export const policyId = (p: { readonly namespace: string; readonly name: string }): string => `${p.namespace}/${p.name}`;
