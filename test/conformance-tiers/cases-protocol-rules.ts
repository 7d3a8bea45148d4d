/**
 * @module conformance-tiers/cases-protocol-rules
 * The six single-protocol Admin-tier tests of network-policy-api (ingress/egress × TCP/UDP/SCTP).
 * Each manifest is one ClusterNetworkPolicy with seven rules in this order:
 *   0 Accept X (all ports)   1 Deny X   2 Pass X   3 Deny Y at port p   4 Pass Y at port p
 *   5 Accept Z at port q     6 Deny Z (everything else)
 * and each test runs six `t.Run` blocks in order on one cluster, patching the same policy:
 *   1 Accept first wins; 2 Accept Z at q, Deny Z otherwise; 3 after swapping rules 0 and 1,
 *   Deny wins; 4 Deny Y at p; 5 after (also) swapping rules 0 and 2, Pass wins and nothing
 *   below denies; 6 after swapping rules 3 and 4, Pass at p.
 * The probes below are copied row by row from each Go file (client, server, protocol, port,
 * shouldConnect).
 */
import { p, type Direction, type Probe, type Step, type TierCase } from "./harness.js";

type Six = readonly [readonly Probe[], readonly Probe[], readonly Probe[], readonly Probe[], readonly Probe[], readonly Probe[]];

function sixSteps(name: string, direction: Direction, protocol: "TCP" | "UDP" | "SCTP", probes: Six): Step[] {
  const g = direction;
  const target = { kind: "ClusterNetworkPolicy" as const, name };
  const swap = (i: number, j: number) => ({ op: "swapRules" as const, target, direction, i, j });
  return [
    { title: `Should support an 'allow-${g}' policy for ${protocol} protocol; ensure rule ordering is respected`, probes: probes[0] },
    { title: `Should support an 'allow-${g}' policy for ${protocol} protocol at the specified port`, probes: probes[1] },
    { title: `Should support an 'deny-${g}' policy for ${protocol} protocol; ensure rule ordering is respected`, mutations: [swap(0, 1)], probes: probes[2] },
    { title: `Should support a 'deny-${g}' policy for ${protocol} protocol at the specified port`, probes: probes[3] },
    { title: `Should support an 'pass-${g}' policy for ${protocol} protocol; ensure rule ordering is respected`, mutations: [swap(0, 2)], probes: probes[4] },
    { title: `Should support a 'pass-${g}' policy for ${protocol} protocol at the specified port`, mutations: [swap(3, 4)], probes: probes[5] },
  ];
}

export const PROTOCOL_RULE_CASES: readonly TierCase[] = [
  {
    name: "CNPAdminTierIngressTCP",
    test: "conformance/tests/admin-network-policy-standard-ingress-tcp-rules.go @ 92965928cc25a6a4f04e0d9d03cfe46e625d4d09",
    manifest: "admin_tier/standard-ingress-tcp-rules.yaml",
    rewrites: ["portsToProtocols"],
    steps: sixSteps("ingress-tcp", "ingress", "TCP", [
      [p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true), p("luna-lovegood-1", "harry-potter-0", "TCP", 8080, true)],
      [p("cedric-diggory-0", "harry-potter-1", "TCP", 80, true), p("cedric-diggory-1", "harry-potter-1", "TCP", 8080, false)],
      [p("luna-lovegood-0", "harry-potter-1", "TCP", 80, false), p("luna-lovegood-1", "harry-potter-1", "TCP", 8080, false)],
      [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false), p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, true)],
      [p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true), p("luna-lovegood-1", "harry-potter-0", "TCP", 8080, true)],
      [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, true), p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, true)],
    ]),
  },
  {
    name: "CNPAdminTierEgressTCP",
    test: "conformance/tests/admin-network-policy-standard-egress-tcp-rules.go @ 4d38b37f304ba60129e67fd975d6f5c0def5dbbb",
    manifest: "admin_tier/standard-egress-tcp-rules.yaml",
    rewrites: ["V1BETA1"],
    steps: sixSteps("egress-tcp", "egress", "TCP", [
      [p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true), p("harry-potter-1", "luna-lovegood-0", "TCP", 8080, true)],
      [p("harry-potter-0", "cedric-diggory-1", "TCP", 8080, true), p("harry-potter-1", "cedric-diggory-1", "TCP", 80, false)],
      [p("harry-potter-0", "luna-lovegood-1", "TCP", 80, false), p("harry-potter-1", "luna-lovegood-1", "TCP", 8080, false)],
      [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false), p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, true)],
      [p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true), p("harry-potter-1", "luna-lovegood-0", "TCP", 8080, true)],
      [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, true), p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, true)],
    ]),
  },
  {
    name: "admin-network-policy-standard-ingress-udp-rules",
    test: "conformance/tests/admin-network-policy-standard-ingress-udp-rules.go @ 2d21d068f5a9917a38b648044652769c56c270a9",
    manifest: "admin_tier/standard-ingress-udp-rules.yaml",
    rewrites: ["V1BETA1"],
    steps: sixSteps("ingress-udp", "ingress", "UDP", [
      [p("luna-lovegood-0", "cedric-diggory-0", "UDP", 53, true), p("luna-lovegood-1", "cedric-diggory-0", "UDP", 5353, true)],
      [p("harry-potter-0", "cedric-diggory-1", "UDP", 53, true), p("harry-potter-1", "cedric-diggory-1", "UDP", 5353, false)],
      [p("luna-lovegood-0", "cedric-diggory-1", "UDP", 53, false), p("luna-lovegood-1", "cedric-diggory-1", "UDP", 5353, false)],
      [p("draco-malfoy-0", "cedric-diggory-0", "UDP", 5353, false), p("draco-malfoy-1", "cedric-diggory-0", "UDP", 53, true)],
      [p("luna-lovegood-0", "cedric-diggory-1", "UDP", 5353, true), p("luna-lovegood-1", "cedric-diggory-1", "UDP", 53, true)],
      [p("draco-malfoy-0", "cedric-diggory-0", "UDP", 5353, true), p("draco-malfoy-1", "cedric-diggory-0", "UDP", 53, true)],
    ]),
  },
  {
    name: "CNPAdminTierEgressUDP",
    test: "conformance/tests/admin-network-policy-standard-egress-udp-rules.go @ ae899497990893df5e632fc41765f7b1877c42e9",
    manifest: "admin_tier/standard-egress-udp-rules.yaml",
    rewrites: ["V1BETA1"],
    steps: sixSteps("egress-udp", "egress", "UDP", [
      [p("cedric-diggory-0", "luna-lovegood-0", "UDP", 53, true), p("cedric-diggory-1", "luna-lovegood-0", "UDP", 5353, true)],
      [p("cedric-diggory-0", "harry-potter-1", "UDP", 53, true), p("cedric-diggory-1", "harry-potter-1", "UDP", 5353, false)],
      [p("cedric-diggory-0", "luna-lovegood-1", "UDP", 53, false), p("cedric-diggory-1", "luna-lovegood-1", "UDP", 5353, false)],
      [p("cedric-diggory-0", "draco-malfoy-0", "UDP", 5353, false), p("cedric-diggory-1", "draco-malfoy-0", "UDP", 53, true)],
      [p("cedric-diggory-0", "luna-lovegood-1", "UDP", 5353, true), p("cedric-diggory-1", "luna-lovegood-1", "UDP", 53, true)],
      [p("cedric-diggory-0", "draco-malfoy-0", "UDP", 5353, true), p("cedric-diggory-1", "draco-malfoy-0", "UDP", 53, true)],
    ]),
  },
  {
    name: "admin-network-policy-standard-ingress-sctp-rules",
    test: "conformance/tests/admin-network-policy-standard-ingress-sctp-rules.go @ 4d4a53a6a9f146b0ca4bf6db4b78f1136939b22c",
    manifest: "admin_tier/standard-ingress-sctp-rules.yaml",
    rewrites: ["V1BETA1"],
    steps: sixSteps("ingress-sctp", "ingress", "SCTP", [
      [p("harry-potter-0", "luna-lovegood-0", "SCTP", 9003, true), p("harry-potter-1", "luna-lovegood-0", "SCTP", 9005, true)],
      [p("cedric-diggory-0", "luna-lovegood-1", "SCTP", 9003, true), p("cedric-diggory-1", "luna-lovegood-1", "SCTP", 9005, false)],
      [p("harry-potter-0", "luna-lovegood-1", "SCTP", 9003, false), p("harry-potter-1", "luna-lovegood-1", "SCTP", 9005, false)],
      [p("draco-malfoy-0", "luna-lovegood-0", "SCTP", 9003, false), p("draco-malfoy-1", "luna-lovegood-0", "SCTP", 9005, true)],
      [p("harry-potter-0", "luna-lovegood-1", "SCTP", 9003, true), p("harry-potter-1", "luna-lovegood-1", "SCTP", 9005, true)],
      [p("draco-malfoy-0", "luna-lovegood-0", "SCTP", 9003, true), p("draco-malfoy-1", "luna-lovegood-0", "SCTP", 9005, true)],
    ]),
  },
  {
    name: "admin-network-policy-standard-egress-sctp-rules",
    test: "conformance/tests/admin-network-policy-standard-egress-sctp-rules.go @ ae899497990893df5e632fc41765f7b1877c42e9",
    manifest: "admin_tier/standard-egress-sctp-rules.yaml",
    rewrites: ["V1BETA1"],
    steps: sixSteps("egress-sctp", "egress", "SCTP", [
      [p("luna-lovegood-0", "harry-potter-0", "SCTP", 9003, true), p("luna-lovegood-1", "harry-potter-0", "SCTP", 9005, true)],
      [p("luna-lovegood-0", "cedric-diggory-1", "SCTP", 9003, true), p("luna-lovegood-1", "cedric-diggory-1", "SCTP", 9005, false)],
      [p("luna-lovegood-0", "harry-potter-1", "SCTP", 9003, false), p("luna-lovegood-1", "harry-potter-1", "SCTP", 9005, false)],
      [p("luna-lovegood-0", "draco-malfoy-0", "SCTP", 9003, false), p("luna-lovegood-1", "draco-malfoy-0", "SCTP", 9005, true)],
      [p("luna-lovegood-0", "harry-potter-1", "SCTP", 9003, true), p("luna-lovegood-1", "harry-potter-1", "SCTP", 9005, true)],
      [p("luna-lovegood-0", "draco-malfoy-0", "SCTP", 9003, true), p("luna-lovegood-1", "draco-malfoy-0", "SCTP", 9005, true)],
    ]),
  },
];
