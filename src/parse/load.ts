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
  type Node,
  type Pod,
  type Service,
  type SourceRef,
  type Workload,
  type WorkloadKind,
} from "../model/index.js";
import type { Cursor } from "./cursor.js";
import { objectCursors, type InputFile } from "./documents.js";
import { decodeNamespace, implicitNamespace } from "./kinds/namespace.js";
import { decodeNetworkPolicy } from "./kinds/network-policy.js";
import { decodePod } from "./kinds/pod.js";
import { decodeWorkload } from "./kinds/workload.js";
import { decodeEndpoints, decodeEndpointSlice } from "./kinds/endpoint-slice.js";
import { decodeIngress, decodeIngressClass } from "./kinds/ingress.js";
import { decodeNode } from "./kinds/node.js";
import { decodeService } from "./kinds/service.js";
import { NorthSouthCollector } from "./kinds/gateway-kinds.js";

export interface LoadResult {
  readonly cluster: Cluster;
  readonly diagnostics: readonly Diagnostic[];
  /** Objects loaded per kind, and objects skipped because of errors. */
  readonly counts: Readonly<Record<string, number>>;
  readonly skipped: number;
}

function isWorkloadKind(k: string): k is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(k);
}

const NETWORKING_API = new Set(["networking.k8s.io/v1", "extensions/v1beta1", "networking.k8s.io/v1beta1"]);

class Collector {
  readonly namespaces = new Map<string, Namespace>();
  readonly pods = new Map<string, Pod>();
  readonly workloads = new Map<string, Workload>();
  readonly policies = new Map<string, NetworkPolicy>();
  readonly services = new Map<string, Service>();
  readonly slices = new Map<string, EndpointSlice>();
  readonly nodes = new Map<string, Node>();
  readonly ingresses = new Map<string, Ingress>();
  readonly ingressClasses = new Map<string, IngressClass>();
  readonly others: OtherObject[] = [];
  readonly northSouth = new NorthSouthCollector();
  readonly counts: Record<string, number> = {};
  readonly referenced = new Map<string, SourceRef>();
  skipped = 0;

  constructor(readonly diagnostics: Diagnostic[]) {}

  put<T extends { readonly namespace?: string; readonly name: string; readonly source: SourceRef }>(
    map: Map<string, T>,
    kind: string,
    value: T,
  ): void {
    const key = `${kind}/${value.namespace ?? ""}/${value.name}`;
    const prev = map.get(key);
    if (prev) {
      this.diagnostics.push({
        code: "duplicate-object",
        severity: "warning",
        message: `${kind} ${value.namespace ? `${value.namespace}/` : ""}${value.name} is declared twice; the later one wins (first at ${prev.source.file}:${prev.source.line})`,
        source: value.source,
      });
    }
    map.set(key, value);
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (value.namespace && !this.referenced.has(value.namespace)) this.referenced.set(value.namespace, value.source);
  }
}

/**
 * Decodes one object. An object with any error is skipped whole (never loaded with the bad
 * field dropped, which would silently change what selectors match); warnings keep it.
 */
function decodeOne(obj: Cursor, col: Collector): void {
  const before = col.diagnostics.length;
  const kind = obj.get("kind").reqString();
  const apiVersion = obj.get("apiVersion").reqString();
  const commit = kind === undefined || apiVersion === undefined ? undefined : decodeKind(obj, kind, apiVersion, col);
  const failed = col.diagnostics.slice(before).some((d) => d.severity === "error");
  if (!commit || failed) col.skipped++;
  else commit();
}

/** Decodes by kind; returns how to store the result, or undefined when it cannot be decoded. */
function decodeKind(obj: Cursor, kind: string, apiVersion: string, col: Collector): (() => void) | undefined {
  if (kind === "Namespace") {
    const ns = decodeNamespace(obj);
    return ns && (() => col.put(col.namespaces, "Namespace", ns));
  }
  if (kind === "Pod") {
    const pod = decodePod(obj);
    return pod && (() => col.put(col.pods, "Pod", pod));
  }
  if (isWorkloadKind(kind)) {
    const w = decodeWorkload(kind, obj);
    return w && (() => col.put(col.workloads, kind, w));
  }
  if (kind === "NetworkPolicy" && NETWORKING_API.has(apiVersion)) {
    const np = decodeNetworkPolicy(obj);
    return np && (() => col.put(col.policies, "NetworkPolicy", np));
  }
  const layer = decodeServiceKind(obj, kind, apiVersion, col) ?? col.northSouth.decode(obj, kind, apiVersion, (m, k, v) => col.put(m, k, v));
  if (layer !== undefined) return layer || undefined;
  return keepOther(obj, kind, apiVersion, col);
}

/** The Service layer's kinds; undefined when `kind`/`apiVersion` is not one of them. */
function decodeServiceKind(obj: Cursor, kind: string, apiVersion: string, col: Collector): (() => void) | undefined | false {
  const wrap = <T extends { readonly namespace?: string; readonly name: string; readonly source: SourceRef }>(map: Map<string, T>, v: T | undefined): (() => void) | false =>
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

export function loadCluster(files: readonly InputFile[]): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const col = new Collector(diagnostics);
  for (const file of files) {
    const before = diagnostics.length;
    const objects = objectCursors(file, diagnostics);
    // Each unreadable document (YAML syntax, not a map) is reported once and skipped whole.
    col.skipped += diagnostics.slice(before).filter((d) => d.code === "yaml-syntax" || d.code === "not-an-object").length;
    for (const obj of objects) decodeOne(obj, col);
  }
  const namespaces = new Map<string, Namespace>();
  for (const ns of col.namespaces.values()) namespaces.set(ns.name, ns);
  for (const [name, source] of col.referenced) {
    if (!namespaces.has(name)) namespaces.set(name, implicitNamespace(name, source));
  }
  const byName = <T extends { readonly namespace?: string; readonly name: string }>(a: T, b: T): number =>
    (a.namespace ?? "").localeCompare(b.namespace ?? "") || a.name.localeCompare(b.name);
  const cluster: Cluster = {
    namespaces: [...namespaces.values()].sort(byName),
    pods: [...col.pods.values()].sort(byName),
    workloads: [...col.workloads.values()].sort((a, b) => byName(a, b) || a.kind.localeCompare(b.kind)),
    networkPolicies: [...col.policies.values()].sort(byName),
    services: [...col.services.values()].sort(byName),
    endpointSlices: [...col.slices.values()].sort(byName),
    nodes: [...col.nodes.values()].sort(byName),
    ingresses: [...col.ingresses.values()].sort(byName),
    ingressClasses: [...col.ingressClasses.values()].sort(byName),
    others: col.others,
    ...col.northSouth.result(),
  };
  return { cluster, diagnostics, counts: col.counts, skipped: col.skipped };
}
