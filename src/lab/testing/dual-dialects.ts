/**
 * @module lab/testing/dual-dialects
 * Calico and Cilium policies over the dual-stack x/y/z model (dual-model.ts: every pod has
 * 10.0.<ns>.<pod> and fd00:0:0:<ns>::<pod>; x = 1, y = 2, z = 3) whose answers are known by
 * family, with the truths they imply. Used kernel-free (src/lab/dual-stack.test.ts: the compiled
 * tables, traced, and the per-family prediction) and on the kernel (src/lab/lab.lab.test.ts).
 *
 * Calico (docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule, and Felix, which
 * renders a policy once per IP version — felix/rules/policy.go: a rule whose ipVersion differs is
 * skipped, "Skipping rule because it is for a different IP version", and nets of the other family
 * are filtered out, filterNets: "allow from 10.0.0.1,feed::beef to 10.0.0.2" keeps the IPv4 source
 * only):
 * - x/a admits TCP 80 from source nets fd00:0:0:2::/64 (y's IPv6 pods): y over IPv6 only;
 * - x/a admits UDP 81 with ipVersion 4: anyone over IPv4, nobody over IPv6;
 * - x/a admits ICMPv6 echo request (protocol ICMPv6, icmp type 128 code 0), not ICMP (IPv4);
 * - y/c denies egress to nets fd00:0:0:3::/64 (z's IPv6 pods), then allows everything: y/c → z
 *   denied over IPv6, allowed over IPv4.
 *
 * Cilium (docs.cilium.io security/policy/language: "CIDR rules do not apply to traffic where both
 * sides of the connection are either managed by Cilium or use an IP belonging to a node in the
 * cluster"; the same endpoint selectors over both families):
 * - x/a admits TCP 80 from namespace y (both families) and has fromCIDR fd00:0:0:3::/64 (z's IPv6
 *   pods), which matches no pod: z → x/a denied over IPv6 as over IPv4;
 * - x/a may egress to namespace z (both families) and to toCIDRSet fd00::/16, which matches no pod:
 *   x/a → y denied over IPv6.
 */

export const CALICO_DUAL_POLICY = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: x-a-by-family, namespace: x}
spec:
  selector: pod == 'a'
  types: [Ingress]
  ingress:
  - {action: Allow, protocol: TCP, source: {nets: ["fd00:0:0:2::/64"]}, destination: {ports: [80]}}
  - {action: Allow, ipVersion: 4, protocol: UDP, destination: {ports: [81]}}
  - {action: Allow, protocol: ICMPv6, icmp: {type: 128, code: 0}}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: y-c-not-z-ipv6}
spec:
  selector: "projectcalico.org/namespace == 'y' && pod == 'c'"
  types: [Egress]
  egress:
  - {action: Deny, destination: {nets: ["fd00:0:0:3::/64"]}}
  - {action: Allow}
`;

export const CILIUM_DUAL_POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: x-a-by-family, namespace: x}
spec:
  endpointSelector: {matchLabels: {pod: a}}
  ingress:
  - fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": y}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
  - fromCIDR: ["fd00:0:0:3::/64"]
  egress:
  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": z}}]
  - toCIDRSet: [{cidr: "fd00::/16"}]
`;

/** [src, dst, "PROTO/port", family, allowed]. */
export type DualTruth = readonly [string, string, string, 4 | 6, boolean];

export const CALICO_DUAL_TRUTHS: readonly DualTruth[] = [
  ["y/b", "x/a", "TCP/80", 6, true],
  ["y/b", "x/a", "TCP/80", 4, false],
  ["z/b", "x/a", "TCP/80", 6, false],
  ["z/b", "x/a", "UDP/81", 4, true],
  ["z/b", "x/a", "UDP/81", 6, false],
  ["x/b", "x/a", "TCP/81", 6, false],
  ["y/c", "z/a", "TCP/80", 6, false],
  ["y/c", "z/a", "TCP/80", 4, true],
  ["y/c", "x/b", "TCP/80", 6, true],
];

export const CILIUM_DUAL_TRUTHS: readonly DualTruth[] = [
  ["y/b", "x/a", "TCP/80", 6, true],
  ["y/b", "x/a", "TCP/80", 4, true],
  ["y/b", "x/a", "TCP/81", 6, false],
  ["z/b", "x/a", "TCP/80", 6, false],
  ["x/a", "z/b", "TCP/81", 6, true],
  ["x/a", "y/b", "TCP/80", 6, false],
  ["x/b", "y/a", "UDP/81", 6, true],
];

/** ICMP echo requests (ping) and whether they pass, Calico case: [src, dst, family, allowed]. */
export const CALICO_DUAL_PINGS: readonly (readonly [string, string, 4 | 6, boolean])[] = [
  ["z/b", "x/a", 6, true],
  ["z/b", "x/a", 4, false],
];
