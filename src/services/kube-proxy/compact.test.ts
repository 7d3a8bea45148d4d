/**
 * The compact Service rules (compact.ts): goldens (fixtures/scenarios/proxy-compact/expected,
 * update with `vitest -u` and review the diff), a differential against kube-proxy's own layout —
 * every packet of a grid (sources: pods of both nodes, the nodes, an outside client; destinations:
 * every frontend and a wrong port) traced through kube-proxy's table and through the compact one
 * must end the same way (same DNAT targets, same masquerade, same reject/drop) — the size of the
 * skeleton, which must not grow with the number of Services, endpoint-list sharing, and, as
 * root, `nft -c` on the rendered text.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { golden } from "../../../test/cli/harness.js";
import { formatIp, parseCidr, type Cidr, type Cluster } from "../../model/index.js";
import { loadCluster } from "../../parse/index.js";
import { buildCompactTable, buildNftTable, buildSnapshot, renderCompactNftables, type ProxyOptions, type ServicePortInfo } from "./index.js";
import { buildServiceLayer } from "../layer.js";
import { ip } from "./testing/model.js";
import { nftFlows, type FlowResult, type Packet } from "./testing/packet.js";

const REPO = join(import.meta.dirname, "..", "..", "..");
const FILE = "fixtures/scenarios/proxy-compact/cluster.yaml";
const { cluster } = loadCluster([{ path: FILE, text: readFileSync(join(REPO, FILE), "utf8") }]);
const snapshot = buildSnapshot(cluster, buildServiceLayer(cluster, []));

const cidr = (t: string): Cidr => {
  const c = parseCidr(t);
  if (!c.ok) throw new Error(t);
  return c.cidr;
};
const NODES = { "node-a": "192.168.0.10", "node-b": "192.168.0.11" } as const;
type NodeName = keyof typeof NODES;
const VARIANTS = {
  lab: { masqueradeAll: false },
  "cluster-cidr": { masqueradeAll: false, clusterCIDR: cidr("10.244.0.0/16") },
  "masquerade-all": { masqueradeAll: true },
} as const;
const opts = (node: NodeName, v: keyof typeof VARIANTS): ProxyOptions => ({ nodeName: node, nodeIPs: [ip(NODES[node])], ...VARIANTS[v] });

describe("compact goldens", () => {
  for (const node of ["node-a", "node-b"] as const) {
    for (const v of ["lab", "cluster-cidr"] as const) {
      it(`${node}, ${v}`, async () => {
        await expect(renderCompactNftables(snapshot, opts(node, v))).toMatchFileSnapshot(golden("proxy-compact", `compact.${v}.${node}.txt`));
      });
    }
  }
});

/** Every frontend of the snapshot (plus a port no Service has), as destinations. */
function destinations(node: NodeName): { dst: string; protocol: Packet["protocol"]; dport: number }[] {
  const out: { dst: string; protocol: Packet["protocol"]; dport: number }[] = [];
  for (const s of snapshot) {
    const protocol = s.protocol.toLowerCase() as Packet["protocol"];
    for (const a of [s.clusterIP, ...s.externalIPs, ...s.loadBalancerIPs]) out.push({ dst: formatIp(a), protocol, dport: s.port }, { dst: formatIp(a), protocol, dport: s.port + 1 });
    if (s.nodePort !== 0) for (const n of Object.values(NODES)) out.push({ dst: n, protocol, dport: s.nodePort });
  }
  out.push({ dst: NODES[node], protocol: "tcp", dport: 22 });
  return out;
}

const SOURCES = ["10.244.1.3", "10.244.1.30", "10.244.1.9", "10.244.2.4", "10.244.2.30", "10.244.2.20", "192.168.0.10", "192.168.0.11", "203.0.113.7"];
const endpointNode = new Map(snapshot.flatMap((s) => s.endpoints.map((e) => [formatIp(e.ip), e.nodeName] as const)));
const clusterIPs = new Set(snapshot.map((s) => formatIp(s.clusterIP)));
const outcomes = (r: FlowResult): string[] => [...new Set(r.outcomes.map((o) => `${o.verdict} ${o.dnat ?? "-"}${o.masquerade ? " masq" : ""}`))].sort();

describe("same packet outcomes as kube-proxy's nftables layout", () => {
  for (const node of ["node-a", "node-b"] as const) {
    for (const v of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
      it(`${node}, ${v}`, () => {
        const o = opts(node, v);
        const kp = nftFlows(buildNftTable(snapshot, o), o.nodeIPs);
        const compact = nftFlows(buildCompactTable(snapshot, o), o.nodeIPs);
        let compared = 0;
        const diffs: string[] = [];
        for (const src of SOURCES) {
          for (const d of destinations(node)) {
            // Documented: an endpoint of another node reaching this node's ClusterIP rules un-DNATed
            // (its own node DNATs first) is not in this node's hairpin set.
            const remote = endpointNode.get(src);
            if (remote !== undefined && remote !== node && clusterIPs.has(d.dst)) continue;
            const p: Packet = { src, dst: d.dst, protocol: d.protocol, dport: d.dport };
            const [want, got] = [outcomes(kp.trace(p)), outcomes(compact.trace(p))];
            compared++;
            if (want.join("; ") !== got.join("; ")) diffs.push(`${src} → ${d.dst} ${d.protocol}/${d.dport}: kube-proxy [${want.join("; ")}], compact [${got.join("; ")}]`);
          }
        }
        expect(diffs).toEqual([]);
        expect(compared).toBeGreaterThan(300);
      });
    }
  }

  it("covers what the lab relies on: ClusterIP spread, hairpin, NodePort masquerade, reject, Local drop", () => {
    const o = opts("node-a", "lab");
    const t = nftFlows(buildCompactTable(snapshot, o), o.nodeIPs);
    const tcp = (src: string, dst: string, dport: number): Packet => ({ src, dst, protocol: "tcp", dport });
    expect(t.trace(tcp("10.244.1.9", "10.96.0.20", 80))).toMatchObject({ output: "10.244.1.3:8080, 10.244.1.5:8080, 10.244.2.4:8080", masquerade: false });
    expect(outcomes(t.trace(tcp("10.244.1.3", "10.96.0.20", 80)))).toEqual(["ACCEPT 10.244.1.3:8080 masq", "ACCEPT 10.244.1.5:8080", "ACCEPT 10.244.2.4:8080"]);
    expect(t.trace(tcp("10.244.1.9", "192.168.0.10", 30080))).toMatchObject({ output: "10.244.1.3:8080, 10.244.1.5:8080, 10.244.2.4:8080", masquerade: true });
    expect(t.trace(tcp("10.244.1.9", "10.96.0.23", 80)).output).toBe("REJECT");
    expect(t.trace(tcp("203.0.113.7", "192.168.0.10", 30081)).output).toBe("DROP");
    expect(t.trace(tcp("192.168.0.10", "192.168.0.10", 30081))).toMatchObject({ output: "10.244.2.20:8080", masquerade: true });
    expect(t.trace({ src: "10.244.1.9", dst: "10.96.0.10", protocol: "udp", dport: 53 }).output).toBe("10.244.1.53:53");
    expect(t.trace({ src: "10.244.1.9", dst: "10.96.0.34", protocol: "sctp", dport: 7777 }).output).toBe("10.244.2.40:7777");
  });
});

/** n ClusterIP Services, each over its own pods (1–5 of them) and some over a NodePort. */
function synthetic(n: number): ServicePortInfo[] {
  const v4 = (base: number, i: number): ReturnType<typeof ip> => ({ family: 4, value: BigInt(base + i) });
  let pod = 0;
  return Array.from({ length: n }, (_, i): ServicePortInfo => {
    const endpoints = Array.from({ length: 1 + (i % 5) }, () => ({ ip: v4(0x0af40000, pod++), port: 8080, ready: true, serving: true, terminating: false, nodeName: `node-${pod % 3}` }));
    return {
      namespace: "ns", name: `svc-${i}`, nameString: `ns/svc-${i}`, portName: "", protocol: i % 7 === 0 ? "UDP" : "TCP", clusterIP: v4(0x0a600000, i), port: 80,
      nodePort: i % 4 === 0 ? 30000 + i : 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], sessionAffinity: false, stickySeconds: 10800,
      externalPolicyLocal: false, internalPolicyLocal: false, endpoints, source: { file: "x", line: 1, column: 1, path: "" },
    };
  });
}

describe("size", () => {
  const shape = (n: number): { chains: number; sets: number; elements: number } => {
    const t = buildCompactTable(synthetic(n), { nodeName: "node-0", nodeIPs: [], masqueradeAll: false });
    return { chains: t.chains.length, sets: t.sets.length, elements: t.sets.reduce((a, s) => a + s.elements.length, 0) };
  };
  it("chains and sets do not grow with the number of Services; elements grow linearly", () => {
    const [small, large] = [shape(300), shape(6000)];
    expect(large.chains).toBe(small.chains);
    expect(large.sets).toBe(small.sets);
    expect(large.chains).toBeLessThan(50);
    expect(large.elements / small.elements).toBeGreaterThan(18);
    expect(large.elements / small.elements).toBeLessThan(22);
  });

  it("identical endpoint lists are stored once (a Service's ClusterIP and NodePort, Services selecting the same pods)", () => {
    const t = buildCompactTable(snapshot, opts("node-a", "lab"));
    const els = (name: string): string[] => {
      const m = t.sets.find((s) => s.name === name);
      return m?.kind === "map" ? m.elements.map((e) => `${e.key} : ${e.value}`) : [];
    };
    // web, web-np (ClusterIP and NodePort), web-alias, lb, ext-cluster: one group of three endpoints.
    expect(els("eps-tcp-3")).toHaveLength(3);
    const groupOf = (key: string): string | undefined => els("groups-ip-tcp").find((e) => e.startsWith(`${key} : `))?.split(" : ")[1];
    expect(new Set(["10.96.0.20 . 80", "10.96.0.21 . 80", "10.96.0.26 . 8000", "10.96.0.25 . 443", "198.51.100.20 . 80"].map(groupOf)).size).toBe(1);
    expect(els("groups-np-tcp")).toContain(`30080 : ${groupOf("10.96.0.20 . 80")}`);
  });

  it("is deterministic", () => {
    const rev = { ...cluster, services: [...cluster.services].reverse() } satisfies Cluster;
    const reversed = buildSnapshot(rev, buildServiceLayer(rev, []));
    expect(renderCompactNftables(reversed, opts("node-b", "lab"))).toBe(renderCompactNftables(snapshot, opts("node-b", "lab")));
  });
});

const NFT = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].find((p) => existsSync(p));
const skip = process.platform !== "linux" ? "needs Linux" : process.getuid?.() !== 0 ? "needs root (nft -c opens a netlink socket)" : NFT === undefined ? "needs nft" : undefined;

describe.skipIf(skip !== undefined)(`compact rules load with nft -c${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  for (const v of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
    it(`proxy-compact on node-a, ${v}; 2000 synthetic Services`, () => {
      for (const text of [renderCompactNftables(snapshot, opts("node-a", v)), renderCompactNftables(synthetic(2000), { nodeName: "node-0", nodeIPs: [], ...VARIANTS[v] })]) {
        const r = spawnSync(NFT ?? "nft", ["-c", "-f", "-"], { input: text, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
      }
    });
  }
});
