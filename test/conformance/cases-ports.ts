/**
 * @module conformance/cases-ports
 * Ports and protocols: numeric and named ports (ingress and egress), protocol-only ports,
 * the SCTP/UDP safety cases and the UDP and SCTP contexts of network_policy.go, endPort ranges
 * (KEP-2079) and cyclonus' pathological port cases (portprotocolcases.go).
 */
import { policy, reach, sctp, single, tcp, udp, type CaseGroup } from "./dsl.js";

const UP = "network_policy.go";
const UP_UDP = "network_policy.go, NetworkPolicy between server and client using UDP";
const UP_SCTP = "network_policy.go, NetworkPolicy between server and client using SCTP";
const CYC = "cyclonus portprotocolcases.go";

const portsPolicy = (protocol: string): string => policy("x", "allow-ingress-on-port-81-ns-x", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
    ports:
    - port: 81
      protocol: ${protocol}`);

const yPodAPolicy = policy("x", "allow-ns-y-pod-a-via-namespace-pod-selector", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
      podSelector: {matchLabels: {pod: a}}`);

const denyIngress = policy("x", "deny-all", `
  podSelector: {}
  policyTypes: [Ingress]
  ingress: []`);

const onlyY = reach((r) => r.expectPeer({ namespace: "x" }, { namespace: "x", pod: "a" }, false).expectPeer({ namespace: "z" }, { namespace: "x", pod: "a" }, false));

export const PORT_CASES: CaseGroup = {
  name: "ports and protocols",
  cases: [
    single("should enforce policy based on Ports", UP, [portsPolicy("TCP")], [tcp(81, onlyY)]),

    single("should support allow-all policy", UP, [
      policy("x", "allow-all", `
        podSelector: {matchLabels: {}}
        policyTypes: [Ingress]
        ingress:
        - {}`),
    ], [tcp(80, reach()), tcp(81, reach())]),

    single("should allow ingress access on one named port", UP, [
      policy("x", "allow-all", `
        podSelector: {matchLabels: {}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - port: serve-81-tcp`),
    ], [tcp(81, reach()), tcp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false)))]),

    single("should allow ingress access from namespace on one named port", UP, [
      policy("x", "allow-client-a-via-ns-selector-80", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}
          ports:
          - port: serve-80-tcp
            protocol: TCP`),
    ], [tcp(80, onlyY), tcp(81, reach((r) => r.expectAllIngress("x/a", false)))]),

    single("should allow egress access on one named port", UP, [
      policy("x", "allow-egress", `
        podSelector: {matchLabels: {}}
        policyTypes: [Egress]
        egress:
        - ports:
          - port: serve-80-tcp`),
    ], [tcp(80, reach()), tcp(81, reach((r) => r.expectPeer({ namespace: "x" }, {}, false)))]),

    single("should enforce ingress policy allowing any port traffic to a server on a specific protocol", UP, [
      policy("x", "allow-ingress-by-proto", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - protocol: TCP`),
    ], [tcp(80, reach()), udp(80, reach((r) => r.expectPeer({}, { namespace: "x", pod: "a" }, false)))]),

    single("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP", UP, [
      denyIngress,
      policy("x", "allow-only-sctp-ingress-on-port-81", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - port: 81
            protocol: SCTP`),
    ], [
      tcp(81, reach((r) => r.expectPeer({}, { namespace: "x" }, false))),
      // Not probed upstream: the SCTP port itself is open to x/a only.
      sctp(81, reach((r) => r.expectPeer({}, { namespace: "x" }, false).expectAllIngress("x/a", true))),
    ]),

    single("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP", UP, [
      policy("x", "allow-only-sctp-ingress-on-port-80", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - port: 80
            protocol: SCTP`),
    ], [tcp(81, reach((r) => r.expectAllIngress("x/a", false))), sctp(80, reach())]),

    single("should not allow access by TCP when a policy specifies only UDP", UP, [
      policy("x", "allow-only-udp-ingress-on-port-81", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - port: 81
            protocol: UDP`),
    ], [tcp(81, reach((r) => r.expectAllIngress("x/a", false))), udp(81, reach())]),

    single("should support a 'default-deny-ingress' policy", UP_UDP, [denyIngress], [udp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false)))]),
    single("should enforce policy based on Ports", UP_UDP, [portsPolicy("UDP")], [udp(81, onlyY), tcp(81, reach((r) => r.expectAllIngress("x/a", false)))]),
    single("should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector", UP_UDP, [yPodAPolicy], [
      udp(80, reach((r) => r.expectAllIngress("x/a", false).expect("y/a", "x/a", true))),
    ]),

    single("should support a 'default-deny-ingress' policy", UP_SCTP, [denyIngress], [sctp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false)))]),
    single("should enforce policy based on Ports", UP_SCTP, [portsPolicy("SCTP")], [sctp(81, onlyY), udp(81, reach((r) => r.expectAllIngress("x/a", false)))]),
    single("should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector", UP_SCTP, [yPodAPolicy], [
      sctp(80, reach((r) => r.expectAllIngress("x/a", false).expect("y/a", "x/a", true))),
    ]),

    single("should allow ingress on a port range with endPort", "KEP-2079 endPort; cyclonus PortRangeMatcher", [
      policy("x", "allow-ingress-81-to-90", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - protocol: TCP
            port: 81
            endPort: 90`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false))), tcp(81, reach()), udp(81, reach((r) => r.expectAllIngress("x/a", false)))]),

    single("should allow egress on a port range with endPort", "KEP-2079 endPort; cyclonus PortRangeMatcher", [
      policy("x", "allow-egress-udp-53-to-80", `
        podSelector: {}
        policyTypes: [Egress]
        egress:
        - ports:
          - protocol: UDP
            port: 53
            endPort: 80`),
    ], [udp(80, reach()), udp(53, reach()), udp(81, reach((r) => r.expectPeer({ namespace: "x" }, {}, false))), tcp(80, reach((r) => r.expectPeer({ namespace: "x" }, {}, false)))]),

    single("should not open a named port that doesn't match its protocol", CYC, [
      policy("x", "named-port-wrong-protocol", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - protocol: TCP
            port: serve-81-udp`),
    ], [tcp(81, reach((r) => r.expectAllIngress("x/a", false))), udp(81, reach((r) => r.expectAllIngress("x/a", false)))]),

    single("should isolate a pod when its policy opens only a numbered port that isn't served", CYC, [
      policy("x", "numbered-port-not-served", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - ports:
          - protocol: TCP
            port: 7981`),
    ], [tcp(80, reach((r) => r.expectAllEgress("x/a", false))), tcp(81, reach((r) => r.expectAllEgress("x/a", false)))]),

    single("should union two ports of different protocols in one rule", "cyclonus TwoPortProtocolTestCases", [
      policy("x", "two-ports", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - ports:
          - protocol: UDP
            port: 80
          - protocol: SCTP`),
    ], [
      udp(80, reach()),
      udp(81, reach((r) => r.expectAllIngress("x/a", false))),
      sctp(81, reach()),
      tcp(80, reach((r) => r.expectAllIngress("x/a", false))),
    ]),

    single("should open a named SCTP port only for the selected namespace", CYC, [
      policy("x", "allow-serve-81-sctp-from-z", `
        podSelector: {}
        policyTypes: [Ingress]
        ingress:
        - from:
          - namespaceSelector: {matchLabels: {ns: z}}
          ports:
          - protocol: SCTP
            port: serve-81-sctp`),
    ], [
      sctp(81, reach((r) => r.expectPeer({ namespace: "x" }, { namespace: "x" }, false).expectPeer({ namespace: "y" }, { namespace: "x" }, false))),
      sctp(80, reach((r) => r.expectPeer({}, { namespace: "x" }, false))),
    ]),
  ],
};
