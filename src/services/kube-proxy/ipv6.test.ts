/**
 * IPv6 Services: one proxier per IP family, as kube-proxy runs them (pkg/proxy/nftables/proxier.go
 * NewDualStackProxier: an IPv4 and an IPv6 proxier; NewProxier picks knftables.IPv6Family for the
 * IPv6 one, so its table is `ip6 kube-proxy`; setupNFTables writes `ip6` / `ipv6_addr` /
 * `ip6 daddr != ::1` where the IPv4 one writes `ip` / `ipv4_addr` / `ip daddr != 127.0.0.0/8`).
 *
 * - **The same cluster in IPv6**: proxy-compact's cluster with every IPv4 address rewritten to an
 *   IPv6 one (a.b.c.d → fd00:a:b:c::d, /24 → /64) is a single-stack IPv6 cluster. Nothing in
 *   kube-proxy's Service logic depends on the family, so every packet of the grid must end on the
 *   IPv6 tables (kube-proxy's layout and the compact one) exactly as its IPv4 twin ends on the IPv4
 *   tables, address for address (DNAT target, masquerade, reject/drop).
 * - **A dual-stack cluster**: each proxier's snapshot holds only its family's ClusterIP, endpoints,
 *   node addresses, externalIPs, LoadBalancer IPs and source ranges (servicechangetracker.go and
 *   endpointslicecache.go filter by the proxier's family); single-stack Services of the other
 *   family are absent.
 * - As root, `nft -c` loads the rendered ip6 tables.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatIp, parseCidr, type Cidr, type Cluster } from "../../model/index.js";
import { loadCluster } from "../../parse/index.js";
import { buildServiceLayer } from "../layer.js";
import { printTable } from "../../nft/index.js";
import { buildCompactTable, buildNftTable, buildSnapshot, proxierOptions, renderCompactNftables, renderNftables, renderProxyRules, snapshotFamilies, type ProxyOptions } from "./index.js";
import { ip } from "./testing/model.js";
import { nftFlows, type FlowResult, type Packet } from "./testing/packet.js";

const REPO = join(import.meta.dirname, "..", "..", "..");
const FILE = "fixtures/scenarios/proxy-compact/cluster.yaml";
const TEXT4 = readFileSync(join(REPO, FILE), "utf8");

/** a.b.c.d → fd00:a:b:c::d (the octets' decimal digits read as hex groups); a/p → /p·2+16 for p ∈ {8,16,24}, /32 → /128. */
const PREFIX6: Readonly<Record<string, string>> = { "8": "32", "16": "48", "24": "64", "32": "128" };
const to6 = (text: string): string =>
  text.replace(/\b(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?\b/g, (_m, a: string, b: string, c: string, d: string, p: string | undefined) => {
    const addr = formatIp(ip(`fd00:${a}:${b}:${c}::${d}`));
    if (p === undefined) return addr;
    const q = PREFIX6[p];
    if (q === undefined) throw new Error(`no IPv6 twin for /${p}`);
    return `${addr}/${q}`;
  });
const twin = (t: string): string => (t.includes(":") || !/\d+\.\d+\.\d+\.\d+/.test(t) ? t : to6(t));

const load = (text: string): Cluster => loadCluster([{ path: "c.yaml", text }]).cluster;
const cluster4 = load(TEXT4);
const cluster6 = load(to6(TEXT4));
const snap4 = buildSnapshot(cluster4, buildServiceLayer(cluster4, []), 4);
const snap6 = buildSnapshot(cluster6, buildServiceLayer(cluster6, []), 6);

const cidr = (t: string): Cidr => {
  const c = parseCidr(t);
  if (!c.ok) throw new Error(t);
  return c.cidr;
};
const NODES = { "node-a": "192.168.0.10", "node-b": "192.168.0.11" } as const;
type NodeName = keyof typeof NODES;
const VARIANTS = {
  lab: { masqueradeAll: false },
  "cluster-cidr": { masqueradeAll: false, clusterCIDRs: [cidr("10.244.0.0/16")] },
  "masquerade-all": { masqueradeAll: true },
} as const;
/** The same node options for both families (proxierOptions picks each family's address and CIDR). */
const nodeOpts = (node: NodeName, v: keyof typeof VARIANTS, family: 4 | 6): ProxyOptions => {
  const base = VARIANTS[v];
  const cidrs = "clusterCIDRs" in base ? base.clusterCIDRs.map((c) => (family === 4 ? c : cidr(to6(`${formatIp({ family: 4, value: c.base })}/${c.prefix}`)))) : [];
  return proxierOptions({ nodeName: node, nodeIPs: [ip(NODES[node]), ip(to6(NODES[node]))], clusterCIDRs: cidrs, masqueradeAll: base.masqueradeAll }, family);
};

function destinations(node: NodeName): { dst: string; protocol: Packet["protocol"]; dport: number }[] {
  const out: { dst: string; protocol: Packet["protocol"]; dport: number }[] = [];
  for (const s of snap4) {
    const protocol = s.protocol.toLowerCase() as Packet["protocol"];
    for (const a of [s.clusterIP, ...s.externalIPs, ...s.loadBalancerIPs]) out.push({ dst: formatIp(a), protocol, dport: s.port }, { dst: formatIp(a), protocol, dport: s.port + 1 });
    if (s.nodePort !== 0) for (const n of Object.values(NODES)) out.push({ dst: n, protocol, dport: s.nodePort });
  }
  out.push({ dst: NODES[node], protocol: "tcp", dport: 22 });
  return out;
}
const SOURCES = ["10.244.1.3", "10.244.1.30", "10.244.1.9", "10.244.2.4", "10.244.2.30", "10.244.2.20", "192.168.0.10", "192.168.0.11", "203.0.113.7"];

/** Distinct outcomes; with `twinned`, DNAT targets in their IPv6 twin (`10.244.1.3:8080` → `[fd00:10:244:1::3]:8080`). */
const outcomes = (r: FlowResult, twinned = false): string[] =>
  [...new Set(r.outcomes.map((o) => {
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(o.dnat ?? "");
    const dnat = twinned && m !== null ? `[${to6(m[1] ?? "")}]:${m[2] ?? ""}` : (o.dnat ?? "-");
    return `${o.verdict} ${dnat}${o.masquerade ? " masq" : ""}`;
  }))].sort();

describe("the IPv6 twin of proxy-compact's cluster", () => {
  it("is single-stack IPv6: only the IPv6 proxier has Services, and it has every Service port the IPv4 one has", () => {
    expect(snapshotFamilies(cluster4, buildServiceLayer(cluster4, []))).toEqual([4]);
    expect(snapshotFamilies(cluster6, buildServiceLayer(cluster6, []))).toEqual([6]);
    expect(buildSnapshot(cluster6, buildServiceLayer(cluster6, []), 4)).toEqual([]);
    expect(snap6.map((s) => [s.nameString, s.protocol, formatIp(s.clusterIP), s.endpoints.map((e) => formatIp(e.ip))])).toEqual(
      snap4.map((s) => [s.nameString, s.protocol, twin(formatIp(s.clusterIP)), s.endpoints.map((e) => twin(formatIp(e.ip)))]),
    );
  });

  for (const node of ["node-a", "node-b"] as const) {
    for (const v of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
      it(`${node}, ${v}: every packet ends on the ip6 tables as its IPv4 twin ends on the ip tables (kube-proxy's layout and the compact one)`, () => {
        const [o4, o6] = [nodeOpts(node, v, 4), nodeOpts(node, v, 6)];
        const layouts = [
          { name: "kube-proxy", t4: buildNftTable(snap4, o4), t6: buildNftTable(snap6, o6) },
          { name: "compact", t4: buildCompactTable(snap4, o4), t6: buildCompactTable(snap6, o6) },
        ];
        const diffs: string[] = [];
        let compared = 0;
        for (const l of layouts) {
          expect([l.t4.family, l.t6.family]).toEqual(["ip", "ip6"]);
          const [f4, f6] = [nftFlows(l.t4, o4.nodeIPs), nftFlows(l.t6, o6.nodeIPs)];
          for (const src of SOURCES) {
            for (const d of destinations(node)) {
              const p4: Packet = { src, dst: d.dst, protocol: d.protocol, dport: d.dport };
              const p6: Packet = { ...p4, src: to6(src), dst: to6(d.dst) };
              const [want, got] = [outcomes(f4.trace(p4), true), outcomes(f6.trace(p6))];
              compared++;
              if (want.join("; ") !== got.join("; ")) diffs.push(`${l.name} ${p6.src} → ${p6.dst} ${p6.protocol}/${p6.dport}: IPv4 twin [${want.join("; ")}], IPv6 [${got.join("; ")}]`);
            }
          }
        }
        expect(diffs).toEqual([]);
        expect(compared).toBeGreaterThan(600);
      });
    }
  }

  it("writes the IPv6 forms kube-proxy's setupNFTables writes (ipX, ipvX_addr, noLocalhost), bracketed DNAT targets, and group addresses in 100::/64", () => {
    const o = nodeOpts("node-a", "cluster-cidr", 6);
    const kp = renderNftables(snap6, o);
    expect(kp).toContain("table ip6 kube-proxy {");
    expect(kp).toContain("type ipv6_addr . inet_proto . inet_service : verdict");
    expect(kp).toContain("fib daddr type local ip6 daddr != ::1 meta l4proto . th dport vmap @service-nodeports");
    expect(kp).toContain("ip6 daddr . meta l4proto . th dport vmap @service-ips");
    expect(kp).toMatch(/ip6 daddr fd00:10:96::20 tcp dport 80 ip6 saddr != fd00:10:244::\/48 jump mark-for-masquerade/);
    expect(kp).toContain("dnat to [fd00:10:244:1::3]:8080");
    expect(kp).not.toMatch(/\bip (saddr|daddr)\b|ipv4_addr|127\.0\.0\.0/);
    const compact = renderCompactNftables(snap6, o);
    expect(compact).toContain("table ip6 kwire-services {");
    expect(compact).toContain("ip6 saddr . ip6 daddr @hairpin");
    expect(compact).toMatch(/ip6 daddr set ip6 daddr \. tcp dport map @groups-ip-tcp/);
    expect(compact).toMatch(/dnat ip6 to ip6 daddr \. numgen random mod 3 map @eps-tcp-3/);
    expect(compact).toMatch(/100::\d+ \. 0 : fd00:10:244:1::3 \. 8080/);
    expect(compact).not.toMatch(/\bip (saddr|daddr)\b|ipv4_addr|127\.0\.0\.0/);
  });

  it("leaves the IPv4 rendering of the IPv4 cluster as it was (its table is printTable of the same AST)", () => {
    const o = nodeOpts("node-a", "lab", 4);
    expect(renderNftables(snap4, o)).toContain("table ip kube-proxy {");
    expect(renderNftables(snap4, o)).toContain(printTable(buildNftTable(snap4, o)));
    expect(renderCompactNftables(snap4, o)).not.toContain("ip6");
  });
});

/** A dual-stack cluster: nodes, pods and Services of both families, and single-stack Services of each. */
const DUAL = `
apiVersion: v1
kind: Node
metadata: { name: node-a }
spec: { podCIDRs: [10.244.1.0/24, "fd00:10:244:1::/64"] }
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
metadata: { name: both, namespace: d }
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  clusterIPs: [10.96.0.40, "fd00:10:96::40"]
  externalIPs: [198.51.100.40, "2001:db8::40"]
  loadBalancerSourceRanges: [203.0.113.0/24, "2001:db8:113::/64"]
  selector: { app: web }
  ports: [ { port: 80, targetPort: 8080, nodePort: 30040 } ]
status: { loadBalancer: { ingress: [ { ip: 198.51.100.41 }, { ip: "2001:db8::41" } ] } }
---
apiVersion: v1
kind: Service
metadata: { name: six, namespace: d }
spec:
  ipFamilies: [IPv6]
  selector: { app: web }
  ports: [ { port: 81, targetPort: 8080 } ]
---
apiVersion: v1
kind: Service
metadata: { name: four, namespace: d }
spec:
  clusterIP: 10.96.0.42
  selector: { app: web }
  ports: [ { port: 82, targetPort: 8080 } ]
`;

describe("a dual-stack cluster: one snapshot per family", () => {
  const c = load(DUAL);
  const layer = buildServiceLayer(c, []);
  const s4 = buildSnapshot(c, layer, 4);
  const s6 = buildSnapshot(c, layer, 6);
  const row = (s: (typeof s4)[number]): string[] =>
    [s.name, formatIp(s.clusterIP), ...s.endpoints.map((e) => formatIp(e.ip)), ...s.externalIPs.map(formatIp), ...s.loadBalancerIPs.map(formatIp), ...s.loadBalancerSourceRanges.map((r) => `${formatIp({ family: r.family, value: r.base })}/${r.prefix}`)];

  it("each proxier sees its family's ClusterIP, endpoints, externalIPs, LoadBalancer IPs and source ranges; single-stack Services only in their family", () => {
    expect(snapshotFamilies(c, layer)).toEqual([4, 6]);
    expect(s4.map(row)).toEqual([
      ["both", "10.96.0.40", "10.244.1.3", "198.51.100.40", "198.51.100.41", "203.0.113.0/24"],
      ["four", "10.96.0.42", "10.244.1.3"],
    ]);
    // six: ipFamilies [IPv6] and no clusterIP: the IPv6 range gives it one (services/frontends.ts).
    expect(s6.map(row)).toEqual([
      ["both", "fd00:10:96::40", "fd00:10:244:1::3", "2001:db8::40", "2001:db8::41", "2001:db8:113::/64"],
      ["six", "fd00:10:96::100", "fd00:10:244:1::3"],
    ]);
  });

  it("the IPv6 proxier's firewall chain filters on IPv6 sources, and its NodePort answers on the node's IPv6 address only", () => {
    const o = proxierOptions({ nodeName: "node-a", nodeIPs: c.nodes[0]?.internalIPs ?? [], masqueradeAll: false }, 6);
    expect(o.nodeIPs.map(formatIp)).toEqual(["fd00:192:168::10"]);
    const text = renderNftables(s6, o);
    expect(text).toContain("ip6 saddr != { 2001:db8:113::/64 } drop");
    const flows = nftFlows(buildNftTable(s6, o), o.nodeIPs);
    expect(flows.trace({ src: "2001:db8:113::9", dst: "2001:db8::41", protocol: "tcp", dport: 80 })).toMatchObject({ output: "[fd00:10:244:1::3]:8080", masquerade: true });
    expect(flows.trace({ src: "2001:db8:999::9", dst: "2001:db8::41", protocol: "tcp", dport: 80 }).output).toBe("DROP");
    expect(flows.trace({ src: "2001:db8:999::9", dst: "fd00:192:168::10", protocol: "tcp", dport: 30040 })).toMatchObject({ output: "[fd00:10:244:1::3]:8080", masquerade: true });
    expect(flows.trace({ src: "fd00:10:244:1::3", dst: "fd00:10:96::100", protocol: "tcp", dport: 81 }).output).toBe("[fd00:10:244:1::3]:8080");
  });

  it("proxy-rules shows both proxiers: `ip kube-proxy` then `ip6 kube-proxy` (nftables), iptables-restore then the IPv6 proxier's (iptables), one ipvsadm listing", () => {
    const o = { nodeName: "node-a", nodeIPs: c.nodes[0]?.internalIPs ?? [], masqueradeAll: false };
    const nft = renderProxyRules(c, "nftables", o, layer);
    expect(nft.indexOf("table ip kube-proxy {")).toBeGreaterThanOrEqual(0);
    expect(nft.indexOf("table ip6 kube-proxy {")).toBeGreaterThan(nft.indexOf("table ip kube-proxy {"));
    const ipt = renderProxyRules(c, "iptables", o, layer);
    expect(ipt).toContain(": the IPv6 proxier (ip6tables-restore input)");
    expect(ipt).toMatch(/-d fd00:10:96::40 --dport 80/);
    const ipvs = renderProxyRules(c, "ipvs", o, layer);
    expect(ipvs.match(/IP Virtual Server version/g)).toHaveLength(1);
    expect(ipvs).toContain("TCP  [fd00:10:96::40]:80 rr");
    expect(ipvs).toContain("TCP  [fd00:192:168::10]:30040 rr");
  });
});

const NFT = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].find((p) => existsSync(p));
const skip = process.platform !== "linux" ? "needs Linux" : process.getuid?.() !== 0 ? "needs root (nft -c opens a netlink socket)" : NFT === undefined ? "needs nft" : undefined;

describe.skipIf(skip !== undefined)(`ip6 Service tables load with nft -c${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  for (const v of Object.keys(VARIANTS) as (keyof typeof VARIANTS)[]) {
    it(`the IPv6 twin on node-a, ${v}: kube-proxy's layout and the compact one; the dual-stack cluster's proxy-rules`, () => {
      const o = nodeOpts("node-a", v, 6);
      const c = load(DUAL);
      const dual = renderProxyRules(c, "nftables", { nodeName: "node-a", nodeIPs: c.nodes[0]?.internalIPs ?? [], masqueradeAll: false }, buildServiceLayer(c, []));
      for (const text of [renderNftables(snap6, o), renderCompactNftables(snap6, o), dual]) {
        const r = spawnSync(NFT ?? "nft", ["-c", "-f", "-"], { input: text, encoding: "utf8" });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
      }
    });
  }
});
