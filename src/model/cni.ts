/**
 * @module cni
 * Which CNI plugins enforce NetworkPolicy, and how to recognise them in a cluster's objects.
 */
export interface CniInfo {
  readonly name: string;
  readonly enforcesNetworkPolicy: boolean;
  readonly note: string;
}

export const CNIS: readonly CniInfo[] = [
  { name: "calico", enforcesNetworkPolicy: true, note: "Calico enforces Kubernetes NetworkPolicy (and its own projectcalico.org/v3 policies)" },
  { name: "cilium", enforcesNetworkPolicy: true, note: "Cilium enforces Kubernetes NetworkPolicy (and CiliumNetworkPolicy)" },
  { name: "weave", enforcesNetworkPolicy: true, note: "Weave Net enforces NetworkPolicy with weave-npc" },
  { name: "antrea", enforcesNetworkPolicy: true, note: "Antrea enforces NetworkPolicy in OVS" },
  { name: "canal", enforcesNetworkPolicy: true, note: "Canal is Flannel for the network plus Calico for policy" },
  { name: "kube-router", enforcesNetworkPolicy: true, note: "kube-router enforces NetworkPolicy with iptables/ipsets" },
  { name: "kindnet", enforcesNetworkPolicy: true, note: "kindnet enforces NetworkPolicy (kube-network-policies) since kind v0.24" },
  { name: "ovn-kubernetes", enforcesNetworkPolicy: true, note: "OVN-Kubernetes enforces NetworkPolicy with OVN ACLs" },
  { name: "aws-vpc-cni", enforcesNetworkPolicy: true, note: "the AWS VPC CNI enforces NetworkPolicy when its network policy agent is enabled" },
  { name: "kwire", enforcesNetworkPolicy: true, note: "kwire's lab enforces NetworkPolicy in nftables" },
  { name: "flannel", enforcesNetworkPolicy: false, note: "Flannel provides the pod network only: it does not enforce NetworkPolicy, so every policy is ignored" },
  { name: "bridge", enforcesNetworkPolicy: false, note: "the reference bridge plugin does not enforce NetworkPolicy" },
];

export function cniByName(name: string): CniInfo | undefined {
  return CNIS.find((c) => c.name === name.toLowerCase());
}

/** DaemonSet names (kube-system etc.) that reveal the CNI. */
export const CNI_DAEMONSETS: Readonly<Record<string, string>> = {
  "calico-node": "calico",
  cilium: "cilium",
  "kube-flannel-ds": "flannel",
  "kube-flannel": "flannel",
  "weave-net": "weave",
  "antrea-agent": "antrea",
  "canal": "canal",
  "kube-router": "kube-router",
  kindnet: "kindnet",
  "ovnkube-node": "ovn-kubernetes",
  "aws-node": "aws-vpc-cni",
};
