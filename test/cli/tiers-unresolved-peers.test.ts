/**
 * AdminNetworkPolicy egress peers kwire cannot resolve to addresses: `nodes` when the input
 * declares no Node objects, and `domainNames`. Semantics: network-policy-api apis/v1alpha1
 * AdminNetworkPolicyEgressPeer — `nodes` "defines a way to select a set of nodes in the cluster"
 * (their addresses), `domainNames` selects the addresses a name resolves to — so such a rule can
 * match an address outside the cluster that kwire cannot name. docs/policy-tiers.md: "with no Node
 * objects in the input they match nothing and the verdict is marked uncertain". A rule that does
 * not match in the model must still make the verdict uncertain when matching would change it
 * (before, a Deny to `nodes` left every external address silently ALLOWED, exit 0).
 */
import { describe, expect, it } from "vitest";
import { run } from "./harness.js";

const PODS = `apiVersion: v1
kind: Namespace
metadata: {name: apps, labels: {tier: apps}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: apps, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: apps, labels: {app: db}}
spec: {containers: [{name: c, image: x}]}
`;

// web may not reach the infra nodes; nothing else is said about its egress.
const DENY_TO_NODES = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: no-infra-nodes}
spec:
  priority: 20
  subject:
    pods:
      namespaceSelector: {matchLabels: {tier: apps}}
      podSelector: {matchLabels: {app: web}}
  egress:
  - name: deny-infra
    action: Deny
    to:
    - nodes: {matchExpressions: [{key: worker-group, operator: In, values: [infra]}]}
`;

const INFRA_NODE = `apiVersion: v1
kind: Node
metadata: {name: infra-1, labels: {worker-group: infra}}
status:
  addresses:
  - {type: InternalIP, address: 192.168.1.10}
`;

// An Allow to domainNames before a Deny to the internet.
const ALLOW_NAMES_THEN_DENY = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: egress-names}
spec:
  priority: 10
  subject: {namespaces: {}}
  egress:
  - name: allow-example
    action: Allow
    to: [{domainNames: ["*.example.com"]}]
  - name: deny-internet
    action: Deny
    to: [{networks: ["0.0.0.0/0"]}]
`;

type Trace = { verdict: string; steps: { stage: string; uncertain?: string[] }[] };
const uncertainOf = (t: Trace): string[] => t.steps.flatMap((s) => s.uncertain ?? []);

describe("cluster-policy peers that kwire cannot resolve to addresses", () => {
  it("a Deny to nodes with no Node objects: an address outside the cluster is ALLOWED but uncertain (exit 3), naming the rule", async () => {
    const r = await run(["trace", "apps/web", "203.0.113.20:443", "-f", "-", "-o", "json"], `${PODS}---\n${DENY_TO_NODES}`);
    expect(r.code).toBe(3);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.verdict).toBe("allowed");
    expect(uncertainOf(t).join("\n")).toContain('AdminNetworkPolicy no-infra-nodes (priority 20) egress[0] "deny-infra": nodes worker-group in (infra): the input declares no Node objects, so it matches no address, but it may match 203.0.113.20');
  });

  it("pod to pod, and pods the policy does not select, stay certain: a nodes peer never matches a pod", async () => {
    const toPod = await run(["trace", "apps/web", "apps/db:5432", "-f", "-"], `${PODS}---\n${DENY_TO_NODES}`);
    expect(toPod.code).toBe(0);
    expect(toPod.stdout).not.toContain("uncertain");
    const other = await run(["trace", "apps/db", "203.0.113.20:443", "-f", "-"], `${PODS}---\n${DENY_TO_NODES}`);
    expect(other.code).toBe(0);
    expect(other.stdout).not.toContain("uncertain");
  });

  it("with the Node objects declared the peer is resolved: its address is DENIED, others ALLOWED, both certain", async () => {
    const input = `${PODS}---\n${DENY_TO_NODES}---\n${INFRA_NODE}`;
    const node = await run(["trace", "apps/web", "192.168.1.10:443", "-f", "-"], input);
    expect(node.code).toBe(1);
    expect(node.stdout).not.toContain("uncertain");
    const elsewhere = await run(["trace", "apps/web", "203.0.113.20:443", "-f", "-"], input);
    expect(elsewhere.code).toBe(0);
    expect(elsewhere.stdout).not.toContain("uncertain");
  });

  it("a rule whose matching would not change the verdict adds no uncertainty", async () => {
    // Allow to nodes, and nothing denies: allowed whether or not the address is a node.
    const allow = DENY_TO_NODES.replace("action: Deny", "action: Allow");
    const r = await run(["trace", "apps/web", "203.0.113.20:443", "-f", "-"], `${PODS}---\n${allow}`);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("uncertain");
  });

  it("an Allow to domainNames before a Deny to 0.0.0.0/0: DENIED but uncertain (the name may resolve to this address)", async () => {
    const r = await run(["trace", "apps/web", "203.0.113.20:443", "-f", "-", "-o", "json"], `${PODS}---\n${ALLOW_NAMES_THEN_DENY}`);
    expect(r.code).toBe(3);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.verdict).toBe("denied");
    expect(uncertainOf(t).join("\n")).toContain('egress[0] "allow-example": domainNames *.example.com is not modelled: it matches no address, but it may match 203.0.113.20');
  });

  it("the same Allow with a peer kwire does not know beside the domainNames: still uncertain (was: a certain DENIED, exit 1)", async () => {
    // The unknown peer fails closed (an Allow through it matches nothing: network-policy-api
    // "implementations MUST fail closed"), which does not make the domainNames peer resolved.
    const anp = ALLOW_NAMES_THEN_DENY.replace('to: [{domainNames: ["*.example.com"]}]', 'to: [{domainNames: ["*.example.com"]}, {futurePeer: {}}]');
    expect(anp).toContain("futurePeer");
    const r = await run(["trace", "apps/web", "203.0.113.20:443", "-f", "-", "-o", "json"], `${PODS}---\n${anp}`);
    expect(r.code).toBe(3);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.verdict).toBe("denied");
    expect(uncertainOf(t).join("\n")).toMatch(/egress\[0\] "allow-example": .*but it may match 203\.0\.113\.20/);
  });
});

describe("the matrix marks what an unresolved peer could change: connections with the outside world", () => {
  type M = { connections: { src: string; dst: string; uncertain?: true }[]; uncertain?: { kind: string; name: string; reason: string; detail?: string }[] };
  it("a Deny to nodes with no Node objects: the policy is listed (reason unresolved-peer) and only connections with an IP block are uncertain", async () => {
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], `${PODS}---\n${DENY_TO_NODES}`);
    const m = JSON.parse(r.stdout) as M;
    expect(m.uncertain?.map((u) => [u.kind, u.name, u.reason])).toEqual([["AdminNetworkPolicy", "no-infra-nodes", "unresolved-peer"]]);
    expect(m.uncertain?.[0]?.detail).toMatch(/egress\[0\] "deny-infra" \(Deny\): nodes .* matches no address/);
    const outside = m.connections.filter((c) => c.src.startsWith("ipblock:") || c.dst.startsWith("ipblock:"));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.every((c) => c.uncertain === true)).toBe(true);
    expect(m.connections.filter((c) => !c.src.startsWith("ipblock:") && !c.dst.startsWith("ipblock:")).some((c) => c.uncertain === true)).toBe(false);
  });
  it("with the Node object in the input, nothing is uncertain", async () => {
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], `${PODS}---\n${DENY_TO_NODES}---\n${INFRA_NODE}`);
    expect((JSON.parse(r.stdout) as M).uncertain).toBeUndefined();
  });
});

describe("lint does not call a rule shadowed when kwire cannot resolve its peers", () => {
  // Deny to every node, then Allow to the infra nodes: with Node objects the Allow is structurally
  // covered by the Deny (network-policy-api: rules are evaluated in order, the first match decides).
  // Without them both `nodes` peers match nothing in the model, so "covered" would only mean that
  // two empty sets cover each other; in the cluster the Allow may still be reached for nothing,
  // but kwire cannot tell, and the finding would be noise.
  const ANP = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: node-rules}
spec:
  priority: 20
  subject: {namespaces: {}}
  egress:
  - name: deny-all-nodes
    action: Deny
    to: [{nodes: {}}]
  - name: allow-infra
    action: Allow
    to: [{nodes: {matchLabels: {worker-group: infra}}}]
`;
  type F = { findings: { code: string; message: string }[] };
  const shadowed = async (input: string): Promise<string[]> => {
    const r = await run(["lint", "-f", "-", "--check", "tier-rule-shadowed", "-o", "json"], input);
    return (JSON.parse(r.stdout) as F).findings.filter((f) => f.code === "tier-rule-shadowed").map((f) => f.message);
  };
  it("no Node objects: nothing reported", async () => {
    expect(await shadowed(`${PODS}---\n${ANP}`)).toEqual([]);
  });
  it("with the Node object: the Allow is reported as shadowed by the Deny", async () => {
    expect(await shadowed(`${PODS}---\n${ANP}---\n${INFRA_NODE}`)).toEqual([expect.stringMatching(/egress\[1\] "allow-infra" \(Allow\) is never reached: AdminNetworkPolicy node-rules egress\[0\] "deny-all-nodes"/)]);
  });
});
