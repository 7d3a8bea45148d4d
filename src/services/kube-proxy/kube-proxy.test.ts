import { describe, expect, it } from "vitest";
import { parseCidr, type Cidr, type Cluster } from "../../model/index.js";
import { buildNftTable, buildSnapshot, nftNames, iptablesNames, probability, renderProxyRules, type NodeProxyOptions, type ProxyMode, type ProxyOptions } from "./index.js";
import { IptablesTracer } from "./testing/iptables-tracer.js";
import { cluster, ip, node, pod, port, service } from "./testing/model.js";
import { buildServiceLayer, type ServiceLayer } from "../layer.js";

/** A cluster of listed pods and its Service layer (no workload templates to expand). */
const withLayer = (c: Cluster): [Cluster, ServiceLayer] => [c, buildServiceLayer(c, [])];
import { nftFlows, type Packet } from "./testing/packet.js";

const cidr = (t: string): Cidr => {
  const c = parseCidr(t);
  if (!c.ok) throw new Error(t);
  return c.cidr;
};

const web = (n: number, nodeOf: (i: number) => string): ReturnType<typeof pod>[] =>
  Array.from({ length: n }, (_, i) => pod("prod", `web-${i}`, { app: "web" }, `10.244.${i % 2 ? 2 : 1}.${3 + i}`, nodeOf(i), [{ name: "http", containerPort: 8080, protocol: "TCP" }]));

const C: Cluster = cluster({
  nodes: [node("node-a", "192.168.0.10"), node("node-b", "192.168.0.11")],
  pods: [
    ...web(3, (i) => (i % 2 ? "node-b" : "node-a")),
    pod("prod", "local-0", { app: "local" }, "10.244.2.20", "node-b", [{ name: "http", containerPort: 8080, protocol: "TCP" }]),
  ],
  services: [
    service("prod", "web", "10.96.0.20", [port(80, "http", { name: "http" })]),
    service("prod", "web-np", "10.96.0.21", [port(80, 8080, { name: "http", nodePort: 30080 })], { type: "NodePort", selector: { app: "web" } }),
    service("prod", "local", "10.96.0.22", [port(80, 8080, { nodePort: 30081 })], { type: "NodePort", externalTrafficPolicy: "Local" }),
    service("prod", "empty", "10.96.0.23", [port(80, 8080)]),
    service("prod", "sticky", "10.96.0.24", [port(80, 8080)], { selector: { app: "web" }, sessionAffinity: "ClientIP" }),
    service("prod", "lb", "10.96.0.25", [port(443, 8080, { nodePort: 30443 })], { type: "LoadBalancer", selector: { app: "web" }, loadBalancerIPs: [ip("203.0.113.50")] }),
    service("prod", "headless", "None", [port(80, 8080)]),
  ],
});

const opts = (nodeName: string, nodeIP: string): ProxyOptions => ({ nodeName, nodeIPs: [ip(nodeIP)], clusterCIDR: cidr("10.244.0.0/16"), masqueradeAll: false });
/** The same options as a node's (`renderProxyRules` picks each proxier's CIDR from the node's list). */
const asNode = (o: ProxyOptions): NodeProxyOptions => ({ nodeIPs: o.nodeIPs, masqueradeAll: o.masqueradeAll, ...(o.nodeName === undefined ? {} : { nodeName: o.nodeName }), clusterCIDRs: o.clusterCIDR === undefined ? [] : [o.clusterCIDR] });
const A = opts("node-a", "192.168.0.10");
const B = opts("node-b", "192.168.0.11");

const tracers = (o: ProxyOptions): [ProxyMode, { trace(p: Packet): { output: string; masquerade: boolean } }][] => [
  ["iptables", new IptablesTracer(renderProxyRules(C, "iptables", asNode(o), buildServiceLayer(C, [])), o.nodeIPs)],
  ["nftables", nftFlows(buildNftTable(buildSnapshot(C, buildServiceLayer(C, [])), o), o.nodeIPs)],
];

const tcp = (srcIp: string, dst: string, dport: number): Packet => ({ src: srcIp, dst, protocol: "tcp", dport });
const WEB = "10.244.1.3:8080, 10.244.1.5:8080, 10.244.2.4:8080";

describe.each([["node-a", A], ["node-b", B]] as const)("packet flows through kube-proxy rules on %s", (_n, o) => {
  for (const [mode, t] of tracers(o)) {
    it(`${mode}: pod → ClusterIP lands on one of the endpoints, no masquerade`, () => {
      expect(t.trace(tcp("10.244.1.9", "10.96.0.20", 80))).toMatchObject({ output: WEB, masquerade: false });
    });
    it(`${mode}: off-cluster source → ClusterIP is masqueraded`, () => {
      expect(t.trace(tcp("10.0.0.5", "10.96.0.20", 80))).toMatchObject({ output: WEB, masquerade: true });
    });
    it(`${mode}: NodePort on the node IP (Cluster policy) reaches every endpoint, masqueraded`, () => {
      expect(t.trace(tcp("203.0.113.7", o === A ? "192.168.0.10" : "192.168.0.11", 30080))).toMatchObject({ output: WEB, masquerade: true });
    });
    it(`${mode}: a Service without endpoints rejects`, () => {
      expect(t.trace(tcp("10.244.1.9", "10.96.0.23", 80)).output).toBe("REJECT");
    });
    it(`${mode}: session affinity still balances a new client over all endpoints`, () => {
      expect(t.trace(tcp("10.244.1.9", "10.96.0.24", 80)).output).toBe(WEB);
    });
    it(`${mode}: LoadBalancer IP is handled like a NodePort (external, masqueraded)`, () => {
      expect(t.trace(tcp("198.51.100.1", "203.0.113.50", 443))).toMatchObject({ output: WEB, masquerade: true });
    });
    it(`${mode}: a port the Service does not have is not rewritten`, () => {
      expect(t.trace(tcp("10.244.1.9", "10.96.0.20", 81)).output).not.toContain("8080");
    });
  }
});

describe("externalTrafficPolicy: Local", () => {
  for (const [mode, t] of tracers(A)) {
    it(`${mode}: node without a local endpoint drops external NodePort traffic`, () => {
      expect(t.trace(tcp("203.0.113.7", "192.168.0.10", 30081)).output).toBe("DROP");
    });
    it(`${mode}: pod traffic to the NodePort short-circuits to every endpoint`, () => {
      expect(t.trace(tcp("10.244.1.9", "192.168.0.10", 30081)).output).toBe("10.244.2.20:8080");
    });
  }
  for (const [mode, t] of tracers(B)) {
    it(`${mode}: node with the endpoint keeps the client IP (no masquerade)`, () => {
      expect(t.trace(tcp("203.0.113.7", "192.168.0.11", 30081))).toMatchObject({ output: "10.244.2.20:8080", masquerade: false });
    });
  }
});

describe("names and numbers as kube-proxy writes them", () => {
  const s = buildSnapshot(...withLayer(cluster({ services: [service("ns1", "svc1", "172.30.0.41", [port(80, 80, { name: "p80" })])], pods: [pod("ns1", "a", { app: "svc1" }, "10.180.0.1", "n")] })))[0];
  it("iptables chain names match proxier_test.go", () => {
    if (!s) throw new Error("no snapshot");
    expect(iptablesNames.cluster(s)).toBe("KUBE-SVC-XPGD46QRK7WJZT7O");
  });
  it("nftables chain names match proxier_test.go", () => {
    if (!s || !s.endpoints[0]) throw new Error("no snapshot");
    expect(nftNames.cluster(s)).toBe("service-ULMVA6XW-ns1/svc1/tcp/p80");
    expect(nftNames.endpoint(s, s.endpoints[0])).toBe("endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80");
  });
  it("probabilities are 1/n with ten decimals", () => {
    expect([3, 2].map(probability)).toEqual(["0.3333333333", "0.5000000000"]);
    expect(renderProxyRules(C, "iptables", asNode(A), buildServiceLayer(C, []))).toContain("--probability 0.3333333333 -j KUBE-SEP-");
  });
  it("headless Services get no rules", () => {
    expect(buildSnapshot(C, buildServiceLayer(C, [])).some((x) => x.name === "headless")).toBe(false);
  });
  it("ipvs lists persistent virtual servers for ClientIP affinity", () => {
    const out = renderProxyRules(C, "ipvs", asNode(A), buildServiceLayer(C, []));
    expect(out).toContain("TCP  10.96.0.24:80 rr persistent 10800");
    expect(out).toContain("TCP  192.168.0.10:30081 rr\nTCP");
  });
  it("is deterministic", () => {
    for (const m of ["iptables", "nftables", "ipvs"] as const) expect(renderProxyRules(C, m, asNode(A), buildServiceLayer(C, []))).toBe(renderProxyRules({ ...C, services: [...C.services].reverse() }, m, asNode(A), buildServiceLayer(C, [])));
  });
});
