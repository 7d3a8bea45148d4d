/**
 * @module kinds
 * Every policy-like kind kwire knows of: the ones it models (and in which tier), the ones it
 * reads but does not model yet (never silently: each is reported), and which CNI enforces which.
 * Sources for the enforcement table are listed in docs/policy-tiers.md.
 */

/** Kinds kwire evaluates. */
export type ModelledPolicyKind = "NetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy" | "ClusterNetworkPolicy";

/** `apiVersion group` → kinds of that group that are policies kwire does not model yet. */
const NOT_MODELLED: readonly { readonly group: string; readonly kinds: readonly string[]; readonly what: string }[] = [
  // Calico's v3 kinds and Cilium's v2 policies are modelled (src/parse/kinds/calico.ts, cilium.ts);
  // other versions of those groups and the kinds below are not.
  { group: "projectcalico.org", kinds: ["NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy", "Tier", "NetworkSet", "GlobalNetworkSet", "HostEndpoint"], what: "Calico kind at an API version or of a kind kwire does not read (it reads projectcalico.org/v3; host endpoints are not modelled)" },
  { group: "crd.projectcalico.org", kinds: ["NetworkPolicy", "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy", "Tier", "NetworkSet", "GlobalNetworkSet", "HostEndpoint"], what: "Calico kind at an API version or of a kind kwire does not read (it reads crd.projectcalico.org/v1; host endpoints are not modelled)" },
  { group: "cilium.io", kinds: ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "CiliumCIDRGroup"], what: "Cilium kind at an API version or of a kind kwire does not read (it reads cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy; CIDR groups are not modelled)" },
  { group: "security.istio.io", kinds: ["AuthorizationPolicy", "PeerAuthentication"], what: "Istio L7 authorization (enforced by the mesh, not the CNI)" },
  { group: "k8s.cni.cncf.io", kinds: ["MultiNetworkPolicy"], what: "Multus secondary-network policy" },
  { group: "crd.antrea.io", kinds: ["NetworkPolicy", "ClusterNetworkPolicy", "Tier", "ClusterGroup", "Group"], what: "Antrea-native policy" },
  { group: "policy.networking.k8s.io", kinds: ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"], what: "network-policy-api kind at an API version kwire does not read (it reads AdminNetworkPolicy/BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2)" },
  { group: "k8s.ovn.org", kinds: ["EgressFirewall"], what: "OVN-Kubernetes egress firewall" },
  { group: "networking.gke.io", kinds: ["FQDNNetworkPolicy"], what: "GKE FQDN policy" },
  { group: "networking.k8s.io", kinds: ["NetworkPolicy"], what: "NetworkPolicy at an API version kwire does not read" },
];

/** Why `apiVersion`/`kind` is a policy kwire does not model, or undefined when it is not one. */
export function policyKindNotModelled(apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  for (const e of NOT_MODELLED) if (e.group === group && e.kinds.includes(kind)) return e.what;
  return undefined;
}

const CLUSTER_SCOPED = new Set([
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
  "ClusterNetworkPolicy",
  "GlobalNetworkPolicy",
  "StagedGlobalNetworkPolicy",
  "GlobalNetworkSet",
  "Tier",
  "CiliumClusterwideNetworkPolicy",
  "CiliumCIDRGroup",
  "ClusterGroup",
]);

/** Cluster-scoped policy kinds affect pods of every namespace. */
export function isClusterScopedPolicyKind(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/**
 * Which modelled kinds a CNI enforces (sources: docs/policy-tiers.md). A CNI absent from this
 * table is assumed to enforce what the API defines (kwire says so in its notes).
 */
export const CNI_ENFORCES: Readonly<Record<string, readonly ModelledPolicyKind[]>> = {
  calico: ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"],
  cilium: ["NetworkPolicy"],
  weave: ["NetworkPolicy"],
  antrea: ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"],
  canal: ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"],
  "kube-router": ["NetworkPolicy"],
  kindnet: ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"],
  "ovn-kubernetes": ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"],
  "aws-vpc-cni": ["NetworkPolicy"],
  kwire: ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"],
  flannel: [],
  bridge: [],
};
