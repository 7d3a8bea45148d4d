/**
 * @module session
 * The engine side of the web UI, pure and synchronous (the worker wraps it; tests call it
 * directly): analyse the input, compute the workload matrix, trace one connection, describe a
 * policy, and re-run the analysis on edited input to diff it against the loaded one.
 */
import { analyzeFiles, incrementalDiff, type Analyzed } from "../../analyze/index.js";
import { computeMatrix, computeSummary, PolicyIndex, type ExposureEdge, resolveTarget, serviceContext, traceAny, traceConnection, type Party, type ServiceContext, type Topology } from "../../engine/index.js";
import { enforcedPolicyCount } from "../../policy/index.js";
import { runLint } from "../../lint/index.js";
import { isProtocol, type Cluster, type Diagnostic, type Protocol } from "../../model/index.js";
import { cniMapsHostPorts, loadCluster } from "../../parse/index.js";
import { matrixJson, type MatrixJson } from "../../report/index.js";
import { diffMatrices } from "../model/diff.js";
import { namespacesOf } from "../model/filters.js";
import type { FindingMsg, InputFileMsg, LintResult, LoadRequest, LoadResult, ObjectRef, PolicyDetail, Scenario, Timings, TraceQuery, TraceResult, WhatIfResult } from "../protocol.js";
import { exposureFindings, workloadExposures } from "./exposures.js";
import { policyDetailOf, policyKey, policySummariesOf, subjectsByNamespace } from "./policy-info.js";

interface Loaded {
  readonly analyzed: Analyzed;
  /** Services, DNS and Ingress for typed destinations; built on the first such trace. */
  services?: ServiceContext;
  readonly matrix: MatrixJson;
  /** North-south exposure edges (also in `matrix.exposures`). */
  readonly exposures: readonly ExposureEdge[];
  readonly index: PolicyIndex;
  readonly timings: Timings;
}

/** A user-facing problem (bad input, unknown endpoint): its message is shown as is. */
export class SessionError extends Error {
  readonly code = "session";
}

const now = (): number => performance.now();

function findings(diags: readonly Diagnostic[]): FindingMsg[] {
  return diags.map((d) => ({ severity: d.severity, code: d.code, message: d.message, file: d.source.file, line: d.source.line }));
}

/** How the input is analysed: `kwire serve`'s --cni and --pod-cidr, as the CLI commands take them. */
export type LoadOptions = Omit<LoadRequest, "files">;

function analyze(files: readonly InputFileMsg[], opts: LoadOptions): Loaded {
  const t0 = now();
  const res = analyzeFiles(files, { ...(opts.cni !== undefined ? { cni: opts.cni } : {}), ...(opts.podCidr !== undefined ? { podCidr: opts.podCidr } : {}) });
  if ("error" in res) throw new SessionError(res.error);
  const t1 = now();
  let services: ServiceContext | undefined;
  const servicesOf = (): ServiceContext => (services ??= serviceContext(res.cluster, res.analysis.topology));
  // North-south exposure (Ingress, Gateway routes, OpenShift Routes → backends), as `kwire matrix` prints it.
  const exposures = workloadExposures(res.cluster, servicesOf, res.load.cniConfigs);
  const matrix = matrixJson(computeMatrix(res.analysis, { level: "workload" }), [], exposures);
  const t2 = now();
  return { analyzed: res, ...(services ? { services } : {}), matrix, exposures, index: new PolicyIndex(res.cluster), timings: { analyzeMs: t1 - t0, matrixMs: t2 - t1 } };
}

function objectsOf(a: Analyzed): ObjectRef[] {
  const c = a.load.cluster;
  const ref = (kind: string, id: string, s: { file: string; line: number }): ObjectRef => ({ kind, id, file: s.file, line: s.line });
  return [
    ...c.networkPolicies.map((p) => ref("NetworkPolicy", policyKey(p), p.source)),
    ...c.clusterPolicies.map((p) => ref(p.kind, p.name, p.source)),
    ...(c.calico?.policies ?? []).map((p) => ref(`${p.kind} (Calico)`, p.namespace !== undefined ? `${p.namespace}/${p.name}` : p.name, p.source)),
    ...(c.ciliumPolicies ?? []).map((p) => ref(p.kind, p.namespace !== undefined ? `${p.namespace}/${p.name}` : p.name, p.source)),
    ...c.namespaces.filter((n) => n.source.line > 0).map((n) => ref("Namespace", n.name, n.source)),
    ...c.workloads.map((w) => ref(w.kind, `${w.namespace}/${w.name}`, w.source)),
    ...c.pods.filter((p) => p.owners.length === 0).map((p) => ref("Pod", `${p.namespace}/${p.name}`, p.source)),
  ];
}

/** A matrix endpoint id (a heat-map cell, a graph edge) → a party of the topology. */
function partyById(t: Topology, id: string, role: string): Party {
  const k = t.cells.findIndex((c) => c.id === id);
  if (k >= 0) return { type: "node", node: t.subjects.length + k, label: id };
  const r = resolveTarget(t, id, "default");
  if (!r.ok) throw new SessionError(`${role}: ${r.error}`);
  return r.target.party;
}

function portOf(q: TraceQuery): number | string | undefined {
  const p = q.port?.trim();
  if (p === undefined || p === "") return undefined;
  if (!/^\d+$/.test(p)) return p;
  const n = Number(p);
  if (n < 1 || n > 65535) throw new SessionError(`port ${n} is outside 1-65535`);
  return n;
}

function lintFindings(cluster: Cluster, cni: string | undefined): FindingMsg[] {
  return runLint(cluster, cni === undefined ? {} : { cni }).map((f) => ({
    severity: f.severity,
    code: f.code,
    message: `${f.object}: ${f.message}${f.hint ? ` (${f.hint})` : ""}`,
    file: f.source.file,
    line: f.source.line,
  }));
}

export class Session {
  private base: Loaded | undefined;
  private whatif: Loaded | undefined;
  private options: LoadOptions = {};

  /** Analyses the input with the given options; `namespace` becomes the initial filter when the input has it. */
  load(files: readonly InputFileMsg[], opts: LoadOptions = {}): LoadResult {
    this.options = { ...(opts.cni !== undefined ? { cni: opts.cni } : {}), ...(opts.podCidr !== undefined ? { podCidr: opts.podCidr } : {}) };
    const l = analyze(files, this.options);
    this.base = l;
    this.whatif = undefined;
    const a = l.analyzed;
    const byNs = subjectsByNamespace(a.analysis.topology);
    const policies = policySummariesOf(a);
    const ns = opts.namespace;
    const known = ns === undefined || namespacesOf(l.matrix).includes(ns);
    const notes = known ? a.notes : [...a.notes, `-n ${ns}: the input has no workload in namespace ${ns}, so every namespace is shown`];
    return {
      matrix: l.matrix,
      // Under Calico / Cilium every policy of the CNI's tiers counts, not only NetworkPolicies.
      summary: computeSummary(a.analysis, { level: "workload" }, enforcedPolicyCount(a.cluster)),
      policies,
      objects: objectsOf(a),
      findings: findings(a.diagnostics),
      northSouth: exposureFindings(a.cluster, l.exposures),
      notes,
      ...(a.cni ? { cni: a.cni.name } : {}),
      ...(ns !== undefined && known ? { namespace: ns } : {}),
      timings: l.timings,
    };
  }

  private loaded(s: Scenario): Loaded {
    const l = s === "whatif" ? (this.whatif ?? this.base) : this.base;
    if (!l) throw new SessionError("nothing is loaded yet");
    return l;
  }

  trace(q: TraceQuery): TraceResult {
    const l = this.loaded(q.scenario);
    const t = l.analyzed.analysis.topology;
    const protocol = q.protocol ?? "TCP";
    if (!isProtocol(protocol)) throw new SessionError(`protocol must be TCP, UDP or SCTP, not "${String(protocol)}"`);
    let port = portOf(q);
    if (!q.byId) {
      // Typed text goes through the same entry point as `kwire trace`: pods, workloads, IPs,
      // Services, DNS names and URLs.
      l.services ??= serviceContext(l.analyzed.cluster, t);
      // `internet` as the source is `kwire trace --from internet` (a client outside the cluster).
      const from = q.src.trim() === "internet" ? { from: "internet" as const } : { src: q.src.trim() };
      const mapped = cniMapsHostPorts(l.analyzed.load.cniConfigs);
      const r = traceAny(l.services, { ...from, dst: q.dst.trim(), protocol, namespace: "default", ...(port !== undefined ? { port } : {}), ...(mapped !== undefined ? { portMappings: mapped } : {}) });
      if (!r.ok) throw new SessionError(r.error);
      return { trace: r.trace, protocol, ...(r.trace.port !== undefined ? { port: r.trace.port } : port !== undefined ? { port } : {}) };
    }
    const src = partyById(t, q.src, "source");
    const dst = partyById(t, q.dst, "destination");
    let proto: Protocol = protocol;
    if (port === undefined && dst.type === "node") {
      // A cell or edge without a chosen port: trace the destination's first declared port.
      const first = (t.subjects[dst.node]?.ports ?? []).find((p) => q.protocol === undefined || p.protocol === q.protocol);
      if (first) ({ port, proto } = { port: first.containerPort, proto: first.protocol });
    }
    const trace = traceConnection(t, l.index, { src, dst, protocol: proto, ...(port !== undefined ? { port } : {}) });
    return { trace, protocol: proto, ...(port !== undefined ? { port } : {}) };
  }

  policy(s: Scenario, id: string): PolicyDetail {
    const l = this.loaded(s);
    const d = policyDetailOf(l.analyzed, id);
    if (!d) throw new SessionError(`no policy ${id}`);
    return d;
  }

  whatIf(files: readonly InputFileMsg[]): WhatIfResult {
    const base = this.loaded("base");
    const l = analyze(files, this.options);
    this.whatif = l;
    // Policies and labels only (the usual edit): the changed connections from the engine's
    // incremental path; north-south exposure is compared on the matrices, so then the full diff.
    const incremental = base.exposures.length === 0 && l.exposures.length === 0 ? incrementalDiff(base.analyzed, l.analyzed, { level: "workload" }) : undefined;
    return { matrix: l.matrix, diff: diffMatrices(base.matrix, l.matrix, incremental), diffBy: incremental === undefined ? "matrices" : "incremental", findings: findings(l.analyzed.diagnostics), timings: l.timings };
  }

  /** Lints an input on its own (no analysis needed): what the second worker does. */
  lint(files: readonly InputFileMsg[], cni?: string): LintResult {
    const t0 = now();
    return { findings: lintFindings(loadCluster(files).cluster, cni), ms: now() - t0 };
  }

  /** Makes the what-if input the loaded one. */
  apply(): void {
    if (this.whatif) this.base = this.whatif;
    this.whatif = undefined;
  }
}
