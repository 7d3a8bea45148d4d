/**
 * @module lab/testing/dual-policies
 * NetworkPolicies over the dual-stack x/y/z model (dual-model.ts) whose answers differ by address
 * family. An ipBlock holds addresses of one family, and a packet carries addresses of one family:
 * the API says an ipBlock "describes a particular CIDR (Ex. "192.168.1.0/24","2001:db8::/64") that
 * is allowed to the pods matched by a NetworkPolicySpec's podSelector"
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/), so
 * an IPv6 ipBlock admits IPv6 traffic of a dual-stack pod and never its IPv4 traffic. Upstream's
 * e2e ipBlock cases run on IPv6 clusters with /128 blocks (network_policy.go: hostMask 128).
 *
 * - x/a admits ingress only from y's IPv6 /64 except y/c's address: over IPv6 y/a and y/b reach
 *   it, y/c does not; over IPv4 nobody does.
 * - z/b may egress only to x's IPv4 /24: over IPv4 it reaches x; over IPv6 nothing.
 * - y/a admits ingress from 0.0.0.0/0: everyone over IPv4, nobody over IPv6.
 * - y/c may egress to ::/0: everyone over IPv6, nobody over IPv4.
 * - z/c admits UDP 81 (named serve-81-udp) from namespace x: both families alike.
 */
import { policy } from "../../../test/conformance/dsl.js";

export const DUAL_POLICIES: readonly string[] = [
  policy("x", "a-from-y-ipv6", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: "fd00:0:0:2::/64", except: ["fd00:0:0:2::3/128"]}`),
  policy("z", "b-to-x-ipv4", `
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 10.0.1.0/24}`),
  policy("y", "a-from-all-ipv4", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - ipBlock: {cidr: 0.0.0.0/0}`),
  policy("y", "c-to-all-ipv6", `
  podSelector: {matchLabels: {pod: c}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: "::/0"}`),
  policy("z", "c-from-x-named", `
  podSelector: {matchLabels: {pod: c}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: x}}
    ports: [{port: serve-81-udp, protocol: UDP}]`),
];

/** Hand-written truths (src, dst, protocol/port, family) → allowed, from the policies above. */
export const DUAL_TRUTHS: readonly [string, string, string, 4 | 6, boolean][] = [
  ["y/a", "x/a", "TCP/80", 6, true],
  ["y/a", "x/a", "TCP/80", 4, false],
  ["y/c", "x/a", "TCP/80", 6, false],
  ["z/b", "x/b", "TCP/80", 4, true],
  ["z/b", "x/b", "TCP/80", 6, false],
  ["x/b", "y/a", "TCP/81", 4, true],
  ["x/b", "y/a", "TCP/81", 6, false],
  ["y/c", "z/a", "UDP/80", 6, true],
  ["y/c", "z/a", "UDP/80", 4, false],
  ["x/a", "z/c", "UDP/81", 4, true],
  ["x/a", "z/c", "UDP/81", 6, true],
  ["x/a", "z/c", "TCP/81", 6, false],
];
