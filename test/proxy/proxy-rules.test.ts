/**
 * `kwire proxy-rules` through the CLI: golden files for every mode and node, and packet flows
 * traced through what the CLI printed — the iptables text (iptables tracer), the nft table whose
 * text the CLI printed (the one nft tracer, src/nft/tracer.ts) — so a test says "10.244.1.9 →
 * 10.96.0.20:80 lands on one of three endpoints, not masqueraded" rather than only matching text.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseCidr, parseIp, type Ip } from "../../src/model/index.js";
import { buildTopology, serviceLayerOf } from "../../src/engine/index.js";
import { printTable } from "../../src/nft/index.js";
import { loadCluster } from "../../src/parse/index.js";
import { buildNftTable, buildSnapshot } from "../../src/services/kube-proxy/index.js";
import { IptablesTracer } from "../../src/services/kube-proxy/testing/iptables-tracer.js";
import { nftFlows, type FlowResult, type Packet } from "../../src/services/kube-proxy/testing/packet.js";
import { golden, run, scenario } from "../cli/harness.js";

const INPUT = scenario("proxy-basic", "cluster.yaml");
const CIDR = ["--cluster-cidr", "10.244.0.0/16"];
const NODES = { "node-a": "192.168.0.10", "node-b": "192.168.0.11" } as const;
const WEB = "10.244.1.3:8080, 10.244.1.5:8080, 10.244.2.4:8080";

const ip = (t: string): Ip => parseIp(t) ?? { family: 4, value: 0n };
const tcp = (src: string, dst: string, dport: number): Packet => ({ src, dst, protocol: "tcp", dport });

async function rules(mode: string, node: keyof typeof NODES): Promise<string> {
  const r = await run(["proxy-rules", "-f", INPUT, "-o", mode, "--node", node, ...CIDR]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

describe("kwire proxy-rules goldens", () => {
  for (const mode of ["iptables", "nftables", "ipvs"]) {
    for (const node of ["node-a", "node-b"] as const) {
      it(`-o ${mode} --node ${node}`, async () => {
        await expect(await rules(mode, node)).toMatchFileSnapshot(golden("proxy-basic", `${mode}.${node}.txt`));
      });
    }
  }
  it("defaults to iptables on the first node, without a cluster CIDR", async () => {
    const r = await run(["proxy-rules", "-f", INPUT]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("proxy-basic", "default.txt"));
  });
  it("--masquerade-all masquerades every ClusterIP connection", async () => {
    const r = await run(["proxy-rules", "-f", INPUT, "-o", "nftables", "--masquerade-all"]);
    expect(r.stdout).toContain("ip daddr 10.96.0.20 tcp dport 80 jump mark-for-masquerade");
  });
});

describe("kwire proxy-rules usage errors exit 2", () => {
  it.each([
    [["-o", "userspace"], /-o must be one of iptables, nftables, ipvs/],
    [["--node", "node-z"], /no Node named "node-z" in the input \(nodes: node-a, node-b\)/],
    [["--cluster-cidr", "10.244.0.0/33"], /--cluster-cidr "10.244.0.0\/33"/],
    [["--cluster-cidr", "10.244.0.0/16,10.245.0.0/16"], /one CIDR per IP family/],
  ])("%j", async (args, msg) => {
    const r = await run(["proxy-rules", "-f", INPUT, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});

describe.each(["iptables", "nftables"] as const)("packet flows through the %s rules the CLI printed", (mode) => {
  const tracer = async (node: keyof typeof NODES): Promise<{ trace(p: Packet): FlowResult }> => {
    const text = await rules(mode, node);
    const local = [ip(NODES[node])];
    if (mode === "iptables") return new IptablesTracer(text, local);
    // The table the CLI printed: the same snapshot and options, and its text is what the CLI wrote.
    const { cluster } = loadCluster([{ path: INPUT, text: readFileSync(INPUT, "utf8") }]);
    const cidr = parseCidr(CIDR[1] ?? "");
    const table = buildNftTable(buildSnapshot(cluster, serviceLayerOf(cluster, buildTopology(cluster))), { nodeName: node, nodeIPs: local, masqueradeAll: false, ...(cidr.ok ? { clusterCIDR: cidr.cidr } : {}) });
    expect(text.endsWith(printTable(table))).toBe(true);
    return nftFlows(table, local);
  };
  it("pod → ClusterIP lands on one of the endpoints (named targetPort resolved), no masquerade", async () => {
    expect((await tracer("node-a")).trace(tcp("10.244.1.9", "10.96.0.20", 80))).toMatchObject({ output: WEB, masquerade: false });
  });
  it("10.0.0.5 (outside the pod network) → ClusterIP is masqueraded", async () => {
    expect((await tracer("node-a")).trace(tcp("10.0.0.5", "10.96.0.20", 80))).toMatchObject({ output: WEB, masquerade: true });
  });
  it("NodePort on a node IP reaches every endpoint, masqueraded", async () => {
    expect((await tracer("node-b")).trace(tcp("198.51.100.7", "192.168.0.11", 30080))).toMatchObject({ output: WEB, masquerade: true });
  });
  it("externalTrafficPolicy Local: a node without a local endpoint drops outside traffic", async () => {
    expect((await tracer("node-a")).trace(tcp("198.51.100.7", "192.168.0.10", 30081)).output).toBe("DROP");
  });
  it("externalTrafficPolicy Local: pod traffic falls through to the cluster-wide endpoints", async () => {
    expect((await tracer("node-a")).trace(tcp("10.244.1.9", "192.168.0.10", 30081))).toMatchObject({ output: "10.244.2.20:8080", masquerade: false });
  });
  it("externalTrafficPolicy Local: the node with the endpoint keeps the client address", async () => {
    expect((await tracer("node-b")).trace(tcp("198.51.100.7", "192.168.0.11", 30081))).toMatchObject({ output: "10.244.2.20:8080", masquerade: false });
  });
  it("no endpoints ⇒ reject", async () => {
    expect((await tracer("node-a")).trace(tcp("10.244.1.9", "10.96.0.23", 80)).output).toBe("REJECT");
  });
  it("LoadBalancer IP from outside ⇒ endpoints, masqueraded", async () => {
    expect((await tracer("node-a")).trace(tcp("198.51.100.7", "203.0.113.50", 443))).toMatchObject({ output: WEB, masquerade: true });
  });
  it("a hairpin (endpoint reaching its own Service) is masqueraded", async () => {
    const r = (await tracer("node-a")).trace(tcp("10.244.1.3", "10.96.0.20", 80));
    expect(r.outcomes.find((o) => o.dnat === "10.244.1.3:8080")?.masquerade).toBe(true);
    expect(r.outcomes.find((o) => o.dnat === "10.244.2.4:8080")?.masquerade).toBe(false);
  });
});

/**
 * A dual-stack input: kube-proxy's IPv6 proxier in its own table (pkg/proxy/nftables/proxier.go
 * NewDualStackProxier; `ip6 kube-proxy`), with `--cluster-cidr` per family as kube-proxy takes it
 * ("10.244.0.0/16,fd00:10:244::/48").
 */
describe("kwire proxy-rules on a dual-stack input", () => {
  const DUAL = `apiVersion: v1
kind: Node
metadata: { name: node-a }
status: { addresses: [ { type: InternalIP, address: 192.168.0.10 }, { type: InternalIP, address: "fd00:192:168::10" } ] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-0, namespace: d, labels: { app: web } }
spec: { nodeName: node-a, containers: [ { name: web, image: nginx, ports: [ { containerPort: 8080 } ] } ] }
status: { podIP: 10.244.1.3, podIPs: [ { ip: 10.244.1.3 }, { ip: "fd00:10:244:1::3" } ] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: d }
spec:
  type: NodePort
  ipFamilyPolicy: PreferDualStack
  selector: { app: web }
  ports: [ { port: 80, targetPort: 8080, nodePort: 30080 } ]
`;
  it("-o nftables prints the IPv4 proxier's table, then the IPv6 proxier's, each with its family's --cluster-cidr and endpoint", async () => {
    const r = await run(["proxy-rules", "-f", "-", "-o", "nftables", "--cluster-cidr", "10.244.0.0/16,fd00:10:244::/48"], DUAL);
    expect(r.code).toBe(0);
    const [v4, v6] = r.stdout.split("# kube-proxy nftables mode (kwire proxy-rules) on node node-a: the IPv6 proxier\n");
    expect(v4).toContain("table ip kube-proxy {");
    expect(v4).toContain("ip daddr 10.96.100.0 tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade");
    expect(v4).toContain("dnat to 10.244.1.3:8080");
    expect(v6).toContain("table ip6 kube-proxy {");
    expect(v6).toContain("ip6 daddr fd00:10:96::100 tcp dport 80 ip6 saddr != fd00:10:244::/48 jump mark-for-masquerade");
    expect(v6).toContain("dnat to [fd00:10:244:1::3]:8080");
  });
});
