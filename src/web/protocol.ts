/**
 * @module protocol
 * Messages between the page and the engine worker: a request carries an id and a `type`; the
 * answer carries the same id and either the result for that type or an error. Plain data only
 * (structured clone).
 */
import type { Protocol } from "../model/index.js";
import type { MatrixSummary, Trace } from "../engine/index.js";
import type { MatrixJson } from "../report/index.js";
import type { MatrixDiff } from "./model/diff.js";

export interface InputFileMsg {
  readonly path: string;
  readonly text: string;
}

export type Scenario = "base" | "whatif";

export interface FindingMsg {
  readonly severity: "error" | "warning" | "info";
  readonly code: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
}

/** An object of the input a what-if can edit: where its document starts. */
export interface ObjectRef {
  readonly kind: string;
  readonly id: string;
  readonly file: string;
  readonly line: number;
}

export interface PolicySummary {
  /** `namespace/name` for NetworkPolicy, `Kind/name` for cluster-scoped kinds. */
  readonly id: string;
  /** NetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy. */
  readonly kind: string;
  /**
   * Admin, NetworkPolicy or Baseline (evaluated in that order); under Calico or Cilium the name
   * of the CNI's tier (Calico tiers by order; cilium-deny then cilium-allow).
   */
  readonly tier: string;
  /** Cluster-scoped kinds: 0–1000, lower first. */
  readonly priority?: number;
  /** Calico: the policy's order inside its tier (absent = applied last). */
  readonly order?: number;
  /** Calico / Cilium: the tier's heading in the list (its order and default action). */
  readonly tierLabel?: string;
  readonly namespace: string;
  readonly name: string;
  readonly policyTypes: readonly string[];
  readonly file: string;
  readonly line: number;
  /** Workloads (and bare pods) it selects. */
  readonly selects: number;
}

export interface PeerInfo {
  readonly text: string;
  readonly line: number;
  /** Workload ids the peer admits (pods folded into workloads); IP blocks list none. */
  readonly matches: readonly string[];
}

export interface RuleInfo {
  readonly direction: "Ingress" | "Egress";
  readonly index: number;
  /** Allow for NetworkPolicy rules; Allow, Deny or Pass for cluster policies; Calico adds Log. */
  readonly action: "Allow" | "Deny" | "Pass" | "Log";
  /** A part kwire reads but does not model (Cilium L7 / FQDN, Calico source ports…). */
  readonly unmodelled?: string;
  /** Read and not modelled, without changing the verdict (Cilium L7 rules: the verdict is the L4 one). */
  readonly note?: string;
  readonly name?: string;
  readonly line: number;
  readonly peers: "all" | readonly PeerInfo[];
  readonly ports: string;
}

export interface PolicyDetail extends PolicySummary {
  readonly selector: string;
  readonly selected: readonly string[];
  readonly rules: readonly RuleInfo[];
}

export interface Timings {
  readonly analyzeMs: number;
  readonly matrixMs: number;
}

export interface LoadResult {
  readonly matrix: MatrixJson;
  readonly summary: MatrixSummary;
  readonly policies: readonly PolicySummary[];
  readonly objects: readonly ObjectRef[];
  readonly findings: readonly FindingMsg[];
  /** North-south exposure edges (`matrix.exposures`) as info findings at their Ingress / route. */
  readonly northSouth: readonly FindingMsg[];
  readonly notes: readonly string[];
  readonly cni?: string;
  /** The namespace to open filtered on (the request's, when the input has workloads there). */
  readonly namespace?: string;
  readonly timings: Timings;
}

/**
 * `kwire lint`'s findings on an input. Asked of a second worker after the first render: lint can
 * take seconds on large clusters, and the engine worker stays free for traces meanwhile.
 */
export interface LintResult {
  readonly findings: readonly FindingMsg[];
  readonly ms: number;
}

export interface TraceQuery {
  readonly scenario: Scenario;
  readonly src: string;
  readonly dst: string;
  readonly protocol?: Protocol;
  readonly port?: string;
  /** src and dst are matrix endpoint ids (a heat-map cell or a graph edge), not typed text. */
  readonly byId?: boolean;
}

export interface TraceResult {
  readonly trace: Trace;
  readonly protocol: Protocol;
  readonly port?: number | string;
}

export interface WhatIfResult {
  readonly matrix: MatrixJson;
  readonly diff: MatrixDiff;
  /** How the changed connections were found: the engine's incremental path (policies and labels changed only) or by comparing the matrices. */
  readonly diffBy: "incremental" | "matrices";
  readonly findings: readonly FindingMsg[];
  readonly timings: Timings;
}

/** What the page loads: the input and `kwire serve`'s input options (--cni, --pod-cidr, -n). */
export interface LoadRequest {
  readonly files: readonly InputFileMsg[];
  readonly cni?: string;
  /** Where pods without an IP in the input live (`--pod-cidr`; default 10.244.0.0/16). */
  readonly podCidr?: string;
  /** `-n/--namespace`: the namespace the page opens filtered on. */
  readonly namespace?: string;
}

export interface Requests {
  load: LoadRequest;
  trace: TraceQuery;
  policy: { readonly scenario: Scenario; readonly id: string };
  whatif: { readonly files: readonly InputFileMsg[] };
  apply: Record<string, never>;
  lint: { readonly files: readonly InputFileMsg[]; readonly cni?: string };
}

export interface Results {
  load: LoadResult;
  trace: TraceResult;
  policy: PolicyDetail;
  whatif: WhatIfResult;
  apply: { readonly applied: true };
  lint: LintResult;
}

export type RequestType = keyof Requests;

export type RequestMsg = { [K in RequestType]: { readonly id: number; readonly type: K; readonly body: Requests[K] } }[RequestType];

export type ResponseMsg =
  | { readonly id: number; readonly ok: true; readonly result: Results[RequestType] }
  | { readonly id: number; readonly ok: false; readonly error: string };
