/**
 * Policy tiers end to end through the CLI (issue: policy tiers). Semantics from
 * network-policy-api: apis/v1alpha2/clusternetworkpolicy_types.go (tier order Admin →
 * NetworkPolicy → Baseline → default allow; Pass skips the rest of its tier; Deny/Accept end
 * evaluation) and apis/v1alpha1 (AdminNetworkPolicy priority, BaselineAdminNetworkPolicy named
 * "default").
 */
import { describe, expect, it } from "vitest";
import { run, scenario } from "./harness.js";

const CLUSTER = scenario("tiers", "cluster.yaml");
const ANP = scenario("tiers", "anp-deny-80.yaml");

describe("kwire trace with AdminNetworkPolicy / BaselineAdminNetworkPolicy", () => {
  it("an Admin-tier Deny wins over everything below it: DENIED, exit 1, naming the rule with its priority and file:line", async () => {
    const r = await run(["trace", "slytherin/draco-malfoy", "gryffindor/harry-potter:80", "-f", CLUSTER, "-f", ANP]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("DENIED");
    expect(r.stdout).toContain(`admin tier: AdminNetworkPolicy protect-gryffindor (priority 10) ingress[0] "deny-slytherin-80" Deny TCP:80 — ${ANP}:`);
  });

  it("Pass hands the port to the NetworkPolicy tier, where the isolating policy denies it", async () => {
    const r = await run(["trace", "slytherin/draco-malfoy", "gryffindor/harry-potter:8080", "-f", CLUSTER, "-f", ANP, "-o", "json"]);
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout) as { steps: { stage: string; detail: string; rules?: { kind: string; action: string; tier: string; priority?: number }[] }[] };
    const ing = t.steps.find((s) => s.stage === "ingress-policy");
    expect(ing?.detail).toContain("Pass TCP:8080 → next tier");
    expect(ing?.detail).toContain("NetworkPolicy tier: everything else (TCP:8080) is denied: gryffindor/default-deny isolates the pod");
    expect(ing?.rules?.[0]).toMatchObject({ kind: "AdminNetworkPolicy", action: "Pass", tier: "Admin", priority: 10 });
  });

  it("selecting a pod does not isolate it: other ports fall through to the default (allowed)", async () => {
    // harry-potter is isolated by the NetworkPolicy, so use the reverse direction: slytherin is
    // selected by the BANP only, which denies all ingress from any namespace.
    const r = await run(["trace", "gryffindor/harry-potter", "slytherin/draco-malfoy:80", "-f", CLUSTER, "-f", ANP]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('baseline tier: BaselineAdminNetworkPolicy default ingress[0] "deny-all" Deny TCP:80');
    const without = await run(["trace", "gryffindor/harry-potter", "slytherin/draco-malfoy:80", "-f", CLUSTER]);
    expect(without.code).toBe(0);
  });

  it("a policy kind kwire does not model is an error naming the kind, the verdict is marked uncertain (exit 3), and --strict exits 2", async () => {
    const cil = scenario("tiers", "antrea.yaml");
    const r = await run(["trace", "slytherin/draco-malfoy", "gryffindor/harry-potter:80", "-f", CLUSTER, "-f", cil]);
    expect(r.stderr).toContain("error[policy-kind-not-modelled]");
    expect(r.stderr).toContain("NetworkPolicy lock-down");
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("ALLOWED (UNCERTAIN)");
    expect(r.stdout).toMatch(/uncertain .*NetworkPolicy gryffindor\/lock-down is not modelled/);
    const strict = await run(["trace", "slytherin/draco-malfoy", "gryffindor/harry-potter:80", "-f", CLUSTER, "-f", cil, "--strict"]);
    expect(strict.code).toBe(2);
  });

  it("a NetworkPolicy skipped for a bad field makes the verdict uncertain instead of silently ALLOWED", async () => {
    const bad = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: broken, namespace: gryffindor}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/33}
`;
    const r = await run(["trace", "slytherin/draco-malfoy", "gryffindor/harry-potter:80", "-f", CLUSTER, "-f", "-", "-o", "json"], bad);
    expect(r.code).toBe(3);
    const t = JSON.parse(r.stdout) as { verdict: string; uncertain?: { reason: string }[] };
    expect(t.uncertain?.[0]?.reason).toMatch(/^NetworkPolicy gryffindor\/broken was skipped for an input error \(/);
  });

  it("--cni cilium does not enforce AdminNetworkPolicy: the note says so and the Admin tier is not applied", async () => {
    const r = await run(["trace", "slytherin/draco-malfoy", "gryffindor/harry-potter:80", "-f", CLUSTER, "-f", ANP, "--cni", "cilium"]);
    expect(r.stderr).toContain("cilium does not enforce AdminNetworkPolicy");
    expect(r.stdout).not.toContain("admin tier");
  });
});

describe("kwire test marks uncertain results", () => {
  it("an expectation whose verdict an unmodelled policy could change is PASS? with the reason", async () => {
    const expectations = `apiVersion: kwire/v1alpha1
kind: ConnectivityTest
spec:
  expectations:
  - {from: slytherin/draco-malfoy, to: gryffindor/harry-potter, port: 80, expect: allowed}
`;
    const r = await run(["test", "-f", CLUSTER, "-f", scenario("tiers", "antrea.yaml"), "--expect", "-", "-o", "json"], expectations);
    const out = JSON.parse(r.stdout) as { results: { passed: boolean; uncertain?: string[] }[] } | { passed: boolean; uncertain?: string[] }[];
    const results = Array.isArray(out) ? out : out.results;
    expect(results[0]?.passed).toBe(true);
    expect(results[0]?.uncertain?.[0]).toMatch(/^NetworkPolicy gryffindor\/lock-down is not modelled/);
    const table = await run(["test", "-f", CLUSTER, "-f", scenario("tiers", "antrea.yaml"), "--expect", "-"], expectations);
    expect(table.stdout).toMatch(/^PASS\? /m);
    expect(table.stdout).toContain("1 passed, 0 failed, 1 uncertain");
  });
});

describe("kwire matrix marks uncertain connections", () => {
  it("-o json lists the policy gaps and marks the connections at pods they may select", async () => {
    const r = await run(["matrix", "-f", CLUSTER, "-f", scenario("tiers", "antrea.yaml"), "--level", "pod", "-o", "json"]);
    const m = JSON.parse(r.stdout) as { connections: { src: string; dst: string; uncertain?: true }[]; uncertain?: { kind: string; namespace?: string; reason: string; line: number }[] };
    expect(m.uncertain).toEqual([{ kind: "NetworkPolicy", name: "lock-down", namespace: "gryffindor", reason: "not-modelled", file: scenario("tiers", "antrea.yaml"), line: 1 }]);
    const toHarry = m.connections.find((c) => c.src.startsWith("slytherin/") && c.dst.startsWith("gryffindor/"));
    expect(toHarry?.uncertain).toBe(true);
    const outside = m.connections.find((c) => c.src.startsWith("slytherin/") && c.dst.startsWith("ipblock:"));
    expect(outside?.uncertain).toBeUndefined();
  });
});
