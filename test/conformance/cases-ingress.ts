/**
 * @module conformance/cases-ingress
 * Ingress selection cases of kubernetes test/e2e/network/netpol/network_policy.go
 * ("NetworkPolicy between server and client"): default deny, podSelector, namespaceSelector,
 * both (AND), several peers (OR), matchExpressions. Policies carry the explicit policyTypes
 * upstream's SetSpecIngressRules/SetSpecEgressRules write.
 */
import { policy, reach, single, tcp, type CaseGroup } from "./dsl.js";

const UP = "network_policy.go";

export const INGRESS_CASES: CaseGroup = {
  name: "ingress",
  cases: [
    single("should support a 'default-deny-ingress' policy", UP, [
      policy("x", "deny-ingress", `
        podSelector: {}
        policyTypes: [Ingress]
        ingress: []`),
    ], [tcp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false)))]),

    single("should support a 'default-deny-all' policy", UP, [
      policy("x", "deny-all", `
        podSelector: {}
        policyTypes: [Ingress, Egress]
        ingress: []
        egress: []`),
    ], [tcp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false).expectPeer({ namespace: "x" }, {}, false)))]),

    single("should enforce policy to allow traffic from pods within server namespace based on PodSelector", UP, [
      policy("x", "x-a-allows-x-b", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - podSelector: {matchLabels: {pod: b}}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)))]),

    single("should enforce policy to allow ingress traffic for a target", UP, [
      policy("x", "deny-all", `
        podSelector: {}
        policyTypes: [Ingress]
        ingress: []`),
      policy("x", "allow-all-to-a", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - podSelector: {}
            namespaceSelector: {}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", true).expectAllIngress("x/b", false).expectAllIngress("x/c", false)))]),

    single("should enforce policy to allow ingress traffic from pods in all namespaces", UP, [
      policy("x", "allow-from-another-ns", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {}}`),
    ], [tcp(80, reach())]),

    single("should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector", UP, [
      policy("x", "allow-client-a-via-ns-selector", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, { namespace: "x", pod: "a" }, false).expectPeer({ namespace: "z" }, { namespace: "x", pod: "a" }, false)))]),

    single("should enforce policy based on PodSelector with MatchExpressions", UP, [
      policy("x", "x-a-allows-x-b", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - podSelector:
              matchExpressions:
              - {key: pod, operator: In, values: [b]}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)))]),

    single("should enforce policy based on NamespaceSelector with MatchExpressions", UP, [
      policy("x", "allow-ns-y-match-selector", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector:
              matchExpressions:
              - {key: kubernetes.io/metadata.name, operator: In, values: [y]}`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, { namespace: "x", pod: "a" }, false).expectPeer({ namespace: "z" }, { namespace: "x", pod: "a" }, false)))]),

    single("should enforce policy based on PodSelector or NamespaceSelector", UP, [
      policy("x", "allow-ns-y-match-selector", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector:
              matchExpressions:
              - {key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}
          - podSelector: {matchLabels: {pod: b}}`),
    ], [tcp(80, reach((r) => r.expect("x/a", "x/a", false).expect("x/c", "x/a", false)))]),

    single("should enforce policy based on PodSelector and NamespaceSelector", UP, [
      policy("x", "allow-ns-y-podselector-and-nsselector", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector:
              matchExpressions:
              - {key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}
            podSelector: {matchLabels: {pod: b}}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("y/b", "x/a", true).expect("z/b", "x/a", true)))]),

    single("should enforce policy based on Multiple PodSelectors and NamespaceSelectors", UP, [
      policy("x", "allow-ns-y-z-pod-b-c", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector:
              matchExpressions:
              - {key: kubernetes.io/metadata.name, operator: NotIn, values: [x]}
            podSelector:
              matchExpressions:
              - {key: pod, operator: In, values: [b, c]}`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, { namespace: "x", pod: "a" }, false).expect("y/a", "x/a", false).expect("z/a", "x/a", false)))]),

    single("should enforce policy based on any PodSelectors", UP, [
      policy("x", "allow-ns-x-pod-b-c", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - podSelector: {matchLabels: {pod: b}}
          - podSelector: {matchLabels: {pod: c}}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/b", "x/a", true).expect("x/c", "x/a", true)))]),

    single("should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector", UP, [
      policy("x", "allow-ns-y-pod-a-via-namespace-pod-selector", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
            podSelector: {matchLabels: {pod: a}}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("y/a", "x/a", true)))]),

    single("should deny ingress from pods on other namespaces", UP, [
      policy("x", "deny-empty-policy", `
        podSelector: {}
        policyTypes: [Ingress]
        ingress:
        - from:
          - podSelector: {matchLabels: {}}`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "y" }, { namespace: "x" }, false).expectPeer({ namespace: "z" }, { namespace: "x" }, false)))]),

    single("should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label", UP, [
      policy("x", "allow-client-a-via-ns-selector-for-immutable-ns-label", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, { namespace: "x", pod: "a" }, false).expectPeer({ namespace: "z" }, { namespace: "x", pod: "a" }, false)))]),

    single("should select peers by the model's own namespace label (ns: y), not only the automatic one", "model.go Namespace.LabelSelector", [
      policy("x", "allow-from-ns-label-y", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {ns: y}}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expectPeer({ namespace: "y" }, { namespace: "x", pod: "a" }, true)))]),

    single("should not apply a policy to pods of other namespaces (policy in y selects only y's pods)", "network_policy.go model semantics", [
      policy("y", "deny-ingress-pod-a", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress: []`),
    ], [tcp(80, reach((r) => r.expectAllIngress("y/a", false)))]),
  ],
};
