/**
 * Calico and Cilium policies end to end through the CLI: the loader keeps them, the dialect
 * comes from --cni or the input, trace/matrix/test evaluate the CNI's ordered tiers, and ICMP
 * traces work. Semantics:
 * - Calico: docs.tigera.io/calico/latest/reference/resources/networkpolicy (selector, types,
 *   ingress/egress rules, "If no rule matches, the packet is denied" for a selected endpoint in
 *   the default tier), .../globalnetworkpolicy ("default deny with DNS allowed" sample),
 *   .../network-policy/policy-tiers/tiered-policy (tier order, Pass, default actions);
 * - Cilium: docs.cilium.io/en/stable/security/policy/language (fromEndpoints, fromEntities,
 *   toPorts, "Deny policies take precedence over allow policies"), .../policy/intro
 *   ("Policy Enforcement Modes": an endpoint a rule selects is default-deny in that direction).
 */
import { describe, expect, it } from "vitest";
import { run } from "./harness.js";

const CALICO_DB = "fixtures/examples/calico-database.yaml";
const CALICO_DNS = "fixtures/examples/calico-default-deny-dns.yaml";
const CILIUM = "fixtures/examples/cilium-l3-l4-entities.yaml";

describe("Calico policies are enforced (docs.tigera.io NetworkPolicy sample: only the frontend reaches the database on 6379)", () => {
  it("frontend → database:6379 is allowed by the Calico rule, named with its tier and file:line", async () => {
    const r = await run(["trace", "production/frontend", "production/database:6379", "-f", CALICO_DB, "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Calico policies in the input");
    const t = JSON.parse(r.stdout) as { steps: { stage: string; rules?: { kind: string; tier: string; action: string; policy: string }[] }[] };
    const ing = t.steps.find((s) => s.stage === "ingress-policy");
    expect(ing?.rules?.[0]).toMatchObject({ kind: "NetworkPolicy (Calico)", tier: "default", action: "Allow", policy: "production/allow-tcp-6379" });
  });

  it("batch → database:6379 is denied by the default tier's end-of-tier deny (no rule matched)", async () => {
    const r = await run(["trace", "production/batch", "production/database:6379", "-f", CALICO_DB]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("DENIED");
    expect(r.stdout).toMatch(/tier default \(selected by production\/allow-tcp-6379\): no rule matched — the tier's default action Deny/);
  });

  it("the matrix admits only frontend → database on TCP:6379 toward the database", async () => {
    const r = await run(["matrix", "-f", CALICO_DB, "--level", "pod"]);
    expect(r.code).toBe(0);
    const toDb = r.stdout.split("\n").filter((l) => /^\S+\s+production\/database\s/.test(l));
    expect(toDb).toEqual([expect.stringMatching(/^production\/frontend\s+production\/database\s+TCP:6379$/)]);
  });

  it("--cni flannel does not enforce Calico policies: a note says so and the traffic is allowed", async () => {
    const r = await run(["trace", "production/batch", "production/database:6379", "-f", CALICO_DB, "--cni", "flannel"]);
    expect(r.stderr).toMatch(/flannel \(--cni\) does not enforce Calico policies.*1 Calico object\(s\) are not enforced/);
    expect(r.code).toBe(0);
  });

  it("the GlobalNetworkPolicy default deny allows DNS to kube-dns and denies web traffic (Calico docs: default deny with DNS allowed)", async () => {
    const dns = await run(["trace", "shop/client", "kube-system/coredns:53", "--protocol", "UDP", "-f", CALICO_DNS]);
    expect(dns.code).toBe(0);
    const web = await run(["trace", "shop/client", "shop/web:80", "-f", CALICO_DNS]);
    expect(web.code).toBe(1);
  });
});

describe("Cilium policies are enforced (docs.cilium.io policy language)", () => {
  it("frontend → backend:80 is allowed by the L3/L4 rule; a port the rule does not name is denied", async () => {
    const ok = await run(["trace", "shop/frontend", "shop/backend:80", "-f", CILIUM]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain("Cilium policies in the input");
    const no = await run(["trace", "shop/frontend", "shop/backend:8080", "-f", CILIUM, "-o", "json"]);
    expect(no.code).toBe(1);
    const t = JSON.parse(no.stdout) as { steps: { stage: string; detail: string }[] };
    expect(t.steps.find((s) => s.stage === "ingress-policy")?.detail).toMatch(/tier cilium-allow .*default action Deny/);
  });

  it("ingressDeny fromEntities world wins over any allow: a client outside the cluster is denied (deny precedence)", async () => {
    const r = await run(["trace", "198.51.100.7", "shop/backend:80", "-f", CILIUM, "-o", "json"]);
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout) as { steps: { stage: string; rules?: { tier: string; action: string }[] }[] };
    expect(t.steps.find((s) => s.stage === "ingress-policy")?.rules?.[0]).toMatchObject({ tier: "cilium-deny", action: "Deny" });
  });

  it("an L7 DNS rule is decided at L4: the trace says the L7 part is not modelled, and the L4 verdict is certain (exit 0)", async () => {
    const r = await run(["trace", "shop/frontend", "kube-system/coredns:53", "--protocol", "UDP", "-f", CILIUM]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("UNCERTAIN");
    expect(r.stdout).toMatch(/L7 dns rules not modelled \(the verdict is the L4 one/);
  });

  it("--cni cilium makes a NetworkPolicy ipBlock match only addresses outside the cluster (cilium/cilium#9209)", async () => {
    const r = await run(["trace", "x/a", "y/b:80", "-f", "-", "--cni", "cilium"], IPBLOCK_CLUSTER);
    expect(r.code).toBe(1);
    const k8s = await run(["trace", "x/a", "y/b:80", "-f", "-"], IPBLOCK_CLUSTER);
    expect(k8s.code).toBe(0);
  });
});

describe("Cilium toFQDNs with --external-ip (docs.cilium.io policy language, DNS based: matchName / matchPattern)", () => {
  const FQDN = `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop, labels: {app: shop}}
status: {podIP: 10.0.5.5}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: to-api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: shop}}
  egress:
    - toFQDNs: [{matchPattern: "*.example.com"}]
      toPorts: [{ports: [{port: "443", protocol: TCP}]}]
`;
  it("a name the user maps to the address is matched: allowed on 443, denied on 80", async () => {
    const ok = await run(["trace", "shop/app", "192.0.2.10:443", "-f", "-", "--external-ip", "api.example.com=192.0.2.10"], FQDN);
    expect(ok.code).toBe(0);
    const no = await run(["trace", "shop/app", "192.0.2.10:80", "-f", "-", "--external-ip", "api.example.com=192.0.2.10"], FQDN);
    expect(no.code).toBe(1);
  });

  it("without --external-ip the rule matches no address: denied, and marked uncertain because the name might stand for it (exit 3)", async () => {
    const r = await run(["trace", "shop/app", "192.0.2.10:443", "-f", "-"], FQDN);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("DENIED (UNCERTAIN)");
    expect(r.stdout).toContain("--external-ip NAME=IP");
  });
});

const IPBLOCK_CLUSTER = `
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
status: {podIP: 10.0.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: y, labels: {app: b}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.2.5}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-10, namespace: y}
spec:
  podSelector: {}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]
`;

describe("kwire trace --protocol ICMP", () => {
  const CALICO_ICMP = `
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
status: {podIP: 10.0.1.5}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
status: {podIP: 10.0.1.6}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ping-only, namespace: x}
spec:
  selector: app == 'b'
  ingress:
    - action: Allow
      protocol: ICMP
      icmp: {type: 8}
`;
  it("Calico: an ICMP rule with type 8 admits echo requests and nothing else (Calico docs: ICMP type/code match)", async () => {
    const ping = await run(["trace", "x/a", "x/b", "--protocol", "ICMP", "-f", "-", "-o", "json"], CALICO_ICMP);
    expect(ping.code).toBe(0);
    const t = JSON.parse(ping.stdout) as { protocol: string; icmpType: number; allowedPorts: string };
    expect(t).toMatchObject({ protocol: "ICMP", icmpType: 8 });
    const ts = await run(["trace", "x/a", "x/b", "--protocol", "ICMP", "--icmp-type", "13", "-f", "-"], CALICO_ICMP);
    expect(ts.code).toBe(1);
    const tcp = await run(["trace", "x/a", "x/b:80", "-f", "-"], CALICO_ICMP);
    expect(tcp.code).toBe(1);
  });

  it("NetworkPolicy: a rule with ports never admits ICMP, a rule without ports does; the verdict is marked uncertain (the API names only TCP/UDP/SCTP)", async () => {
    const r = await run(["trace", "x/a", "y/b", "--protocol", "ICMP", "-f", "-"], IPBLOCK_CLUSTER);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("ALLOWED (UNCERTAIN)");
    expect(r.stdout).toContain("the NetworkPolicy API names only TCP, UDP and SCTP");
    const withPorts = IPBLOCK_CLUSTER.replace("ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]", "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 80}]}]");
    const denied = await run(["trace", "x/a", "y/b", "--protocol", "ICMP", "-f", "-"], withPorts);
    expect(denied.stdout).toContain("DENIED");
  });

  it("bad ICMP options are usage errors (exit 2)", async () => {
    expect((await run(["trace", "x/a", "y/b", "--protocol", "ICMP", "--port", "80", "-f", "-"], IPBLOCK_CLUSTER)).code).toBe(2);
    expect((await run(["trace", "x/a", "y/b", "--protocol", "ICMP", "--icmp-type", "300", "-f", "-"], IPBLOCK_CLUSTER)).code).toBe(2);
    expect((await run(["trace", "x/a", "y/b:80", "--icmp-type", "8", "-f", "-"], IPBLOCK_CLUSTER)).code).toBe(2);
  });
});

describe("Cilium's allow-localhost: the local host reaches its endpoints whatever their allow rules (cilium daemon/cmd/daemon.go: \"Kubernetes demands that the localhost can always reach local pods\")", () => {
  const LOCALHOST = "fixtures/scenarios/cilium-localhost/cluster.yaml";
  it("a hostNetwork pod on the endpoint's node is allowed, by the agent's rule, named as such", async () => {
    const r = await run(["trace", "shop/agent-a", "shop/api:8080", "-f", LOCALHOST, "--cni", "cilium"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CiliumAgent allow-localhost ingress\[0\] Allow/);
  });
  it("a hostNetwork pod on another node (remote-node) is not", async () => {
    const r = await run(["trace", "shop/agent-b", "shop/api:8080", "-f", LOCALHOST, "--cni", "cilium"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no rule matched — the tier's default action Deny/);
  });
});
