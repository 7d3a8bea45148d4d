/**
 * @module topology
 * The things traffic flows between: pods (and workload templates standing for pods that the
 * input does not list) plus external cells; and how they group into workloads and namespaces.
 */
import { dialectIpSets } from "../policy/enforced.js";
import { lastOf, parseCidr, WORKLOAD_KINDS, type Cluster, type ContainerPort, type Ip, type Labels, type Namespace, type OwnerRef, type Pod, type SourceRef, type Workload, type WorkloadKind } from "../model/index.js";
import type { IpRange, PodIdentity } from "../policy/index.js";
import { externalCells, type ExternalCell } from "./external.js";

export interface Subject extends PodIdentity {
  readonly id: string;
  readonly kind: "Pod" | WorkloadKind;
  readonly name: string;
  /** Pods that run at once; a subject with ≥ 2 talks to itself through policy (replica to replica). */
  readonly replicas: number;
  /** `namespace/name[Kind]` of the top-most declared owner, or `namespace/name[Pod]`. */
  readonly workloadId: string;
  readonly workloadKind: "Pod" | WorkloadKind;
  readonly workloadName: string;
  readonly nodeName: string | undefined;
  /** spec.serviceAccountName; undefined = "default" (Calico's serviceAccountSelector, Cilium's SA label). */
  readonly serviceAccount: string | undefined;
  readonly source: SourceRef;
}

export interface Topology {
  readonly subjects: readonly Subject[];
  readonly cells: readonly ExternalCell[];
  readonly namespaces: ReadonlyMap<string, Namespace>;
  /** Pods on different nodes are different classes (Cilium: `host` is the local node). */
  readonly classesByNode?: boolean;
  /** Subjects whose workload was named from an ownerReference to an object not in the input. */
  readonly inferredOwners?: { readonly subjects: number; readonly workloads: number };
}

export const workloadId = (namespace: string, name: string, kind: string): string => `${namespace}/${name}[${kind}]`;

/** Follows ownerReferences up through declared workloads (Pod → ReplicaSet → Deployment, Job → CronJob). */
function topOwner(
  namespace: string,
  owners: readonly { kind: string; name: string }[],
  byKey: ReadonlyMap<string, Workload>,
): Workload | undefined {
  let found: Workload | undefined;
  let current = owners;
  for (let depth = 0; depth < 5; depth++) {
    let next: Workload | undefined;
    for (const o of current) {
      next = byKey.get(`${o.kind}/${namespace}/${o.name}`);
      if (!next && o.kind === "ReplicaSet") {
        // `kubectl get` output often lists pods and the Deployment but not the ReplicaSet:
        // its name is the Deployment's plus "-<pod-template-hash>".
        next = byKey.get(`Deployment/${namespace}/${o.name.replace(/-[a-z0-9]+$/, "")}`);
      }
      // KubeVirt: a VirtualMachine's VMI has the VM's name (virt-controller's VM controller).
      if (!next && o.kind === "VirtualMachineInstance") next = byKey.get(`VirtualMachine/${namespace}/${o.name}`);
      if (next) break;
    }
    if (!next) break;
    found = next;
    current = next.owners;
  }
  return found;
}

/** A workload a subject belongs to: declared in the input, or named by an ownerReference. */
interface OwnerName {
  readonly kind: WorkloadKind;
  readonly name: string;
  /** The top-most owner declared in the input (the named workload itself unless `inferred`). */
  readonly declared: Workload | undefined;
  /** Named from an ownerReference whose object is not in the input. */
  readonly inferred: boolean;
}

const isWorkloadKind = (k: string): k is WorkloadKind => (WORKLOAD_KINDS as readonly string[]).includes(k);

/**
 * The workload an ownerReference stands for when its object is not in the input (what
 * `kubectl get pods -A -o yaml` gives): the first reference to a workload kind, where
 * - a ReplicaSet named `<deployment>-<hash>`, whose pods carry `pod-template-hash: <hash>`, is
 *   its Deployment's (the Deployment controller names ReplicaSets so and labels their pods,
 *   kubernetes/pkg/controller/deployment/sync.go `getNewReplicaSet`);
 * - a Job named `<cronjob>-<minutes since the epoch>` is its CronJob's (the CronJob controller's
 *   `getJobName`: name + "-" + scheduled time in minutes, eight digits or more today);
 * - any other workload kind is itself. Other owners (a Node for static pods, custom resources)
 *   leave the pod on its own.
 */
export function inferOwner(owners: readonly OwnerRef[], labels: Labels): { readonly kind: WorkloadKind; readonly name: string } | undefined {
  for (const o of owners) {
    if (!isWorkloadKind(o.kind)) continue;
    if (o.kind === "ReplicaSet") {
      const hash = labels["pod-template-hash"];
      if (hash && o.name.length > hash.length + 1 && o.name.endsWith(`-${hash}`)) return { kind: "Deployment", name: o.name.slice(0, -hash.length - 1) };
    }
    if (o.kind === "Job") {
      const m = /^(.+)-\d{8,}$/.exec(o.name);
      if (m?.[1]) return { kind: "CronJob", name: m[1] };
    }
    return { kind: o.kind, name: o.name };
  }
  return undefined;
}

/** Declared owners first (topOwner); above the top-most declared one, or without any, the inferred one. */
function ownerOf(namespace: string, owners: readonly OwnerRef[], labels: Labels, byKey: ReadonlyMap<string, Workload>): OwnerName | undefined {
  const declared = topOwner(namespace, owners, byKey);
  const above = declared ? inferOwner(declared.owners, declared.labels) : inferOwner(owners, labels);
  if (above) return { ...above, declared, inferred: true };
  return declared ? { kind: declared.kind, name: declared.name, declared, inferred: false } : undefined;
}

export interface TopologyOptions {
  /** Where pods without an IP in the input live (default 10.244.0.0/16, kind's and Flannel's). */
  readonly podCidr?: string;
}

export const DEFAULT_POD_CIDR = "10.244.0.0/16";

export function podRange(text: string): IpRange | undefined {
  const p = parseCidr(text);
  return p.ok ? { family: p.cidr.family, lo: p.cidr.base, hi: lastOf(p.cidr), text } : undefined;
}

export function buildTopology(cluster: Cluster, opts: TopologyOptions = {}): Topology {
  const range = podRange(opts.podCidr ?? DEFAULT_POD_CIDR);
  const namespaces = new Map(cluster.namespaces.map((n) => [n.name, n]));
  const nsLabels = (ns: string): Labels => namespaces.get(ns)?.labels ?? { "kubernetes.io/metadata.name": ns };
  const byKey = new Map(cluster.workloads.map((w) => [`${w.kind}/${w.namespace}/${w.name}`, w]));
  const subjects: Subject[] = [];
  const withPods = new Set<string>();
  // Pods of one workload share owners: resolve each distinct owner list once, with its id.
  type Owned = { readonly owner: OwnerName | undefined; readonly id: string | undefined };
  const ownerCache = new Map<string, Owned>();
  const lastOwners = new Map<string, Map<string, { readonly kind: string; readonly hash: string | undefined; readonly owned: Owned }>>();
  const inferred = new Set<string>();
  let inferredSubjects = 0;
  const labelsOf = new Map<string, Labels>();
  for (const pod of cluster.pods) {
    let owned: Owned | undefined;
    if (pod.owners.length > 0) {
      // One owner (the usual case): found by namespace and owner name without building a key.
      const first = pod.owners[0] as OwnerRef;
      const hash = pod.labels["pod-template-hash"];
      let byName = pod.owners.length === 1 ? lastOwners.get(pod.namespace) : undefined;
      if (pod.owners.length === 1 && !byName) lastOwners.set(pod.namespace, (byName = new Map()));
      const quick = byName?.get(first.name);
      if (quick && quick.kind === first.kind && quick.hash === hash) owned = quick.owned;
      if (!owned) {
        let key = `${pod.namespace}\u0000${hash ?? ""}\u0000${first.kind}/${first.name}`;
        for (let i = 1; i < pod.owners.length; i++) key += `\u0000${(pod.owners[i] as OwnerRef).kind}/${(pod.owners[i] as OwnerRef).name}`;
        owned = ownerCache.get(key);
        if (!owned) {
          const owner = ownerOf(pod.namespace, pod.owners, pod.labels, byKey);
          owned = { owner, id: owner ? workloadId(pod.namespace, owner.name, owner.kind) : undefined };
          ownerCache.set(key, owned);
          if (owner?.declared) withPods.add(`${owner.declared.kind}/${pod.namespace}/${owner.declared.name}`);
          if (owner?.inferred && owned.id) inferred.add(owned.id);
        }
        byName?.set(first.name, { kind: first.kind, hash, owned });
      }
      if (owned.owner?.inferred) inferredSubjects++;
    }
    let nsl = labelsOf.get(pod.namespace);
    if (!nsl) {
      nsl = nsLabels(pod.namespace);
      labelsOf.set(pod.namespace, nsl);
    }
    subjects.push(podSubject(pod, owned?.owner, owned?.id, nsl, range));
  }
  for (const w of cluster.workloads) {
    const key = `${w.kind}/${w.namespace}/${w.name}`;
    if (withPods.has(key)) continue;
    if (topOwner(w.namespace, w.owners, byKey)) continue; // folded into its owner (e.g. RS of a Deployment)
    const above = inferOwner(w.owners, w.labels);
    if (above) {
      inferredSubjects++;
      inferred.add(workloadId(w.namespace, above.name, above.kind));
    }
    subjects.push(templateSubject(w, above, nsLabels(w.namespace), range));
  }
  // Pods, then templates, each in the loader's (namespace, name) order: deterministic for a
  // given input; outputs sort endpoints by id themselves.
  const cells = externalCells(cluster.networkPolicies, cluster.clusterPolicies.flatMap((p) => [...p.ingress, ...p.egress].map((r) => r.rule)), dialectIpSets(cluster));
  const topology: Topology = { subjects, cells, namespaces, ...(cluster.policyDialect === "cilium" ? { classesByNode: true } : {}) };
  return inferred.size > 0 ? { ...topology, inferredOwners: { subjects: inferredSubjects, workloads: inferred.size } } : topology;
}

/** Subjects are built with every key present (one object shape: monomorphic property access). */
function rangeFor(ips: readonly Ip[], hostNetwork: boolean, range: IpRange | undefined): IpRange | undefined {
  return range && ips.length === 0 && !hostNetwork ? range : undefined;
}

function podSubject(pod: Pod, owner: OwnerName | undefined, ownerId: string | undefined, namespaceLabels: Labels, range: IpRange | undefined): Subject {
  return {
    id: `${pod.namespace}/${pod.name}`,
    kind: "Pod" as const,
    namespace: pod.namespace,
    name: pod.name,
    labels: pod.labels,
    namespaceLabels,
    ips: pod.ips as readonly Ip[],
    hostNetwork: pod.hostNetwork,
    ports: pod.ports as readonly ContainerPort[],
    replicas: 1,
    workloadId: ownerId ?? workloadId(pod.namespace, pod.name, "Pod"),
    workloadKind: owner ? owner.kind : ("Pod" as const),
    workloadName: owner ? owner.name : pod.name,
    nodeName: pod.nodeName,
    serviceAccount: pod.serviceAccount,
    source: pod.source,
    unknownIpRange: rangeFor(pod.ips, pod.hostNetwork, range),
  };
}

function templateSubject(w: Workload, above: { readonly kind: WorkloadKind; readonly name: string } | undefined, namespaceLabels: Labels, range: IpRange | undefined): Subject {
  const id = workloadId(w.namespace, w.name, w.kind);
  return {
    id,
    kind: w.kind,
    namespace: w.namespace,
    name: w.name,
    labels: w.labels,
    namespaceLabels,
    ips: [],
    hostNetwork: w.hostNetwork,
    ports: w.ports,
    replicas: w.replicas,
    workloadId: above ? workloadId(w.namespace, above.name, above.kind) : id,
    workloadKind: above ? above.kind : w.kind,
    workloadName: above ? above.name : w.name,
    nodeName: undefined,
    serviceAccount: w.serviceAccount,
    source: w.source,
    unknownIpRange: rangeFor([], w.hostNetwork, range),
  };
}
