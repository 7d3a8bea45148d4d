/**
 * @module lab/backends
 * How the lab's nodes carry pod traffic to each other — the CNI data plane between nodes — as pure
 * plans of `ip -batch` lines (fabric.ts runs them; tests read them). Four backends, all over the
 * same fabric (the `kw-fab` bridge in `kw-fabric`, node uplinks `kw-up` = 172.30.0.<i+1>/24, MTU
 * 1500):
 *
 * | backend | node → remote podCIDR | encapsulation | pod MTU |
 * |---|---|---|---|
 * | `routes` (default) | via the fabric router 172.30.0.254, which routes each podCIDR to its node (a cloud VPC route table: GKE routes-based, AWS/Azure route tables) | none | 1500 |
 * | `host-gw` | via the owning node's uplink address, on the shared L2 (Flannel `host-gw`) | none | 1500 |
 * | `vxlan` | via `kw-vx` (VNI 1, UDP 8472, nolearning, local = uplink address) to the remote VTEP, with FDB and neighbour entries per remote node (Flannel `vxlan`) | VXLAN in UDP, 50 bytes | 1450 |
 * | `bgp` | learnt by BIRD 2 from the owning node over iBGP (mesh or one route reflector), next hop its uplink (Calico BGP, no overlay) | none | 1500 |
 *
 * The fabric netns also holds counters (`nft` table `bridge kwire-fabric` for frames between node
 * ports: `vxlan` = UDP/8472, `bgp` = TCP/179, `pods` = IPv4 between podCIDRs unencapsulated; table
 * `ip kwire-fabric` for what the fabric router forwards: `routed`), so tests and `lab status` can
 * say which path the traffic took.
 */
import { formatIp, parseCidr, type Cidr } from "../model/index.js";
import { FABRIC_BRIDGE, NODE_UPLINK, TRANSIT_PREFIX, TRANSIT_PREFIX6, type LabNode } from "./plan.js";

export const LAB_BACKENDS = ["routes", "host-gw", "vxlan", "bgp"] as const;
export type LabBackend = (typeof LAB_BACKENDS)[number];
export const DEFAULT_LAB_BACKEND: LabBackend = "routes";
export const isLabBackend = (v: string): v is LabBackend => (LAB_BACKENDS as readonly string[]).includes(v);

/** The fabric's MTU (veths and bridge default). */
export const FABRIC_MTU = 1500;
/** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14): Flannel's `vxlan` overhead. */
export const VXLAN_OVERHEAD = 50;
/** Flannel's VXLAN device: VNI 1 on UDP 8472 (the Linux kernel default port). */
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472;
export const VXLAN_DEVICE = "kw-vx";
/** The fabric router's address (backend `routes`), and its IPv6 address. */
export const FABRIC_ROUTER = `${TRANSIT_PREFIX}254`;
export const FABRIC_ROUTER6 = `${TRANSIT_PREFIX6}fe`;

/** Bytes a backend adds to every cross-node packet. */
export function backendOverhead(b: LabBackend): number {
  return b === "vxlan" ? VXLAN_OVERHEAD : 0;
}

/** The pod MTU a backend leaves (fabric MTU minus its overhead). */
export const podMtuFor = (b: LabBackend): number => FABRIC_MTU - backendOverhead(b);

const cidrOf = (n: LabNode): Cidr => {
  const p = parseCidr(n.podCidr);
  if (!p.ok) throw new Error(`bad podCIDR ${n.podCidr}`); // planLab validated it: a bug
  return p.cidr;
};

/** The node's VXLAN device address: its podCIDR's network address as /32 (Flannel gives flannel.1 10.244.X.0/32). */
export const vtepIp = (n: LabNode): string => formatIp({ family: 4, value: cidrOf(n).base });

/**
 * The node's IPv6 VTEP address on `kw-vx` (IPv6 pods): its IPv6 podCIDR's network address /128.
 * Flannel runs a second device (flannel-v6.1) over an IPv6 underlay; the lab carries both families
 * in the one VXLAN device over the IPv4 fabric (same VNI, port and FDB), which the kernel allows.
 */
export const vtepIp6 = (n: LabNode): string | undefined => {
  if (n.podCidr6 === undefined) return undefined;
  const p = parseCidr(n.podCidr6);
  return p.ok ? formatIp({ family: 6, value: p.cidr.base }) : undefined;
};

/** A deterministic, locally administered MAC for node `i`'s VXLAN device. */
export const vtepMac = (n: LabNode): string => `02:6b:77:00:${((n.index >> 8) & 0xff).toString(16).padStart(2, "0")}:${(n.index & 0xff).toString(16).padStart(2, "0")}`;

/** The source address node `n`'s masquerade gives traffic toward pods on other nodes (the route's source). */
export const snatSource = (b: LabBackend, n: LabNode): string => (b === "vxlan" ? vtepIp(n) : n.transitIp);
/** The IPv6 source of that masquerade: the VXLAN device's IPv6 address on `vxlan`, else the uplink's. */
export const snatSource6 = (b: LabBackend, n: LabNode): string | undefined => (b === "vxlan" ? vtepIp6(n) : n.transitIp6);

/** `ip -batch` lines for the fabric netns (after the bridge exists). */
export function fabricPlan(b: LabBackend, nodes: readonly LabNode[]): string[] {
  if (b !== "routes") return [];
  const v6 = nodes.some((n) => n.podCidr6 !== undefined);
  return [
    `addr add ${FABRIC_ROUTER}/24 dev ${FABRIC_BRIDGE}`,
    ...nodes.map((n) => `route add ${n.podCidr} via ${n.transitIp} dev ${FABRIC_BRIDGE}`),
    ...(v6 ? [`addr add ${FABRIC_ROUTER6}/64 dev ${FABRIC_BRIDGE} nodad`] : []),
    ...nodes.flatMap((n) => (n.podCidr6 === undefined || n.transitIp6 === undefined ? [] : [`route add ${n.podCidr6} via ${n.transitIp6} dev ${FABRIC_BRIDGE}`])),
  ];
}

/** `ip -batch` lines giving node `n`'s uplink its IPv6 address (IPv6 pods), without duplicate address detection. */
export function uplinkPlan6(n: LabNode): string[] {
  return n.transitIp6 === undefined ? [] : [`addr add ${n.transitIp6}/64 dev ${NODE_UPLINK} nodad`];
}

/** Sysctls for the fabric netns: it routes only for `routes`, and never sends redirects (the path stays via the router). */
export function fabricSysctls(b: LabBackend): Readonly<Record<string, string>> {
  // Frames bridged between node ports must not pass the ip hooks (IPv4 or IPv6: link-local
  // neighbour discovery and MLD are bridged too), so `routed` counts only what the router forwards.
  const bridged = { "/proc/sys/net/bridge/bridge-nf-call-iptables": "0", "/proc/sys/net/bridge/bridge-nf-call-ip6tables": "0" };
  return b === "routes"
    ? { ...bridged, "/proc/sys/net/ipv4/ip_forward": "1", "/proc/sys/net/ipv6/conf/all/forwarding": "1", "/proc/sys/net/ipv4/conf/all/send_redirects": "0", [`/proc/sys/net/ipv4/conf/${FABRIC_BRIDGE}/send_redirects`]: "0" }
    : bridged;
}

/** `ip -batch` lines run in node `n`'s netns after its uplink is up: how it reaches the other nodes' pods. */
export function nodePlan(b: LabBackend, n: LabNode, all: readonly LabNode[]): string[] {
  const others = all.filter((o) => o.index !== n.index);
  const v6 = (o: LabNode, via: (o6: string) => string): string[] => (o.podCidr6 === undefined || n.podCidr6 === undefined ? [] : [`route add ${o.podCidr6} ${via(o.podCidr6)}`]);
  switch (b) {
    case "routes":
      return others.flatMap((o) => [`route add ${o.podCidr} via ${FABRIC_ROUTER} dev ${NODE_UPLINK}`, ...v6(o, () => `via ${FABRIC_ROUTER6} dev ${NODE_UPLINK}`)]);
    case "host-gw":
      return others.flatMap((o) => [`route add ${o.podCidr} via ${o.transitIp} dev ${NODE_UPLINK}`, ...(o.transitIp6 === undefined ? [] : v6(o, () => `via ${o.transitIp6 ?? ""} dev ${NODE_UPLINK}`))]);
    case "vxlan": {
      const mine6 = vtepIp6(n);
      return [
        `link add ${VXLAN_DEVICE} type vxlan id ${VXLAN_VNI} dstport ${VXLAN_PORT} local ${n.transitIp} dev ${NODE_UPLINK} nolearning`,
        `link set ${VXLAN_DEVICE} address ${vtepMac(n)} mtu ${FABRIC_MTU - VXLAN_OVERHEAD}`,
        `addr add ${vtepIp(n)}/32 dev ${VXLAN_DEVICE}`,
        ...(mine6 === undefined ? [] : [`addr add ${mine6}/128 dev ${VXLAN_DEVICE} nodad`]),
        `link set ${VXLAN_DEVICE} up`,
        ...others.flatMap((o) => {
          const o6 = vtepIp6(o);
          return [
            `neigh add ${vtepIp(o)} lladdr ${vtepMac(o)} dev ${VXLAN_DEVICE} nud permanent`,
            `route add ${o.podCidr} via ${vtepIp(o)} dev ${VXLAN_DEVICE} onlink`,
            ...(o6 === undefined || mine6 === undefined ? [] : [`neigh add ${o6} lladdr ${vtepMac(o)} dev ${VXLAN_DEVICE} nud permanent`, ...v6(o, () => `via ${o6} dev ${VXLAN_DEVICE} onlink`)]),
          ];
        }),
      ];
    }
    case "bgp":
      return []; // routes come from BIRD (bgp.ts)
  }
}

/** `bridge -batch` lines in node `n`'s netns (vxlan: one FDB entry per remote VTEP, as flanneld programs them). */
export function nodeFdbPlan(b: LabBackend, n: LabNode, all: readonly LabNode[]): string[] {
  if (b !== "vxlan") return [];
  return all.filter((o) => o.index !== n.index).map((o) => `fdb append ${vtepMac(o)} dev ${VXLAN_DEVICE} dst ${o.transitIp}`);
}

export const FABRIC_TABLE = "kwire-fabric";
export const FABRIC_COUNTERS = ["vxlan", "bgp", "pods", "routed"] as const;
export type FabricCounter = (typeof FABRIC_COUNTERS)[number];

/** The fabric's counters: one nft transaction (the fabric netns is deleted with them). */
export function fabricCountersScript(nodes: readonly LabNode[]): string {
  const pods = nodes.map((n) => n.podCidr).join(", ");
  const pods6 = nodes.flatMap((n) => (n.podCidr6 === undefined ? [] : [n.podCidr6])).join(", ");
  return [
    `table bridge ${FABRIC_TABLE} {`,
    `  counter vxlan { }`, `  counter bgp { }`, `  counter pods { }`,
    `  chain forward {`,
    `    type filter hook forward priority 0; policy accept;`,
    `    udp dport ${VXLAN_PORT} counter name "vxlan"`,
    `    tcp dport 179 counter name "bgp"`,
    `    tcp sport 179 counter name "bgp"`,
    ...(pods === "" ? [] : [`    ip saddr { ${pods} } ip daddr { ${pods} } counter name "pods"`]),
    ...(pods6 === "" ? [] : [`    ip6 saddr { ${pods6} } ip6 daddr { ${pods6} } counter name "pods"`]),
    `  }`,
    `}`,
    `table ip ${FABRIC_TABLE} {`,
    `  counter routed { }`,
    `  chain forward {`,
    `    type filter hook forward priority 0; policy accept;`,
    `    counter name "routed"`,
    `  }`,
    `}`,
    "",
  ].join("\n");
}

const isCounter = (v: string): v is FabricCounter => (FABRIC_COUNTERS as readonly string[]).includes(v);

/** Parse `nft list counters` text into packets per counter name. */
export function parseCounters(text: string): Record<FabricCounter, number> {
  const out: Record<FabricCounter, number> = { vxlan: 0, bgp: 0, pods: 0, routed: 0 };
  const re = /counter (\w+) \{\s*packets (\d+) bytes \d+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const name = m[1] ?? "";
    if (isCounter(name)) out[name] += Number(m[2]);
  }
  return out;
}
