/**
 * @module conformance/cases-egress
 * Egress cases of network_policy.go (deny egress, egress to pod+namespace selectors, client-side
 * denial despite server-side allow, ingress and egress together) and the DNS-style egress
 * policies of netpol/policies.go (`GetDenyAllWithEgressDNS`, `GetAllowEgressByNamespaceAndPod`).
 */
import { policy, reach, single, tcp, udp, type CaseGroup } from "./dsl.js";

const UP = "network_policy.go";

export const EGRESS_CASES: CaseGroup = {
  name: "egress",
  cases: [
    single("should deny egress from pods based on PodSelector", UP, [
      policy("x", "deny-egress-pod-a", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress: []`),
    ], [tcp(80, reach((r) => r.expectAllEgress("x/a", false)))]),

    single("should deny egress from all pods in a namespace", UP, [
      policy("x", "deny-egress-ns-x", `
        podSelector: {}
        policyTypes: [Egress]
        egress: []`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, {}, false)))]),

    single("should work with Ingress, Egress specified together", UP, [
      policy("x", "allow-client-a-via-pod-selector", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress, Ingress]
        ingress:
        - from:
          - podSelector: {matchLabels: {pod: b}}
        egress:
        - ports:
          - port: 80`),
    ], [
      tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/b", "x/a", true))),
      tcp(81, reach((r) => r.expectAllIngress("x/a", false).expectAllEgress("x/a", false).expect("x/b", "x/a", true))),
    ]),

    single("should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)", UP, [
      policy("x", "allow-to-ns-y-pod-a", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
            podSelector: {matchLabels: {pod: a}}`),
      policy("y", "allow-from-xa-on-ya-match-selector", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}
            podSelector: {matchLabels: {pod: a}}`),
      policy("y", "allow-from-xa-on-yb-match-selector", `
        podSelector: {matchLabels: {pod: b}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: x}}
            podSelector: {matchLabels: {pod: a}}`),
    ], [tcp(80, reach((r) => r
      .expectPeer({ namespace: "x", pod: "a" }, {}, false)
      .expectPeer({}, { namespace: "y", pod: "a" }, false)
      .expectPeer({ namespace: "x", pod: "a" }, { namespace: "y", pod: "a" }, true)
      .expectPeer({}, { namespace: "y", pod: "b" }, false)))]),

    single("should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector", UP, [
      policy("x", "allow-to-ns-y-pod-a", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
            podSelector: {matchLabels: {pod: a}}`),
    ], [tcp(80, reach((r) => r.expectAllEgress("x/a", false).expect("x/a", "y/a", true)))]),

    single("should enforce policy based on NamespaceSelector with MatchExpressions using default ns label", UP, [
      policy("x", "allow-ns-y-match-selector-for-immutable-ns-label", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - namespaceSelector:
              matchExpressions:
              - {key: kubernetes.io/metadata.name, operator: NotIn, values: [y]}`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "x", pod: "a" }, { namespace: "y" }, false)))]),

    single("should deny all but egress DNS on UDP 53 (GetDenyAllWithEgressDNS)", "netpol/policies.go", [
      policy("x", "deny-all-tcp-allow-dns", `
        podSelector: {}
        policyTypes: [Egress, Ingress]
        ingress: []
        egress:
        - ports:
          - protocol: UDP
            port: 53`),
    ], [
      tcp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false).expectPeer({ namespace: "x" }, {}, false))),
      udp(53, reach((r) => r.expectPeer({}, { namespace: "x" }, false))),
      udp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false).expectPeer({ namespace: "x" }, {}, false))),
    ]),

    single("should allow egress to a pod by namespace and pod selector plus DNS to anyone (GetAllowEgressByNamespaceAndPod)", "netpol/policies.go", [
      policy("x", "allow-egress-y-b-and-dns", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - namespaceSelector: {matchLabels: {ns: y}}
            podSelector: {matchLabels: {pod: b}}
        - ports:
          - protocol: UDP
            port: 53`),
    ], [
      tcp(80, reach((r) => r.expectAllEgress("x/a", false).expect("x/a", "y/b", true))),
      udp(80, reach((r) => r.expectAllEgress("x/a", false).expect("x/a", "y/b", true))),
      udp(53, reach()),
      tcp(53, reach((r) => r.expectAllEgress("x/a", false).expect("x/a", "y/b", true))),
    ]),

    single("should allow egress only on a named UDP port (serve-80-udp)", "cyclonus portprotocolcases.go", [
      policy("x", "allow-egress-serve-80-udp", `
        podSelector: {}
        policyTypes: [Egress]
        egress:
        - ports:
          - protocol: UDP
            port: serve-80-udp`),
    ], [
      udp(80, reach()),
      udp(81, reach((r) => r.expectPeer({ namespace: "x" }, {}, false))),
      tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, {}, false))),
    ]),
  ],
};
