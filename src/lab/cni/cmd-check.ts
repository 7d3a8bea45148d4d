/**
 * @module lab/cni/cmd-check
 * CHECK: compare the live state with `prevResult` — the container interface (name, MAC, addresses)
 * and routes inside the netns, the host veth enslaved to the bridge, and the IPAM reservations.
 * Every difference is collected; one `CniError` (code 104) lists them all.
 */
import { formatIp, parseIpPrefix } from "../ipam/index.js";
import type { CniDeps } from "./deps.js";
import { CniError, KwireCode, SpecCode } from "./errors.js";
import { canonicalDst, canonicalPrefix, isNoDevice, parseJsonLines, parseLinks, parseRoutes, type RouteInfo } from "./link-batch.js";
import { hostVethName } from "./names.js";
import type { CniIpConfig, CniRequest, CniResult } from "./types.js";

async function hostSideProblems(req: CniRequest, deps: CniDeps): Promise<string[]> {
  const veth = hostVethName(req.containerID, req.ifname);
  const r = await deps.host.exec(["ip", "-j", "-d", "link", "show", "dev", veth]);
  if (r.code !== 0) return [isNoDevice(r.stderr) ? `host interface ${veth} does not exist` : `ip link show ${veth}: ${r.stderr.trim()}`];
  const link = parseLinks(parseJsonLines(r.stdout).flat())[0];
  return link?.master === req.conf.bridge ? [] : [`host interface ${veth} is attached to ${JSON.stringify(link?.master ?? null)}, want bridge ${req.conf.bridge}`];
}

async function readContainer(req: CniRequest, deps: CniDeps, want6: boolean): Promise<{ addrs: string[]; mac: string; routes: RouteInfo[] } | string> {
  const r = await deps.host.exec(["ip", "-j", "-batch", "-"], { netns: req.netns, input: `addr show dev ${req.ifname}\nroute show dev ${req.ifname}\n` });
  if (r.code !== 0) return isNoDevice(r.stderr) ? `interface ${req.ifname} does not exist in ${req.netns}` : `reading ${req.netns}: ${r.stderr.trim()}`;
  const [links = [], routes4 = []] = parseJsonLines(r.stdout);
  const link = parseLinks(links)[0];
  let routes = parseRoutes(routes4, 4);
  if (want6) {
    const r6 = await deps.host.exec(["ip", "-6", "-j", "route", "show", "dev", req.ifname], { netns: req.netns });
    if (r6.code !== 0) return `reading IPv6 routes in ${req.netns}: ${r6.stderr.trim()}`;
    routes = [...routes, ...parseRoutes(parseJsonLines(r6.stdout).flat(), 6)];
  }
  return { addrs: [...(link?.addrs ?? [])], mac: link?.mac ?? "", routes };
}

function ourIps(prev: CniResult, index: number): CniIpConfig[] {
  return (prev.ips ?? []).filter((ip) => ip.interface === index);
}

function compare(req: CniRequest, prev: CniResult, index: number, live: { addrs: string[]; mac: string; routes: RouteInfo[] }): string[] {
  const problems: string[] = [];
  const iface = prev.interfaces?.[index];
  if (iface?.mac !== undefined && iface.mac.toLowerCase() !== live.mac.toLowerCase()) problems.push(`${req.ifname} has MAC ${live.mac}, prevResult says ${iface.mac}`);
  for (const ip of ourIps(prev, index)) {
    if (!live.addrs.includes(canonicalPrefix(ip.address))) problems.push(`${req.ifname} lacks address ${ip.address} (has ${live.addrs.join(", ") || "none"})`);
  }
  for (const route of prev.routes ?? []) {
    const dst = canonicalDst(route.dst, route.dst.includes(":") ? 6 : 4);
    const hit = live.routes.find((r) => r.dst === dst && (route.gw === undefined || r.gw === route.gw));
    if (hit === undefined) problems.push(`route ${route.dst}${route.gw === undefined ? "" : ` via ${route.gw}`} is missing in ${req.netns}`);
  }
  return problems;
}

async function ipamProblems(req: CniRequest, deps: CniDeps, ips: readonly CniIpConfig[]): Promise<string[]> {
  const store = deps.openStore(req.conf.ipam.dataDir, req.conf.name);
  const held = new Set(await store.getByOwner({ containerID: req.containerID, ifname: req.ifname }));
  return ips
    .map((ip) => parseIpPrefix(ip.address))
    .flatMap((p) => (p === undefined || held.has(formatIp(p.ip)) ? [] : [`IPAM does not hold ${formatIp(p.ip)} for ${req.containerID}/${req.ifname}`]));
}

export async function cmdCheck(req: CniRequest, deps: CniDeps): Promise<void> {
  const prev = req.conf.prevResult;
  if (prev === undefined) throw new CniError(SpecCode.InvalidNetworkConfig, "CHECK needs prevResult in the network config", "prevResult");
  if (!(await deps.host.exists(req.netns))) throw new CniError(SpecCode.UnknownContainer, `container netns ${JSON.stringify(req.netns)} does not exist`, req.netns);
  const index = (prev.interfaces ?? []).findIndex((i) => i.name === req.ifname && i.sandbox === req.netns);
  if (index < 0) throw new CniError(KwireCode.CheckMismatch, `prevResult has no interface ${req.ifname} in sandbox ${req.netns}`);
  const want6 = [...ourIps(prev, index), ...(prev.routes ?? [])].some((x) => ("address" in x ? x.address : x.dst).includes(":"));
  const live = await readContainer(req, deps, want6);
  const problems = typeof live === "string" ? [live] : compare(req, prev, index, live);
  problems.push(...(await hostSideProblems(req, deps)), ...(await ipamProblems(req, deps, ourIps(prev, index))));
  if (problems.length > 0) {
    throw new CniError(KwireCode.CheckMismatch, `CHECK failed for ${req.containerID}/${req.ifname}: ${problems[0] ?? ""}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ""}`, problems.join("\n"));
  }
}
