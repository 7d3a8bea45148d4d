/**
 * @module lab/cni/cmd-add
 * ADD: allocate addresses, wire the container to the bridge, return the result. Two `ip -batch`
 * runs (node netns, container netns) plus in-process IPAM; every step pushes its inverse on an
 * undo stack that unwinds if a later step fails (bridge.go's deferred teardowns). The bridge itself
 * is shared and never removed on rollback. With a launcher (the agent) both `ip`s are started
 * before they are needed: the node one from the launcher's spares, the container one first thing.
 */
import { formatIp, parseIp, type Family, type Ip } from "../ipam/index.js";
import { allocate, defaultDst, formatCidr, type Allocation, type Owner } from "../ipam/index.js";
import { BATCH_ARGV, deleteLink, finishBatch, listDevices, linkError, runBatch, runNodeBatch, type CniDeps } from "./deps.js";
import { CniError, KwireCode, SpecCode } from "./errors.js";
import { containerBatch, isExists, nodeBatch, parseJsonLines, parseLinks, type ContainerRoute, type NodePlan } from "./link-batch.js";
import { masqAddScript, masqDelScript } from "./masq.js";
import { bridgeMac, containerMac, hostMac, hostVethName, masqChainName } from "./names.js";
import { chainResult, convertResult } from "./result.js";
import type { CniRequest, CniResult, CniRoute, NetConf } from "./types.js";
import { UndoStack } from "./undo.js";
import type { Started } from "./warm.js";

/** `IP=a,b` from CNI_ARGS (host-local's requested addresses). */
export function requestedIps(args: Readonly<Record<string, string>>): Ip[] {
  const raw = args["IP"];
  if (raw === undefined || raw === "") return [];
  return raw.split(",").map((s) => {
    const ip = parseIp(s.trim());
    if (ip === undefined) throw new CniError(SpecCode.InvalidEnvironment, `CNI_ARGS IP=${raw}: ${JSON.stringify(s)} is not an IP address`);
    return ip;
  });
}

/** Result routes: ipam.routes as configured, plus a default route per family for isDefaultGateway. */
export function resultRoutes(conf: NetConf, allocs: readonly Allocation[]): CniRoute[] {
  const routes: CniRoute[] = conf.ipam.routes.map((r) => ({ dst: formatCidr(r.dst), ...(r.gw === undefined ? {} : { gw: formatIp(r.gw) }) }));
  if (!conf.isDefaultGateway) return routes;
  for (const a of allocs) {
    const dst = defaultDst(a.address.family);
    const gw = formatIp(a.gateway);
    const clash = routes.find((r) => r.dst === dst);
    if (clash === undefined) routes.push({ dst, gw });
    else if (clash.gw !== undefined && clash.gw !== gw) {
      throw new CniError(SpecCode.InvalidNetworkConfig, `isDefaultGateway wants default route ${dst} via ${gw}, but ipam.routes already has ${dst} via ${clash.gw}`, "isDefaultGateway");
    }
  }
  return routes;
}

/** Container routes with the gateway filled in from the allocation of the same family. */
export function containerRoutes(routes: readonly CniRoute[], allocs: readonly Allocation[]): ContainerRoute[] {
  return routes.map((r) => {
    if (r.gw !== undefined) return { dst: r.dst, gw: r.gw };
    const fam: Family = r.dst.includes(":") ? 6 : 4;
    const a = allocs.find((x) => x.address.family === fam);
    if (a === undefined) throw new CniError(SpecCode.InvalidNetworkConfig, `route ${r.dst} has no gw and no IPv${fam} address was allocated to use its gateway`, "ipam.routes");
    return { dst: r.dst, gw: formatIp(a.gateway) };
  });
}

async function enableForwarding(deps: CniDeps, allocs: readonly Allocation[]): Promise<void> {
  const paths = new Set(allocs.map((a) => (a.address.family === 4 ? "/proc/sys/net/ipv4/ip_forward" : "/proc/sys/net/ipv6/conf/all/forwarding")));
  for (const p of paths) {
    if ((await deps.host.readFile(p))?.trim() !== "1") await deps.host.writeFile(p, "1");
  }
}

/** Run the node-netns batch; retries once without creating the bridge if another ADD won the race. */
async function wireNode(deps: CniDeps, plan: NodePlan): Promise<string> {
  let r = await runNodeBatch(deps, nodeBatch(plan));
  if (!r.ok && plan.createBridge && r.fail.index === 0 && /File exists/.test(r.fail.stderr)) {
    r = await runNodeBatch(deps, nodeBatch({ ...plan, createBridge: false }));
  }
  if (!r.ok && r.fail.line?.startsWith(`link add name ${plan.hostVeth} `) === true && isExists(r.fail.stderr)) {
    throw new CniError(KwireCode.AttachmentExists, `interface ${plan.ifname} already exists in ${plan.netnsPath} (or host interface ${plan.hostVeth} exists)`, r.fail.stderr);
  }
  if (!r.ok) throw linkError("node netns", r.fail);
  const bridge = parseLinks(parseJsonLines(r.stdout).flat()).find((l) => l.ifname === plan.bridge);
  if (bridge?.kind !== undefined && bridge.kind !== "bridge") {
    throw new CniError(SpecCode.InvalidNetworkConfig, `bridge ${JSON.stringify(plan.bridge)} exists but is a ${bridge.kind} device, not a bridge`, "bridge");
  }
  return bridge?.mac ?? plan.bridgeMac;
}

async function applyMasq(deps: CniDeps, undo: UndoStack, req: CniRequest, allocs: readonly Allocation[]): Promise<void> {
  const chain = masqChainName(req.conf.name, req.containerID, req.ifname);
  const entries = allocs.map((a) => ({ ip: formatIp(a.address), subnet: subnetOf(a) }));
  undo.push("remove ipMasq rules", async () => {
    await deps.host.exec(["nft", "-f", "-"], { input: masqDelScript(chain, entries.map((e) => e.ip)) });
  });
  const comment = `kwire-cni ${req.conf.name}/${req.containerID}/${req.ifname}`;
  const r = await deps.host.exec(["nft", "-f", "-"], { input: masqAddScript(chain, entries, comment) });
  if (r.code !== 0) throw new CniError(KwireCode.NftFailed, `ipMasq: nft failed: ${r.stderr.trim().split("\n")[0] ?? ""}`, r.stderr);
}

const subnetOf = (a: Allocation): string => {
  const bits = BigInt((a.address.family === 4 ? 32 : 128) - a.prefix);
  return `${formatIp({ family: a.address.family, value: (a.address.value >> bits) << bits })}/${a.prefix}`;
};

function buildResult(req: CniRequest, plan: NodePlan, brMac: string, allocs: readonly Allocation[], routes: readonly CniRoute[]): CniResult {
  const ours: CniResult = {
    cniVersion: req.conf.cniVersion,
    interfaces: [
      { name: plan.bridge, mac: brMac },
      { name: plan.hostVeth, mac: plan.hostMac },
      { name: req.ifname, mac: plan.containerMac, sandbox: req.netns },
    ],
    ips: allocs.map((a) => ({ interface: 2, address: `${formatIp(a.address)}/${a.prefix}`, gateway: formatIp(a.gateway) })),
    routes,
    dns: req.conf.dns ?? {},
  };
  const prev = req.conf.prevResult;
  return convertResult(prev === undefined ? ours : chainResult(prev, ours), req.conf.cniVersion);
}

async function addSteps(req: CniRequest, deps: CniDeps, undo: UndoStack, devices: ReadonlySet<string>, requested: Ip[], ctr: Started | undefined): Promise<CniResult> {
  const owner: Owner = { containerID: req.containerID, ifname: req.ifname };
  const { conf } = req;
  const store = deps.openStore(conf.ipam.dataDir, conf.name);
  const allocs = await allocate(store, conf.ipam.rangeSets, owner, requested);
  undo.push("release IPAM addresses", () => store.withLock(async () => { for (const a of allocs) await store.release(formatIp(a.address)); }));
  const routes = resultRoutes(conf, allocs);
  const ctrRoutes = containerRoutes(routes, allocs);
  const plan: NodePlan = {
    bridge: conf.bridge, createBridge: !devices.has(conf.bridge), bridgeMac: bridgeMac(conf.bridge), mtu: conf.mtu,
    promiscMode: conf.promiscMode, hairpinMode: conf.hairpinMode,
    gatewayAddrs: conf.isGateway ? allocs.map((a) => `${formatIp(a.gateway)}/${a.prefix}`) : [],
    hostVeth: hostVethName(req.containerID, req.ifname), hostMac: hostMac(req.containerID, req.ifname),
    ifname: req.ifname, containerMac: containerMac(req.containerID, req.ifname), netnsPath: req.netns,
  };
  undo.push("delete host veth", async () => {
    const err = await deleteLink(deps, plan.hostVeth);
    if (err !== undefined) throw new Error(err.trim());
  });
  const brMac = await wireNode(deps, plan);
  if (conf.isGateway) await enableForwarding(deps, allocs);
  const addrs = allocs.map((a) => `${formatIp(a.address)}/${a.prefix}`);
  const lines = containerBatch(req.ifname, addrs, ctrRoutes);
  const c = ctr === undefined ? await runBatch(deps.host, lines, req.netns) : await finishBatch(ctr, lines);
  if (!c.ok) throw linkError("container netns", c.fail);
  if (conf.ipMasq) await applyMasq(deps, undo, req, allocs);
  return buildResult(req, plan, brMac, allocs, routes);
}

export async function cmdAdd(req: CniRequest, deps: CniDeps): Promise<CniResult> {
  if (!(await deps.host.exists(req.netns))) {
    throw new CniError(SpecCode.UnknownContainer, `container netns ${JSON.stringify(req.netns)} does not exist`, req.netns);
  }
  const ctr = deps.launcher?.start(BATCH_ARGV, req.netns);
  try {
    return await addChecked(req, deps, ctr);
  } finally {
    ctr?.cancel();
  }
}

async function addChecked(req: CniRequest, deps: CniDeps, ctr: Started | undefined): Promise<CniResult> {
  const hostVeth = hostVethName(req.containerID, req.ifname);
  const devices = await listDevices(deps.host);
  if (devices.has(hostVeth)) {
    throw new CniError(KwireCode.AttachmentExists, `attachment ${req.containerID}/${req.ifname} already exists (host interface ${hostVeth}); DEL it first`, hostVeth);
  }
  const requested = requestedIps(req.args);
  const undo = new UndoStack();
  try {
    const result = await addSteps(req, deps, undo, devices, requested, ctr);
    undo.clear();
    return result;
  } catch (e) {
    const leftovers = await undo.unwind();
    if (leftovers.length > 0 && e instanceof CniError) {
      throw new CniError(e.code, e.msg, [e.details, `rollback incomplete: ${leftovers.join("; ")}`].filter((s) => s !== "").join("\n"));
    }
    throw e;
  }
}
