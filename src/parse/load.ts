/**
 * @module load
 * Input files → Cluster + diagnostics. A bad object is reported and skipped; the rest loads.
 * Namespaces that are referenced but not declared exist implicitly.
 */
import {
  WORKLOAD_KINDS,
  type Cluster,
  type Diagnostic,
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  type Namespace,
  type NetworkPolicy,
  type OtherObject,
  type PolicyGap,
  type Node,
  type Pod,
  type Service,
  type SkippedObject,
  type SourceRef,
  type Workload,
  type WorkloadKind,
} from "../model/index.js";
import type { Cursor } from "./cursor.js";
import { forEachObject, type InputFile, type ReadSink } from "./documents.js";
import { classifyFile } from "./file-kind.js";
import { collate, sortByName } from "./name-order.js";
import { identityOf, scrapeIdentity } from "./identity.js";
import { decodeCniConfig, isCniConfig, type CniConfigEvidence } from "./kinds/cni-config.js";
import { decodeNamespace, implicitNamespace } from "./kinds/namespace.js";
import { decodeNetworkPolicy } from "./kinds/network-policy.js";
import { CLUSTER_POLICY_KINDS, decodeClusterPolicy, type PendingClusterPolicy } from "./kinds/cluster-network-policy.js";
import { isClusterScopedPolicyKind, policyKindNotModelled } from "../policy/kinds.js";
import { decodeCalicoObject, isCalicoKind } from "./kinds/calico.js";
import { decodeCiliumPolicy, isCiliumPolicyKind } from "./kinds/cilium.js";
import type { CalicoNetworkSet, CalicoPolicy, CalicoTier, CiliumPolicy, StagedKubernetesNetworkPolicy } from "../model/index.js";
import { decodePod } from "./kinds/pod.js";
import { decodeWorkload } from "./kinds/workload.js";
import { decodeKubevirt, isKubevirtApi } from "./kinds/kubevirt.js";
import { decodeEndpoints, decodeEndpointSlice } from "./kinds/endpoint-slice.js";
import { decodeIngress, decodeIngressClass } from "./kinds/ingress.js";
import { decodeNode } from "./kinds/node.js";
import { decodeService } from "./kinds/service.js";
import { NorthSouthCollector } from "./kinds/gateway-kinds.js";
import { ObjectTable } from "./object-table.js";

export interface LoadResult {
  readonly cluster: Cluster;
  readonly diagnostics: readonly Diagnostic[];
  /** Objects loaded per kind, and objects skipped because of errors. */
  readonly counts: Readonly<Record<string, number>>;
  /** How many objects (not entries) were skipped: skippedObjects without `entry`. */
  readonly skipped: number;
  /**
   * Everything read but not analysed, in input order: whole objects (a document that does not
   * parse, an object with an error) and single list entries (`entry` set) of kept objects.
   */
  readonly skippedObjects: readonly SkippedObject[];
  /** Repository files that are not manifests (package.json, values.yaml, …), skipped quietly. */
  readonly ignoredFiles: readonly string[];
  /** Kinds read and kept as they are (`cluster.others`) but not modelled: kind → count. */
  readonly unmodelledKinds: Readonly<Record<string, number>>;
  /** CNI network configurations (.conflist/.conf) in the input: evidence of the CNI. */
  readonly cniConfigs: readonly CniConfigEvidence[];
}

function isWorkloadKind(k: string): k is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(k);
}

const RENDER_KUSTOMIZE = "render it first: `kubectl kustomize DIR | kwire … -f -` (or `kustomize build DIR`)";
const RENDER_HELM = "render it first: `helm template RELEASE CHART [-f values.yaml] | kwire … -f -`";

const NETWORKING_API = new Set(["networking.k8s.io/v1", "extensions/v1beta1", "networking.k8s.io/v1beta1"]);

class Collector {
  readonly namespaces = new ObjectTable<Namespace>();
  readonly pods = new ObjectTable<Pod>();
  readonly workloads = new ObjectTable<Workload>();
  readonly policies = new ObjectTable<NetworkPolicy>();
  readonly clusterPolicies = new ObjectTable<{ readonly name: string; readonly source: SourceRef; readonly resolve: PendingClusterPolicy }>();
  readonly calicoPolicies = new ObjectTable<CalicoPolicy>();
  readonly calicoTiers = new ObjectTable<CalicoTier>();
  readonly calicoSets = new ObjectTable<CalicoNetworkSet>();
  readonly calicoStagedK8s = new ObjectTable<StagedKubernetesNetworkPolicy & { readonly name: string; readonly namespace: string }>();
  readonly cilium = new ObjectTable<CiliumPolicy>();
  readonly services = new ObjectTable<Service>();
  readonly slices = new ObjectTable<EndpointSlice>();
  readonly nodes = new ObjectTable<Node>();
  readonly ingresses = new ObjectTable<Ingress>();
  readonly ingressClasses = new ObjectTable<IngressClass>();
  readonly others: OtherObject[] = [];
  readonly northSouth = new NorthSouthCollector();
  readonly counts: Record<string, number> = {};
  readonly referenced = new Map<string, SourceRef>();
  readonly skipped: SkippedObject[] = [];
  readonly cniConfigs: CniConfigEvidence[] = [];

  constructor(readonly diagnostics: Diagnostic[]) {}

  /** Records `obj` (or one entry of it) as not analysed, named as far as the document names it. */
  skip(obj: Cursor, why: Diagnostic | undefined, entry?: string): void {
    const reason = why ? `${why.message} (${why.source.file}:${why.source.line})` : "it could not be decoded";
    // Field by field onto the fresh identity (not spreads: a spread of it cost ~4 µs per entry).
    const s = identityOf(obj.value) as { -readonly [K in keyof SkippedObject]: SkippedObject[K] };
    s.source = entry !== undefined && why ? why.source : obj.ref;
    s.reason = reason;
    if (entry !== undefined) s.entry = entry;
    this.skipped.push(s);
  }

  put<T extends { readonly namespace?: string | undefined; readonly name: string; readonly source: SourceRef }>(
    map: ObjectTable<T>,
    kind: string,
    value: T,
  ): void {
    const prev = map.set(kind, value.namespace ?? "", value.name, value);
    if (prev) {
      this.diagnostics.push({
        code: "duplicate-object",
        severity: "warning",
        message: `${kind} ${value.namespace ? `${value.namespace}/` : ""}${value.name} is declared twice; the later one wins (first at ${prev.source.file}:${prev.source.line})`,
        source: value.source,
      });
    }
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (value.namespace && !this.referenced.has(value.namespace)) this.referenced.set(value.namespace, value.source);
  }
}

/**
 * Decodes one object. An object with any error is skipped whole (never loaded with the bad
 * field dropped, which would silently change what selectors match); warnings keep it. The
 * exception are errors of one list entry (`entry` set: one bad containerPort): they cost that
 * entry only.
 */
function decodeOne(obj: Cursor, col: Collector): void {
  const before = col.diagnostics.length;
  // The usual object names both as strings: read them as they are (a CNI configuration has neither).
  const v = obj.value as Record<string, unknown>;
  const k = v["kind"];
  const a = v["apiVersion"];
  let kind = typeof k === "string" ? k : undefined;
  let apiVersion = typeof a === "string" ? a : undefined;
  if (kind === undefined || apiVersion === undefined) {
    if (isCniConfig(obj)) {
      col.cniConfigs.push(decodeCniConfig(obj));
      return;
    }
    kind = obj.get("kind").reqString();
    apiVersion = obj.get("apiVersion").reqString();
  }
  const commit = kind === undefined || apiVersion === undefined ? undefined : decodeKind(obj, kind, apiVersion, col);
  if (commit && col.diagnostics.length === before) {
    commit(); // the usual case: nothing reported
    return;
  }
  const errors = col.diagnostics.slice(before).filter((d) => d.severity === "error");
  const fatal = errors.filter((d) => d.entry === undefined);
  if (!commit || fatal.length > 0) {
    col.skip(obj, fatal[0] ?? errors[0]);
    return;
  }
  commit();
  for (const e of errors) col.skip(obj, e, e.entry);
}

/** Decodes by kind; returns how to store the result, or undefined when it cannot be decoded. */
function decodeKind(obj: Cursor, kind: string, apiVersion: string, col: Collector): (() => void) | undefined {
  if ((kind === "Kustomization" || kind === "Component") && apiVersion.startsWith("kustomize.config.k8s.io/")) {
    obj.get("kind").error("kustomization", `a ${kind} is kustomize's input, not a Kubernetes object`, RENDER_KUSTOMIZE);
    return undefined;
  }
  if (kind === "Namespace") {
    const ns = decodeNamespace(obj);
    return ns && (() => col.put(col.namespaces, "Namespace", ns));
  }
  if (kind === "Pod") {
    const pod = decodePod(obj);
    return pod && (() => col.put(col.pods, "Pod", pod));
  }
  if (kind === "VirtualMachine" || kind === "VirtualMachineInstance") {
    // KubeVirt's (kubevirt.io); another group's VirtualMachine is not a workload kwire knows.
    if (!isKubevirtApi(apiVersion)) return keepOther(obj, kind, apiVersion, col);
    const vm = decodeKubevirt(kind, obj);
    return vm && (() => col.put(col.workloads, kind, vm));
  }
  if (isWorkloadKind(kind)) {
    const w = decodeWorkload(kind, obj);
    return w && (() => col.put(col.workloads, kind, w));
  }
  if (kind === "NetworkPolicy" && NETWORKING_API.has(apiVersion)) {
    const np = decodeNetworkPolicy(obj);
    return np && (() => col.put(col.policies, "NetworkPolicy", np));
  }
  const cp = CLUSTER_POLICY_KINDS[`${apiVersion}/${kind}`];
  if (cp) {
    const resolve = decodeClusterPolicy(obj, cp.kind, cp.apiVersion);
    const name = obj.get("metadata").get("name").optString() ?? "";
    return resolve && (() => col.put(col.clusterPolicies, kind, { name, source: obj.ref, resolve }));
  }
  if (isCalicoKind(apiVersion, kind)) {
    const c = decodeCalicoObject(obj, apiVersion, kind);
    if (!c) return undefined;
    // Both API forms (projectcalico.org/v3 and the CRD form) name the same object: one key.
    switch (c.kind) {
      case "Tier":
        return () => col.put(col.calicoTiers, "Tier", c);
      case "NetworkSet":
      case "GlobalNetworkSet":
        return () => col.put(col.calicoSets, c.kind, c);
      case "StagedKubernetesNetworkPolicy":
        return () => col.put(col.calicoStagedK8s, c.kind, { ...c, name: c.policy.name, namespace: c.policy.namespace });
      default:
        return () => col.put(col.calicoPolicies, c.kind, c);
    }
  }
  if (isCiliumPolicyKind(apiVersion, kind)) {
    const c = decodeCiliumPolicy(obj, kind, apiVersion);
    return c && (() => col.put(col.cilium, kind, c));
  }
  const notModelled = policyKindNotModelled(apiVersion, kind);
  if (notModelled) {
    const name = obj.get("metadata").get("name").optString() ?? "?";
    obj.error("policy-kind-not-modelled", `${apiVersion} ${kind} ${name} is a policy kind kwire does not model yet: verdicts for the pods it selects may be wrong (${notModelled})`, "verdicts it could change are marked uncertain; --strict fails on it");
    return undefined;
  }
  const layer = decodeServiceKind(obj, kind, apiVersion, col) ?? col.northSouth.decode(obj, kind, apiVersion, (m, k, v) => col.put(m, k, v));
  if (layer !== undefined) return layer || undefined;
  return keepOther(obj, kind, apiVersion, col);
}

/** The Service layer's kinds; undefined when `kind`/`apiVersion` is not one of them. */
function decodeServiceKind(obj: Cursor, kind: string, apiVersion: string, col: Collector): (() => void) | undefined | false {
  const wrap = <T extends { readonly namespace?: string; readonly name: string; readonly source: SourceRef }>(map: ObjectTable<T>, v: T | undefined): (() => void) | false =>
    v ? () => col.put(map, kind, v) : false;
  if (kind === "Service" && apiVersion === "v1") return wrap(col.services, decodeService(obj));
  if (kind === "EndpointSlice" && apiVersion === "discovery.k8s.io/v1") return wrap(col.slices, decodeEndpointSlice(obj));
  if (kind === "Node" && apiVersion === "v1") return wrap(col.nodes, decodeNode(obj));
  if (kind === "Ingress" && apiVersion === "networking.k8s.io/v1") return wrap(col.ingresses, decodeIngress(obj));
  if (kind === "IngressClass" && apiVersion === "networking.k8s.io/v1") return wrap(col.ingressClasses, decodeIngressClass(obj));
  if (kind === "Endpoints" && apiVersion === "v1") {
    const slices = decodeEndpoints(obj);
    return slices ? () => {
      for (const s of slices) col.put(col.slices, "EndpointSlice", s);
      col.counts["EndpointSlice"] = (col.counts["EndpointSlice"] ?? 0) - slices.length;
      col.counts["Endpoints"] = (col.counts["Endpoints"] ?? 0) + 1;
    } : false;
  }
  return undefined;
}

function keepOther(obj: Cursor, kind: string, apiVersion: string, col: Collector): () => void {
  const meta = obj.get("metadata");
  const name = meta.get("name").optString() ?? "";
  const nsText = meta.get("namespace").optString();
  const raw = obj.plain();
  const other: OtherObject = nsText === undefined
    ? { apiVersion, kind, name, source: obj.ref, raw }
    : { apiVersion, kind, name, namespace: nsText, source: obj.ref, raw };
  return () => {
    col.others.push(other);
    col.counts[kind] = (col.counts[kind] ?? 0) + 1;
  };
}

export interface LoadOptions {
  /**
   * JSON Lists this large (characters) or larger are read item by item (documents.ts); the
   * result is the same either way. Tests set it to compare the two reads.
   */
  readonly splitJsonListsAt?: number;
}

export function loadCluster(files: readonly InputFile[], options: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const col = new Collector(diagnostics);
  const ignoredFiles: string[] = [];
  for (const file of files) {
    if (!readable(file, { diagnostics, skipped: col.skipped }, ignoredFiles)) continue;
    forEachObject(file, { diagnostics, skipped: col.skipped }, (obj) => decodeOne(obj, col), options.splitJsonListsAt);
  }
  const namespaces = new Map<string, Namespace>();
  for (const ns of col.namespaces.toArray()) namespaces.set(ns.name, ns);
  for (const [name, source] of col.referenced) {
    if (!namespaces.has(name)) namespaces.set(name, implicitNamespace(name, source));
  }
  const nodes = sortByName(col.nodes.toArray());
  const cluster: Cluster = {
    namespaces: sortByName([...namespaces.values()]),
    pods: sortByName(col.pods.toArray()),
    workloads: sortByName(col.workloads.toArray(), (a, b) => collate(a.kind, b.kind)),
    networkPolicies: sortByName(col.policies.toArray()),
    clusterPolicies: sortByName(col.clusterPolicies.toArray()).map((p) => p.resolve(nodes)),
    services: sortByName(col.services.toArray()),
    endpointSlices: sortByName(col.slices.toArray()),
    nodes,
    ingresses: sortByName(col.ingresses.toArray()),
    ingressClasses: sortByName(col.ingressClasses.toArray()),
    others: col.others,
    policyGaps: policyGaps(col.skipped),
    ...col.northSouth.result(),
    ...calicoAndCilium(col),
  };
  const unmodelledKinds: Record<string, number> = {};
  for (const o of col.others) if (!o.apiVersion.startsWith("kwire/")) unmodelledKinds[o.kind] = (unmodelledKinds[o.kind] ?? 0) + 1;
  return {
    cluster,
    diagnostics,
    counts: col.counts,
    skipped: col.skipped.filter((s) => s.entry === undefined).length,
    skippedObjects: col.skipped,
    ignoredFiles,
    unmodelledKinds,
    cniConfigs: col.cniConfigs,
  };
}

function calicoAndCilium(col: Collector): Pick<Cluster, "calico" | "ciliumPolicies"> {
  const calico = col.calicoPolicies.size + col.calicoTiers.size + col.calicoSets.size + col.calicoStagedK8s.size > 0;
  return {
    ...(calico
      ? {
          calico: {
            policies: sortByName(col.calicoPolicies.toArray(), (a, b) => collate(a.kind, b.kind)),
            tiers: sortByName(col.calicoTiers.toArray()),
            networkSets: sortByName(col.calicoSets.toArray()),
            stagedKubernetes: sortByName(col.calicoStagedK8s.toArray()),
          },
        }
      : {}),
    ...(col.cilium.size > 0 ? { ciliumPolicies: sortByName(col.cilium.toArray(), (a, b) => collate(a.kind, b.kind)) } : {}),
  };
}

/**
 * Skipped objects that are policies (of a kind kwire models, skipped for an error, or of a kind it
 * does not model): verdicts they could change become uncertain. A dropped entry inside an object
 * that was kept is not a gap. Unnamed documents of an unknown apiVersion are not policies.
 */
function policyGaps(skipped: readonly SkippedObject[]): PolicyGap[] {
  const out: PolicyGap[] = [];
  for (const s of skipped) {
    if (s.entry !== undefined || s.kind === undefined) continue;
    const apiVersion = s.apiVersion ?? "";
    const modelled =
      (s.kind === "NetworkPolicy" && (NETWORKING_API.has(apiVersion) || apiVersion === "")) ||
      CLUSTER_POLICY_KINDS[`${apiVersion}/${s.kind}`] !== undefined ||
      (isCalicoKind(apiVersion, s.kind) && s.kind !== "Tier") ||
      isCiliumPolicyKind(apiVersion, s.kind);
    const notModelled = !modelled && policyKindNotModelled(apiVersion, s.kind) !== undefined;
    if (!modelled && !notModelled) continue;
    const namespace = isClusterScopedPolicyKind(s.kind) ? undefined : (s.namespace ?? "default");
    out.push({ apiVersion, kind: s.kind, ...(namespace !== undefined ? { namespace } : {}), name: s.name ?? "?", reason: modelled ? "skipped" : "not-modelled", source: s.source });
  }
  return out;
}

/**
 * False for files not to read as manifests: repository files that are not manifests (noted in
 * `ignored`), and unrendered Helm templates / kustomizations (an error that says how to render
 * them; every document they hold is recorded as skipped, named as far as its text names it).
 */
function readable(file: InputFile, sink: ReadSink, ignored: string[]): boolean {
  const what = classifyFile(file.path, file.text);
  if (what.type === "manifests") return true;
  if (what.type === "not-a-manifest") {
    ignored.push(file.path);
    return false;
  }
  if (what.type === "kustomization") {
    const source = { file: file.path, line: 1, column: 1, path: "" };
    const message = "a kustomization is kustomize's input, not Kubernetes objects; it is skipped";
    sink.diagnostics.push({ code: "kustomization", severity: "error", message, source, hint: RENDER_KUSTOMIZE });
    sink.skipped.push({ kind: "Kustomization", source, reason: message });
    return false;
  }
  const line = file.text.slice(0, what.offset).split("\n").length;
  const source = { file: file.path, line, column: what.offset - file.text.lastIndexOf("\n", what.offset - 1), path: "" };
  const docs = file.text.split(/^---[ \t]*$/m);
  const message = `an unrendered Helm template ({{ … }}); its ${docs.length} document(s) are skipped`;
  sink.diagnostics.push({ code: "unrendered-template", severity: "error", message, source, hint: RENDER_HELM });
  for (const d of docs) {
    const who = scrapeIdentity(d);
    if (who.kind !== undefined) sink.skipped.push({ ...who, source, reason: message });
  }
  return false;
}
