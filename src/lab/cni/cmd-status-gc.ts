/**
 * @module lab/cni/cmd-status-gc
 * STATUS (spec 1.1): succeed when an ADD could be served; code 50 when some range set is exhausted
 * or the IPAM store cannot be read. GC (spec 1.1): free IPAM reservations and host veths whose
 * attachment is not in `cni.dev/valid-attachments`, and their ipMasq rules.
 */
import { firstExhausted, formatRangeSet, type Reservation } from "../ipam/index.js";
import { toCniError, type CniDeps } from "./deps.js";
import { CniError, SpecCode } from "./errors.js";
import { parseJsonLines, parseLinks } from "./link-batch.js";
import { HOST_VETH_PREFIX, hostVethName } from "./names.js";
import { removeMasq } from "./cmd-del.js";
import type { CniRequest } from "./types.js";

export async function cmdStatus(req: CniRequest, deps: CniDeps): Promise<void> {
  const { ipam } = req.conf;
  let exhausted: number | undefined;
  try {
    exhausted = await firstExhausted(deps.openStore(ipam.dataDir, req.conf.name), ipam.rangeSets);
  } catch (e) {
    const err = toCniError(e);
    throw new CniError(SpecCode.PluginNotAvailable, `IPAM store for network ${req.conf.name} is unusable: ${err.msg}`, err.details);
  }
  const set = exhausted === undefined ? undefined : ipam.rangeSets[exhausted];
  if (set !== undefined) {
    throw new CniError(SpecCode.PluginNotAvailable, `no IP addresses available in range set: ${formatRangeSet(set)}`, `ipam.ranges[${exhausted ?? 0}]`);
  }
}

/** Host veths on our bridge that belong to no valid attachment. */
async function staleVeths(req: CniRequest, deps: CniDeps, keep: ReadonlySet<string>): Promise<string[]> {
  const r = await deps.host.exec(["ip", "-j", "link", "show", "master", req.conf.bridge]);
  if (r.code !== 0) return [];
  return parseLinks(parseJsonLines(r.stdout).flat())
    .map((l) => l.ifname.split("@")[0] ?? "")
    .filter((n) => n.startsWith(HOST_VETH_PREFIX) && !keep.has(n))
    .sort();
}

async function dropMasq(req: CniRequest, deps: CniDeps, gone: readonly Reservation[]): Promise<void> {
  const byOwner = new Map<string, Reservation[]>();
  for (const r of gone) {
    const k = `${r.containerID}/${r.ifname}`;
    const list = byOwner.get(k);
    if (list) list.push(r);
    else byOwner.set(k, [r]);
  }
  for (const rs of byOwner.values()) {
    const first = rs[0];
    if (first !== undefined) await removeMasq(deps, req.conf.name, first.containerID, first.ifname, rs.map((r) => r.ip));
  }
}

export async function cmdGc(req: CniRequest, deps: CniDeps): Promise<void> {
  const valid = req.conf.validAttachments;
  if (valid === undefined) throw new CniError(SpecCode.InvalidNetworkConfig, "GC needs cni.dev/valid-attachments in the network config", "cni.dev/valid-attachments");
  const store = deps.openStore(req.conf.ipam.dataDir, req.conf.name);
  const gone = await store.withLock(() => store.gc(valid));
  const keep = new Set(valid.map((a) => hostVethName(a.containerID, a.ifname)));
  const stale = await staleVeths(req, deps, keep);
  if (stale.length > 0) {
    await deps.host.exec(["ip", "-force", "-batch", "-"], { input: stale.map((n) => `link del dev ${n}\n`).join("") });
  }
  if (req.conf.ipMasq && gone.length > 0) await dropMasq(req, deps, gone);
}
