/**
 * @module lab/cni/cmd-del
 * DEL: release the attachment's addresses, delete its host veth (the container end goes with it),
 * remove its ipMasq rules. Idempotent: nothing held, no such link, a missing netns — all success
 * (bridge.go `cmdDel` with `ip.ErrLinkNotFound` / `ns.NSPathNotExistErr`). The netns is never
 * entered, so a vanished container cannot make DEL fail.
 */
import { formatIp, parseIpPrefix, releaseOwner } from "../ipam/index.js";
import { deleteLink, listDevices, type CniDeps } from "./deps.js";
import { CniError, KwireCode } from "./errors.js";
import { masqDelScript } from "./masq.js";
import { hostVethName, masqChainName } from "./names.js";
import type { CniRequest } from "./types.js";

/** Addresses of our container interface in prevResult (used when IPAM already forgot them). */
export function prevAddresses(req: CniRequest): string[] {
  const prev = req.conf.prevResult;
  if (prev === undefined) return [];
  const ifaces = prev.interfaces ?? [];
  return (prev.ips ?? [])
    .filter((ip) => ip.interface === undefined || ifaces[ip.interface]?.name === req.ifname)
    .map((ip) => parseIpPrefix(ip.address))
    .flatMap((p) => (p === undefined ? [] : [formatIp(p.ip)]));
}

export async function removeMasq(deps: CniDeps, network: string, containerID: string, ifname: string, ips: readonly string[]): Promise<void> {
  const chain = masqChainName(network, containerID, ifname);
  const r = await deps.host.exec(["nft", "-f", "-"], { input: masqDelScript(chain, ips) });
  if (r.code !== 0) throw new CniError(KwireCode.NftFailed, `ipMasq: removing chain ${chain} failed: ${r.stderr.trim().split("\n")[0] ?? ""}`, r.stderr);
}

export async function cmdDel(req: CniRequest, deps: CniDeps): Promise<void> {
  const { conf } = req;
  const store = deps.openStore(conf.ipam.dataDir, conf.name);
  const released = await releaseOwner(store, { containerID: req.containerID, ifname: req.ifname });
  const hostVeth = hostVethName(req.containerID, req.ifname);
  if ((await listDevices(deps.host)).has(hostVeth)) {
    const err = await deleteLink(deps, hostVeth);
    if (err !== undefined) throw new CniError(KwireCode.LinkFailed, `deleting host interface ${hostVeth} failed: ${err.trim()}`, err);
  }
  if (conf.ipMasq) {
    const ips = [...new Set([...released, ...prevAddresses(req)])];
    if (ips.length > 0) await removeMasq(deps, conf.name, req.containerID, req.ifname, ips);
  }
}
