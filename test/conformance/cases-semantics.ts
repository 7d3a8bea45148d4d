/**
 * @module conformance/cases-semantics
 * The API's nil-vs-empty and defaulting rules on the e2e model, each quoting the rule it
 * checks (networking.k8s.io/v1 NetworkPolicySpec), plus cyclonus' generated "base" policy
 * (pkg/generator/netpol.go `baseTestPolicy`) and its target/peer selector variants.
 */
import { policy, reach, single, tcp, udp, type CaseGroup } from "./dsl.js";

const API = "networking.k8s.io/v1 NetworkPolicySpec";
const CYC_TARGET = "cyclonus targetcases.go";
const CYC_PEERS = "cyclonus peerscases.go";

export const SEMANTICS_CASES: CaseGroup = {
  name: "API defaults and nil vs empty",
  cases: [
    single("policyTypes unset and no egress rules: the policy is Ingress only", API, [
      policy("x", "ingress-only-by-default", `
        podSelector: {matchLabels: {pod: a}}
        ingress:
        - from:
          - podSelector: {matchLabels: {pod: b}}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/b", "x/a", true)))]),

    single("policyTypes unset with egress rules: Ingress and Egress, so no ingress rules means deny all ingress", API, [
      policy("x", "egress-rules-imply-both", `
        podSelector: {matchLabels: {pod: a}}
        egress:
        - ports:
          - port: 80`),
    ], [
      tcp(80, reach((r) => r.expectAllIngress("x/a", false))),
      tcp(81, reach((r) => r.expectAllIngress("x/a", false).expectAllEgress("x/a", false))),
    ]),

    single("policyTypes unset with 'egress: []': an empty egress list does not make the policy Egress", API, [
      policy("x", "empty-egress-list", `
        podSelector: {matchLabels: {pod: a}}
        egress: []`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false)))]),

    single("policyTypes [Egress] ignores ingress rules: the pod is not isolated for ingress", API, [
      policy("x", "egress-only-with-ingress-rules", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        ingress:
        - from:
          - podSelector: {matchLabels: {pod: b}}
        egress: []`),
    ], [tcp(80, reach((r) => r.expectAllEgress("x/a", false)))]),

    single("'from: []' (empty) matches all sources, like an absent 'from'", `${API}; ${CYC_PEERS} TagEmptyPeerSlice`, [
      policy("x", "empty-from", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from: []
          ports:
          - port: 80`),
    ], [tcp(80, reach()), tcp(81, reach((r) => r.expectAllIngress("x/a", false)))]),

    single("'ports: []' (empty) matches all ports, like an absent 'ports'", `${API}; cyclonus portprotocolcases.go TagEmptyPortSlice`, [
      policy("x", "empty-ports", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - podSelector: {matchLabels: {pod: c}}
          ports: []`),
    ], [
      tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/c", "x/a", true))),
      udp(81, reach((r) => r.expectAllIngress("x/a", false).expect("x/c", "x/a", true))),
    ]),

    single("an empty 'ingress: []' list denies all ingress, while 'ingress: [{}]' allows all", API, [
      policy("x", "deny-a", `
        podSelector: {matchLabels: {pod: a}}
        ingress: []`),
      policy("x", "allow-b", `
        podSelector: {matchLabels: {pod: b}}
        ingress:
        - {}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false)))]),

    single("a podSelector peer without namespaceSelector looks only in the policy's namespace; namespaceSelector {} looks everywhere", `${API}; ${CYC_PEERS}`, [
      policy("x", "pod-c-here-or-anywhere", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - podSelector: {matchLabels: {pod: c}}
        - from:
          - podSelector: {matchLabels: {pod: b}}
            namespaceSelector: {}`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/a", false).expect("x/c", "x/a", true).expectPeer({ pod: "b" }, { namespace: "x", pod: "a" }, true)))]),

    single("should isolate the pods a NotIn target selector picks", CYC_TARGET, [
      policy("x", "target-not-a", `
        podSelector:
          matchExpressions:
          - {key: pod, operator: NotIn, values: [a]}
        policyTypes: [Ingress]
        ingress: []`),
    ], [tcp(80, reach((r) => r.expectAllIngress("x/b", false).expectAllIngress("x/c", false)))]),

    {
      title: "should select namespaces with Exists and NotIn expressions together (AND), and pods by DoesNotExist",
      upstream: CYC_PEERS,
      steps: [{
        model: { podLabels: { "y/b": { pod2: "updated" } } },
        policies: [
          policy("x", "ns-exists-not-z", `
            podSelector: {matchLabels: {pod: a}}
            policyTypes: [Ingress]
            ingress:
            - from:
              - namespaceSelector:
                  matchExpressions:
                  - {key: ns, operator: Exists}
                  - {key: kubernetes.io/metadata.name, operator: NotIn, values: [z]}
                podSelector:
                  matchExpressions:
                  - {key: pod2, operator: DoesNotExist}`),
        ],
        probes: [tcp(80, reach((r) => r.expectPeer({ namespace: "z" }, { namespace: "x", pod: "a" }, false).expect("y/b", "x/a", false)))],
      }],
    },

    {
      title: "pods with the same labels are still told apart by ipBlocks over their IPs (x/c relabelled pod=b)",
      upstream: `${CYC_PEERS} TagIPBlockWithExcept`,
      steps: [{
        model: { podLabels: { "x/c": { pod: "b" } } },
        policies: [
          policy("x", "a-from-x-except-c", `
            podSelector: {matchLabels: {pod: a}}
            policyTypes: [Ingress]
            ingress:
            - from:
              - ipBlock: {cidr: 10.0.1.0/24, except: [10.0.1.3/32]}`),
          policy("x", "b-egress-not-y", `
            podSelector: {matchLabels: {pod: b}}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock: {cidr: 10.0.0.0/8, except: [10.0.2.0/24]}`),
        ],
        probes: [tcp(80, reach((r) => r
          .expectAllIngress("x/a", false)
          .expect("x/b", "x/a", true)
          .expectPeer({ namespace: "x", pod: "b" }, { namespace: "y" }, false)
          .expectPeer({ namespace: "x", pod: "c" }, { namespace: "y" }, false)))],
      }],
    },

    {
      title: "NotIn selects objects that lack the key (target and namespaceSelector), and z labelled team=blue is excluded",
      upstream: "metav1.LabelSelector NotIn; network_policy.go NotIn cases",
      steps: [{
        model: { namespaceLabels: { z: { team: "blue" } } },
        policies: [
          policy("x", "not-prod-from-not-blue", `
            podSelector:
              matchExpressions:
              - {key: env, operator: NotIn, values: [prod]}
            policyTypes: [Ingress]
            ingress:
            - from:
              - namespaceSelector:
                  matchExpressions:
                  - {key: team, operator: NotIn, values: [blue]}`),
        ],
        probes: [tcp(80, reach((r) => r.expectPeer({ namespace: "z" }, { namespace: "x" }, false)))],
      }],
    },

    single("cyclonus base policy: ingress from pods b,c of x,y and egress to pods a,b of y,z on TCP 80, plus DNS", "cyclonus netpol.go baseTestPolicy", [
      policy("x", "base", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress, Egress]
        ingress:
        - ports:
          - {port: 80, protocol: TCP}
          from:
          - podSelector:
              matchExpressions:
              - {key: pod, operator: In, values: [b, c]}
            namespaceSelector:
              matchExpressions:
              - {key: ns, operator: In, values: [x, y]}
        egress:
        - ports:
          - {port: 80, protocol: TCP}
          to:
          - podSelector:
              matchExpressions:
              - {key: pod, operator: In, values: [a, b]}
            namespaceSelector:
              matchExpressions:
              - {key: ns, operator: In, values: [y, z]}
        - ports:
          - {protocol: UDP, port: 53}
          - {protocol: TCP, port: 53}`),
    ], [
      tcp(80, reach((r) => r
        .expectAllIngress("x/a", false)
        .expectPeer({ namespace: "x", pod: "b" }, { namespace: "x", pod: "a" }, true)
        .expectPeer({ namespace: "x", pod: "c" }, { namespace: "x", pod: "a" }, true)
        .expectPeer({ namespace: "y", pod: "b" }, { namespace: "x", pod: "a" }, true)
        .expectPeer({ namespace: "y", pod: "c" }, { namespace: "x", pod: "a" }, true)
        .expectAllEgress("x/a", false)
        .expectPeer({ namespace: "x", pod: "a" }, { namespace: "y", pod: "a" }, true)
        .expectPeer({ namespace: "x", pod: "a" }, { namespace: "y", pod: "b" }, true)
        .expectPeer({ namespace: "x", pod: "a" }, { namespace: "z", pod: "a" }, true)
        .expectPeer({ namespace: "x", pod: "a" }, { namespace: "z", pod: "b" }, true))),
      tcp(81, reach((r) => r.expectAllIngress("x/a", false).expectAllEgress("x/a", false))),
      udp(53, reach((r) => r.expectAllIngress("x/a", false))),
    ]),
  ],
};
