/**
 * @module conformance-tiers/cases-gress
 * "gress-rules": one policy with ingress AND egress rules over TCP, UDP and SCTP, in the Admin
 * tier (ClusterNetworkPolicy v1alpha2 and AdminNetworkPolicy v1alpha1) and in the Baseline
 * tier (ClusterNetworkPolicy tier Baseline and BaselineAdminNetworkPolicy v1alpha1).
 * Rule layout (Admin): 0 Accept ravenclaw, 1 Deny ravenclaw, 2 Pass ravenclaw, 3 Deny slytherin
 * at TCP/80 UDP/53 SCTP/9003, 4 Pass the same, 5 Accept hufflepuff at listed ports, 6 Deny
 * hufflepuff. Baseline has no Pass: 0 Accept ravenclaw, 1 Deny ravenclaw, 2 Deny slytherin at
 * ports, 3 Accept hufflepuff at ports, 4 Deny hufflepuff.
 * Also the Baseline-tier single-protocol TCP tests, which add a block checking that a policy
 * with only ingress (egress) rules leaves egress (ingress) alone.
 */
import { p, type Mutation, type Step, type Target, type TierCase } from "./harness.js";

const swapBoth = (target: Target, i: number, j: number): Mutation[] => [
  { op: "swapRules", target, direction: "egress", i, j },
  { op: "swapRules", target, direction: "ingress", i, j },
];

/** The first four `t.Run` blocks, shared by the Admin and Baseline gress tests (identical rows). */
function firstFour(target: Target): Step[] {
  return [
    {
      title: "Should support an 'allow-gress' policy across different protocols",
      probes: [
        p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true),
        p("harry-potter-1", "luna-lovegood-0", "UDP", 53, true),
        p("harry-potter-0", "luna-lovegood-0", "SCTP", 9003, true),
        p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true),
        p("luna-lovegood-1", "harry-potter-0", "UDP", 53, true),
        p("luna-lovegood-1", "harry-potter-0", "SCTP", 9003, true),
      ],
    },
    {
      title: "Should support an 'allow-gress' policy across different protocols at the specified ports",
      probes: [
        p("harry-potter-0", "cedric-diggory-1", "TCP", 8080, true),
        p("harry-potter-1", "cedric-diggory-1", "TCP", 80, false),
        p("harry-potter-0", "cedric-diggory-1", "UDP", 5353, true),
        p("harry-potter-1", "cedric-diggory-1", "UDP", 53, false),
        p("harry-potter-0", "cedric-diggory-1", "SCTP", 9003, true),
        p("harry-potter-1", "cedric-diggory-1", "SCTP", 9005, false),
        p("cedric-diggory-0", "harry-potter-1", "TCP", 80, true),
        p("cedric-diggory-1", "harry-potter-1", "TCP", 8080, false),
        p("cedric-diggory-0", "harry-potter-1", "UDP", 5353, true),
        p("cedric-diggory-1", "harry-potter-1", "UDP", 53, false),
        p("cedric-diggory-0", "harry-potter-1", "SCTP", 9003, true),
        p("cedric-diggory-1", "harry-potter-1", "SCTP", 9005, false),
      ],
    },
    {
      title: "Should support an 'deny-gress' policy across different protocols",
      mutations: swapBoth(target, 0, 1),
      probes: [
        p("harry-potter-0", "luna-lovegood-1", "TCP", 80, false),
        p("harry-potter-1", "luna-lovegood-1", "UDP", 53, false),
        p("harry-potter-0", "luna-lovegood-1", "SCTP", 9003, false),
        p("luna-lovegood-0", "harry-potter-1", "TCP", 80, false),
        p("luna-lovegood-1", "harry-potter-1", "UDP", 53, false),
        p("luna-lovegood-1", "harry-potter-1", "SCTP", 9003, false),
      ],
    },
    {
      title: "Should support a 'deny-gress' policy across different protocols at the specified ports",
      probes: [
        p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false),
        p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, true),
        p("harry-potter-0", "draco-malfoy-0", "UDP", 53, false),
        p("harry-potter-1", "draco-malfoy-0", "UDP", 5353, true),
        p("harry-potter-0", "draco-malfoy-0", "SCTP", 9003, false),
        p("harry-potter-1", "draco-malfoy-0", "SCTP", 9005, true),
        p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false),
        p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, true),
        p("draco-malfoy-0", "harry-potter-0", "UDP", 53, false),
        p("draco-malfoy-1", "harry-potter-0", "UDP", 5353, true),
        p("draco-malfoy-0", "harry-potter-0", "SCTP", 9003, false),
        p("draco-malfoy-1", "harry-potter-0", "SCTP", 9005, true),
      ],
    },
  ];
}

/** The two Pass blocks of the Admin gress test. */
function passSteps(target: Target): Step[] {
  return [
    {
      title: "Should support an 'pass-gress' policy across different protocols",
      mutations: swapBoth(target, 0, 2),
      probes: [
        p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true),
        p("harry-potter-0", "luna-lovegood-0", "UDP", 5353, true),
        p("harry-potter-0", "luna-lovegood-0", "SCTP", 9003, true),
        p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true),
        p("luna-lovegood-1", "harry-potter-0", "UDP", 53, true),
        p("luna-lovegood-1", "harry-potter-0", "SCTP", 9003, true),
      ],
    },
    {
      title: "Should support a 'pass-gress' policy across different protocols at the specified ports",
      mutations: swapBoth(target, 3, 4),
      probes: [
        p("harry-potter-0", "draco-malfoy-0", "TCP", 80, true),
        p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, true),
        p("harry-potter-0", "draco-malfoy-0", "UDP", 53, true),
        p("harry-potter-1", "draco-malfoy-0", "UDP", 5353, true),
        p("harry-potter-0", "draco-malfoy-0", "SCTP", 9003, true),
        p("harry-potter-1", "draco-malfoy-0", "SCTP", 9005, true),
        p("draco-malfoy-0", "harry-potter-0", "TCP", 80, true),
        p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, true),
        p("draco-malfoy-0", "harry-potter-0", "UDP", 53, true),
        p("draco-malfoy-1", "harry-potter-0", "UDP", 5353, true),
        p("draco-malfoy-0", "harry-potter-0", "SCTP", 9003, true),
        p("draco-malfoy-1", "harry-potter-0", "SCTP", 9005, true),
      ],
    },
  ];
}

const CNP_GRESS: Target = { kind: "ClusterNetworkPolicy", name: "gress-rules" };
const ANP_GRESS: Target = { kind: "AdminNetworkPolicy", name: "gress-rules" };
const CNP_BASELINE: Target = { kind: "ClusterNetworkPolicy", name: "default" };
const BANP: Target = { kind: "BaselineAdminNetworkPolicy", name: "default" };

export const GRESS_CASES: readonly TierCase[] = [
  {
    name: "CNPAdminTierGress (admin-network-policy-standard-gress-rules)",
    test: "conformance/tests/admin-network-policy-standard-gress-rules.go @ 25f6bf05425885785cd3c633fd8bd27259a81cdb",
    manifest: "admin_tier/standard-gress-rules-combined.yaml",
    rewrites: ["V1BETA1"],
    steps: [...firstFour(CNP_GRESS), ...passSteps(CNP_GRESS)],
  },
  {
    // The v1alpha1 test: every t.Run block and probe row is the same as the v1alpha2 one above.
    name: "AdminNetworkPolicyGress (admin-network-policy-core-gress-rules)",
    test: "conformance/tests/admin-network-policy-core-gress-rules.go @ 774376b17a86ea0a4ebbd640aedab2ec000d2816",
    manifest: "admin_network_policy/core-gress-rules-combined.yaml",
    steps: [...firstFour(ANP_GRESS), ...passSteps(ANP_GRESS)],
  },
  {
    name: "CNPBaselineTierGress (baseline-admin-network-policy-standard-gress-rules)",
    test: "conformance/tests/baseline-admin-network-policy-standard-gress-rules.go @ 25f6bf05425885785cd3c633fd8bd27259a81cdb",
    manifest: "baseline_tier/standard-gress-rules-combined.yaml",
    rewrites: ["V1BETA1"],
    steps: firstFour(CNP_BASELINE),
  },
  {
    // The v1alpha1 test: every t.Run block and probe row is the same as the v1alpha2 one above.
    name: "BaselineAdminNetworkPolicyGress (baseline-admin-network-policy-core-gress-rules)",
    test: "conformance/tests/baseline-admin-network-policy-core-gress-rules.go @ 135bf4bf87068173336ca236f413c1eaf0a4f6b9",
    manifest: "baseline_admin_network_policy/core-gress-rules-combined.yaml",
    rewrites: ["namespacedPeerToSelector"],
    steps: firstFour(BANP),
  },
  {
    name: "CNPBaselineTierIngressTCP (baseline-admin-network-policy-standard-ingress-tcp-rules)",
    test: "conformance/tests/baseline-admin-network-policy-standard-ingress-tcp-rules.go @ 2491831360ce313b15144e3326b3f4512cab7b9c",
    manifest: "baseline_tier/standard-ingress-tcp-rules.yaml",
    rewrites: ["portsToProtocols"],
    steps: [
      {
        title: "Should support an 'allow-ingress' policy for TCP protocol; ensure rule ordering is respected",
        probes: [p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true), p("luna-lovegood-1", "harry-potter-0", "TCP", 8080, true)],
      },
      {
        title: "Should support an 'allow-ingress' policy for TCP protocol at the specified port",
        probes: [p("cedric-diggory-0", "harry-potter-1", "TCP", 80, true), p("cedric-diggory-1", "harry-potter-1", "TCP", 8080, false)],
      },
      {
        title: "Should not affect egress traffic when only ingress rules are specified",
        probes: [p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true), p("harry-potter-1", "draco-malfoy-0", "TCP", 80, true)],
      },
      {
        title: "Should support an 'deny-ingress' policy for TCP protocol; ensure rule ordering is respected",
        mutations: [{ op: "swapRules", target: CNP_BASELINE, direction: "ingress", i: 0, j: 1 }],
        probes: [p("luna-lovegood-0", "harry-potter-1", "TCP", 80, false), p("luna-lovegood-1", "harry-potter-1", "TCP", 8080, false)],
      },
      {
        title: "Should support a 'deny-ingress' policy for TCP protocol at the specified port",
        probes: [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false), p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, true)],
      },
    ],
  },
  {
    name: "CNPBaselineTierEgressTCP (baseline-admin-network-policy-standard-egress-tcp-rules)",
    test: "conformance/tests/baseline-admin-network-policy-standard-egress-tcp-rules.go @ 2491831360ce313b15144e3326b3f4512cab7b9c",
    manifest: "baseline_tier/standard-egress-tcp-rules.yaml",
    rewrites: ["portsToProtocols"],
    steps: [
      {
        title: "Should support an 'allow-egress' policy for TCP protocol; ensure rule ordering is respected",
        probes: [p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true), p("harry-potter-1", "luna-lovegood-0", "TCP", 8080, true)],
      },
      {
        title: "Should support an 'allow-egress' policy for TCP protocol at the specified port",
        probes: [p("harry-potter-0", "cedric-diggory-1", "TCP", 8080, true), p("harry-potter-1", "cedric-diggory-1", "TCP", 80, false)],
      },
      {
        title: "Should not affect ingress traffic when only egress rules are specified",
        probes: [p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true), p("draco-malfoy-0", "harry-potter-1", "TCP", 80, true)],
      },
      {
        title: "Should support an 'deny-egress' policy for TCP protocol; ensure rule ordering is respected",
        mutations: [{ op: "swapRules", target: CNP_BASELINE, direction: "egress", i: 0, j: 1 }],
        probes: [p("harry-potter-0", "luna-lovegood-1", "TCP", 80, false), p("harry-potter-1", "luna-lovegood-1", "TCP", 8080, false)],
      },
      {
        title: "Should support a 'deny-egress' policy for TCP protocol at the specified port",
        probes: [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false), p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, true)],
      },
    ],
  },
];
