/**
 * loadBalancerSourceRanges in `kwire proxy-rules`: kube-proxy's firewall chains as
 * pkg/proxy/iptables/proxier.go ("Set up firewall chain, if needed": KUBE-FW-* with one
 * `-s RANGE -j KUBE-EXT-*` per range, KUBE-PROXY-FIREWALL dropping what was not DNATed) and
 * pkg/proxy/nftables/proxier.go (`firewall-ips` map → `firewall-*` chain
 * `ip saddr != { ranges } drop`) render them, traced packet by packet through the text the CLI
 * printed (iptables) or the nft table whose text the CLI printed (nftables, compact: the one nft
 * tracer), and loaded into a kernel in a throwaway netns when root.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseIp, type Ip } from "../../src/model/index.js";
import { readFileSync } from "node:fs";
import { loadCluster } from "../../src/parse/index.js";
import { parseCidr } from "../../src/model/index.js";
import { buildCompactTable, buildNftTable, buildSnapshot, renderCompactNftables, type ProxyOptions } from "../../src/services/kube-proxy/index.js";
import { buildServiceLayer } from "../../src/services/index.js";
import { buildTopology, serviceLayerOf } from "../../src/engine/index.js";
import { printTable } from "../../src/nft/index.js";
import { IptablesTracer } from "../../src/services/kube-proxy/testing/iptables-tracer.js";
import { nftFlows, type Packet } from "../../src/services/kube-proxy/testing/packet.js";
import { golden, run, scenario } from "../cli/harness.js";

const F = ["-f", scenario("north-south", "cluster.yaml"), "--cluster-cidr", "10.244.0.0/16"];
const NODE = parseIp("10.0.0.1") as Ip;
const tcp = (src: string, dst: string, dport: number): Packet => ({ src, dst, protocol: "tcp", dport });

const path = scenario("north-south", "cluster.yaml");
const { cluster } = loadCluster([{ path, text: readFileSync(path, "utf8") }]);
const cidr = parseCidr("10.244.0.0/16");
const OPTS: ProxyOptions = { nodeName: "n1", nodeIPs: [NODE], masqueradeAll: false, ...(cidr.ok ? { clusterCIDR: cidr.cidr } : {}) };
/** The lab's compact layout (no CLI mode), from the same snapshot the lab uses. */
const compactTable = () => buildCompactTable(buildSnapshot(cluster, buildServiceLayer(cluster, [])), OPTS);
/** kube-proxy's table as the CLI builds it (its Service layer, its first Node). */
const kubeProxyTable = () => buildNftTable(buildSnapshot(cluster, serviceLayerOf(cluster, buildTopology(cluster))), OPTS);

async function rules(mode: "iptables" | "nftables" | "compact"): Promise<string> {
  if (mode === "compact") return renderCompactNftables(buildSnapshot(cluster, buildServiceLayer(cluster, [])), OPTS);
  const r = await run(["proxy-rules", ...F, "-o", mode]);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe.each(["iptables", "nftables", "compact"] as const)("loadBalancerSourceRanges through the %s rules", (mode) => {
  const tracer = async (): Promise<{ trace(p: Packet): { output: string } }> => {
    const text = await rules(mode);
    if (mode === "iptables") return new IptablesTracer(text, [NODE]);
    const table = mode === "nftables" ? kubeProxyTable() : compactTable();
    expect(text.endsWith(printTable(table))).toBe(true);
    return nftFlows(table, [NODE]);
  };
  it("golden", async () => {
    await expect(await rules(mode)).toMatchFileSnapshot(golden("north-south", `proxy-rules.${mode}.txt`));
  });
  it("a client inside a range reaches the endpoint through the LoadBalancer IP", async () => {
    expect((await tracer()).trace(tcp("203.0.113.9", "198.51.100.20", 443)).output).toBe("10.244.1.22:8080");
  });
  it("a client outside every range is dropped at the LoadBalancer IP", async () => {
    expect((await tracer()).trace(tcp("198.51.100.9", "198.51.100.20", 443)).output).toBe("DROP");
  });
  it("\"nodeports are not subject to loadBalancerSourceRanges\": the same client reaches the nodePort", async () => {
    expect((await tracer()).trace(tcp("198.51.100.9", "10.0.0.1", 30443)).output).toBe("10.244.1.22:8080");
  });
});

const NFT = ["/usr/sbin/nft", "/sbin/nft"].find((p) => existsSync(p));
const IPT = ["/usr/sbin/iptables-restore", "/sbin/iptables-restore"].find((p) => existsSync(p));
const skip = process.platform !== "linux" || process.getuid?.() !== 0 || NFT === undefined || IPT === undefined;

describe.skipIf(skip)("the firewall rules load into a kernel (nft -c; iptables-restore --test in a throwaway netns)", () => {
  it.each(["nftables", "compact"] as const)("nft -c accepts the %s rules", async (mode) => {
    const r = spawnSync(NFT ?? "nft", ["-c", "-f", "-"], { input: await rules(mode), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
  it("iptables-restore --test accepts the iptables rules", async () => {
    const text = (await rules("iptables")).split("\n").filter((l) => !l.startsWith("#")).join("\n");
    const ns = `kw-nstest-${process.pid}`;
    expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
    try {
      const r = spawnSync("ip", ["netns", "exec", ns, IPT ?? "iptables-restore", "--test"], { input: text, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    } finally {
      spawnSync("ip", ["netns", "del", ns]);
    }
  });
});
