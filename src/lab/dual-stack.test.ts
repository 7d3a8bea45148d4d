/**
 * @module lab/dual-stack.test
 * Dual-stack without a kernel: the plan honours both declared families (one node per /24 and its
 * /64), the policy compiler writes `ip6` rules, maps and hairpin sets beside the IPv4 ones, and for
 * every pod pair, port and family the compiled tables (traced) agree with the engine's prediction
 * on that family's view of the cluster — which the hand-written truths of dual-policies.ts pin.
 */
import { describe, expect, it } from "vitest";
import { fastAnalysis } from "../engine/index.js";
import { containsPort, formatIp, parseCidr, type Cidr, type Protocol } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { printTable } from "../nft/index.js";
import { admitted, L4, nodeTables } from "../nft/testing/differential.js";
import { ALL_PODS, podIP } from "../../test/conformance/model.js";
import { familyView, labCluster, nftPods } from "./model.js";
import { planLab } from "./plan.js";
import { labPolicyTables } from "./general-policy.js";
import { CALICO_DUAL_PINGS, CALICO_DUAL_POLICY, CALICO_DUAL_TRUTHS, CILIUM_DUAL_POLICY, CILIUM_DUAL_TRUTHS } from "./testing/dual-dialects.js";
import { labClusterCidr, proxyScript, unservedServiceNotes } from "./services.js";
import { dualModelYaml, podIP6 } from "./testing/dual-model.js";
import { DUAL_POLICIES, DUAL_TRUTHS } from "./testing/dual-policies.js";

const load = (yaml: string, policies: readonly string[] = DUAL_POLICIES) =>
  loadCluster([{ path: "model.yaml", text: yaml }, { path: "policies.yaml", text: policies.join("---\n") }]).cluster;

/** The lab cluster as `lab up` would build it from the plan, with every pod on its declared addresses. */
function labOf(yaml: string, family?: "ipv4" | "ipv6" | "dual") {
  const cluster = load(yaml);
  const plan = planLab(cluster, family === undefined ? {} : { ipFamily: family });
  const placed = plan.pods.map((pod) => {
    const ips = [pod.requestedIp, pod.requestedIp6].filter((x): x is string => x !== undefined);
    return { pod, ip: ips[0] ?? "", ips };
  });
  return { plan, lab: labCluster(cluster, placed) };
}

describe("dual-stack plan", () => {
  it("derives one node per declared /24 with the /64 its pods declare, and requests both addresses", () => {
    const { plan } = labOf(dualModelYaml("dual"));
    expect(plan.ipFamily).toBe("dual");
    expect(plan.nodes.map((n) => [n.name, n.podCidr, n.podCidr6, n.gateway6, n.transitIp6])).toEqual([
      ["node-0", "10.0.1.0/24", "fd00:0:0:1::/64", "fd00::1:ffff:ffff:ffff:fffe", "fd00:172:30::1"],
      ["node-1", "10.0.2.0/24", "fd00:0:0:2::/64", "fd00::2:ffff:ffff:ffff:fffe", "fd00:172:30::2"],
      ["node-2", "10.0.3.0/24", "fd00:0:0:3::/64", "fd00::3:ffff:ffff:ffff:fffe", "fd00:172:30::3"],
    ]);
    expect(plan.pods.map((p) => [p.id, p.requestedIp, p.requestedIp6])).toEqual(ALL_PODS.map((p) => [p, podIP(p), podIP6(p)]));
    expect(plan.notes.join("\n")).toContain("--ip-family dual");
  });

  it("IPv6-only declarations: nodes per /64, pods get IPv6 only; --ip-family ipv4 refuses them, naming the flag", () => {
    const { plan } = labOf(dualModelYaml("ipv6"));
    expect(plan.ipFamily).toBe("ipv6");
    expect(plan.nodes.map((n) => n.podCidr6)).toEqual(["fd00:0:0:1::/64", "fd00:0:0:2::/64", "fd00:0:0:3::/64"]);
    expect(plan.pods.every((p) => p.requestedIp === undefined && p.requestedIp6 !== undefined)).toBe(true);
    expect(() => planLab(load(dualModelYaml("ipv6")), { ipFamily: "ipv4" })).toThrow(/declares only IPv6 .*use --ip-family ipv6 or dual/);
  });

  it("Calico/Cilium clusters plan like any other: declared IPv6 gives a dual-stack (or IPv6) lab, --ip-family ipv6/dual is honoured", () => {
    const calico = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-x}
spec: {selector: "projectcalico.org/namespace == 'x'", types: [Ingress]}
`;
    const cluster = { ...load(dualModelYaml("dual"), [calico]), policyDialect: "calico" as const };
    const plan = planLab(cluster);
    expect(plan.ipFamily).toBe("dual");
    expect(plan.pods.every((p) => p.requestedIp !== undefined && p.requestedIp6 !== undefined)).toBe(true);
    expect(plan.notes.join("\n")).not.toContain("IPv4 only");
    expect(planLab(cluster, { ipFamily: "ipv6" }).ipFamily).toBe("ipv6");
    const v6only = { ...load(dualModelYaml("ipv6"), [calico]), policyDialect: "calico" as const };
    expect(planLab(v6only).ipFamily).toBe("ipv6");
    // An IPv4 lab still leaves IPv6-only declarations out, saying how to keep them.
    expect(() => planLab(v6only, { ipFamily: "ipv4" })).toThrow(/declares only IPv6 .*use --ip-family ipv6 or dual/);
  });

  it("an IPv4-only input under --ip-family dual gets IPv6 podCIDRs fd00:10:244:<i>::/64; a declared IPv6 outside the node's /64 is refused", () => {
    const plain = planLab(load(dualModelYaml("dual").replace(/  - ip: fd00:[0-9a-f:]+\n/g, "")), { ipFamily: "dual" });
    expect(plain.nodes.map((n) => n.podCidr6)).toEqual(["fd00:10:244::/64", "fd00:10:244:1::/64", "fd00:10:244:2::/64"]);
    const moved = dualModelYaml("dual").replace("- ip: fd00:0:0:1::2", "- ip: fd00:0:0:9::2");
    expect(() => planLab(load(moved))).toThrow(/x\/b: declared IP fd00:0:0:9::2 is not in node-0's IPv6 podCIDR fd00:0:0:1::\/64/);
  });
});

describe("dual-stack policy in nft", () => {
  const { lab } = labOf(dualModelYaml("dual"));
  const pods = nftPods(lab);
  const tables = nodeTables(lab, pods);
  const PROBES: { protocol: Protocol; port: number }[] = [{ protocol: "TCP", port: 80 }, { protocol: "TCP", port: 81 }, { protocol: "UDP", port: 80 }, { protocol: "UDP", port: 81 }];

  it("writes ip6 maps, rules and sets beside the IPv4 ones (IPv6 ipBlocks enforced; 0.0.0.0/0 and ::/0 as meta nfproto)", () => {
    const x = printTable(tables.get("node-0")?.[0] ?? (() => { throw new Error("no node-0 table"); })());
    expect(x).toContain("ip6 saddr vmap @egress-pods6");
    expect(x).toContain("ip6 daddr vmap @ingress-pods6");
    expect(x).toMatch(/ip6 saddr fd00:0:0:2::\/64|ip6 saddr @peers-/);
    const y = printTable(tables.get("node-1")?.[0] ?? (() => { throw new Error("no node-1 table"); })());
    expect(y).toContain("meta nfproto ipv4 accept");
    expect(y).toContain("meta nfproto ipv6 return");
    expect(y).toContain("type ipv6_addr . ipv6_addr");
  });

  it("accepts IPv6 neighbour discovery to and from isolated pods (RFC 4861/4890: ARP's job, not pod traffic); other ICMPv6 is policed", () => {
    const na = { saddr: "fe80::2", daddr: podIP6("x/a"), protocol: "icmpv6", icmpv6Type: "nd-neighbor-advert" } as const;
    expect(admitted(tables, "node-0", "node-0", na)).toBe(true);
    expect(admitted(tables, "node-0", "node-0", { ...na, saddr: podIP6("x/b"), icmpv6Type: "echo-request" })).toBe(false);
  });

  it("for every pod pair, port and family, the traced tables agree with the engine on that family's view", () => {
    const wrong: string[] = [];
    for (const family of [4, 6] as const) {
      const a = fastAnalysis(familyView(lab, family));
      const index = new Map(a.topology.subjects.map((s, i) => [s.id, i]));
      for (const src of pods) {
        for (const dst of pods) {
          if (src === dst) continue;
          const saddr = src.ips.find((ip) => ip.family === family);
          const daddr = dst.ips.find((ip) => ip.family === family);
          if (saddr === undefined || daddr === undefined) throw new Error(`${src.id} or ${dst.id} has no IPv${family} address`);
          for (const p of PROBES) {
            const want = containsPort(a.explain(index.get(src.id) ?? -1, index.get(dst.id) ?? -1).ports, p.protocol, p.port);
            const got = admitted(tables, src.node, dst.node, { saddr: formatIp(saddr), daddr: formatIp(daddr), protocol: L4[p.protocol], dport: p.port });
            if (want !== got) wrong.push(`IPv${family} ${src.id} -> ${dst.id} ${p.protocol}/${p.port}: engine ${want}, nft ${got}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(DUAL_TRUTHS)("%s -> %s %s over IPv%s: allowed %s (dual-policies.ts), in the tables and in the per-family prediction", (src, dst, port, family, allowed) => {
    const [protocol, num] = port.split("/") as [Protocol, string];
    const s = pods.find((p) => p.id === src);
    const d = pods.find((p) => p.id === dst);
    const saddr = s?.ips.find((ip) => ip.family === family);
    const daddr = d?.ips.find((ip) => ip.family === family);
    if (s === undefined || d === undefined || saddr === undefined || daddr === undefined) throw new Error("pod missing");
    expect(admitted(tables, s.node, d.node, { saddr: formatIp(saddr), daddr: formatIp(daddr), protocol: L4[protocol], dport: Number(num) })).toBe(allowed);
    const a = fastAnalysis(familyView(lab, family));
    const ids = a.topology.subjects.map((x) => x.id);
    expect(containsPort(a.explain(ids.indexOf(src), ids.indexOf(dst)).ports, protocol, Number(num))).toBe(allowed);
  });
});

/**
 * Calico and Cilium over both families (compile-general.ts): the lab's tables for the dialect
 * (labPolicyTables, on the lab's nodes) agree, for every pod pair, port and family, with the
 * engine on that family's view — the same check as above for the dialects' own policies
 * (testing/dual-dialects.ts, sources there), with an IPv6 address rule in each: Calico nets and
 * ipVersion make the families differ; a Cilium CIDR never matches pods, so there they agree.
 */
describe.each([
  ["calico", CALICO_DUAL_POLICY, CALICO_DUAL_TRUTHS, true],
  ["cilium", CILIUM_DUAL_POLICY, CILIUM_DUAL_TRUTHS, false],
] as const)("dual-stack %s policy in nft (dual-dialects.ts)", (cni, policy, truths, familiesDiffer) => {
  const cluster = { ...load(dualModelYaml("dual"), [policy]), policyDialect: cni };
  const plan = planLab(cluster);
  const placed = plan.pods.map((pod) => {
    const ips = [pod.requestedIp, pod.requestedIp6].filter((x): x is string => x !== undefined);
    return { pod, ip: ips[0] ?? "", ips };
  });
  const lab = labCluster(cluster, placed);
  const pods = nftPods(lab);
  const byNode = labPolicyTables(lab, plan.nodes);
  const tables = new Map(plan.nodes.map((n) => [n.name, byNode(n.name)]));
  it("writes ip6 dispatch and rules", () => {
    const text = plan.nodes.map((n) => (tables.get(n.name) ?? []).map(printTable).join("\n")).join("\n");
    expect(text).toContain("ip6 daddr vmap @ingress-pods6");
    expect(text).toMatch(/ip6 (saddr|daddr) /);
  });
  it(`for every pod pair, port and family, the traced tables agree with the engine on that family's view (the families ${familiesDiffer ? "differ: nets and ipVersion" : "agree: a CIDR never matches pods"})`, () => {
    const wrong: string[] = [];
    const verdicts: Record<4 | 6, string[]> = { 4: [], 6: [] };
    for (const family of [4, 6] as const) {
      const a = fastAnalysis(familyView(lab, family));
      const index = new Map(a.topology.subjects.map((s, i) => [s.id, i]));
      for (const src of pods) {
        for (const dst of pods) {
          if (src === dst) continue;
          const saddr = src.ips.find((ip) => ip.family === family);
          const daddr = dst.ips.find((ip) => ip.family === family);
          if (saddr === undefined || daddr === undefined) throw new Error(`${src.id} or ${dst.id} has no IPv${family} address`);
          for (const p of [{ protocol: "TCP", port: 80 }, { protocol: "UDP", port: 81 }] as const) {
            const want = containsPort(a.explain(index.get(src.id) ?? -1, index.get(dst.id) ?? -1).ports, p.protocol, p.port);
            const got = admitted(tables, src.node, dst.node, { saddr: formatIp(saddr), daddr: formatIp(daddr), protocol: L4[p.protocol], dport: p.port });
            verdicts[family].push(`${src.id} ${dst.id} ${p.protocol} ${got}`);
            if (want !== got) wrong.push(`IPv${family} ${src.id} -> ${dst.id} ${p.protocol}/${p.port}: engine ${want}, nft ${got}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    if (familiesDiffer) expect(verdicts[4]).not.toEqual(verdicts[6]);
    else expect(verdicts[4]).toEqual(verdicts[6]);
  });
  it.each(truths)("%s -> %s %s over IPv%s: allowed %s, in the tables and in the per-family prediction", (src, dst, port, family, allowed) => {
    const [protocol, num] = port.split("/") as [Protocol, string];
    const s = pods.find((p) => p.id === src);
    const d = pods.find((p) => p.id === dst);
    const saddr = s?.ips.find((ip) => ip.family === family);
    const daddr = d?.ips.find((ip) => ip.family === family);
    if (s === undefined || d === undefined || saddr === undefined || daddr === undefined) throw new Error("pod missing");
    expect(admitted(tables, s.node, d.node, { saddr: formatIp(saddr), daddr: formatIp(daddr), protocol: L4[protocol], dport: Number(num) })).toBe(allowed);
    const a = fastAnalysis(familyView(lab, family));
    const ids = a.topology.subjects.map((x) => x.id);
    expect(containsPort(a.explain(ids.indexOf(src), ids.indexOf(dst)).ports, protocol, Number(num))).toBe(allowed);
  });
  if (cni === "calico") {
    it.each(CALICO_DUAL_PINGS)("ping %s -> %s over IPv%s: allowed %s (ICMPv6 echo request admitted, ICMP echo not)", (src, dst, family, allowed) => {
      const s = pods.find((p) => p.id === src);
      const d = pods.find((p) => p.id === dst);
      const saddr = s?.ips.find((ip) => ip.family === family);
      const daddr = d?.ips.find((ip) => ip.family === family);
      if (s === undefined || d === undefined || saddr === undefined || daddr === undefined) throw new Error("pod missing");
      expect(admitted(tables, s.node, d.node, { saddr: formatIp(saddr), daddr: formatIp(daddr), protocol: family === 6 ? "icmpv6" : "icmp", icmpType: family === 6 ? 128 : 8, icmpCode: 0 })).toBe(allowed);
    });
  }
});

/**
 * The lab's Service tables per family (services.ts): kube-proxy's IPv6 proxier owns `ip6 kube-proxy`
 * (pkg/proxy/nftables/proxier.go NewDualStackProxier), so a dual-stack node holds an `ip` and an
 * `ip6` Service table, each of its family's view; the `--cluster-cidr` of each is that family's.
 */
describe("dual-stack Services in the lab (no kernel)", () => {
  const svcYaml = `---
apiVersion: v1
kind: Service
metadata: { name: both, namespace: x }
spec:
  ipFamilyPolicy: PreferDualStack
  selector: { pod: a }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: four, namespace: x }
spec:
  selector: { pod: a }
  ports: [{ port: 81, targetPort: 80 }]
`;
  it("a dual lab gives PreferDualStack Services both ClusterIPs, SingleStack ones the IPv4 (primary) one; each node loads ip and ip6 tables of its family's endpoints", () => {
    const { plan, lab } = labOf(dualModelYaml("dual") + svcYaml);
    expect(lab.serviceIpFamilies).toEqual([4, 6]);
    const node = plan.nodes[0];
    if (node === undefined) throw new Error("no node");
    const text = proxyScript(lab, node, "compact", plan.nodes);
    expect(text).toContain("table ip kwire-services {");
    expect(text).toContain("table ip6 kwire-services {");
    const [v4, v6] = text.split("table ip6 kwire-services {");
    expect(v4).toContain("10.96.100.0 . tcp . 80");
    expect(v4).toContain("10.96.100.1 . tcp . 81");
    expect(v6).toContain("fd00:10:96::100 . tcp . 80");
    expect(v6).not.toMatch(/\. 81\b/);
    // The endpoint (x/a) by its address of each family.
    expect(v4).toContain(`: ${podIP("x/a")} . 80`);
    expect(v6).toContain(`: ${podIP6("x/a")} . 80`);
    expect(v6).not.toMatch(/\b10\.0\.\d+\.\d+/);
    // --cluster-cidr per family: the smallest CIDR over the nodes' IPv6 podCIDRs.
    expect(labClusterCidr(plan.nodes, 6)).toEqual(parseCidrOk("fd00::/62"));
    expect(v6).toContain("ip6 saddr != fd00::/62 jump mark-for-masquerade");
  });
  it("an IPv6-only lab: every Service gets an IPv6 ClusterIP and only the ip6 table is loaded; an IPv4-only clusterIP is noted, not served", () => {
    const { plan, lab } = labOf(dualModelYaml("ipv6") + svcYaml + `---
apiVersion: v1
kind: Service
metadata: { name: old, namespace: x }
spec: { clusterIP: 10.96.0.9, selector: { pod: a }, ports: [{ port: 82, targetPort: 80 }] }
`);
    const node = plan.nodes[0];
    if (node === undefined) throw new Error("no node");
    const text = proxyScript(lab, node, "compact", plan.nodes);
    expect(text).not.toContain("table ip kwire-services {");
    expect(text).toContain("fd00:10:96::100 . tcp . 80");
    expect(text).toContain("fd00:10:96::101 . tcp . 81");
    expect(unservedServiceNotes(lab, [6])).toEqual(["Service x/old: its clusterIPs (10.96.0.9) are not IPv6, which the lab runs: no Service rules, no probe cells"]);
  });
});

function parseCidrOk(t: string): Cidr {
  const c = parseCidr(t);
  if (!c.ok) throw new Error(t);
  return c.cidr;
}
