/**
 * @module semantics
 * The NetworkPolicy rules of networking.k8s.io/v1 as small predicates, shared by both engines
 * and by `trace`. Each function restates the API text it implements.
 */
import {
  ALL_PORTS,
  EMPTY_PORTS,
  allPortsOf,
  ipSetContains,
  ipSetCovers,
  portsOf,
  selectorMatches,
  unionPorts,
  type ContainerPort,
  type Ip,
  type IpFamily,
  type Labels,
  type NetworkPolicy,
  type Peer,
  type PolicyPort,
  type PolicyRule,
  type PolicyType,
  type PortSet,
} from "../model/index.js";

/** What the policy rules need to know about a pod (or a workload's pod template). */
export interface PodIdentity {
  readonly namespace: string;
  readonly labels: Labels;
  readonly namespaceLabels: Labels;
  readonly ips: readonly Ip[];
  readonly hostNetwork: boolean;
  readonly ports: readonly ContainerPort[];
  /**
   * Set when the input gives the pod no IP: it is somewhere in this range (the cluster's pod
   * CIDR). An ipBlock then matches it only if it covers the whole range.
   */
  readonly unknownIpRange?: IpRange | undefined;
}

export interface IpRange {
  readonly family: IpFamily;
  readonly lo: bigint;
  readonly hi: bigint;
  readonly text: string;
}

/**
 * "podSelector selects the pods to which this policy applies … in the policy's namespace".
 * hostNetwork pods are never selected: kwire follows the most common implementation, which
 * cannot tell their traffic from the node's (see README, "Choices").
 */
export function policySelects(p: NetworkPolicy, pod: PodIdentity): boolean {
  return !pod.hostNetwork && pod.namespace === p.namespace && selectorMatches(p.podSelector, pod.labels);
}

export function policyIsolates(p: NetworkPolicy, direction: PolicyType): boolean {
  return p.policyTypes.includes(direction);
}

export function rulesOf(p: NetworkPolicy, direction: PolicyType): readonly PolicyRule[] {
  return direction === "Ingress" ? p.ingress : p.egress;
}

/**
 * A pod peer: namespaceSelector (absent ⇒ the policy's namespace) AND podSelector (absent ⇒ all
 * pods). hostNetwork pods are not matched by selectors. An ipBlock peer matches a pod whose IP is
 * in cidr and not in except (the upstream e2e tests rely on ipBlocks matching pod IPs).
 */
export function peerMatchesPod(peer: Peer, policyNamespace: string, pod: PodIdentity): boolean {
  switch (peer.type) {
    case "Pods": {
      if (pod.hostNetwork) return false;
      const nsOk =
        peer.namespaces.type === "PolicyNamespace"
          ? pod.namespace === policyNamespace
          : selectorMatches(peer.namespaces.selector, pod.namespaceLabels);
      return nsOk && selectorMatches(peer.pods, pod.labels);
    }
    case "IPBlock": {
      const r = pod.unknownIpRange;
      if (pod.ips.length === 0 && r) return r.family === peer.set.family && ipSetCovers(peer.set, r.lo, r.hi);
      return pod.ips.some((ip) => ipSetContains(peer.set, ip.family, ip.value));
    }
  }
}

/** An address outside the cluster matches only ipBlock peers. */
export function peerMatchesAddress(peer: Peer, ip: Ip): boolean {
  return peer.type === "IPBlock" && ipSetContains(peer.set, ip.family, ip.value);
}

/**
 * Ports a rule admits toward a destination. Named ports resolve against the destination pod's
 * containerPorts by name and protocol; toward an address outside the cluster (dst undefined)
 * a named port matches nothing.
 */
export function resolvePort(port: PolicyPort, dstPorts: readonly ContainerPort[] | undefined): PortSet {
  switch (port.port.type) {
    case "AllPorts":
      return allPortsOf(port.protocol);
    case "Number":
      return portsOf(port.protocol, port.port.port, port.port.endPort);
    case "Named": {
      let out = EMPTY_PORTS;
      const name = port.port.name;
      for (const cp of dstPorts ?? []) {
        if (cp.name === name && cp.protocol === port.protocol) out = unionPorts(out, portsOf(cp.protocol, cp.containerPort, cp.containerPort));
      }
      return out;
    }
  }
}

export function resolveRulePorts(rule: PolicyRule, dstPorts: readonly ContainerPort[] | undefined): PortSet {
  if (rule.ports === "All") return ALL_PORTS;
  let out = EMPTY_PORTS;
  for (const p of rule.ports) out = unionPorts(out, resolvePort(p, dstPorts));
  return out;
}

export function ruleHasNamedPort(rule: PolicyRule): boolean {
  return rule.ports !== "All" && rule.ports.some((p) => p.port.type === "Named");
}
