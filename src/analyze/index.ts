/**
 * @module analyze
 * The library's front door: files in, a ready analysis out (load → CNI → topology → engine).
 */
import { CNI_DAEMONSETS, cniByName, type Cluster, type CniInfo, type Diagnostic, type Ip } from "../model/index.js";
import { loadCluster, type InputFile, type LoadResult } from "../parse/index.js";
import { CNI_ENFORCES, cniEnforcesDialect, enforcedTiers, familyDependentGaps, resolveCiliumFqdns, unresolvedPeerGaps, type PolicyDialect } from "../policy/index.js";
import { buildTopology, fastAnalysis, podRange, referenceAnalysis, type Analysis, type EngineName } from "../engine/index.js";

export interface AnalyzeOptions {
  readonly engine?: EngineName;
  /** The cluster's CNI; when it does not enforce NetworkPolicy every policy is ignored. */
  readonly cni?: string;
  /** Pod CIDR for pods without an IP in the input (default 10.244.0.0/16). */
  readonly podCidr?: string;
  /** `--external-ip NAME=IP`: the address a name stands for (Cilium toFQDNs peers match it). */
  readonly externalIps?: ReadonlyMap<string, Ip>;
}

export interface Analyzed {
  readonly load: LoadResult;
  /** The cluster as enforced (without policies when the CNI ignores them). */
  readonly cluster: Cluster;
  readonly analysis: Analysis;
  readonly cni?: CniInfo;
  readonly notes: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** The CNI named in the input: a DaemonSet whose name reveals it. */
export function detectCni(cluster: Cluster): CniInfo | undefined {
  for (const w of cluster.workloads) {
    if (w.kind !== "DaemonSet") continue;
    const name = CNI_DAEMONSETS[w.name];
    if (name) return cniByName(name);
  }
  return undefined;
}

export function analyzeCluster(load: LoadResult, opts: AnalyzeOptions = {}): Analyzed | { readonly error: string } {
  let cni: CniInfo | undefined;
  if (opts.cni !== undefined) {
    cni = cniByName(opts.cni);
    if (!cni) return { error: `unknown CNI "${opts.cni}"; known: calico, cilium, flannel, weave, antrea, canal, kube-router, kindnet, ovn-kubernetes, aws-vpc-cni, bridge, kwire` };
  } else cni = detectCni(load.cluster);
  const notes: string[] = [];
  let cluster = load.cluster;
  if (cni && !cni.enforcesNetworkPolicy) {
    if (cluster.networkPolicies.length > 0) notes.push(`${cni.note}: ${cluster.networkPolicies.length === 1 ? "1 NetworkPolicy is" : `${cluster.networkPolicies.length} NetworkPolicies are`} not enforced`);
    cluster = { ...cluster, networkPolicies: [] };
  }
  if (cni) {
    const enforced = CNI_ENFORCES[cni.name];
    if (enforced) {
      const dropped = cluster.clusterPolicies.filter((p) => !enforced.includes(p.kind));
      const kinds = [...new Set(dropped.map((p) => p.kind))].sort();
      for (const k of kinds) {
        const n = dropped.filter((p) => p.kind === k).length;
        notes.push(`${cni.name} does not enforce ${k} (see docs/policy-tiers.md): ${n === 1 ? `1 ${k} is` : `${n} ${k} objects are`} not enforced`);
      }
      if (dropped.length > 0) cluster = { ...cluster, clusterPolicies: cluster.clusterPolicies.filter((p) => enforced.includes(p.kind)) };
    }
  }
  const dialect = policyDialectOf(cluster, cni, opts.cni !== undefined);
  if ("error" in dialect) return dialect;
  notes.push(...dialect.notes);
  if (dialect.dialect !== undefined) {
    cluster = { ...cluster, policyDialect: dialect.dialect };
    if (cluster.ciliumPolicies && opts.externalIps) cluster = { ...cluster, ciliumPolicies: resolveCiliumFqdns(cluster.ciliumPolicies, opts.externalIps) };
    notes.push(...(enforcedTiers(cluster)?.notes ?? []));
  }
  if (opts.podCidr !== undefined && !podRange(opts.podCidr)) return { error: `--pod-cidr: "${opts.podCidr}" is not a CIDR` };
  const topology = buildTopology(cluster, opts.podCidr !== undefined ? { podCidr: opts.podCidr } : {});
  const inferred = topology.inferredOwners;
  if (inferred) notes.push(`${inferred.subjects} pod(s) or template(s) grouped into ${inferred.workloads} workload(s) named by ownerReferences whose objects are not in the input (a ReplicaSet "<deployment>-<pod-template-hash>" as its Deployment, a Job "<cronjob>-<minutes>" as its CronJob)`);
  // Cluster-policy peers kwire cannot resolve (nodes without Node objects, domainNames).
  const unresolved = unresolvedPeerGaps(cluster);
  if (unresolved.length > 0) cluster = { ...cluster, policyGaps: [...cluster.policyGaps, ...unresolved] };
  // Dual-stack pods that address rules match by one family only: those policies' verdicts are uncertain.
  const familyGaps = familyDependentGaps(cluster, topology.subjects);
  if (familyGaps.length > 0) {
    cluster = { ...cluster, policyGaps: [...cluster.policyGaps, ...familyGaps] };
    notes.push(`${familyGaps.length} polic${familyGaps.length === 1 ? "y matches" : "ies match"} a dual-stack pod by the address of one family only: verdicts there depend on the connection's family and are marked uncertain (kwire lint: policy-family-dependent)`);
  }
  const analysis = opts.engine === "reference" ? referenceAnalysis(cluster, topology) : fastAnalysis(cluster, topology);
  return { load, cluster, analysis, ...(cni ? { cni } : {}), notes, diagnostics: load.diagnostics };
}

const DIALECT_NAME: Readonly<Record<PolicyDialect, string>> = { calico: "Calico", cilium: "Cilium" };

function countOf(cluster: Cluster, d: PolicyDialect): number {
  if (d === "cilium") return cluster.ciliumPolicies?.length ?? 0;
  const c = cluster.calico;
  return c ? c.policies.length + c.tiers.length + c.networkSets.length + c.stagedKubernetes.length : 0;
}

/**
 * Whose policy model applies (docs/calico-cilium.md "Which CNI enforces which kinds"):
 * - with a CNI (from --cni or detected): Calico/Canal evaluate Calico's tiers when the input has
 *   Calico objects or cluster policies (Calico converts those with its own rules); Cilium evaluates
 *   its tiers when the input has Cilium policies or an ipBlock (Cilium's ipBlock never matches
 *   cluster addresses). Kinds of the other dialect are reported as not enforced.
 * - without one: the dialect whose objects the input holds (noted); both is an error.
 */
export function policyDialectOf(cluster: Cluster, cni: CniInfo | undefined, explicit: boolean): { readonly dialect: PolicyDialect | undefined; readonly notes: string[] } | { readonly error: string } {
  const notes: string[] = [];
  const present = (["calico", "cilium"] as const).filter((d) => countOf(cluster, d) > 0);
  if (!cni) {
    if (present.length > 1) return { error: "the input holds both Calico and Cilium policies and no CNI says which one enforces: give --cni calico or --cni cilium" };
    const d = present[0];
    if (d) notes.push(`${DIALECT_NAME[d]} policies in the input: evaluating every policy as ${DIALECT_NAME[d]} enforces it (give --cni to say otherwise)`);
    return { dialect: d, notes };
  }
  for (const d of present) {
    if (cniEnforcesDialect(cni.name, d)) continue;
    const n = countOf(cluster, d);
    notes.push(`${cni.name}${explicit ? " (--cni)" : ""} does not enforce ${DIALECT_NAME[d]} policies (see docs/calico-cilium.md): ${n} ${DIALECT_NAME[d]} object(s) are not enforced`);
  }
  if (!cni.enforcesNetworkPolicy) return { dialect: undefined, notes };
  if (cniEnforcesDialect(cni.name, "calico") && (present.includes("calico") || cluster.clusterPolicies.length > 0)) return { dialect: "calico", notes };
  const ipBlock = cluster.networkPolicies.some((p) => [...p.ingress, ...p.egress].some((r) => r.peers !== "All" && r.peers.some((x) => x.type === "IPBlock")));
  if (cniEnforcesDialect(cni.name, "cilium") && (present.includes("cilium") || ipBlock)) return { dialect: "cilium", notes };
  return { dialect: undefined, notes };
}

export function analyzeFiles(files: readonly InputFile[], opts: AnalyzeOptions = {}): Analyzed | { readonly error: string } {
  return analyzeCluster(loadCluster(files), opts);
}

export { incrementalDiff } from "./diff.js";
