/**
 * @module lab/backends.test
 * The backends' plans without a kernel: what each one programs, as Flannel and Calico program it.
 * Flannel vxlan: pkg/backend/vxlan (VNI 1, port 8472 = the kernel default Flannel keeps, flannel.1
 * gets the subnet's network address /32, MTU = underlay - 50; per remote node one FDB entry, one
 * neighbour and one onlink route via flannel.1 — vxlan_network.go handleSubnetEvents). Flannel
 * host-gw: pkg/backend/hostgw (route to the remote subnet via the node's public IP). Calico:
 * BGPConfiguration spec.asNumber default 64512 and nodeToNodeMeshEnabled
 * (https://docs.tigera.io/calico/latest/reference/resources/bgpconfig).
 */
import { describe, expect, it } from "vitest";
import { loadCluster } from "../parse/index.js";
import { fabricPlan, nodeFdbPlan, nodePlan, parseCounters, podMtuFor, snatSource, vtepIp } from "./backends.js";
import { bgpSettings, birdConfig, parseProtocols, parseRoutes } from "./bgp.js";
import type { LabNode } from "./plan.js";
import { createFabric, createNode } from "./fabric.js";
import { FakeHost } from "./host.js";

const node = (i: number): LabNode => ({ name: `node-${i}`, index: i, netns: `kw-n${i}`, podCidr: `10.244.${i + 1}.0/24`, gateway: `10.244.${i + 1}.254`, transitIp: `172.30.0.${i + 1}` });
const NODES = [node(0), node(1), node(2)];

describe("backend plans", () => {
  it("vxlan as Flannel: one device (VNI 1, UDP 8472, nolearning, local = uplink), FDB + neighbour + onlink route per remote VTEP, pod MTU 1450", () => {
    expect(nodePlan("vxlan", node(0), NODES)).toEqual([
      "link add kw-vx type vxlan id 1 dstport 8472 local 172.30.0.1 dev kw-up nolearning",
      "link set kw-vx address 02:6b:77:00:00:00 mtu 1450",
      "addr add 10.244.1.0/32 dev kw-vx",
      "link set kw-vx up",
      "neigh add 10.244.2.0 lladdr 02:6b:77:00:00:01 dev kw-vx nud permanent",
      "route add 10.244.2.0/24 via 10.244.2.0 dev kw-vx onlink",
      "neigh add 10.244.3.0 lladdr 02:6b:77:00:00:02 dev kw-vx nud permanent",
      "route add 10.244.3.0/24 via 10.244.3.0 dev kw-vx onlink",
    ]);
    expect(nodeFdbPlan("vxlan", node(0), NODES)).toEqual(["fdb append 02:6b:77:00:00:01 dev kw-vx dst 172.30.0.2", "fdb append 02:6b:77:00:00:02 dev kw-vx dst 172.30.0.3"]);
    expect([podMtuFor("vxlan"), podMtuFor("host-gw"), podMtuFor("routes"), podMtuFor("bgp")]).toEqual([1450, 1500, 1500, 1500]);
    // Masquerade toward another node's pods leaves with the route's source: flannel.1's address on vxlan.
    expect([snatSource("vxlan", node(1)), vtepIp(node(1)), snatSource("host-gw", node(1))]).toEqual(["10.244.2.0", "10.244.2.0", "172.30.0.2"]);
  });

  it("host-gw routes via the owner's uplink; routes via the fabric router, which routes every podCIDR; bgp programs nothing by hand", () => {
    expect(nodePlan("host-gw", node(1), NODES)).toEqual(["route add 10.244.1.0/24 via 172.30.0.1 dev kw-up", "route add 10.244.3.0/24 via 172.30.0.3 dev kw-up"]);
    expect(nodePlan("routes", node(1), NODES)).toEqual(["route add 10.244.1.0/24 via 172.30.0.254 dev kw-up", "route add 10.244.3.0/24 via 172.30.0.254 dev kw-up"]);
    expect(fabricPlan("routes", NODES)).toEqual([
      "addr add 172.30.0.254/24 dev kw-fab",
      "route add 10.244.1.0/24 via 172.30.0.1 dev kw-fab", "route add 10.244.2.0/24 via 172.30.0.2 dev kw-fab", "route add 10.244.3.0/24 via 172.30.0.3 dev kw-fab",
    ]);
    expect([fabricPlan("host-gw", NODES), nodePlan("bgp", node(0), NODES), nodeFdbPlan("host-gw", node(0), NODES)]).toEqual([[], [], []]);
  });

  it("parses the fabric's nft counters", () => {
    const text = "table bridge kwire-fabric {\n\tcounter vxlan {\n\t\tpackets 12 bytes 900\n\t}\n\tcounter bgp {\n\t\tpackets 0 bytes 0\n\t}\n}\ntable ip kwire-fabric {\n\tcounter routed {\n\t\tpackets 3 bytes 10\n\t}\n}\n";
    expect(parseCounters(text)).toEqual({ vxlan: 12, bgp: 0, pods: 0, routed: 3 });
  });
});

describe("bgp (BIRD 2, as Calico)", () => {
  it("full mesh: every node peers with every other in AS 64512, announces its podCIDR with itself as next hop, exports only BGP routes to the kernel", () => {
    const conf = birdConfig(node(1), NODES, { asNumber: 64512, topology: "mesh" });
    expect(conf).toContain("router id 172.30.0.2;");
    expect(conf).toContain("route 10.244.2.0/24 blackhole;");
    expect(conf).toContain('if proto = "pods" then { bgp_next_hop = 172.30.0.2; accept; }');
    expect(conf).toContain("export where source = RTS_BGP;");
    expect(conf).toContain("if source = RTS_BGP then reject;");
    expect(conf.split("\n").filter((l) => l.startsWith("protocol bgp"))).toEqual([
      "protocol bgp node_0_0 from peers { neighbor 172.30.0.1 as 64512; }",
      "protocol bgp node_2_2 from peers { neighbor 172.30.0.3 as 64512; }",
    ]);
  });

  it("route reflector: node 0 peers with all as rr client and reflects; the others peer with node 0 only", () => {
    const rr = birdConfig(node(0), NODES, { asNumber: 65001, topology: "rr" });
    expect(rr.split("\n").filter((l) => l.startsWith("protocol bgp"))).toEqual([
      "protocol bgp node_1_1 from peers { neighbor 172.30.0.2 as 65001; rr client; }",
      "protocol bgp node_2_2 from peers { neighbor 172.30.0.3 as 65001; rr client; }",
    ]);
    expect(rr).toContain("if source = RTS_BGP then accept;");
    const client = birdConfig(node(2), NODES, { asNumber: 65001, topology: "rr" });
    expect(client.split("\n").filter((l) => l.startsWith("protocol bgp"))).toEqual(["protocol bgp node_0_0 from peers { neighbor 172.30.0.1 as 65001; }"]);
  });

  it("reads Calico's BGPConfiguration default (asNumber, nodeToNodeMeshEnabled) and says BGPPeer is not modelled", () => {
    const text = `apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {asNumber: 65010, nodeToNodeMeshEnabled: false}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor}
spec: {peerIP: 192.0.2.1, asNumber: 65000}
`;
    const notes: string[] = [];
    expect(bgpSettings(loadCluster([{ path: "bgp.yaml", text }]).cluster, undefined, notes)).toEqual({ asNumber: 65010, topology: "rr" });
    expect(notes).toEqual(["BGPPeer tor: peers outside the lab are not modelled; the lab peers its nodes with node 0 as route reflector"]);
    expect(bgpSettings(loadCluster([]).cluster, undefined, [])).toEqual({ asNumber: 64512, topology: "mesh" });
  });

  it("parses birdc output: BGP sessions and learnt routes", () => {
    const protocols = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     02:59:49.386  
pods       Static     master4    up     02:59:49.386  
node_a_0   BGP        ---        up     02:59:50.183  Established   
node_b_2   BGP        ---        start  02:59:50.183  Active        Socket: Connection refused
`;
    expect(parseProtocols(protocols)).toEqual([
      { name: "node_a_0", state: "up", info: "Established" },
      { name: "node_b_2", state: "start", info: "Active Socket: Connection refused" },
    ]);
    const routes = `BIRD 2.0.12 ready.
Table master4:
10.244.1.0/24        unicast [node_a_0 02:59:50.745] * (100) [i]
	via 172.30.0.1 on kw-up
10.244.3.0/24        unicast [node_a_0 02:59:50.745] * (100) [i]
	via 172.30.0.3 on kw-up
`;
    expect(parseRoutes(routes)).toEqual(["10.244.1.0/24 via 172.30.0.1 on kw-up (node_a_0)", "10.244.3.0/24 via 172.30.0.3 on kw-up (node_a_0)"]);
  });
});

describe("fabric.ts runs the plans through Host", () => {
  it("vxlan: the node's links, VXLAN device, neighbours and routes in one ip -batch, its FDB in one bridge -batch, both in the node netns; the fabric gets its counters", async () => {
    const host = new FakeHost();
    await createFabric(host, "vxlan", NODES.slice(0, 2));
    await createNode(host, node(0), NODES.slice(0, 2), "vxlan");
    const t = host.transcript();
    expect(t).toContain("[kw-fabric] nft -f -\n  | table bridge kwire-fabric {");
    expect(t).toContain("  | link add kw-vx type vxlan id 1 dstport 8472 local 172.30.0.1 dev kw-up nolearning");
    expect(t).toContain("[kw-n0] bridge -batch -\n  | fdb append 02:6b:77:00:00:01 dev kw-vx dst 172.30.0.2");
    // The fabric only bridges on vxlan: br_netfilter off there, no router address, no forwarding.
    expect(host.calls.filter((c) => c.argv[0] === "tee").map((c) => [c.argv[1], c.input])).toEqual([
      ["/proc/sys/net/bridge/bridge-nf-call-iptables", "0"], ["/proc/sys/net/bridge/bridge-nf-call-ip6tables", "0"],
      ["/proc/sys/net/ipv4/ip_forward", "1"], ["/proc/sys/net/bridge/bridge-nf-call-iptables", "1"],
      ["/proc/sys/net/ipv6/conf/all/forwarding", "1"], ["/proc/sys/net/bridge/bridge-nf-call-ip6tables", "1"],
    ]);
  });

  it("routes: the fabric router gets its address, a route per podCIDR, forwarding on and redirects off", async () => {
    const host = new FakeHost();
    await createFabric(host, "routes", NODES);
    expect(host.transcript()).toContain("  | addr add 172.30.0.254/24 dev kw-fab\n  | route add 10.244.1.0/24 via 172.30.0.1 dev kw-fab");
    expect(host.calls.filter((c) => c.argv[0] === "tee" && c.netns === "kw-fabric").map((c) => `${c.argv[1] ?? ""}=${c.input ?? ""}`)).toEqual([
      "/proc/sys/net/bridge/bridge-nf-call-iptables=0", "/proc/sys/net/bridge/bridge-nf-call-ip6tables=0", "/proc/sys/net/ipv4/ip_forward=1", "/proc/sys/net/ipv6/conf/all/forwarding=1", "/proc/sys/net/ipv4/conf/all/send_redirects=0", "/proc/sys/net/ipv4/conf/kw-fab/send_redirects=0",
    ]);
  });

  it("a failing bridge -batch is a LabError naming the netns", async () => {
    const host = new FakeHost().on((c) => (c.argv[0] === "bridge" ? { code: 1, stderr: "RTNETLINK answers: No such device\n" } : undefined));
    await expect(createNode(host, node(0), NODES, "vxlan")).rejects.toThrow("bridge -batch in kw-n0 failed: RTNETLINK answers: No such device");
  });
});

describe("bgp with IPv6 pods", () => {
  const n6 = (i: number): LabNode => ({ ...node(i), podCidr6: `fd00:0:0:${i + 1}::/64`, gateway6: `fd00::${i + 1}:ffff:ffff:ffff:fffe`, transitIp6: `fd00:172:30::${i + 1}` });
  it("adds an ipv6 channel to the same sessions (MP-BGP over IPv4, as Calico's BIRD does for dual-stack) announcing the IPv6 podCIDR with the uplink's IPv6 next hop", () => {
    const conf = birdConfig(n6(0), [n6(0), n6(1)], { asNumber: 64512, topology: "mesh" });
    expect(conf).toContain("protocol static pods6 {\n  ipv6;\n  route fd00:0:0:1::/64 blackhole;\n}");
    expect(conf).toContain(`if proto = "pods6" then { bgp_next_hop = fd00:172:30::1; accept; }`);
    expect(conf).toContain("  ipv6 { import all; export filter to_peers6; };");
    expect(conf).toContain("  ipv6 { import none; export where source = RTS_BGP; };");
    expect(birdConfig(node(0), [node(0), node(1)], { asNumber: 64512, topology: "mesh" })).not.toContain("ipv6");
  });
  it("reads IPv6 routes from birdc", () => {
    const text = "Table master6:\nfd00:0:0:2::/64      unicast [node_1_1 10:00:00.000] * (100) [i]\n\tvia fd00:172:30::2 on kw-up\n";
    expect(parseRoutes(text)).toEqual(["fd00:0:0:2::/64 via fd00:172:30::2 on kw-up (node_1_1)"]);
  });
});
