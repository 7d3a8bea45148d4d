/**
 * @module dialect-fixture (tests only)
 * YAML text → everything the Calico and Cilium translations read: the Kubernetes objects through
 * the normal loader, the Calico and Cilium objects through their decoders, pods as
 * PolicyEndpoints. Diagnostics are returned so tests can insist on none.
 */
import type { CalicoNetworkSet, CalicoPolicy, CalicoTier, CiliumPolicy, Diagnostic, Labels, StagedKubernetesNetworkPolicy } from "../../model/index.js";
import { loadCluster } from "../../parse/index.js";
import { objectCursors } from "../../parse/documents.js";
import { decodeCalicoObject, isCalicoKind } from "../../parse/kinds/calico.js";
import { decodeCiliumPolicy, isCiliumPolicyKind } from "../../parse/kinds/cilium.js";
import type { CalicoInput } from "../calico-tiers.js";
import type { PolicyPeer, PolicyEndpoint } from "../party.js";
import type { TierEvalContext } from "../tier-eval.js";
import { parseIp } from "../../model/index.js";

export interface DialectFixture {
  readonly calico: CalicoInput;
  readonly stagedK8s: readonly StagedKubernetesNetworkPolicy[];
  readonly cilium: readonly CiliumPolicy[];
  readonly pods: ReadonlyMap<string, PolicyEndpoint>;
  readonly ctx: TierEvalContext;
  readonly diagnostics: readonly Diagnostic[];
}

export function dialectFixture(text: string, path = "fixture.yaml"): DialectFixture {
  const loaded = loadCluster([{ path, text }]);
  const diagnostics: Diagnostic[] = loaded.diagnostics.filter((d) => d.code !== "policy-kind-not-modelled");
  const policies: CalicoPolicy[] = [];
  const tiers: CalicoTier[] = [];
  const networkSets: CalicoNetworkSet[] = [];
  const stagedK8s: StagedKubernetesNetworkPolicy[] = [];
  const cilium: CiliumPolicy[] = [];
  for (const c of objectCursors({ path, text }, { diagnostics, skipped: [] })) {
    const apiVersion = c.get("apiVersion").optString() ?? "";
    const kind = c.get("kind").optString() ?? "";
    if (isCiliumPolicyKind(apiVersion, kind)) {
      const p = decodeCiliumPolicy(c, kind, apiVersion);
      if (p) cilium.push(p);
    } else if (isCalicoKind(apiVersion, kind)) {
      const o = decodeCalicoObject(c, apiVersion, kind);
      if (!o) continue;
      if (o.kind === "Tier") tiers.push(o);
      else if (o.kind === "StagedKubernetesNetworkPolicy") stagedK8s.push(o);
      else if ("nets" in o) networkSets.push(o);
      else policies.push(o);
    }
  }
  const nsLabels = new Map<string, Labels>(loaded.cluster.namespaces.map((n) => [n.name, n.labels]));
  const pods = new Map<string, PolicyEndpoint>();
  for (const p of loaded.cluster.pods) {
    pods.set(`${p.namespace}/${p.name}`, { name: p.name, namespace: p.namespace, labels: p.labels, namespaceLabels: nsLabels.get(p.namespace) ?? {}, ips: p.ips, hostNetwork: p.hostNetwork, ports: p.ports, nodeName: p.nodeName });
  }
  return {
    calico: { policies, tiers, networkPolicies: loaded.cluster.networkPolicies, clusterPolicies: loaded.cluster.clusterPolicies, networkSets },
    stagedK8s,
    cilium,
    pods,
    ctx: { networkSets, namespaceLabels: (ns) => nsLabels.get(ns) ?? {} },
    diagnostics,
  };
}

export function pod(f: DialectFixture, key: string): PolicyEndpoint {
  const p = f.pods.get(key);
  if (!p) throw new Error(`fixture has no pod ${key}`);
  return p;
}

export function podPeer(f: DialectFixture, key: string): PolicyPeer {
  return { type: "Pod", endpoint: pod(f, key) };
}

export function addressPeer(type: Exclude<PolicyPeer["type"], "Pod">, ip: string): PolicyPeer {
  const parsed = parseIp(ip);
  if (!parsed) throw new Error(`bad IP ${ip}`);
  return { type, ip: parsed };
}
