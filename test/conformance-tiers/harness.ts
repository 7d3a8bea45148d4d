/**
 * @module conformance-tiers/harness
 * Runs network-policy-api conformance cases against kwire. A case is an upstream test
 * (conformance/tests/*.go) over one upstream manifest (conformance/base/**.yaml, copied under
 * ./upstream with its commit). Each upstream `t.Run` is a step; steps are cumulative, as
 * upstream's are (they run in order on one cluster and patch the same policy), so step N is
 * the manifest after the mutations of steps 1..N. Each step lists the probes upstream makes
 * (`kubernetes.PokeServer(client, protocol, server IP, port, shouldConnect)`).
 *
 * A step passes when its manifests load without an error diagnostic, every policy document
 * loads, and for each probe `analysis.explain(client, server).ports` contains (or does not
 * contain) the probed protocol/port — checked for both engines.
 *
 * Manifests are read as upstream stores them. Three mechanical rewrites bring stored
 * versions to the API shapes kwire reads; each file that needs one says so in its header:
 *  - V1BETA1: a `policy.networking.k8s.io/v1beta1` ClusterNetworkPolicy (upstream's current
 *    version) is read as v1alpha2: apis/v1beta1/clusternetworkpolicy_types.go (commit 30ea168a)
 *    has the fields of the released v1alpha2 (tier, priority, subject, Accept/Deny/Pass,
 *    `protocols`), and kwire reads only v1alpha2 (it reports v1beta1 as not modelled).
 *  - portsToProtocols: a stored v1alpha2 file that still writes `ports: - portNumber:`
 *    (an upstream development state) gets the released `protocols: - tcp: destinationPort:`.
 *  - namespacedPeerToSelector: v1alpha1 peers in the pre-v0.1.5 shape
 *    (`namespaces: {namespaceSelector: S}`) become `namespaces: S`, which is what kwire reads;
 *    kwire rejects the old shape with an unknown-field error and drops the policy.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMap, isSeq, parseAllDocuments, YAMLMap, type Document } from "yaml";
import { buildTopology, fastAnalysis, referenceAnalysis, type Analysis } from "../../src/engine/index.js";
import { containsPort, type Cluster, type Protocol } from "../../src/model/index.js";
import { loadCluster, type LoadResult } from "../../src/parse/index.js";
import { clusterYaml, pod, type PodName } from "./topology.js";

const HERE = dirname(fileURLToPath(import.meta.url));

export type Rewrite = "V1BETA1" | "portsToProtocols" | "namespacedPeerToSelector";
export type Direction = "ingress" | "egress";
export type PolicyKind = "ClusterNetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "NetworkPolicy";

export interface Target {
  readonly kind: PolicyKind;
  readonly name: string;
}

/** What an upstream step does to the cluster before probing (Go: `mutate.Spec…`, `Client.Delete`). */
export type Mutation =
  | { readonly op: "swapRules"; readonly target: Target; readonly direction: Direction; readonly i: number; readonly j: number }
  | { readonly op: "setPriority"; readonly target: Target; readonly priority: number }
  | { readonly op: "setAction"; readonly target: Target; readonly direction: Direction; readonly index: number; readonly action: string }
  | { readonly op: "prependRule"; readonly target: Target; readonly direction: Direction; readonly rule: unknown }
  | { readonly op: "setRuleField"; readonly target: Target; readonly direction: Direction; readonly index: number; readonly field: string; readonly value: unknown }
  | { readonly op: "delete"; readonly target: Target };

export interface Probe {
  readonly from: PodName;
  readonly to: PodName;
  readonly protocol: Protocol;
  readonly port: number;
  readonly allowed: boolean;
}

export interface Step {
  /** The upstream `t.Run` title, verbatim. */
  readonly title: string;
  readonly mutations?: readonly Mutation[];
  readonly probes: readonly Probe[];
}

export interface TierCase {
  /** The upstream ShortName (`CNPAdminTierIngressTCP`). */
  readonly name: string;
  /** conformance/tests/<file>.go @ commit, as read. */
  readonly test: string;
  /** Path under ./upstream, the same as under upstream's conformance/base/. */
  readonly manifest: string;
  readonly rewrites?: readonly Rewrite[];
  readonly steps: readonly Step[];
}

/** Short form for probe rows: `p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false)`. */
export const p = (from: PodName, to: PodName, protocol: Protocol, port: number, allowed: boolean): Probe => ({ from, to, protocol, port, allowed });

export function readManifest(rel: string): string {
  return readFileSync(join(HERE, "upstream", rel), "utf8");
}

function mapAt(node: unknown, key: string): YAMLMap | undefined {
  if (!isMap(node)) return undefined;
  const v = node.get(key, true);
  return isMap(v) ? v : undefined;
}

function rulesOf(doc: Document, direction: Direction): unknown[] {
  const seq = doc.getIn(["spec", direction], true);
  if (!isSeq(seq)) throw new Error(`no spec.${direction} list`);
  return seq.items;
}

function kindOf(doc: Document): string {
  const k = doc.get("kind");
  return typeof k === "string" ? k : "";
}

function nameOf(doc: Document): string {
  const n = doc.getIn(["metadata", "name"]);
  return typeof n === "string" ? n : "";
}

/** `namespaces: {namespaceSelector: S}` → `namespaces: S`; `pods: {namespaces: {namespaceSelector: S}, …}` → `pods: {namespaceSelector: S, …}`. */
function rewritePeer(peer: unknown): void {
  if (!isMap(peer)) return;
  const ns = mapAt(peer, "namespaces");
  const inner = ns && ns.items.length === 1 ? ns.get("namespaceSelector", true) : undefined;
  if (inner !== undefined) peer.set("namespaces", inner);
  const pods = mapAt(peer, "pods");
  const podNs = pods ? mapAt(pods, "namespaces") : undefined;
  if (pods && podNs) {
    pods.set("namespaceSelector", podNs.get("namespaceSelector", true));
    pods.delete("namespaces");
  }
}

/** v1alpha1 `portNumber{protocol,port}` / `portRange{protocol,start,end}` / `namedPort` → v1alpha2 `protocols`. */
function portsToProtocols(doc: Document, rule: unknown): void {
  if (!isMap(rule)) return;
  const ports = rule.get("ports", true);
  if (!isSeq(ports)) return;
  const protocols = ports.items.map((item) => {
    const js: unknown = isMap(item) ? item.toJSON() : undefined;
    if (typeof js !== "object" || js === null) throw new Error("ports entry is not a map");
    const e = js as { portNumber?: { protocol?: string; port: number }; portRange?: { protocol?: string; start: number; end: number }; namedPort?: string };
    if (e.namedPort !== undefined) return { destinationNamedPort: e.namedPort };
    if (e.portNumber) return { [(e.portNumber.protocol ?? "TCP").toLowerCase()]: { destinationPort: { number: e.portNumber.port } } };
    if (e.portRange) return { [(e.portRange.protocol ?? "TCP").toLowerCase()]: { destinationPort: { range: { start: e.portRange.start, end: e.portRange.end } } } };
    throw new Error("ports entry sets none of portNumber, portRange, namedPort");
  });
  rule.delete("ports");
  rule.set("protocols", doc.createNode(protocols));
}

function applyRewrites(doc: Document, rewrites: readonly Rewrite[]): void {
  for (const r of rewrites) {
    if (r === "V1BETA1" && doc.get("apiVersion") === "policy.networking.k8s.io/v1beta1") doc.set("apiVersion", "policy.networking.k8s.io/v1alpha2");
    if (kindOf(doc) === "NetworkPolicy") continue;
    for (const direction of ["ingress", "egress"] as const) {
      const seq = doc.getIn(["spec", direction], true);
      if (!isSeq(seq)) continue;
      for (const rule of seq.items) {
        if (r === "portsToProtocols") portsToProtocols(doc, rule);
        if (r === "namespacedPeerToSelector" && isMap(rule)) {
          const peers = rule.get(direction === "ingress" ? "from" : "to", true);
          if (isSeq(peers)) peers.items.forEach(rewritePeer);
        }
      }
    }
  }
}

function applyMutation(docs: Document[], m: Mutation): Document[] {
  const find = (t: Target): Document => {
    const d = docs.find((x) => kindOf(x) === t.kind && nameOf(x) === t.name);
    if (!d) throw new Error(`no ${t.kind} ${t.name} in the manifest`);
    return d;
  };
  switch (m.op) {
    case "swapRules": {
      const rules = rulesOf(find(m.target), m.direction);
      const a = rules[m.i];
      const b = rules[m.j];
      if (a === undefined || b === undefined) throw new Error(`no rule ${m.i} or ${m.j}`);
      rules[m.i] = b;
      rules[m.j] = a;
      return docs;
    }
    case "setPriority":
      find(m.target).setIn(["spec", "priority"], m.priority);
      return docs;
    case "setAction":
      find(m.target).setIn(["spec", m.direction, m.index, "action"], m.action);
      return docs;
    case "setRuleField": {
      const d = find(m.target);
      d.setIn(["spec", m.direction, m.index, m.field], d.createNode(m.value));
      return docs;
    }
    case "prependRule": {
      const d = find(m.target);
      rulesOf(d, m.direction).unshift(d.createNode(m.rule));
      return docs;
    }
    case "delete": {
      const d = find(m.target);
      return docs.filter((x) => x !== d);
    }
  }
}

/** The policy manifest of step `index` (0-based): rewrites, then the mutations of steps 0..index. */
export function stepManifest(c: TierCase, index: number): string {
  let docs: Document[] = parseAllDocuments(readManifest(c.manifest)).map((d): Document => {
    if (!("errors" in d) || d.errors.length > 0) throw new Error(`${c.manifest} does not parse`);
    return d;
  });
  for (const d of docs) applyRewrites(d, c.rewrites ?? []);
  for (const step of c.steps.slice(0, index + 1)) for (const m of step.mutations ?? []) docs = applyMutation(docs, m);
  return docs.map((d) => String(d)).join("---\n");
}

/** How many documents of the manifest are policies of the kinds kwire evaluates. */
export function policyDocuments(manifest: string): number {
  return parseAllDocuments(manifest).filter((d) => {
    if (!("contents" in d)) return false;
    const k = d.get("kind");
    return typeof k === "string" && /NetworkPolicy$/.test(k);
  }).length;
}

export function loadStep(manifest: string): LoadResult {
  return loadCluster([
    { path: "cluster.yaml", text: clusterYaml() },
    { path: "policies.yaml", text: manifest },
  ]);
}

export type EngineName = "fast" | "reference";

export function analyse(cluster: Cluster, engine: EngineName): Analysis {
  const topology = buildTopology(cluster);
  return engine === "fast" ? fastAnalysis(cluster, topology) : referenceAnalysis(cluster, topology);
}

function node(a: Analysis, name: PodName): number {
  const id = `${pod(name).namespace}/${name}`;
  const i = a.topology.subjects.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`pod ${id} is not in the topology`);
  return i;
}

export const probeText = (x: Probe): string => `${x.from} -> ${x.to} ${x.protocol}/${x.port}`;

/** What kwire answers for the probe: is the (protocol, port) in the allowed set? */
export function kwireAllows(a: Analysis, x: Probe): boolean {
  return containsPort(a.explain(node(a, x.from), node(a, x.to)).ports, x.protocol, x.port);
}

/**
 * Every way step `index` disagrees with upstream, as lines (empty: agreement):
 * load errors, policy documents that did not load, and each probe whose verdict differs.
 */
export function stepProblems(c: TierCase, index: number, engine: EngineName): string[] {
  const manifest = stepManifest(c, index);
  const load = loadStep(manifest);
  const problems = load.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `load error ${d.code} at ${d.source.file}:${d.source.line}: ${d.message}`);
  const loaded = load.cluster.clusterPolicies.length + load.cluster.networkPolicies.length;
  const want = policyDocuments(manifest);
  if (loaded !== want) problems.push(`${want} policy documents, ${loaded} loaded`);
  const a = analyse(load.cluster, engine);
  const step = c.steps[index];
  if (!step) throw new Error(`${c.name} has no step ${index}`);
  for (const x of step.probes) {
    const got = kwireAllows(a, x);
    if (got !== x.allowed) problems.push(`${probeText(x)}: upstream expects ${x.allowed ? "ALLOWED" : "DENIED"}, kwire (${engine}) says ${got ? "ALLOWED" : "DENIED"}`);
  }
  return problems;
}
