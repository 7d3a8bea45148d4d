/**
 * @module lab/bgp
 * The `bgp` backend, as Calico runs it: one BIRD 2 (`bird`, Debian `bird2`) per node netns, iBGP
 * between the nodes' uplink addresses, as a full mesh (Calico's node-to-node mesh) or with node 0
 * as the one route reflector (`--bgp-topology rr`, Calico's "mesh off + BGPPeer to the RR"). Each
 * node originates its podCIDR as a blackhole static route inside BIRD (Calico announces its blocks
 * the same way) with itself as next hop; BIRD's kernel protocol installs only the routes learnt
 * over BGP (`proto bird`), so nothing between nodes is programmed by hand. AS number and mesh
 * on/off come from a Calico `BGPConfiguration` named `default` (`spec.asNumber`, default 64512;
 * `spec.nodeToNodeMeshEnabled: false` ⇒ route reflector), when the input has one; `BGPPeer`
 * objects are read only to say that peers outside the lab are not modelled.
 * With IPv6 pods the same sessions carry an ipv6 channel (MP-BGP): IPv6 podCIDRs with the uplinks'
 * IPv6 addresses as next hops.
 * Each daemon has its own config, control socket and log under `<lab dir>/bird/`; `birdc -s` reads
 * its sessions and routes for `lab status`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Cluster } from "../model/index.js";
import { LabError } from "./errors.js";
import type { Host } from "./host.js";
import type { LabNode } from "./plan.js";
import { runsArg, startInNetns, tail, type Child } from "./proc.js";

export const BGP_TOPOLOGIES = ["mesh", "rr"] as const;
export type BgpTopology = (typeof BGP_TOPOLOGIES)[number];
export const isBgpTopology = (v: string): v is BgpTopology => (BGP_TOPOLOGIES as readonly string[]).includes(v);
/** Calico's default AS number (BGPConfiguration spec.asNumber). */
export const CALICO_DEFAULT_AS = 64512;

export interface BgpSettings {
  readonly asNumber: number;
  readonly topology: BgpTopology;
}

const CONF_SUFFIX = ".kwire-bird.conf";
export const birdDir = (dir: string): string => join(dir, "bird");
export const birdConfPath = (dir: string, n: LabNode): string => join(birdDir(dir), `${n.netns}${CONF_SUFFIX}`);
export const birdSocket = (dir: string, n: LabNode): string => join(birdDir(dir), `${n.netns}.ctl`);
const birdLog = (dir: string, n: LabNode): string => join(dir, "log", `${n.netns}.bird.log`);

/** True when `pid` runs a BIRD the lab started (its config has our suffix). */
export const isOurBird = (pid: number): boolean => runsArg(pid, CONF_SUFFIX);

const field = (o: unknown, k: string): unknown => (typeof o === "object" && o !== null ? Object.entries(o).find(([key]) => key === k)?.[1] : undefined);

/** BGP settings: Calico BGPConfiguration `default` when present, then `--bgp-topology`; notes for what is not modelled. */
export function bgpSettings(cluster: Cluster, flag: BgpTopology | undefined, notes: string[]): BgpSettings {
  let asNumber = CALICO_DEFAULT_AS;
  let topology: BgpTopology = flag ?? "mesh";
  for (const o of cluster.others) {
    if (o.kind === "BGPConfiguration" && o.name === "default") {
      const spec = field(o.raw, "spec");
      const as = field(spec, "asNumber");
      if (typeof as === "number" && Number.isInteger(as) && as >= 1 && as <= 4294967295) asNumber = as;
      else if (as !== undefined) notes.push(`BGPConfiguration default: spec.asNumber ${JSON.stringify(as)} is not an AS number; using ${asNumber}`);
      const mesh = field(spec, "nodeToNodeMeshEnabled");
      if (mesh === false && flag === "mesh") notes.push("BGPConfiguration default disables the node-to-node mesh, but --bgp-topology mesh was given: mesh");
      else if (mesh === false) topology = "rr";
      else if (mesh === true && flag === "rr") notes.push("BGPConfiguration default enables the node-to-node mesh, but --bgp-topology rr was given: route reflector");
    } else if (o.kind === "BGPConfiguration") {
      notes.push(`BGPConfiguration ${o.name}: only "default" is read (per-node configurations are not modelled)`);
    } else if (o.kind === "BGPPeer") {
      notes.push(`BGPPeer ${o.name}: peers outside the lab are not modelled; the lab peers its nodes ${topology === "rr" ? "with node 0 as route reflector" : "as a full mesh"}`);
    }
  }
  return { asNumber, topology };
}

/** BIRD 2 configuration for node `n`. */
export function birdConfig(n: LabNode, all: readonly LabNode[], s: BgpSettings): string {
  const reflector = all[0];
  const peers = s.topology === "mesh" || reflector === undefined
    ? all.filter((o) => o.index !== n.index)
    : n.index === reflector.index ? all.filter((o) => o.index !== n.index) : [reflector];
  const isRr = s.topology === "rr" && reflector !== undefined && n.index === reflector.index;
  // IPv6 pods: the same sessions carry an ipv6 channel (MP-BGP over the IPv4 session, as Calico's
  // BIRD does for dual-stack); each node announces its IPv6 podCIDR with its uplink's IPv6 address
  // as next hop.
  const v6 = n.podCidr6 !== undefined && n.transitIp6 !== undefined;
  const six = v6
    ? [
        "protocol kernel kernel6 {",
        "  scan time 2;",
        "  ipv6 { import none; export where source = RTS_BGP; };",
        "}",
        "protocol static pods6 {",
        "  ipv6;",
        `  route ${n.podCidr6 ?? ""} blackhole;`,
        "}",
        "filter to_peers6 {",
        `  if proto = "pods6" then { bgp_next_hop = ${n.transitIp6 ?? ""}; accept; }`,
        `  if source = RTS_BGP then ${isRr ? "accept" : "reject"};`,
        "  reject;",
        "}",
      ]
    : [];
  return [
    `# kwire lab: node ${n.name} (${n.netns}), ${s.topology === "mesh" ? "full mesh" : isRr ? "route reflector" : "route reflector client"}`,
    `router id ${n.transitIp};`,
    "protocol device { scan time 2; }",
    "protocol kernel {",
    "  scan time 2;",
    "  ipv4 { import none; export where source = RTS_BGP; };",
    "}",
    "protocol static pods {",
    "  ipv4;",
    `  route ${n.podCidr} blackhole;`,
    "}",
    ...six,
    "filter to_peers {",
    `  if proto = "pods" then { bgp_next_hop = ${n.transitIp}; accept; }`,
    // Only a route reflector passes on what it learnt (iBGP never re-advertises otherwise).
    `  if source = RTS_BGP then ${isRr ? "accept" : "reject"};`,
    "  reject;",
    "}",
    "template bgp peers {",
    `  local ${n.transitIp} as ${s.asNumber};`,
    "  connect delay time 1; connect retry time 1; error wait time 1, 5; hold time 9; keepalive time 3;",
    "  direct;",
    "  ipv4 { import all; export filter to_peers; };",
    ...(v6 ? ["  ipv6 { import all; export filter to_peers6; };"] : []),
    "}",
    ...peers.map((o) => `protocol bgp ${o.name.replace(/[^A-Za-z0-9_]/g, "_")}_${o.index} from peers { neighbor ${o.transitIp} as ${s.asNumber};${isRr ? " rr client;" : ""} }`),
    "",
  ].join("\n");
}

/** Write the configs and start one `bird -f` per node netns. */
export function startBird(dir: string, nodes: readonly LabNode[], s: BgpSettings, started: Child[]): void {
  mkdirSync(birdDir(dir), { recursive: true });
  mkdirSync(join(dir, "log"), { recursive: true });
  for (const n of nodes) {
    writeFileSync(birdConfPath(dir, n), birdConfig(n, nodes, s));
    started.push(startInNetns(n.netns, ["bird", "-f", "-c", birdConfPath(dir, n), "-s", birdSocket(dir, n)], birdLog(dir, n), `bird in ${n.netns}`));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Remote podCIDRs (both families) the kernel has from BIRD (`proto bird`) in `n`'s netns. */
export async function birdRoutes(host: Host, n: LabNode): Promise<string[]> {
  const out: string[] = [];
  for (const f of ["-4", "-6"]) {
    const r = await host.exec(["ip", f, "route", "show", "proto", "bird"], { netns: n.netns });
    out.push(...r.stdout.split("\n").map((l) => l.trim().split(/\s+/)[0] ?? "").filter((c) => c !== ""));
  }
  return out.sort();
}

/** Wait until every node's kernel has a BGP route to every other node's podCIDR. */
export async function waitBgp(host: Host, dir: string, nodes: readonly LabNode[], children: readonly Child[], timeoutMs: number, aborted: () => boolean): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (aborted()) throw new LabError("interrupted", "interrupted while waiting for BGP");
    const dead = nodes.findIndex((_, i) => children[i]?.running() === false);
    if (dead >= 0) {
      const n = nodes[dead];
      throw new LabError("command-failed", `bird in ${n?.netns ?? "?"} exited: ${n === undefined ? "" : tail(birdLog(dir, n))}`);
    }
    const missing: string[] = [];
    for (const n of nodes) {
      const have = new Set(await birdRoutes(host, n));
      for (const o of nodes) {
        if (o.index === n.index) continue;
        for (const c of [o.podCidr, ...(n.podCidr6 !== undefined && o.podCidr6 !== undefined ? [o.podCidr6] : [])]) if (!have.has(c)) missing.push(`${n.name} lacks ${c}`);
      }
    }
    if (missing.length === 0) return;
    if (Date.now() - t0 > timeoutMs) throw new LabError("command-failed", `BGP did not converge in ${timeoutMs} ms: ${missing.slice(0, 4).join(", ")}`);
    await sleep(100);
  }
}

export interface BgpSession {
  readonly name: string;
  readonly state: string;
  readonly info: string;
}

export interface BgpNodeStatus {
  readonly node: string;
  readonly sessions: readonly BgpSession[];
  /** `birdc show route` lines for learnt (BGP) routes: prefix, next hop, from. */
  readonly routes: readonly string[];
  readonly error?: string;
}

/** Parse `birdc show protocols` into the BGP sessions. */
export function parseProtocols(text: string): BgpSession[] {
  const out: BgpSession[] = [];
  for (const line of text.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] !== "BGP") continue;
    out.push({ name: cols[0] ?? "", state: cols[3] ?? "", info: cols.slice(5).join(" ") });
  }
  return out;
}

/**
 * Parse `birdc show route where source = RTS_BGP` (BIRD 2: a `prefix unicast [proto time] * (pref) [i]`
 * line, then `via ADDR on IFACE`) into "prefix via ADDR on IFACE (proto)" lines.
 */
export function parseRoutes(text: string): string[] {
  const out: string[] = [];
  let head: { prefix: string; proto: string } | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const m = /^([0-9a-fA-F.:]+\/\d+)\s+\S+\s+\[(\S+)/.exec(line) ?? /^\S+\s+\[(\S+)/.exec(line);
    const via = /^via (\S+) on (\S+)/.exec(line);
    if (via !== null && head !== undefined) out.push(`${head.prefix} via ${via[1] ?? ""} on ${via[2] ?? ""} (${head.proto})`);
    else if (m !== null && m.length === 3) head = { prefix: m[1] ?? "", proto: m[2] ?? "" };
    else if (m !== null && head !== undefined) head = { prefix: head.prefix, proto: m[1] ?? "" }; // another path for the same prefix
  }
  return out;
}

/** Sessions and learnt routes of every node's BIRD, read with `birdc -s`. */
export async function bgpStatus(host: Host, dir: string, nodes: readonly LabNode[]): Promise<BgpNodeStatus[]> {
  return Promise.all(nodes.map(async (n): Promise<BgpNodeStatus> => {
    const p = await host.exec(["birdc", "-s", birdSocket(dir, n), "show", "protocols"]);
    const r = await host.exec(["birdc", "-s", birdSocket(dir, n), "show", "route", "where", "source", "=", "RTS_BGP"]);
    if (p.code !== 0) return { node: n.name, sessions: [], routes: [], error: (p.stderr || p.stdout).trim() };
    // Sorted: birdc lists in its own table order; output must not depend on it.
    return { node: n.name, sessions: parseProtocols(p.stdout).sort((a, b) => (a.name < b.name ? -1 : 1)), routes: parseRoutes(r.stdout).sort() };
  }));
}
