/**
 * @module resolve
 * Turns what a user types (`x/a`, `deploy/web -n prod`, `prod/web[Deployment]`, `10.0.0.5:80`,
 * `x/b:http`) into a node of the topology or an address outside the cluster.
 */
import { formatIp, parseIp, type Ip } from "../model/index.js";
import type { Topology } from "./topology.js";

export type Party =
  | { readonly type: "node"; readonly node: number; readonly label: string }
  | { readonly type: "address"; readonly ip: Ip; readonly label: string };

export interface Target {
  readonly party: Party;
  /** A port number or a named port, from a `:PORT` suffix. */
  readonly port?: number | string;
}

export type ResolveResult = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly error: string };

const KIND_ALIASES: Record<string, string> = {
  po: "Pod", pod: "Pod", pods: "Pod",
  deploy: "Deployment", deployment: "Deployment", deployments: "Deployment",
  rs: "ReplicaSet", replicaset: "ReplicaSet", replicasets: "ReplicaSet",
  sts: "StatefulSet", statefulset: "StatefulSet", statefulsets: "StatefulSet",
  ds: "DaemonSet", daemonset: "DaemonSet", daemonsets: "DaemonSet",
  job: "Job", jobs: "Job", cj: "CronJob", cronjob: "CronJob", cronjobs: "CronJob",
  rc: "ReplicationController", replicationcontroller: "ReplicationController",
  // KubeVirt's short names without the plurals `vms`/`vmis`: namespaces are often called that.
  vm: "VirtualMachine", virtualmachine: "VirtualMachine", virtualmachines: "VirtualMachine",
  vmi: "VirtualMachineInstance", virtualmachineinstance: "VirtualMachineInstance", virtualmachineinstances: "VirtualMachineInstance",
};

function splitPort(text: string): { base: string; port?: number | string } {
  const v6 = /^\[([^\]]+)\](?::([^:]+))?$/.exec(text);
  if (v6) return v6[2] === undefined ? { base: v6[1] ?? "" } : { base: v6[1] ?? "", port: portValue(v6[2]) };
  if ((text.match(/:/g) ?? []).length > 1) return { base: text }; // bare IPv6
  const i = text.lastIndexOf(":");
  if (i < 0) return { base: text };
  return { base: text.slice(0, i), port: portValue(text.slice(i + 1)) };
}

function portValue(s: string): number | string {
  return /^\d+$/.test(s) ? Number(s) : s;
}

export function resolveTarget(t: Topology, text: string, defaultNamespace = "default"): ResolveResult {
  const { base, port } = splitPort(text.trim());
  const withPort = (party: Party): ResolveResult => ({ ok: true, target: port === undefined ? { party } : { party, port } });
  const ip = parseIp(base);
  if (ip) {
    const node = nameIndex(t).ip.get(`${ip.family}:${ip.value}`);
    if (node !== undefined) return withPort({ type: "node", node, label: (t.subjects[node] as { id: string }).id });
    return withPort({ type: "address", ip, label: formatIp(ip) });
  }
  const bracket = /^([^/]+)\/([^/[]+)\[([A-Za-z]+)\]$/.exec(base);
  if (bracket) return byWorkload(t, bracket[1] ?? "", bracket[2] ?? "", bracket[3] ?? "", withPort, text);
  const parts = base.split("/");
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    const kind = KIND_ALIASES[a.toLowerCase()];
    if (kind) {
      if (kind === "Pod") return byPod(t, defaultNamespace, b, withPort, text);
      return byWorkload(t, defaultNamespace, b, kind, withPort, text);
    }
    return byName(t, a, b, withPort, text);
  }
  if (parts.length === 1 && base) return byName(t, defaultNamespace, base, withPort, text);
  return { ok: false, error: `cannot understand "${text}": use namespace/name, kind/name with -n, namespace/name[Kind], or IP[:PORT]` };
}

type Wrap = (p: Party) => ResolveResult;

/** First subject per name, built once per topology: a resolve is a lookup, not a scan of 100k subjects. */
interface NameIndex {
  readonly pod: ReadonlyMap<string, number>;
  /** By workloadId or subject id (`ns/name[Kind]`). */
  readonly workload: ReadonlyMap<string, number>;
  /** By `ns\u0000workloadName`. */
  readonly workloadName: ReadonlyMap<string, number>;
  /** By `family:value` of any IP. */
  readonly ip: ReadonlyMap<string, number>;
}

const indexes = new WeakMap<Topology, NameIndex>();

function nameIndex(t: Topology): NameIndex {
  let idx = indexes.get(t);
  if (idx) return idx;
  const pod = new Map<string, number>();
  const workload = new Map<string, number>();
  const workloadName = new Map<string, number>();
  const ip = new Map<string, number>();
  const first = (m: Map<string, number>, k: string, i: number): void => {
    if (!m.has(k)) m.set(k, i);
  };
  t.subjects.forEach((s, i) => {
    if (s.kind === "Pod") first(pod, `${s.namespace}/${s.name}`, i);
    first(workload, s.workloadId, i);
    first(workload, s.id, i);
    first(workloadName, `${s.namespace}\u0000${s.workloadName}`, i);
    for (const x of s.ips) first(ip, `${x.family}:${x.value}`, i);
  });
  idx = { pod, workload, workloadName, ip };
  indexes.set(t, idx);
  return idx;
}

function byPod(t: Topology, ns: string, name: string, wrap: Wrap, text: string): ResolveResult {
  const node = nameIndex(t).pod.get(`${ns}/${name}`);
  return node !== undefined ? wrap({ type: "node", node, label: `${ns}/${name}` }) : notFound(t, text, ns);
}

function byWorkload(t: Topology, ns: string, name: string, kind: string, wrap: Wrap, text: string): ResolveResult {
  const id = `${ns}/${name}[${kind}]`;
  const node = nameIndex(t).workload.get(id);
  return node !== undefined ? wrap({ type: "node", node, label: id }) : notFound(t, text, ns);
}

function byName(t: Topology, ns: string, name: string, wrap: Wrap, text: string): ResolveResult {
  const idx = nameIndex(t);
  const pod = idx.pod.get(`${ns}/${name}`);
  if (pod !== undefined) return wrap({ type: "node", node: pod, label: `${ns}/${name}` });
  const wl = idx.workloadName.get(`${ns}\u0000${name}`);
  if (wl !== undefined) return wrap({ type: "node", node: wl, label: (t.subjects[wl] as { workloadId: string }).workloadId });
  return notFound(t, text, ns);
}

function notFound(t: Topology, text: string, ns: string): ResolveResult {
  const names = t.subjects.filter((s) => s.namespace === ns).map((s) => s.workloadId);
  const hint = names.length > 0 ? ` (in ${ns}: ${[...new Set(names)].slice(0, 8).join(", ")})` : t.namespaces.has(ns) ? "" : ` (no namespace "${ns}")`;
  return { ok: false, error: `no pod or workload matches "${text}"${hint}` };
}
