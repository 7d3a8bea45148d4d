/**
 * @module conformance-tiers/cases-semantics
 * The network-policy-api conformance tests about tier semantics rather than one protocol:
 * priority field, same priority, ANP + NetworkPolicy + BANP integration (Pass handing over),
 * port ranges, `networks` (inline CIDR) peers, ingress-only / egress-only isolation, pod
 * selectors, named ports and service hairpin. Probe rows are copied from each Go file.
 */
import { p, type Step, type Target, type TierCase } from "./harness.js";
import { pod } from "./topology.js";

const PASS_EXAMPLE_CNP: Target = { kind: "ClusterNetworkPolicy", name: "pass-example" };
const PASS_EXAMPLE_ANP: Target = { kind: "AdminNetworkPolicy", name: "pass-example" };
const GRYFFINDOR_NP: Target = { kind: "NetworkPolicy", name: "allow-gress-from-to-slytherin-to-gryffindor" };

/** The six t.Run titles of each integration test, verbatim. */
const INTEGRATION_TITLES = {
  CNP: [
    "Should Deny traffic from slytherin to gryffindor respecting admin CNP",
    "Should Deny traffic to slytherin from gryffindor respecting admin CNP",
    "Should support a 'pass-ingress' policy for admin CNP and respect the match for network policy",
    "Should support a 'pass-egress' policy for admin CNP and respect the match for network policy",
    "Should support a 'pass-ingress' policy for admin CNP and respect the match for baseline cluster network policy",
    "Should support a 'pass-egress' policy for admin CNP and respect the match for baseline cluster network policy",
  ],
  ANP: [
    "Should Deny traffic from slytherin to gryffindor respecting ANP",
    "Should Deny traffic to slytherin from gryffindor respecting ANP",
    "Should support a 'pass-ingress' policy for ANP and respect the match for network policy",
    "Should support a 'pass-egress' policy for ANP and respect the match for network policy",
    "Should support a 'pass-ingress' policy for ANP and respect the match for baseline admin network policy",
    "Should support a 'pass-egress' policy for ANP and respect the match for baseline admin network policy",
  ],
} as const;

/**
 * admin-network-policy-standard-integration.go (v1alpha2) and admin-network-policy-core-integration.go
 * (v1alpha1): the same six blocks, in order, on one cluster: Deny both ways; ingress[0] to Pass
 * (the NetworkPolicy allows); egress[0] to Pass; delete the NetworkPolicy (the Baseline denies).
 */
function integrationSteps(admin: Target, titles: readonly string[]): Step[] {
  const t = (i: number): string => titles[i] ?? "";
  return [
    { title: t(0), probes: [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false), p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, false)] },
    { title: t(1), probes: [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false), p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, false)] },
    {
      title: t(2),
      mutations: [{ op: "setAction", target: admin, direction: "ingress", index: 0, action: "Pass" }],
      probes: [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, true), p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, true)],
    },
    {
      title: t(3),
      mutations: [{ op: "setAction", target: admin, direction: "egress", index: 0, action: "Pass" }],
      probes: [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, true), p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, true)],
    },
    {
      title: t(4),
      mutations: [{ op: "delete", target: GRYFFINDOR_NP }],
      probes: [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false), p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, false)],
    },
    { title: t(5), probes: [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false), p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, false)] },
  ];
}

const ALL_THREE = ["TCP", "UDP", "SCTP"] as const;
const PORT_OF = { TCP: 80, UDP: 53, SCTP: 9003 } as const;

export const SEMANTICS_CASES: readonly TierCase[] = [
  {
    name: "CNPAdminTierPriorityField (admin-network-policy-standard-priority)",
    test: "conformance/tests/admin-network-policy-standard-priority.go @ 295a4ff8f5d9ad1efa82cc900c3f0241ed348ae4",
    manifest: "admin_tier/standard-priority-field.yaml",
    rewrites: ["V1BETA1"],
    steps: [
      {
        title: "Should Deny traffic from slytherin to gryffindor respecting admin CNP",
        probes: [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false), p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, false)],
      },
      {
        title: "Should Deny traffic to slytherin from gryffindor respecting admin CNP",
        probes: [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false), p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, false)],
      },
      {
        title: "Should respect admin CNP priority field; thus passing both ingress and egress traffic over to baseline CNP",
        mutations: [{ op: "setPriority", target: { kind: "ClusterNetworkPolicy", name: "old-priority-60-new-priority-40-example" }, priority: 40 }],
        probes: [
          p("draco-malfoy-0", "harry-potter-0", "TCP", 80, true),
          p("draco-malfoy-1", "harry-potter-0", "TCP", 8080, true),
          p("harry-potter-0", "draco-malfoy-0", "TCP", 80, true),
          p("harry-potter-1", "draco-malfoy-0", "TCP", 8080, true),
        ],
      },
    ],
  },
  {
    name: "CNPAdminTierSamePriority (admin-network-policy-standard-same-priority)",
    test: "conformance/tests/admin-network-policy-standard-same-priority.go @ efe784ef4b71d0c3a9b2153da741e7af93db8be7",
    manifest: "admin_tier/standard-same-priority.yaml",
    steps: [
      {
        title: "Should deny traffic in both directions for each same-priority policy",
        probes: [
          p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false),
          p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false),
          p("cedric-diggory-0", "harry-potter-0", "TCP", 80, false),
          p("harry-potter-1", "cedric-diggory-0", "TCP", 80, false),
          p("draco-malfoy-1", "cedric-diggory-0", "TCP", 8080, false),
          p("cedric-diggory-1", "draco-malfoy-0", "TCP", 8080, false),
        ],
      },
      {
        title: "Should not apply one same-priority policy's rules to another policy's subject",
        probes: [
          p("draco-malfoy-0", "harry-potter-0", "TCP", 8080, true),
          p("harry-potter-0", "draco-malfoy-0", "TCP", 8080, true),
          p("draco-malfoy-1", "cedric-diggory-0", "TCP", 80, true),
          p("cedric-diggory-0", "draco-malfoy-0", "TCP", 80, true),
        ],
      },
      {
        title: "Should not affect traffic matching no same-priority policy",
        probes: [p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true), p("harry-potter-1", "luna-lovegood-0", "TCP", 80, true)],
      },
    ],
  },
  {
    name: "CNPAdminTierIntegration (admin-network-policy-standard-integration): Admin CNP + NetworkPolicy + Baseline CNP",
    test: "conformance/tests/admin-network-policy-standard-integration.go @ 25f6bf05425885785cd3c633fd8bd27259a81cdb",
    manifest: "api_integration/standard-anp-np-banp.yaml",
    rewrites: ["V1BETA1"],
    steps: integrationSteps(PASS_EXAMPLE_CNP, INTEGRATION_TITLES.CNP),
  },
  {
    name: "AdminNetworkPolicyIntegration (api_integration/core-anp-np-banp): ANP + NetworkPolicy + BANP",
    test: "conformance/tests/admin-network-policy-core-integration.go @ 135bf4bf87068173336ca236f413c1eaf0a4f6b9",
    manifest: "api_integration/core-anp-np-banp.yaml",
    rewrites: ["namespacedPeerToSelector"],
    steps: integrationSteps(PASS_EXAMPLE_ANP, INTEGRATION_TITLES.ANP),
  },
  {
    name: "CNPAdminTierPortRange (admin-network-policy-standard-port-range-rules)",
    test: "conformance/tests/admin-network-policy-standard-port-range-rules.go @ b9f7a830d80fb85379a3dcdc896ad50e0bfccd89",
    manifest: "admin_tier/standard-port-range-rules-combined.yaml",
    rewrites: ["V1BETA1"],
    steps: [
      {
        title: "Should support egress port range rules across different protocols",
        probes: [
          p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true),
          p("harry-potter-0", "luna-lovegood-0", "TCP", 8080, true),
          p("harry-potter-1", "luna-lovegood-0", "UDP", 53, false),
          p("harry-potter-0", "cedric-diggory-0", "UDP", 53, true),
          p("harry-potter-0", "cedric-diggory-0", "UDP", 5353, true),
          p("harry-potter-1", "cedric-diggory-0", "TCP", 80, false),
          p("harry-potter-0", "draco-malfoy-0", "SCTP", 9003, true),
          p("harry-potter-0", "draco-malfoy-0", "SCTP", 9005, true),
          p("harry-potter-1", "draco-malfoy-0", "TCP", 80, false),
        ],
      },
      {
        title: "Should support ingress port range rules across different protocols",
        probes: [
          p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true),
          p("luna-lovegood-0", "harry-potter-0", "TCP", 8080, true),
          p("luna-lovegood-1", "harry-potter-0", "UDP", 53, false),
          p("cedric-diggory-0", "harry-potter-0", "UDP", 53, true),
          p("cedric-diggory-0", "harry-potter-0", "UDP", 5353, true),
          p("cedric-diggory-1", "harry-potter-0", "TCP", 80, false),
          p("draco-malfoy-0", "harry-potter-0", "SCTP", 9003, true),
          p("draco-malfoy-0", "harry-potter-0", "SCTP", 9005, true),
          p("draco-malfoy-1", "harry-potter-0", "TCP", 80, false),
        ],
      },
    ],
  },
  {
    name: "CNPAdminTierEgressInlineCIDRPeers (admin-network-policy-standard-egress-inline-cidr-rules)",
    test: "conformance/tests/admin-network-policy-standard-egress-inline-cidr-rules.go @ 295a4ff8f5d9ad1efa82cc900c3f0241ed348ae4",
    manifest: "admin_tier/standard-egress-inline-cidr-rules.yaml",
    rewrites: ["V1BETA1"],
    steps: [
      {
        title: "Should support a 'deny-egress' rule policy for egress-cidr-peer",
        probes: [
          ...ALL_THREE.map((proto) => p("harry-potter-1", "luna-lovegood-0", proto, PORT_OF[proto], false)),
          ...ALL_THREE.map((proto) => p("harry-potter-1", "cedric-diggory-0", proto, PORT_OF[proto], false)),
          ...ALL_THREE.map((proto) => p("harry-potter-1", "draco-malfoy-0", proto, PORT_OF[proto], true)),
        ],
      },
      {
        title: "Should support an 'allow-egress' rule policy for egress-cidr-peer",
        mutations: [
          {
            op: "prependRule",
            target: { kind: "ClusterNetworkPolicy", name: "inline-cidr-as-peers-example" },
            direction: "egress",
            rule: {
              name: "allow-egress-to-specific-podIPs",
              action: "Accept",
              to: [{ networks: [`${pod("luna-lovegood-0").ip}/32`, `${pod("cedric-diggory-0").ip}/32`] }],
            },
          },
        ],
        probes: [
          ...ALL_THREE.map((proto) => p("harry-potter-1", "luna-lovegood-0", proto, PORT_OF[proto], true)),
          ...ALL_THREE.map((proto) => p("harry-potter-1", "cedric-diggory-0", proto, PORT_OF[proto], true)),
          ...ALL_THREE.map((proto) => p("harry-potter-1", "luna-lovegood-1", proto, PORT_OF[proto], false)),
          ...ALL_THREE.map((proto) => p("harry-potter-1", "cedric-diggory-1", proto, PORT_OF[proto], false)),
        ],
      },
    ],
  },
  {
    name: "CNPAdminTierIngressRulesEgressUnaffected (standard-ingress-isolation)",
    test: "conformance/tests/admin-network-policy-standard-ingress-egress-isolation.go @ e98949c494555f55b62865b699e0ad3478820e5c",
    manifest: "admin_tier/standard-ingress-isolation.yaml",
    steps: [
      { title: "Should enforce the ingress rule: deny ingress from slytherin to gryffindor", probes: [p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false)] },
      { title: "Should not affect egress: gryffindor can still egress to ravenclaw", probes: [p("harry-potter-0", "luna-lovegood-0", "TCP", 80, true)] },
      { title: "Should not affect egress: gryffindor can still egress to hufflepuff", probes: [p("harry-potter-0", "cedric-diggory-0", "TCP", 80, true)] },
    ],
  },
  {
    name: "CNPAdminTierEgressRulesIngressUnaffected (standard-egress-isolation)",
    test: "conformance/tests/admin-network-policy-standard-ingress-egress-isolation.go @ e98949c494555f55b62865b699e0ad3478820e5c",
    manifest: "admin_tier/standard-egress-isolation.yaml",
    steps: [
      { title: "Should enforce the egress rule: deny egress from gryffindor to slytherin", probes: [p("harry-potter-0", "draco-malfoy-0", "TCP", 80, false)] },
      { title: "Should not affect ingress: ravenclaw can still reach gryffindor", probes: [p("luna-lovegood-0", "harry-potter-0", "TCP", 80, true)] },
      { title: "Should not affect ingress: hufflepuff can still reach gryffindor", probes: [p("cedric-diggory-0", "harry-potter-0", "TCP", 80, true)] },
    ],
  },
  {
    name: "CNPAdminTierPodSelector (admin-network-policy-standard-pod-selector-rules)",
    test: "conformance/tests/admin-network-policy-standard-pod-selector-rules.go @ 2643c7d16404fc0b5dfe96c8e8a6cc819b20fb35",
    manifest: "admin_tier/standard-pod-selector-rules.yaml",
    steps: [
      {
        title: "Should support pod selectors in egress peers",
        probes: [
          p("harry-potter-0", "luna-lovegood-0", "TCP", 80, false),
          p("harry-potter-0", "cedric-diggory-0", "TCP", 80, false),
          p("harry-potter-0", "cedric-diggory-1", "TCP", 80, true),
        ],
      },
      {
        title: "Should support pod selectors in ingress peers",
        probes: [
          p("draco-malfoy-0", "harry-potter-0", "TCP", 80, false),
          p("cedric-diggory-0", "harry-potter-0", "TCP", 80, false),
          p("cedric-diggory-1", "harry-potter-0", "TCP", 80, true),
        ],
      },
      {
        title: "Should support pod selectors in the subject",
        probes: [
          p("draco-malfoy-0", "cedric-diggory-0", "TCP", 80, true),
          p("luna-lovegood-0", "draco-malfoy-0", "TCP", 80, false),
          p("luna-lovegood-1", "draco-malfoy-0", "TCP", 80, true),
        ],
      },
    ],
  },
  {
    // Experimental feature SupportClusterNetworkPolicyNamedPorts: rule 5 of ingress-udp
    // (Accept gryffindor at UDP/53) rewritten as `destinationNamedPort: dns`; the pods declare
    // containerPort 53/UDP named `dns` (manifests.yaml).
    name: "CNPAdminTierIngressNamedPort (admin-network-policy-experimental-ingress-rules)",
    test: "conformance/tests/admin-network-policy-experimental-ingress-rules.go @ 30ea168a6e8422b78e490abc0a4df50d6c43cbb6",
    manifest: "admin_tier/standard-ingress-udp-rules.yaml",
    rewrites: ["V1BETA1"],
    steps: [
      {
        title: "Should support an 'allow-ingress' policy for named port",
        mutations: [
          { op: "setRuleField", target: { kind: "ClusterNetworkPolicy", name: "ingress-udp" }, direction: "ingress", index: 5, field: "protocols", value: [{ destinationNamedPort: "dns" }] },
        ],
        probes: [p("harry-potter-0", "cedric-diggory-1", "UDP", 53, true), p("harry-potter-1", "cedric-diggory-1", "UDP", 5353, false)],
      },
    ],
  },
  {
    // Upstream probes harry-potter-0 -> the Service's ClusterIP:80, whose endpoints are both
    // gryffindor pods; "this hairpin traffic is subject to ingress policy and should be denied".
    // Here: the verdict toward each endpoint (harry-potter-1, and harry-potter-0 itself after the
    // Service's DNAT); `kwire trace … svc/harry-potter-hairpin-service:80` is in cli.test.ts.
    name: "CNPAdminTierHairpin (admin-network-policy-hairpin-rules)",
    test: "conformance/tests/admin-network-policy-hairpin-rules.go @ d1a2cd7a5cc9410072b51949e54df2ff238a7021",
    manifest: "admin_tier/hairpin-rules.yaml",
    steps: [
      {
        title: "Should enforce CNP ingress deny policy on hairpin service traffic",
        // Both endpoints of the Service: the other pod, and harry-potter-0 itself (the hairpin).
        probes: [p("harry-potter-0", "harry-potter-1", "TCP", 80, false), p("harry-potter-0", "harry-potter-0", "TCP", 80, false)],
      },
    ],
  },
];
