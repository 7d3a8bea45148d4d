/**
 * compile-general.ts on hand-written Calico and Cilium clusters: traced packets that show each
 * action (Allow, Deny, Pass → goto the next tier, Log goes on, a tier's defaultAction), Cilium's
 * deny-wins and CIDR-only-outside rules, ICMP type/code, and a golden ruleset of the seeds'
 * Calico database example. The random differential is compile-general-diff.test.ts.
 */
import { describe, expect, it } from "vitest";
import { analyzeCluster } from "../analyze/index.js";
import { generalPolicyInput } from "../lab/general-policy.js";
import { labCluster, type PlacedPod } from "../lab/model.js";
import { buildTopology } from "../engine/index.js";
import { formatIp, type Cluster } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { compileGeneralTable, icmpMatches } from "./compile-general.js";
import { printTable } from "./print.js";
import { traceForward, type Packet } from "./tracer.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The input analysed under `cni`, every pod on node-0 at its declared address. */
function cluster(text: string, cni: "calico" | "cilium"): Cluster {
  const a = analyzeCluster(loadCluster([{ path: "t.yaml", text }]), { cni });
  if ("error" in a) throw new Error(a.error);
  const placed: PlacedPod[] = buildTopology(a.cluster).subjects.map((s) => ({
    ip: formatIp(s.ips[0] ?? { family: 4, value: 0n }),
    pod: { id: s.id, namespace: s.namespace, name: s.name, netns: "", node: "node-0", labels: s.labels, ports: s.ports, subject: s.id, ...(s.serviceAccount === undefined ? {} : { serviceAccount: s.serviceAccount }) },
  }));
  return labCluster(a.cluster, placed);
}

function table(c: Cluster) {
  const input = generalPolicyInput(c);
  if (input === undefined) throw new Error("no dialect");
  return compileGeneralTable(input, "node-0", c.policyDialect === "calico" ? "Calico" : "Cilium");
}

const pod = (name: string, ip: string, labels: string, extra = ""): string => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: prod, labels: { ${labels} } }
spec: { containers: [ { name: c, image: i, ports: [ { containerPort: 6379 }, { containerPort: 80 } ] } ]${extra} }
status: { podIP: ${ip} }
---
`;
const PODS = `apiVersion: v1
kind: Namespace
metadata: { name: prod }
---
${pod("db", "10.0.1.10", "role: database")}${pod("fe", "10.0.1.20", "role: frontend")}${pod("batch", "10.0.1.30", "role: batch")}`;

const tcp = (saddr: string, daddr: string, dport: number): Packet => ({ saddr, daddr, protocol: "tcp", dport });
const verdict = (c: Cluster, p: Packet): string => traceForward(table(c), p).verdict;

describe("Calico tiers in nftables", () => {
  // docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy: "Pass … skips to the
  // next tier"; a tier whose policies select the endpoint ends in its defaultAction (Deny unless Pass);
  // Log goes on to the next rule; after the last tier the Kubernetes profile allows.
  const tiers = `${PODS}apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: security.db }
spec:
  tier: security
  order: 10
  selector: role == 'database'
  types: [Ingress]
  ingress:
    - action: Log
    - action: Pass
      source: { selector: role == 'frontend' }
    - action: Deny
      protocol: TCP
      destination: { ports: [6379] }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.db, namespace: prod }
spec:
  selector: role == 'database'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: role == 'frontend' }
      destination: { ports: [6379] }
`;

  it("Pass hands the frontend to the default tier, which allows 6379 and denies the rest (its default action)", () => {
    const c = cluster(tiers, "calico");
    expect(verdict(c, tcp("10.0.1.20", "10.0.1.10", 6379))).toBe("accept");
    expect(verdict(c, tcp("10.0.1.20", "10.0.1.10", 80))).toBe("drop");
    const path = traceForward(table(c), tcp("10.0.1.20", "10.0.1.10", 6379)).path.join("\n");
    expect(path).toMatch(/goto in-prod-default-/);
  });

  it("Deny ends evaluation in the security tier: batch → db:6379 is dropped there; batch → db:80 meets the tier's default Deny", () => {
    const c = cluster(tiers, "calico");
    expect(verdict(c, tcp("10.0.1.30", "10.0.1.10", 6379))).toBe("drop");
    expect(verdict(c, tcp("10.0.1.30", "10.0.1.10", 80))).toBe("drop");
    expect(traceForward(table(c), tcp("10.0.1.30", "10.0.1.10", 80)).path.at(-1)).toMatch(/tier security: no rule matched, default action Deny/);
  });

  it("a tier whose defaultAction is Pass hands unmatched traffic on; no selecting policy → not policed", () => {
    const c = cluster(tiers.replace("spec: { order: 100 }", "spec: { order: 100, defaultAction: Pass }"), "calico");
    // batch → db:80 passes the security tier and meets the default tier (a policy selects db): Deny.
    expect(verdict(c, tcp("10.0.1.30", "10.0.1.10", 80))).toBe("drop");
    // db → fe: nothing selects fe for ingress nor db for egress.
    expect(verdict(c, tcp("10.0.1.10", "10.0.1.20", 80))).toBe("accept");
  });

  it("Log decides nothing: it is left out of the chain", () => {
    const text = printTable(table(cluster(tiers, "calico")));
    expect(text).not.toMatch(/ingress\[0\] Log/);
    expect(text).toMatch(/ingress\[1\] Pass/);
  });

  it("ICMP type and code (Calico icmp: {type: 8}; {type: 3, code: 1})", () => {
    const c = cluster(`${PODS}apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: icmp, namespace: prod }
spec:
  selector: role == 'database'
  ingress:
    - { action: Allow, protocol: ICMP, icmp: { type: 8 } }
    - { action: Allow, protocol: ICMP, icmp: { type: 3, code: 1 } }
`, "calico");
    const icmp = (type: number, code: number): Packet => ({ saddr: "10.0.1.20", daddr: "10.0.1.10", protocol: "icmp", icmpType: type, icmpCode: code });
    expect(verdict(c, icmp(8, 0))).toBe("accept");
    expect(verdict(c, icmp(3, 1))).toBe("accept");
    expect(verdict(c, icmp(3, 3))).toBe("drop");
    expect(verdict(c, icmp(0, 0))).toBe("drop");
    expect(verdict(c, tcp("10.0.1.20", "10.0.1.10", 80))).toBe("drop");
    const text = printTable(table(c));
    expect(text).toMatch(/icmp type 8 accept/);
    expect(text).toMatch(/icmp type 3 icmp code 1 accept/);
  });
});

describe("icmpMatches: type*256+code ranges → nft matches", () => {
  it("whole types merge into one `icmp type` range; partial types get `icmp code`", () => {
    expect(icmpMatches([{ from: 0, to: 65535 }])).toEqual([[{ type: "icmp-type", ranges: [{ from: 0, to: 255 }] }]]);
    expect(icmpMatches([{ from: 8 * 256, to: 9 * 256 + 255 }, { from: 11 * 256, to: 11 * 256 + 255 }])).toEqual([[{ type: "icmp-type", ranges: [{ from: 8, to: 9 }, { from: 11, to: 11 }] }]]);
    expect(icmpMatches([{ from: 3 * 256 + 1, to: 4 * 256 + 255 }])).toEqual([
      [{ type: "icmp-type", ranges: [{ from: 4, to: 4 }] }],
      [{ type: "icmp-type", ranges: [{ from: 3, to: 3 }] }, { type: "icmp-code", ranges: [{ from: 1, to: 255 }] }],
    ]);
  });
});

describe("Cilium tiers in nftables", () => {
  // docs.cilium.io security/policy/language "Deny policies": deny takes precedence over allow;
  // "CIDR based": CIDR rules do not apply to traffic inside the cluster (pods, nodes).
  const cilium = `${PODS}apiVersion: v1
kind: Node
metadata: { name: node-0 }
status: { addresses: [ { type: InternalIP, address: 172.16.0.3 } ] }
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  endpointSelector: { matchLabels: { role: database } }
  ingress:
    - fromCIDR: [10.0.0.0/8]
    - fromEntities: [host]
      toPorts: [ { ports: [ { port: "80", protocol: TCP } ] } ]
    - fromEndpoints: [ { matchLabels: { role: frontend } } ]
  ingressDeny:
    - fromEndpoints: [ { matchLabels: { role: frontend } } ]
      toPorts: [ { ports: [ { port: "80", protocol: TCP } ] } ]
    - fromEntities: [host]
      toPorts: [ { ports: [ { port: "5432", protocol: TCP } ] } ]
`;

  it("fromCIDR 10.0.0.0/8 admits an outside address but not a pod inside it", () => {
    const c = cluster(cilium, "cilium");
    expect(verdict(c, tcp("10.9.9.9", "10.0.1.10", 6379))).toBe("accept");
    expect(verdict(c, tcp("10.0.1.30", "10.0.1.10", 6379))).toBe("drop");
    expect(verdict(c, tcp("11.0.0.1", "10.0.1.10", 6379))).toBe("drop");
  });

  it("deny wins over the allow of the same endpoint; the host entity is the local node's address", () => {
    const c = cluster(cilium, "cilium");
    expect(verdict(c, tcp("10.0.1.20", "10.0.1.10", 6379))).toBe("accept");
    expect(verdict(c, tcp("10.0.1.20", "10.0.1.10", 80))).toBe("drop");
    expect(verdict(c, tcp("172.16.0.3", "10.0.1.10", 80))).toBe("accept");
    // The agent's allow-localhost (always on Kubernetes, cilium daemon/cmd/daemon.go): the local
    // host reaches every port of its endpoints, whatever the allow rules say; a deny still wins.
    expect(verdict(c, tcp("172.16.0.3", "10.0.1.10", 6379))).toBe("accept");
    expect(verdict(c, tcp("172.16.0.3", "10.0.1.10", 5432))).toBe("drop");
  });
});

describe("golden: the seeds' Calico database example (fixtures/examples/calico-database.yaml)", () => {
  it("renders node-0's table", async () => {
    const text = readFileSync(join(import.meta.dirname, "../../fixtures/examples/calico-database.yaml"), "utf8");
    await expect(printTable(table(cluster(text, "calico")))).toMatchFileSnapshot("../../fixtures/scenarios/lab-calico-database/expected/node-0.nft");
  });
});

/** The input analysed under `cni`, every pod on node-0 with every declared address (dual-stack). */
function dualCluster(text: string, cni: "calico" | "cilium"): Cluster {
  const a = analyzeCluster(loadCluster([{ path: "t.yaml", text }]), { cni });
  if ("error" in a) throw new Error(a.error);
  const placed: PlacedPod[] = buildTopology(a.cluster).subjects.map((s) => ({
    ip: formatIp(s.ips[0] ?? { family: 4, value: 0n }),
    ips: s.ips.map(formatIp),
    pod: { id: s.id, namespace: s.namespace, name: s.name, netns: "", node: "node-0", labels: s.labels, ports: s.ports, subject: s.id },
  }));
  return labCluster(a.cluster, placed);
}

const dualPod = (name: string, i: number, labels: string): string => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: prod, labels: { ${labels} } }
spec: { containers: [ { name: c, image: i, ports: [ { containerPort: 6379 }, { containerPort: 80 } ] } ] }
status: { podIP: 10.0.1.${i}, podIPs: [ { ip: 10.0.1.${i} }, { ip: "fd00:1::${i}" } ] }
---
`;
const DUAL = `apiVersion: v1
kind: Namespace
metadata: { name: prod }
---
${dualPod("db", 10, "role: database")}${dualPod("fe", 20, "role: frontend")}${dualPod("batch", 30, "role: batch")}`;

describe("IPv6 and dual-stack", () => {
  it("Calico: IPv6 nets match IPv6 packets only, ICMPv6 is icmpv6, ipVersion keeps a rule to its family", () => {
    // Calico Rule reference (docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule):
    // protocol ICMPv6 with `icmp: {type}`; ipVersion "Positive IP version match". Felix renders a
    // policy per IP version: a rule of the other version is skipped ("Skipping rule because it is for
    // a different IP version", felix/rules/policy.go) and nets of the other family are filtered out
    // (filterNets: "allow from 10.0.0.1,feed::beef to 10.0.0.2" keeps only the IPv4 source).
    const c = dualCluster(`${DUAL}apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  selector: role == 'database'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { nets: [ "fd00:1::20/128", 192.168.0.0/16 ] }
      destination: { ports: [6379] }
    - action: Allow
      protocol: ICMPv6
      icmp: { type: 128 }
    - action: Allow
      ipVersion: 4
      protocol: TCP
      destination: { ports: [80] }
`, "calico");
    const text = printTable(table(c));
    expect(text).toContain("ip6 saddr fd00:1::20 meta l4proto tcp th dport 6379 accept");
    expect(text).toContain("icmpv6 type 128 accept");
    expect(text).toContain("ip6 daddr vmap @ingress-pods6");
    expect(verdict(c, tcp("fd00:1::20", "fd00:1::10", 6379))).toBe("accept");
    expect(verdict(c, tcp("10.0.1.20", "10.0.1.10", 6379))).toBe("drop");
    const icmp6 = (saddr: string, type: number): Packet => ({ saddr, daddr: "fd00:1::10", protocol: "icmpv6", icmpType: type, icmpCode: 0 });
    expect(verdict(c, icmp6("fd00:1::30", 128))).toBe("accept");
    expect(verdict(c, icmp6("fd00:1::30", 129))).toBe("drop");
    expect(verdict(c, { saddr: "10.0.1.30", daddr: "10.0.1.10", protocol: "icmp", icmpType: 8, icmpCode: 0 })).toBe("drop");
    // Neighbour discovery is never policed (RFC 4861; RFC 4890 section 4.4.1).
    expect(verdict(c, { saddr: "fd00:1::30", daddr: "fd00:1::10", protocol: "icmpv6", icmpv6Type: "nd-neighbor-solicit" })).toBe("accept");
    expect(verdict(c, tcp("10.0.1.30", "10.0.1.10", 80))).toBe("accept");
    expect(verdict(c, tcp("fd00:1::30", "fd00:1::10", 80))).toBe("drop");
  });

  it("Cilium: IPv6 toCIDR/fromCIDR match the IPv6 world, ICMPv6 by family, entity world over IPv6", () => {
    // docs.cilium.io security/policy/language: "CIDR rules do not apply to traffic where both sides
    // of the connection are either managed by Cilium or use an IP belonging to a node in the
    // cluster"; ICMP rules name `family: IPv6` and a type (number or name, pkg/policy/api/icmp.go:
    // EchoRequest is 128 for IPv6); entity `world` is everything outside the cluster, both families
    // (world-ipv4 / world-ipv6 split it, pkg/policy/api/entity.go).
    const c = dualCluster(`${DUAL}apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db, namespace: prod }
spec:
  endpointSelector: { matchLabels: { role: database } }
  ingress:
    - fromCIDR: [ "2001:db8::/32" ]
    - fromEntities: [ cluster ]
      icmps: [ { fields: [ { family: IPv6, type: EchoRequest } ] } ]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: fe, namespace: prod }
spec:
  endpointSelector: { matchLabels: { role: frontend } }
  egress:
    - toEntities: [ world ]
    - toCIDRSet: [ { cidr: "fd00:1::/64", except: [ "fd00:1::10/128" ] } ]
`, "cilium");
    expect(verdict(c, tcp("2001:db8::5", "fd00:1::10", 80))).toBe("accept");
    expect(verdict(c, tcp("192.0.2.1", "10.0.1.10", 80))).toBe("drop");
    expect(verdict(c, tcp("fd00:1::30", "fd00:1::10", 80))).toBe("drop");
    const ping = (saddr: string, daddr: string, protocol: "icmp" | "icmpv6", type: number): Packet => ({ saddr, daddr, protocol, icmpType: type, icmpCode: 0 });
    expect(verdict(c, ping("fd00:1::30", "fd00:1::10", "icmpv6", 128))).toBe("accept");
    expect(verdict(c, ping("10.0.1.30", "10.0.1.10", "icmp", 8))).toBe("drop");
    // fe's egress: the world over both families; the CIDR set names pod addresses, which it never matches.
    expect(verdict(c, tcp("fd00:1::20", "2001:db8::1", 443))).toBe("accept");
    expect(verdict(c, tcp("10.0.1.20", "192.0.2.1", 443))).toBe("accept");
    expect(verdict(c, tcp("fd00:1::20", "fd00:1::30", 80))).toBe("drop");
  });
});
