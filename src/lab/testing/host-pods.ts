/**
 * @module lab/testing/host-pods
 * hostNetwork pods beside the upstream x/y/z model (three nodes from the declared /24s; node-<i>'s
 * address is 172.30.0.<i+1>), with policies that show kwire's choices for them: NetworkPolicy
 * never selects a hostNetwork pod (neither as the pods a policy applies to nor as a podSelector
 * peer), and ipBlocks match it by its node's address. The API leaves this to the plugin: "the
 * behavior of NetworkPolicies for pods with hostNetwork: true is undefined", the two common
 * behaviours being to ignore such traffic or to treat it as the node's
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods).
 */
import { policy } from "../../../test/conformance/dsl.js";

export const HOST_PODS_YAML = `apiVersion: v1
kind: Namespace
metadata: { name: h, labels: { ns: h } }
---
apiVersion: v1
kind: Pod
metadata: { name: agent-0, namespace: h, labels: { pod: agent } }
spec:
  hostNetwork: true
  nodeName: node-0
  containers: [{ name: agent, image: agent, ports: [{ containerPort: 9100, protocol: TCP }, { containerPort: 9101, protocol: UDP }] }]
---
apiVersion: v1
kind: Pod
metadata: { name: agent-1, namespace: h, labels: { pod: agent } }
spec:
  hostNetwork: true
  nodeName: node-1
  containers: [{ name: agent, image: agent, ports: [{ containerPort: 9100, protocol: TCP }] }]
`;

export const HOST_POLICIES: readonly string[] = [
  // Only node-0's address may reach x/a: agent-0 (a hostNetwork pod on node-0) does, agent-1 does not.
  policy("x", "a-from-node-0", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: 172.30.0.1/32}`),
  // A podSelector peer never matches a hostNetwork pod: y/b admits nobody.
  policy("y", "b-from-agents", `
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector: {matchLabels: {pod: agent}}`),
  // z/c may reach only the node addresses: the hostNetwork pods.
  policy("z", "c-to-nodes", `
  podSelector: {matchLabels: {pod: c}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 172.30.0.0/24}`),
  // Deny-all in the hostNetwork pods' namespace selects none of them: they stay reachable.
  policy("h", "deny-all", `
  podSelector: {}
  policyTypes: [Ingress, Egress]`),
];

/** (src, dst, protocol/port) → allowed, from the policies above. */
export const HOST_TRUTHS: readonly [string, string, string, boolean][] = [
  ["h/agent-0", "x/a", "TCP/80", true],
  ["h/agent-1", "x/a", "TCP/80", false],
  ["h/agent-0", "y/b", "TCP/80", false],
  ["h/agent-1", "y/a", "UDP/81", true],
  ["z/c", "h/agent-0", "TCP/9100", true],
  ["z/c", "h/agent-1", "TCP/9100", true],
  ["z/c", "x/b", "TCP/80", false],
  ["x/a", "h/agent-1", "TCP/9100", true],
  ["y/c", "h/agent-0", "UDP/9101", true],
];
