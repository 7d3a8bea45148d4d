/**
 * Services and DNS in the lab without root: where DNS runs (planDns), the per-node Service
 * ruleset the lab loads (proxyScript: compact by default, kube-proxy's on request), and the Service/DNS cells with their predictions on the
 * demo cluster placed on made-up addresses — ClusterIP, NodePort (masqueraded across nodes),
 * hairpin, random-choice retries, DNS names per namespace.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCluster } from "../parse/index.js";
import { dnsSkip, planDns } from "./lab-dns.js";
import { labCluster } from "./model.js";
import { planLab } from "./plan.js";
import { dnsCells, labServiceContext, serviceCells } from "./service-cells.js";
import { deleteProxyScript, nodeScript, proxyScript } from "./services.js";
import { compilePolicyTables } from "../nft/index.js";
import { nftPods } from "./model.js";

const REPO = join(import.meta.dirname, "..", "..");
const { cluster } = loadCluster([{ path: "cluster.yaml", text: readFileSync(join(REPO, "fixtures/demo/cluster.yaml"), "utf8") }]);
const plan = planLab(cluster, { nodes: 2 });
const counters = new Map<string, number>();
const placed = plan.pods.map((pod) => {
  const node = plan.nodes.find((n) => n.name === pod.node);
  const i = (counters.get(pod.node) ?? 0) + 1;
  counters.set(pod.node, i);
  return { pod, ip: pod.requestedIp ?? `${node?.podCidr.split(".").slice(0, 3).join(".")}.${i}` };
});
const lab = labCluster(cluster, placed);
const view = { lab, pods: placed, nodes: plan.nodes };
const ctx = labServiceContext(lab, plan.nodes);

describe("lab Services and DNS (no root)", () => {
  it("DNS runs in the kube-dns pods, at the kube-dns ClusterIP, on their targetPort", () => {
    const dns = planDns(cluster, plan.pods);
    expect(dns?.nameserver).toBe("10.96.0.10");
    expect([...(dns?.podIds ?? [])].sort()).toEqual(["kube-system/coredns-0", "kube-system/coredns-1"]);
    const coredns = plan.pods.find((p) => p.id === "kube-system/coredns-0");
    expect(coredns === undefined ? [] : [...dnsSkip(dns, coredns)]).toEqual(["UDP/53", "TCP/53"]);
  });

  it("each node gets the compact Service table next to the policy table, in one transaction", () => {
    const node = plan.nodes[0];
    if (node === undefined) throw new Error("no node");
    const proxy = proxyScript(lab, node);
    expect(proxy.startsWith("add table ip kwire-services\ndelete table ip kwire-services\n")).toBe(true);
    expect(proxy).toContain("dnat ip to ip daddr . numgen random mod 3 map @eps-tcp-3");
    expect(proxy).toContain("ct status dnat ip saddr . ip daddr @hairpin jump mark-for-masquerade");
    expect(proxy).toContain(`fib daddr type local`);
    const all = nodeScript(lab, node, compilePolicyTables({ policies: lab.networkPolicies, clusterPolicies: lab.clusterPolicies, pods: nftPods(lab) }, node.name));
    expect(all.indexOf("table inet kwire")).toBeLessThan(all.indexOf("table ip kwire-services {"));
  });

  it("with proxy kube-proxy, kube-proxy's own table instead", () => {
    const node = plan.nodes[0];
    if (node === undefined) throw new Error("no node");
    const proxy = proxyScript(lab, node, "kube-proxy");
    expect(proxy.startsWith("add table ip kube-proxy\ndelete table ip kube-proxy\n")).toBe(true);
    expect(proxy).toContain("numgen random mod 3 vmap");
    expect(proxy).toMatch(/priority -110;/);
    expect(nodeScript(lab, node, compilePolicyTables({ policies: lab.networkPolicies, clusterPolicies: lab.clusterPolicies, pods: nftPods(lab) }, node.name), "kube-proxy")).not.toContain("kwire-services");
  });

  it("removal deletes every possible Service table: both renderings, ip and ip6 (kube-proxy's IPv6 proxier owns `ip6 kube-proxy`)", () => {
    expect(deleteProxyScript).toBe(
      "add table ip kwire-services\ndelete table ip kwire-services\nadd table ip kube-proxy\ndelete table ip kube-proxy\n" +
        "add table ip6 kwire-services\ndelete table ip6 kwire-services\nadd table ip6 kube-proxy\ndelete table ip6 kube-proxy\n",
    );
  });

  it("Service cells: ClusterIP, NodePort, LoadBalancer IP and hairpin with their predictions", () => {
    const cells = serviceCells(ctx, view);
    const api = cells.find((c) => c.src === "production/frontend-0" && c.dst === "production/api-server" && c.port === 8080);
    expect([api?.predicted, api?.dstIp, api?.attempts]).toEqual([true, "10.96.0.20", 1]);
    expect(api?.accept?.length).toBe(3);
    // api-server-0 → its own Service: only itself admits it (hairpin), the others do not: retried.
    const self = cells.find((c) => c.src === "production/api-server-0" && c.dst === "production/api-server" && c.port === 8080);
    expect([self?.predicted, self?.attempts]).toEqual([true, 30]);
    const np = cells.filter((c) => c.dst === "production/web[nodePort]");
    expect(np.length).toBe(plan.pods.length);
    expect(np.every((c) => c.port === 30080 && c.dstIp.startsWith("172.30.0."))).toBe(true);
    // prometheus is in monitoring, 10.244/16 is inside web's except 10.0.0.0/8 — but across nodes the
    // NodePort connection arrives masqueraded from the node's 172.30.0.x address.
    const prom = np.find((c) => c.src.startsWith("monitoring/prometheus"));
    expect(prom?.predicted).toBe(true);
    // The LoadBalancer IP from every pod, translated on the pod's own node (port 80, not the nodePort).
    const lb = cells.filter((c) => c.dst === "production/web[loadBalancer]");
    expect(lb.length).toBe(plan.pods.length);
    expect(lb.every((c) => c.dstIp === "198.51.100.20" && c.port === 80)).toBe(true);
    expect(lb.some((c) => c.predicted)).toBe(true);
  });

  it("DNS cells: three names in the Service's namespace, two elsewhere", () => {
    const cells = dnsCells(ctx, view, "10.96.0.10");
    const mine = cells.filter((c) => c.src === "production/frontend-0" && c.dst.startsWith("api-server"));
    expect(mine.map((c) => [c.name, c.predicted, c.expect])).toEqual([
      ["api-server.production", true, ["10.96.0.20"]],
      ["api-server.production.svc.cluster.local", true, ["10.96.0.20"]],
      ["api-server", true, ["10.96.0.20"]],
    ]);
    expect(cells.filter((c) => c.src === "monitoring/prometheus-0" && c.dst.startsWith("api-server")).map((c) => c.name)).toEqual(["api-server.production", "api-server.production.svc.cluster.local"]);
    const db = cells.find((c) => c.src === "production/frontend-0" && c.name === "database.production");
    expect(db?.expect?.length).toBe(2);
  });
});
