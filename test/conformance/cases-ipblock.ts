/**
 * @module conformance/cases-ipblock
 * ipBlock peers matching pod IPs (status.podIP): the three CIDR cases of network_policy.go
 * (egress to a /32, cidr with except, an IP in both cidr and except) and ingress/egress
 * ipBlock cases in the style of cyclonus peerscases.go (`podIP/24`, `/24 except /28`).
 * Pod IPs are 10.0.<ns>.<pod>: x=1, y=2, z=3; a=1, b=2, c=3 (see model.ts).
 */
import { policy, reach, single, tcp, type CaseGroup } from "./dsl.js";
import { podIP } from "./model.js";

const UP = "network_policy.go";
const CYC = "cyclonus peerscases.go";

/** Upstream builds `podA.Status.PodIP + "/4"`: a CIDR with host bits set, as the API accepts. */
const exceptPolicy = policy("x", "allow-client-a-via-cidr-egress-rule", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock:
        cidr: ${podIP("x/a")}/4
        except: [${podIP("x/b")}/32]`);

export const IPBLOCK_CASES: CaseGroup = {
  name: "ipBlock",
  cases: [
    single("should allow egress access to server in CIDR block", UP, [
      policy("x", "allow-client-a-via-cidr-egress-rule", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - ipBlock: {cidr: ${podIP("y/b")}/32}`),
    ], [tcp(80, reach((r) => r.expectAllEgress("x/a", false).expect("x/a", "y/b", true)))]),

    single("should enforce except clause while egress access to server in CIDR block", UP, [exceptPolicy], [
      tcp(80, reach((r) => r.expect("x/a", "x/b", false))),
    ]),

    {
      title: "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed",
      upstream: UP,
      steps: [
        { policies: [exceptPolicy], probes: [tcp(80, reach((r) => r.expect("x/a", "x/b", false)))] },
        {
          label: "after UpdatePolicy to cidr podB/32",
          policies: [
            policy("x", "allow-client-a-via-cidr-egress-rule", `
              podSelector: {matchLabels: {pod: a}}
              policyTypes: [Egress]
              egress:
              - to:
                - ipBlock: {cidr: ${podIP("x/b")}/32}`),
          ],
          probes: [tcp(80, reach((r) => r.expectAllEgress("x/a", false).expect("x/a", "x/b", true)))],
        },
      ],
    },

    single("should allow ingress from an ipBlock podIP/24 on the base policy's port", CYC, [
      policy("x", "base", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - ipBlock: {cidr: ${podIP("y/a")}/24}
          ports:
          - {protocol: TCP, port: 80}`),
    ], [
      tcp(80, reach((r) => r.expectAllIngress("x/a", false).expectPeer({ namespace: "y" }, { namespace: "x", pod: "a" }, true))),
      tcp(81, reach((r) => r.expectAllIngress("x/a", false))),
    ]),

    single("should deny ingress from the except of an ipBlock", CYC, [
      policy("x", "base", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Ingress]
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/16
              except: [10.0.2.0/24, ${podIP("z/c")}/32]`),
    ], [tcp(80, reach((r) => r.expectPeer({ namespace: "y" }, { namespace: "x", pod: "a" }, false).expect("z/c", "x/a", false)))]),

    single("should allow egress to an ipBlock podIP/24 except a /31 inside it", CYC, [
      policy("y", "base", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - ipBlock:
              cidr: ${podIP("z/a")}/24
              except: [${podIP("z/a")}/31]`),
    ], [tcp(80, reach((r) => r.expectAllEgress("y/a", false).expect("y/a", "z/c", true).expect("y/a", "z/b", true)))]),

    single("should OR an ipBlock peer with a pod peer in one egress rule", "network_policy.go peers (OR); cyclonus", [
      policy("x", "ipblock-or-pods", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - ipBlock:
              cidr: 10.0.0.0/16
              except: [10.0.3.0/24]
          - namespaceSelector: {matchLabels: {ns: z}}
            podSelector: {matchLabels: {pod: c}}`),
    ], [tcp(80, reach((r) => r.expect("x/a", "z/a", false).expect("x/a", "z/b", false)))]),

    single("should treat ipBlock 0.0.0.0/0 as every pod and an ipBlock outside the pod network as none", "cyclonus ippeermatcher.go", [
      policy("x", "egress-everywhere", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - ipBlock: {cidr: 0.0.0.0/0}`),
      policy("x", "egress-nowhere", `
        podSelector: {matchLabels: {pod: b}}
        policyTypes: [Egress]
        egress:
        - to:
          - ipBlock: {cidr: 192.168.0.0/16}`),
    ], [tcp(80, reach((r) => r.expectAllEgress("x/b", false)))]),

    single("should resolve a named port against the destination pod when the peer is an ipBlock", "cyclonus ippeermatcher.go + portmatcher.go", [
      policy("x", "ipblock-named-port", `
        podSelector: {matchLabels: {pod: a}}
        policyTypes: [Egress]
        egress:
        - to:
          - ipBlock: {cidr: 10.0.0.0/8}
          ports:
          - port: serve-80-tcp`),
    ], [tcp(80, reach()), tcp(81, reach((r) => r.expectAllEgress("x/a", false)))]),
  ],
};
