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

  it("Calico/Cilium policy is enforced over IPv4 only (compile-general.ts): --ip-family ipv6/dual is refused, declared IPv6 gives an IPv4 lab with a note", () => {
    const calico = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-x}
spec: {selector: "projectcalico.org/namespace == 'x'", types: [Ingress]}
`;
    const cluster = { ...load(dualModelYaml("dual"), [calico]), policyDialect: "calico" as const };
    expect(() => planLab(cluster, { ipFamily: "dual" })).toThrow(/--ip-family dual: the lab enforces calico policy over IPv4 only/);
    expect(() => planLab(cluster, { ipFamily: "ipv6" })).toThrow(/IPv4 only/);
    const plan = planLab(cluster);
    expect(plan.ipFamily).toBe("ipv4");
    expect(plan.pods.every((p) => p.requestedIp !== undefined && p.requestedIp6 === undefined)).toBe(true);
    expect(plan.notes.join("\n")).toContain("IPv4 only: an IPv4 lab");
    // IPv6-only declarations cannot be honoured then: refused unless renumbered, saying why.
    const v6only = { ...load(dualModelYaml("ipv6"), [calico]), policyDialect: "calico" as const };
    expect(() => planLab(v6only)).toThrow(/calico policy is enforced over IPv4 only; --renumber/);
    expect(planLab(v6only, { renumber: true }).ipFamily).toBe("ipv4");
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
