/**
 * @module lab/cni/handlers
 * kwire-cni as a table of verbs (bridge.go's `skel.CNIFuncs{Add, Check, Del, Status, GC}`). Handlers
 * take a decoded `CniRequest` and `CniDeps` and never touch `process`; the skeleton in `main.ts`
 * owns env vars, stdin, result printing and error JSON.
 */
import { createHost } from "../host.js";
import { DiskStore } from "../ipam/index.js";
import { cmdAdd } from "./cmd-add.js";
import { cmdCheck } from "./cmd-check.js";
import { cmdDel } from "./cmd-del.js";
import { cmdGc, cmdStatus } from "./cmd-status-gc.js";
import { toCniError, type CniDeps } from "./deps.js";
import type { CniCommand, CniRequest, CniResult } from "./types.js";
import { LATEST_VERSION, SUPPORTED_VERSIONS } from "./version.js";

export type Handler = (req: CniRequest, deps: CniDeps) => Promise<CniResult | void>;

/** Failures below a handler (IPAM, lock, file system) leave it as a `CniError`. */
const mapped = (h: Handler): Handler => async (req, deps) => {
  try {
    return await h(req, deps);
  } catch (e) {
    throw toCniError(e);
  }
};

export const HANDLERS: Readonly<Record<Exclude<CniCommand, "VERSION">, Handler>> = {
  ADD: mapped(cmdAdd),
  DEL: mapped(cmdDel),
  CHECK: mapped(cmdCheck),
  STATUS: mapped(cmdStatus),
  GC: mapped(cmdGc),
};

/** The VERSION answer. */
export function versionInfo(): { cniVersion: string; supportedVersions: string[] } {
  return { cniVersion: LATEST_VERSION, supportedVersions: [...SUPPORTED_VERSIONS] };
}

/** The real dependencies: the kernel via `createHost()`, IPAM on disk. */
export function defaultDeps(): CniDeps {
  return { host: createHost(), openStore: (dataDir, network) => new DiskStore(dataDir, network) };
}

export { loadNetConf } from "./config.js";
export { toCniError };
export { printJson } from "./result.js";
