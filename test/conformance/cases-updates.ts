/**
 * @module conformance/cases-updates
 * The network_policy.go tests that change the cluster between probes (create another
 * policy, update or delete one, relabel a namespace or a pod). kwire analyses snapshots, so
 * each state is a separate model: one step per ValidateOrFail.
 */
import { policy, reach, tcp, type CaseGroup, type ConformanceCase } from "./dsl.js";

const UP = "network_policy.go";

const allowPort = (port: number, name: string): string => policy("x", name, `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
    ports:
    - port: ${port}
      protocol: TCP`);

const onlyY = (): ReturnType<typeof reach> => reach((r) => r
  .expectPeer({ namespace: "x" }, { namespace: "x", pod: "a" }, false)
  .expectPeer({ namespace: "y" }, { namespace: "x", pod: "a" }, true)
  .expectPeer({ namespace: "z" }, { namespace: "x", pod: "a" }, false));

const allowAllIngress = (name: string): string => policy("x", name, `
  podSelector: {matchLabels: {}}
  policyTypes: [Ingress]
  ingress:
  - {}`);

const allowAllEgress = (name: string): string => policy("x", name, `
  podSelector: {matchLabels: {}}
  policyTypes: [Egress]
  egress:
  - {}`);

const denyAll = policy("x", "deny-all", `
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress: []
  egress: []`);

const nsSelectorPolicy = policy("x", "allow-client-a-via-ns-selector", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns2: updated}}`);

const podSelectorPolicy = policy("x", "allow-client-a-via-pod-selector", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - podSelector: {matchLabels: {pod: b, pod2: updated}}`);

const isolatedPolicy = policy("x", "deny-ingress-via-label-selector", `
  podSelector: {matchLabels: {target: isolated}}
  policyTypes: [Ingress]
  ingress: []`);

const allowEgressForTarget = policy("x", "allow-egress-for-target", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - {}`);

const cases: ConformanceCase[] = [
  {
    title: "should enforce multiple, stacked policies with overlapping podSelectors",
    upstream: UP,
    steps: [
      { policies: [allowPort(81, "allow-client-a-via-ns-selector")], probes: [tcp(81, onlyY()), tcp(80, reach((r) => r.expectAllIngress("x/a", false)))] },
      {
        label: "after creating allow-client-a-via-ns-selector-80",
        policies: [allowPort(81, "allow-client-a-via-ns-selector"), allowPort(80, "allow-client-a-via-ns-selector-80")],
        probes: [tcp(80, onlyY()), tcp(81, onlyY())],
      },
    ],
  },
  {
    title: "should enforce updated policy",
    upstream: UP,
    steps: [
      { policies: [allowAllIngress("allow-all-mutate-to-deny-all")], probes: [tcp(81, reach())] },
      {
        label: "after UpdatePolicy with spec.ingress = []",
        policies: [policy("x", "allow-all-mutate-to-deny-all", `
          podSelector: {matchLabels: {}}
          policyTypes: [Ingress]
          ingress: []`)],
        probes: [tcp(81, reach((r) => r.expectPeer({}, { namespace: "x" }, false)))],
      },
    ],
  },
  {
    title: "should allow ingress access from updated namespace",
    upstream: UP,
    steps: [
      { policies: [nsSelectorPolicy], probes: [tcp(80, reach((r) => r.expectAllIngress("x/a", false)))] },
      {
        label: "after AddNamespaceLabel(y, ns2=updated)",
        model: { namespaceLabels: { y: { ns2: "updated" } } },
        policies: [nsSelectorPolicy],
        probes: [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expectPeer({ namespace: "y" }, {}, true)))],
      },
    ],
  },
  {
    title: "should allow ingress access from updated pod",
    upstream: UP,
    steps: [
      { policies: [podSelectorPolicy], probes: [tcp(80, reach((r) => r.expectAllIngress("x/a", false)))] },
      {
        label: "after AddPodLabels(x/b, pod2=updated)",
        model: { podLabels: { "x/b": { pod2: "updated" } } },
        policies: [podSelectorPolicy],
        probes: [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)))],
      },
    ],
  },
  {
    title: "should deny ingress access to updated pod",
    upstream: UP,
    steps: [
      { policies: [isolatedPolicy], probes: [tcp(80, reach())] },
      {
        label: "after AddPodLabels(x/a, target=isolated)",
        model: { podLabels: { "x/a": { target: "isolated" } } },
        policies: [isolatedPolicy],
        probes: [tcp(80, reach((r) => r.expectAllIngress("x/a", false)))],
      },
    ],
  },
  {
    title: "should enforce multiple ingress policies with ingress allow-all policy taking precedence",
    upstream: UP,
    steps: [
      {
        policies: [policy("x", "allow-ingress-port-80", `
          podSelector: {matchLabels: {}}
          policyTypes: [Ingress]
          ingress:
          - ports:
            - port: 80`)],
        probes: [tcp(81, reach((r) => r.expectPeer({}, { namespace: "x" }, false))), tcp(80, reach())],
      },
      {
        label: "after creating allow-ingress",
        policies: [
          policy("x", "allow-ingress-port-80", `
            podSelector: {matchLabels: {}}
            policyTypes: [Ingress]
            ingress:
            - ports:
              - port: 80`),
          allowAllIngress("allow-ingress"),
        ],
        probes: [tcp(81, reach())],
      },
    ],
  },
  {
    title: "should enforce multiple egress policies with egress allow-all policy taking precedence",
    upstream: UP,
    steps: [
      {
        policies: [policy("x", "allow-egress-port-80", `
          podSelector: {matchLabels: {}}
          policyTypes: [Egress]
          egress:
          - ports:
            - port: 80`)],
        probes: [tcp(81, reach((r) => r.expectPeer({ namespace: "x" }, {}, false))), tcp(80, reach())],
      },
      {
        label: "after creating allow-egress",
        policies: [
          policy("x", "allow-egress-port-80", `
            podSelector: {matchLabels: {}}
            policyTypes: [Egress]
            egress:
            - ports:
              - port: 80`),
          allowAllEgress("allow-egress"),
        ],
        probes: [tcp(81, reach())],
      },
    ],
  },
  {
    title: "should stop enforcing policies after they are deleted",
    upstream: UP,
    steps: [
      { policies: [denyAll], probes: [tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, {}, false).expectPeer({}, { namespace: "x" }, false)))] },
      { label: "after cleanNetworkPolicies", policies: [], probes: [tcp(80, reach())] },
    ],
  },
  {
    title: "should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector",
    upstream: UP,
    steps: [
      { policies: [allowEgressForTarget], probes: [tcp(80, reach())] },
      {
        label: "after creating deny-ingress-via-label-selector",
        policies: [allowEgressForTarget, policy("x", "deny-ingress-via-label-selector", `
          podSelector: {matchLabels: {pod: a}}
          policyTypes: [Ingress]
          ingress: []`)],
        probes: [tcp(80, reach((r) => r.expectAllIngress("x/a", false)))],
      },
    ],
  },
];

export const UPDATE_CASES: CaseGroup = { name: "updates (one model per state)", cases };
