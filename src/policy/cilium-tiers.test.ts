/**
 * Cilium → general tiers, evaluated end to end from YAML. Sources:
 * - docs.cilium.io/en/stable/security/policy/intro ("If any rule selects an Endpoint and the
 *   rule has an ingress section, the endpoint goes into default deny at ingress");
 * - docs.cilium.io/en/latest/security/policy/deny (deny takes precedence over allow whatever the
 *   kind; the client/server table: allow L3 + allow 80,81 + deny 80 ⇒ 81 allowed, 80 denied);
 * - pkg/policy/api/rule.go EnableDefaultDeny doc (default true per direction with rules;
 *   "default deny will be enabled if any policy requests it");
 * - docs security/policy/language (L3 endpoints/entities/CIDR — "CIDR rules do not apply to
 *   traffic where both sides of the connection are either managed by Cilium or use an IP
 *   belonging to a node in the cluster"; L4 toPorts; `ingress: [{}]` denies all ingress).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { containsPort, type PolicyType } from "../model/index.js";
import { calicoTiers } from "./calico-tiers.js";
import { ciliumTiers } from "./cilium-tiers.js";
import type { PolicyPeer, PolicyEndpoint } from "./party.js";
import { evaluateDirection } from "./tier-eval.js";
import { addressPeer, dialectFixture, pod, podPeer, type DialectFixture } from "./testing/dialect-fixture.js";

function allowed(f: DialectFixture, direction: PolicyType, local: PolicyEndpoint, peer: PolicyPeer, proto: "TCP" | "UDP" | "SCTP", port: number): boolean {
  const fold = evaluateDirection(ciliumTiers(f.cilium, f.calico.networkPolicies), direction, local, peer, f.ctx);
  return containsPort(fold.allowed.ports, proto, port);
}

function connect(f: DialectFixture, from: string, to: string, proto: "TCP" | "UDP" | "SCTP", port: number): boolean {
  return allowed(f, "Egress", pod(f, from), podPeer(f, to), proto, port) && allowed(f, "Ingress", pod(f, to), podPeer(f, from), proto, port);
}

const NS = (name: string): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n---\n`;
const POD = (ns: string, name: string, ip: string, labels: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n${labels}spec:\n  containers:\n  - name: c\n    image: x\nstatus:\n  podIP: ${ip}\n---\n`;
const BASE = [NS("app"), NS("other"), POD("app", "server", "10.0.0.1", "    app: server\n"), POD("app", "client", "10.0.0.2", "    app: client\n"), POD("other", "client", "10.0.1.2", "    app: client\n")].join("");

describe("the seeds' example: cilium-l3-l4-entities.yaml", () => {
  const f = dialectFixture(readFileSync("fixtures/examples/cilium-l3-l4-entities.yaml", "utf8"), "cilium-l3-l4-entities.yaml");

  it("frontend → backend on TCP 80 only (L3 fromEndpoints + L4 toPorts, egress toEndpoints)", () => {
    expect(connect(f, "shop/frontend", "shop/backend", "TCP", 80)).toBe(true);
    expect(connect(f, "shop/frontend", "shop/backend", "TCP", 8080)).toBe(false);
  });

  it("fromEntities host admits the node on every port; ingressDeny world drops the outside", () => {
    const backend = pod(f, "shop/backend");
    expect(allowed(f, "Ingress", backend, addressPeer("Host", "192.168.1.10"), "TCP", 9999)).toBe(true);
    expect(allowed(f, "Ingress", backend, addressPeer("RemoteNode", "192.168.1.11"), "TCP", 80)).toBe(false);
    expect(allowed(f, "Ingress", backend, addressPeer("World", "203.0.113.5"), "TCP", 80)).toBe(false);
  });

  it("the dev pod reaches the world and kube-dns (the DNS L7 rule is flagged, the L4 verdict stands)", () => {
    const fe = pod(f, "shop/frontend");
    expect(allowed(f, "Egress", fe, addressPeer("World", "203.0.113.5"), "TCP", 443)).toBe(true);
    expect(connect(f, "shop/frontend", "kube-system/coredns", "UDP", 53)).toBe(true);
    expect(connect(f, "shop/frontend", "kube-system/coredns", "TCP", 53)).toBe(true);
    expect(connect(f, "shop/frontend", "kube-system/coredns", "UDP", 54)).toBe(false);
    const fold = evaluateDirection(ciliumTiers(f.cilium, []), "Egress", fe, podPeer(f, "kube-system/coredns"), f.ctx);
    const decided = fold.tiers.flatMap((t) => t.decisions).find((d) => d.action === "Allow");
    expect(decided?.origin?.note).toContain("L7 dns rules not modelled");
    expect(decided?.origin?.unmodelled).toBeUndefined();
  });
});

describe("Cilium semantics", () => {
  it("deny wins over allow, per port (deny.html table: allow 80+81, deny 80 ⇒ 81 allowed, 80 denied)", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: allow\n  namespace: app\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        app: client\n    toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n      - port: "81"\n        protocol: TCP\n---\napiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: deny-80\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  ingressDeny:\n  - fromEndpoints:\n    - matchLabels:\n        app: client\n    toPorts:\n    - ports:\n      - port: "80"\n        protocol: TCP\n`);
    expect(f.diagnostics).toEqual([]);
    expect(connect(f, "app/client", "app/server", "TCP", 81)).toBe(true);
    expect(connect(f, "app/client", "app/server", "TCP", 80)).toBe(false);
  });

  it("deny wins over a Kubernetes NetworkPolicy allow too", () => {
    const f = dialectFixture(`${BASE}apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-all\n  namespace: app\nspec:\n  podSelector: {}\n  ingress:\n  - {}\n---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: deny-other\n  namespace: app\nspec:\n  endpointSelector: {}\n  ingressDeny:\n  - fromEndpoints:\n    - matchLabels:\n        io.kubernetes.pod.namespace: other\n`);
    expect(connect(f, "app/client", "app/server", "TCP", 80)).toBe(true);
    expect(connect(f, "other/client", "app/server", "TCP", 80)).toBe(false);
  });

  it("default deny once selected with rules in the direction; the other direction stays open", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: only-client\n  namespace: app\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        app: client\n`);
    expect(connect(f, "app/client", "app/server", "TCP", 1234)).toBe(true);
    expect(connect(f, "other/client", "app/server", "TCP", 1234)).toBe(false); // fromEndpoints is scoped to app
    expect(allowed(f, "Egress", pod(f, "app/server"), podPeer(f, "other/client"), "TCP", 1)).toBe(true);
  });

  it("a deny-only policy also makes the direction default-deny (EnableDefaultDeny default)", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: deny-only\n  namespace: app\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  ingressDeny:\n  - fromEntities: [world]\n`);
    expect(connect(f, "app/client", "app/server", "TCP", 80)).toBe(false);
  });

  it("enableDefaultDeny.ingress false: the policy's allows add nothing and deny nothing", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: soft\n  namespace: app\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  enableDefaultDeny:\n    ingress: false\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        app: client\n`);
    expect(connect(f, "other/client", "app/server", "TCP", 80)).toBe(true);
  });

  it("`ingress: [{}]` denies all ingress; an L4-only rule admits every peer on its port", () => {
    const denyAll = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: deny-all\n  namespace: app\nspec:\n  endpointSelector: {}\n  ingress:\n  - {}\n`);
    expect(connect(denyAll, "app/client", "app/server", "TCP", 80)).toBe(false);
    const l4 = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: l4\n  namespace: app\nspec:\n  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports:\n      - port: "80"\n`);
    expect(connect(l4, "other/client", "app/server", "TCP", 80)).toBe(true);
    expect(connect(l4, "other/client", "app/server", "UDP", 80)).toBe(true); // protocol ANY
    expect(allowed(l4, "Ingress", pod(l4, "app/server"), addressPeer("World", "203.0.113.5"), "TCP", 80)).toBe(true);
    expect(connect(l4, "other/client", "app/server", "TCP", 81)).toBe(false);
  });

  it("CIDR rules match outside addresses, not cluster pods inside the CIDR", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: cidr\n  namespace: app\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromCIDRSet:\n    - cidr: 10.0.0.0/8\n      except: [10.9.0.0/16]\n`);
    const server = pod(f, "app/server");
    expect(allowed(f, "Ingress", server, addressPeer("World", "10.5.0.1"), "TCP", 80)).toBe(true);
    expect(allowed(f, "Ingress", server, addressPeer("World", "10.9.0.1"), "TCP", 80)).toBe(false);
    expect(allowed(f, "Ingress", server, podPeer(f, "app/client"), "TCP", 80)).toBe(false);
  });

  it("entities: cluster is every in-cluster party, world is the rest; kube-apiserver by itself", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: egress\n  namespace: app\nspec:\n  endpointSelector:\n    matchLabels:\n      app: client\n  egress:\n  - toEntities: [cluster]\n    toPorts:\n    - ports:\n      - port: "443"\n        protocol: TCP\n  - toEntities: [kube-apiserver]\n`);
    const c = pod(f, "app/client");
    expect(allowed(f, "Egress", c, podPeer(f, "other/client"), "TCP", 443)).toBe(true);
    expect(allowed(f, "Egress", c, addressPeer("RemoteNode", "192.168.1.11"), "TCP", 443)).toBe(true);
    expect(allowed(f, "Egress", c, addressPeer("World", "203.0.113.5"), "TCP", 443)).toBe(false);
    expect(allowed(f, "Egress", c, addressPeer("KubeAPIServer", "10.96.0.1"), "TCP", 6443)).toBe(true);
    expect(allowed(f, "Egress", c, podPeer(f, "other/client"), "TCP", 6443)).toBe(false);
  });

  it("a clusterwide peer selector `{}` matches pods of every namespace", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: pods-only\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromEndpoints:\n    - {}\n`);
    expect(connect(f, "other/client", "app/server", "TCP", 80)).toBe(true);
    // `{}` selects endpoints, not the host; the local host reaches the pod anyway through the
    // agent's allow-localhost (always, on Kubernetes: cilium daemon/cmd/daemon.go); a remote node does not.
    expect(allowed(f, "Ingress", pod(f, "app/server"), addressPeer("Host", "192.168.1.10"), "TCP", 80)).toBe(true);
    expect(allowed(f, "Ingress", pod(f, "app/server"), addressPeer("RemoteNode", "192.168.1.11"), "TCP", 80)).toBe(false);
  });

  it("tiers: deny first (Pass by default), then allow (Deny by default)", () => {
    const f = dialectFixture(readFileSync("fixtures/examples/cilium-l3-l4-entities.yaml", "utf8"));
    const tiers = ciliumTiers(f.cilium, []);
    expect(tiers.map((t) => [t.name, t.defaultAction, t.policies.map((p) => p.origin.policy)])).toEqual([
      ["cilium-deny", "Pass", ["shop/l3-l4-backend"]],
      ["cilium-allow", "Deny", ["allow-localhost", "shop/dev-egress", "shop/l3-l4-backend"]],
    ]);
  });
});

describe("Kubernetes NetworkPolicy under Cilium", () => {
  // cilium/cilium#9209 and #35212: ipBlock is applied to traffic outside the cluster only;
  // Calico (calico#6634) matches cluster IPs too, as the API text allows.
  it("an ipBlock covering a pod's IP does not match the pod (it does under Calico)", () => {
    const f = dialectFixture(`${BASE}apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: by-cidr\n  namespace: app\nspec:\n  podSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - from:\n    - ipBlock:\n        cidr: 10.0.0.0/8\n`);
    const server = pod(f, "app/server");
    expect(allowed(f, "Ingress", server, podPeer(f, "app/client"), "TCP", 80)).toBe(false);
    expect(allowed(f, "Ingress", server, addressPeer("World", "10.200.0.1"), "TCP", 80)).toBe(true);
    expect(allowed(f, "Ingress", server, addressPeer("RemoteNode", "10.200.0.2"), "TCP", 80)).toBe(false);
    const calico = evaluateDirection(calicoTiers(f.calico).tiers, "Ingress", server, podPeer(f, "app/client"), f.ctx);
    expect(containsPort(calico.allowed.ports, "TCP", 80)).toBe(true);
  });
});

describe("Cilium ICMP rules (pkg/policy/api/icmp.go)", () => {
  it("an icmps-only rule allows those ICMP types and no TCP/UDP; type names resolve per family", () => {
    const f = dialectFixture(`${BASE}apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: ping\n  namespace: app\nspec:\n  endpointSelector:\n    matchLabels:\n      app: server\n  ingress:\n  - fromEndpoints:\n    - {}\n    icmps:\n    - fields:\n      - type: 8\n        family: IPv4\n      - type: EchoRequest\n        family: IPv6\n`);
    expect(f.diagnostics).toEqual([]);
    const fold = evaluateDirection(ciliumTiers(f.cilium, []), "Ingress", pod(f, "app/server"), podPeer(f, "app/client"), f.ctx);
    const has = (ranges: readonly { from: number; to: number }[], type: number): boolean => ranges.some((r) => type * 256 >= r.from && type * 256 <= r.to);
    expect(has(fold.allowed.icmp, 8)).toBe(true);
    expect(has(fold.allowed.icmp, 0)).toBe(false);
    expect(has(fold.allowed.icmp6, 128)).toBe(true);
    expect(containsPort(fold.allowed.ports, "TCP", 80)).toBe(false);
  });
});
