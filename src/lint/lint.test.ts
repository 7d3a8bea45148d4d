import { describe, expect, it } from "vitest";
import { parseCidr, ipSetOfCidr, type NetworkPolicy, type Peer, type PolicyRule } from "../model/index.js";
import { cluster, ip, pod, port, service, src } from "../services/kube-proxy/testing/model.js";
import { closest, editDistance, runLint } from "./index.js";
import { ruleCovers, selectorCovers } from "./checks/policy-rule-shadowed.js";

const sel = (l: Record<string, string>) => ({ matchLabels: l, matchExpressions: [] });
const block = (c: string): Peer => {
  const p = parseCidr(c);
  if (!p.ok) throw new Error(c);
  return { type: "IPBlock", cidr: p.cidr, except: [], set: ipSetOfCidr(p.cidr), text: c, source: src() };
};
const rule = (peers: PolicyRule["peers"], ports: PolicyRule["ports"] = "All"): PolicyRule => ({ peers, ports, source: src() });
const policy = (name: string, egress: PolicyRule[]): NetworkPolicy => ({
  kind: "NetworkPolicy", namespace: "x", name, podSelector: sel({}), policyTypes: ["Egress"], ingress: [], egress, source: src(),
});

describe("closest", () => {
  it("edit distance", () => {
    expect(editDistance("app=wbe", "app=web")).toBe(2);
    expect(editDistance("", "abc")).toBe(3);
  });
  it("suggests only plausible typos", () => {
    expect(closest("app=frontnd", ["app=frontend", "app=api"])).toBe("app=frontend");
    expect(closest("app=frontend", ["tier=db"])).toBeUndefined();
  });
});

describe("rule coverage (policy-rule-shadowed)", () => {
  it("fewer selector requirements select more pods", () => {
    expect(selectorCovers(sel({ app: "a" }), sel({ app: "a", tier: "b" }))).toBe(true);
    expect(selectorCovers(sel({ app: "a", tier: "b" }), sel({ app: "a" }))).toBe(false);
  });
  it("a wider ipBlock and port range covers a narrower one", () => {
    const tcp = (p: number, e = p) => ({ protocol: "TCP" as const, port: { type: "Number" as const, port: p, endPort: e }, source: src() });
    expect(ruleCovers(rule([block("10.0.0.0/8")], [tcp(80, 90)]), rule([block("10.1.0.0/16")], [tcp(85)]), {})).toBe(true);
    expect(ruleCovers(rule([block("10.1.0.0/16")]), rule([block("10.0.0.0/8")]), {})).toBe(false);
    expect(ruleCovers(rule("All"), rule([block("10.0.0.0/8")], [tcp(1)]), {})).toBe(true);
  });
  it("runLint reports the narrower of two overlapping rules once", () => {
    const c = cluster({ pods: [pod("x", "a", { app: "a" }, "10.244.0.5", "n")], networkPolicies: [policy("p", [rule([block("10.0.0.0/8")]), rule([block("10.1.0.0/16")])])] });
    const f = runLint(c, { only: ["policy-rule-shadowed"] });
    expect(f.map((x) => x.message)).toEqual([expect.stringMatching(/^egress\[1\] is covered by egress\[0\]/)]);
  });
});

describe("checks on model objects", () => {
  it("dns-egress-blocked: UDP allowed but not TCP is info", () => {
    const udp53 = [{ protocol: "UDP" as const, port: { type: "Number" as const, port: 53, endPort: 53 }, source: src() }];
    const c = cluster({ pods: [pod("x", "a", { app: "a" }, "10.244.0.5", "n")], networkPolicies: [policy("dns", [rule("All", udp53)])] });
    expect(runLint(c, { only: ["dns-egress-blocked"] })).toMatchObject([{ severity: "info", message: expect.stringContaining("TCP 53 is not") }]);
  });
  it("externalname-in-cluster: a cluster-local name with no such Service", () => {
    const c = cluster({ services: [service("x", "alias", "None", [], { type: "ExternalName", externalName: "db.data.svc.cluster.local", clusterIPs: [], headless: false })] });
    expect(runLint(c, { only: ["externalname-in-cluster"] })[0]?.message).toContain("does not declare: lookups return NXDOMAIN");
  });
  it("service-named-port-unresolved: only some pods lack the name ⇒ warning", () => {
    const c = cluster({
      pods: [pod("x", "a", { app: "s" }, "10.244.0.5", "n", [{ name: "http", containerPort: 80, protocol: "TCP" }]), pod("x", "b", { app: "s" }, "10.244.0.6", "n", [{ containerPort: 80, protocol: "TCP" }])],
      services: [service("x", "s", "10.96.0.9", [port(80, "http")])],
    });
    expect(runLint(c, { only: ["service-named-port-unresolved"] })).toMatchObject([{ severity: "warning", message: expect.stringContaining("b do not declare") }]);
  });
  it("nothing to say about an empty cluster", () => {
    expect(runLint(cluster({ nodes: [] }))).toEqual([]);
    expect(ip("10.0.0.1").family).toBe(4);
  });
});
