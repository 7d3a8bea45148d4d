/**
 * Dual-stack pods and address rules (src/policy/family-dependence.ts). Source of the semantics:
 * KEP-563 (IPv4/IPv6 dual-stack) and the NetworkPolicy API reference — an ipBlock is a CIDR of one
 * family and the kernel compares it with the packet's addresses, so a dual-stack pod matches an
 * IPv4 ipBlock over IPv4 only (the lab shows it per family: src/lab/dual-stack.test.ts).
 */
import { describe, expect, it } from "vitest";
import { analyzeCluster } from "../analyze/index.js";
import { buildTopology, fastAnalysis } from "../engine/index.js";
import { containsPort } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { familyDependentGaps } from "./family-dependence.js";

const pods = (dual: boolean): string => ["a", "b"].map((n, i) => `apiVersion: v1
kind: Pod
metadata: {name: ${n}, namespace: x, labels: {app: ${n}}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status:
  podIP: 10.0.0.${i + 1}
  podIPs: [{ip: 10.0.0.${i + 1}}${dual ? `, {ip: "fd00::${i + 1}"}` : ""}]
`).join("---\n");

const np = (peers: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: x}
spec:
  podSelector: {matchLabels: {app: a}}
  ingress: [{from: [${peers}]}]
`;

function gaps(text: string, cni?: string): string[] {
  const load = loadCluster([{ path: "c.yaml", text }]);
  const a = analyzeCluster(load, cni === undefined ? {} : { cni });
  if ("error" in a) throw new Error(a.error);
  return familyDependentGaps(a.cluster, buildTopology(a.cluster).subjects).map((g) => `${g.kind} ${g.namespace}/${g.name}: ${g.detail ?? ""}`);
}

describe("family-dependent address rules", () => {
  it("an IPv4 ipBlock matching a dual-stack pod: one gap naming the rule, the pod and both addresses", () => {
    expect(gaps(`${pods(true)}---\n${np("{ipBlock: {cidr: 10.0.0.2/32}}")}`)).toEqual([
      "NetworkPolicy x/p: NetworkPolicy x/p ingress[0] matches x/b (as peer) by 10.0.0.2 but not by fd00::2: a connection's verdict depends on its address family",
    ]);
  });
  it("none when the rule names both families, when selectors decide, or when pods are single-stack", () => {
    expect(gaps(`${pods(true)}---\n${np('{ipBlock: {cidr: 10.0.0.2/32}}, {ipBlock: {cidr: "fd00::2/128"}}')}`)).toEqual([]);
    expect(gaps(`${pods(true)}---\n${np('{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "::/0"}}')}`)).toEqual([]);
    expect(gaps(`${pods(true)}---\n${np("{podSelector: {matchLabels: {app: b}}}")}`)).toEqual([]);
    expect(gaps(`${pods(false)}---\n${np("{ipBlock: {cidr: 10.0.0.2/32}}")}`)).toEqual([]);
    // An ipBlock that matches neither address of the pod is not family-dependent either.
    expect(gaps(`${pods(true)}---\n${np("{ipBlock: {cidr: 192.168.0.0/16}}")}`)).toEqual([]);
  });
  it("an except that removes one family's address only is family-dependent too", () => {
    expect(gaps(`${pods(true)}---\n${np('{ipBlock: {cidr: "fd00::/64", except: ["fd00::2/128"]}}, {ipBlock: {cidr: 10.0.0.0/24}}')}`)).toHaveLength(1);
  });
  it("AdminNetworkPolicy networks (cluster-scoped: no namespace)", () => {
    const anp = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-v4}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}
  egress: [{name: d, action: Deny, to: [{networks: [10.0.0.0/24]}]}]
`;
    expect(gaps(`${pods(true)}---\n${anp}`)).toEqual([expect.stringMatching(/^AdminNetworkPolicy undefined\/deny-v4: AdminNetworkPolicy deny-v4 egress\[0\] matches x\/a \(as peer\) by 10\.0\.0\.1 but not by fd00::1/)]);
  });
  it("Calico nets on the local side (destination nets of an ingress rule)", () => {
    const cnp = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: c, namespace: x}
spec:
  selector: app == 'a'
  types: [Ingress]
  ingress: [{action: Allow, destination: {nets: [10.0.0.1/32]}}]
`;
    expect(gaps(`${pods(true)}---\n${cnp}`, "calico")).toEqual([expect.stringMatching(/matches x\/a \(as local endpoint\) by 10\.0\.0\.1 but not by fd00::1/)]);
  });
  it("Cilium: CIDR rules never match pods (cilium/cilium#9209), so no gap", () => {
    const cnp = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: c, namespace: x}
spec:
  endpointSelector: {matchLabels: {app: a}}
  ingress: [{fromCIDR: [10.0.0.0/24]}]
`;
    expect(gaps(`${pods(true)}---\n${cnp}`, "cilium")).toEqual([]);
  });
});

/**
 * Calico's ipVersion (Rule reference, docs reference/resources/networkpolicy: "ipVersion — Positive IP
 * version match. 4, 6"). Felix renders a policy once per IP version and leaves a rule out of the
 * other version's chains (projectcalico/calico felix/rules/policy.go: "Skipping rule because it is
 * for a different IP version."), so the rule matches only connections of its family.
 */
describe("Calico ipVersion", () => {
  const gnp = (ipVersion: 4 | 6): string => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: v${ipVersion}, namespace: x}
spec:
  selector: app == 'a'
  types: [Ingress]
  ingress: [{action: Allow, ipVersion: ${ipVersion}, protocol: TCP, destination: {ports: [80]}}]
`;
  const verdicts = (text: string): boolean[] => {
    const a = analyzeCluster(loadCluster([{ path: "c.yaml", text }]), { cni: "calico" });
    if ("error" in a) throw new Error(a.error);
    const topo = buildTopology(a.cluster);
    const an = fastAnalysis(a.cluster, topo);
    const s = topo.subjects.findIndex((x) => x.name === "b");
    const d = topo.subjects.findIndex((x) => x.name === "a");
    return [containsPort(an.explain(s, d).ports, "TCP", 80)];
  };
  const pod = (name: string, ips: string[]): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: x, labels: {app: ${name}}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status: {podIP: "${ips[0] ?? ""}", podIPs: [${ips.map((ip) => `{ip: "${ip}"}`).join(", ")}]}
`;
  it("a dual-stack pod matched by an ipVersion rule: a family-dependent gap naming the rule and the family it leaves out", () => {
    expect(gaps(`${pods(true)}---\n${gnp(4)}`, "calico")).toEqual([expect.stringMatching(/ingress\[0\] has ipVersion 4 and matches x\/a: its IPv6 connections are not matched/)]);
    expect(gaps(`${pods(true)}---\n${gnp(6)}`, "calico")).toEqual([expect.stringMatching(/has ipVersion 6 and matches x\/a: its IPv4 connections are not matched/)]);
    // Single-stack pods: each connection has one family, no gap.
    expect(gaps(`${pods(false)}---\n${gnp(6)}`, "calico")).toEqual([]);
  });
  it("the connection's family is the one both ends have, whatever order a dual-stack pod lists its addresses in", () => {
    // b (the source) is dual-stack listing IPv6 first, a has IPv4 only: b → a runs over IPv4.
    const text = (v: 4 | 6): string => [pod("a", ["10.0.0.1"]), pod("b", ["fd00::2", "10.0.0.2"]), gnp(v)].join("---\n");
    expect(verdicts(text(4))).toEqual([true]);
    expect(verdicts(text(6))).toEqual([false]);
    // a has IPv6 only: b → a runs over IPv6, though b lists IPv4 first.
    const text6 = (v: 4 | 6): string => [pod("a", ["fd00::1"]), pod("b", ["10.0.0.2", "fd00::2"]), gnp(v)].join("---\n");
    expect(verdicts(text6(6))).toEqual([true]);
    expect(verdicts(text6(4))).toEqual([false]);
  });
});
