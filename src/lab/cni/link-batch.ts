/**
 * @module lab/cni/link-batch
 * Pure builders for the `ip -batch -` scripts of ADD (one for the node netns, one for the
 * container netns — two exec()s per ADD) and parsers for `ip -j` output and batch failures.
 * The veth peer is created directly inside the container netns under its final name
 * (`peer name eth0 netns <path>`), so there is no move-and-rename step.
 */
import { defaultDst, formatIp, parseIp, parseIpPrefix, type Family } from "../ipam/index.js";

export interface NodePlan {
  readonly bridge: string;
  /** Create the bridge (it was not in /proc/net/dev). */
  readonly createBridge: boolean;
  readonly bridgeMac: string;
  readonly mtu: number;
  readonly promiscMode: boolean;
  /** `gw/prefix` addresses to put on the bridge (isGateway). */
  readonly gatewayAddrs: readonly string[];
  readonly hostVeth: string;
  readonly hostMac: string;
  readonly ifname: string;
  readonly containerMac: string;
  readonly netnsPath: string;
  readonly hairpinMode: boolean;
}

const mtuArg = (mtu: number): string => (mtu > 0 ? ` mtu ${mtu}` : "");
const v6 = (addr: string): boolean => addr.includes(":");

/** Lines for the node netns; the last line prints the bridge (`-j -d`) so its MAC comes back. */
export function nodeBatch(p: NodePlan): string[] {
  const lines: string[] = [];
  if (p.createBridge) {
    lines.push(`link add name ${p.bridge} address ${p.bridgeMac}${mtuArg(p.mtu)} type bridge`);
  }
  lines.push(`link set dev ${p.bridge} up${p.promiscMode ? " promisc on" : ""}`);
  for (const a of p.gatewayAddrs) lines.push(`addr replace ${a} dev ${p.bridge}${v6(a) ? " nodad" : ""}`);
  lines.push(
    `link add name ${p.hostVeth} address ${p.hostMac}${mtuArg(p.mtu)} type veth peer name ${p.ifname} address ${p.containerMac}${mtuArg(p.mtu)} netns ${p.netnsPath}`,
    `link set dev ${p.hostVeth} master ${p.bridge} up`,
  );
  if (p.hairpinMode) lines.push(`link set dev ${p.hostVeth} type bridge_slave hairpin on`);
  lines.push(`link show dev ${p.bridge}`);
  return lines;
}

export interface ContainerRoute {
  readonly dst: string;
  readonly gw: string;
}

/** Lines for the container netns: addresses, link up, routes. */
export function containerBatch(ifname: string, addrs: readonly string[], routes: readonly ContainerRoute[]): string[] {
  return [
    ...addrs.map((a) => `addr add ${a} dev ${ifname}${v6(a) ? " nodad" : ""}`),
    `link set dev ${ifname} up`,
    ...routes.map((r) => `route add ${r.dst} via ${r.gw} dev ${ifname}`),
  ];
}

export const batchInput = (lines: readonly string[]): string => `${lines.join("\n")}\n`;

/** 0-based index of the failed line from `Command failed -:N`, or undefined. */
export function failedLine(stderr: string): number | undefined {
  const m = /Command failed -:(\d+)/.exec(stderr);
  return m?.[1] === undefined ? undefined : Number(m[1]) - 1;
}

/** `ip` stderr saying the device is not there (DEL treats it as success). */
export const isNoDevice = (stderr: string): boolean => /Cannot find device|does not exist|No such device/.test(stderr);
export const isExists = (stderr: string): boolean => /File exists/.test(stderr);

/** Parse concatenated `ip -j -batch` output: one JSON array per line. */
export function parseJsonLines(stdout: string): unknown[][] {
  const out: unknown[][] = [];
  for (const line of stdout.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("[")) continue;
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v)) out.push(v);
  }
  return out;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface LinkInfo {
  readonly ifname: string;
  readonly mac: string;
  readonly kind?: string;
  readonly master?: string;
  readonly addrs: readonly string[];
}

/** Read `ip -j [-d] link|addr show` entries. Addresses are canonical `ip/prefix`, link-local skipped. */
export function parseLinks(entries: readonly unknown[]): LinkInfo[] {
  return entries.filter(isObj).map((e) => {
    const info = isObj(e["linkinfo"]) ? e["linkinfo"] : {};
    const addrInfo = Array.isArray(e["addr_info"]) ? e["addr_info"].filter(isObj) : [];
    const addrs = addrInfo
      .filter((a) => a["scope"] !== "link" && typeof a["local"] === "string")
      .map((a) => canonicalPrefix(`${String(a["local"])}/${String(a["prefixlen"])}`));
    return {
      ifname: String(e["ifname"] ?? ""),
      mac: String(e["address"] ?? ""),
      ...(typeof info["info_kind"] === "string" ? { kind: info["info_kind"] } : {}),
      ...(typeof e["master"] === "string" ? { master: e["master"] } : {}),
      addrs,
    };
  });
}

/** `10.0.0.2/24` with the address canonicalised (IPv6 compression). */
export function canonicalPrefix(s: string): string {
  const p = parseIpPrefix(s);
  return p === undefined ? s : `${formatIp(p.ip)}/${p.prefix}`;
}

/** Canonical route destination: "default" → 0.0.0.0/0 or ::/0, bare host → /32 or /128. */
export function canonicalDst(dst: string, family: Family): string {
  if (dst === "default") return defaultDst(family);
  if (dst.includes("/")) return canonicalPrefix(dst);
  const ip = parseIp(dst);
  return ip === undefined ? dst : `${formatIp(ip)}/${ip.family === 4 ? 32 : 128}`;
}

export interface RouteInfo {
  readonly dst: string;
  readonly gw?: string;
}

export function parseRoutes(entries: readonly unknown[], family: Family): RouteInfo[] {
  return entries.filter(isObj).map((e) => {
    const gw = typeof e["gateway"] === "string" ? parseIp(e["gateway"]) : undefined;
    return { dst: canonicalDst(String(e["dst"] ?? ""), family), ...(gw === undefined ? {} : { gw: formatIp(gw) }) };
  });
}
