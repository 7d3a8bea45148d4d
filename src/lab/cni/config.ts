/**
 * @module lab/cni/config
 * Load, default and validate a `type: "kwire"` network config before anything is created (as
 * bridge.go's `loadNetConf`). Fields follow Debian's `bridge` plugin. Every failure is a `CniError`
 * whose message names the field and quotes the value; it is returned, never thrown.
 */
import { decodeIpam, type Owner } from "../ipam/index.js";
import { CniError, SpecCode } from "./errors.js";
import { decodeResult } from "./result.js";
import type { CniDns, CniResult, NetConf } from "./types.js";
import { isSupported, SUPPORTED_VERSIONS } from "./version.js";

export const DEFAULT_BRIDGE = "kw-cni0";
export const VALID_ATTACHMENTS = "cni.dev/valid-attachments";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
const invalid = (msg: string, details = ""): CniError => new CniError(SpecCode.InvalidNetworkConfig, msg, details);

/** Linux interface-name rules (`utils.ValidateInterfaceName`); returns the problem or undefined. */
export function interfaceNameProblem(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name.length > 15) return `is longer than 15 characters`;
  if (name === "." || name === "..") return "is . or ..";
  if (/[/:\s]/.test(name)) return "contains '/', ':' or whitespace";
  return undefined;
}

/** Network names and container IDs share this pattern in libcni. */
export const ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function bool(o: Obj, key: string): boolean | CniError {
  const v = o[key];
  if (v === undefined) return false;
  return typeof v === "boolean" ? v : invalid(`${key} must be a boolean, got ${show(v)}`);
}

function decodeMtu(v: unknown): number | CniError {
  if (v === undefined || v === 0) return 0;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 68 || v > 65535) {
    return invalid(`invalid mtu ${show(v)} (must be an integer between 68 and 65535, or 0 for the default)`);
  }
  return v;
}

function decodeBridge(v: unknown): string | CniError {
  if (v === undefined) return DEFAULT_BRIDGE;
  if (typeof v !== "string") return invalid(`bridge must be a string, got ${show(v)}`);
  const p = interfaceNameProblem(v);
  return p === undefined ? v : invalid(`invalid bridge name ${show(v)}: ${p}`);
}

function unsupported(o: Obj): CniError | undefined {
  const set = (k: string): boolean => o[k] !== undefined && o[k] !== false && o[k] !== 0 && !(Array.isArray(o[k]) && o[k].length === 0);
  const key = ["vlan", "vlanTrunk", "preserveDefaultVlan", "macspoofchk", "enabledad", "disableContainerInterface"].find(set);
  return key === undefined ? undefined : new CniError(SpecCode.UnsupportedField, `field ${key}=${show(o[key])} is not supported by kwire`, key);
}

function decodeAttachments(v: unknown): Owner[] | CniError {
  if (!Array.isArray(v)) return invalid(`${VALID_ATTACHMENTS} must be a list of {containerID, ifname}, got ${show(v)}`);
  const out: Owner[] = [];
  for (const [i, a] of v.entries()) {
    if (!isObj(a) || typeof a["containerID"] !== "string" || typeof a["ifname"] !== "string") {
      return invalid(`${VALID_ATTACHMENTS}[${i}] must be {"containerID": string, "ifname": string}, got ${show(a)}`);
    }
    out.push({ containerID: a["containerID"], ifname: a["ifname"] });
  }
  return out;
}

function decodeHeader(o: Obj): { cniVersion: string; name: string; type: string } | CniError {
  const v = o["cniVersion"];
  if (typeof v !== "string") return invalid(`cniVersion must be a string, got ${show(v)}`);
  if (!isSupported(v)) {
    return new CniError(SpecCode.IncompatibleVersion, `incompatible CNI versions; config is ${show(v)}, plugin supports ${show(SUPPORTED_VERSIONS)}`);
  }
  const name = o["name"];
  if (name === undefined || name === "") return invalid("missing network name");
  if (typeof name !== "string" || !ID_PATTERN.test(name)) return invalid(`invalid network name ${show(name)} (must match ${String(ID_PATTERN)})`);
  const type = o["type"];
  if (typeof type !== "string" || type === "") return invalid(`type must be a non-empty string, got ${show(type)}`);
  return { cniVersion: v, name, type };
}

function decodeIpamField(o: Obj): NetConf["ipam"] | CniError {
  if (o["ipam"] === undefined) return invalid("ipam is required (kwire allocates addresses itself; see ipam.ranges)");
  const d = decodeIpam(o["ipam"]);
  if (d.ok) return d.value;
  return new CniError(d.issue.unsupported === true ? SpecCode.UnsupportedField : SpecCode.InvalidNetworkConfig, d.issue.message, d.issue.field);
}

function decodeOptional(o: Obj): { dns?: CniDns; prevResult?: CniResult; validAttachments?: Owner[] } | CniError {
  const out: { dns?: CniDns; prevResult?: CniResult; validAttachments?: Owner[] } = {};
  if (o["dns"] !== undefined) {
    if (!isObj(o["dns"])) return invalid(`dns must be an object, got ${show(o["dns"])}`);
    out.dns = o["dns"];
  }
  if (o["prevResult"] !== undefined) {
    const r = decodeResult(o["prevResult"]);
    if (typeof r === "string") return new CniError(SpecCode.DecodingFailure, `failed to decode prevResult: ${r}`);
    out.prevResult = r;
  }
  if (o[VALID_ATTACHMENTS] !== undefined) {
    const a = decodeAttachments(o[VALID_ATTACHMENTS]);
    if (a instanceof CniError) return a;
    out.validAttachments = a;
  }
  return out;
}

/** Decode the parsed stdin JSON into a `NetConf`, or the first problem as a `CniError`. */
export function loadNetConf(raw: unknown): NetConf | CniError {
  if (!isObj(raw)) return new CniError(SpecCode.DecodingFailure, `failed to decode network config: expected a JSON object, got ${show(raw)}`);
  const head = decodeHeader(raw);
  if (head instanceof CniError) return head;
  const unsup = unsupported(raw);
  if (unsup !== undefined) return unsup;
  const bridge = decodeBridge(raw["bridge"]);
  if (bridge instanceof CniError) return bridge;
  const mtu = decodeMtu(raw["mtu"]);
  if (mtu instanceof CniError) return mtu;
  const flags: Record<string, boolean> = {};
  for (const k of ["isGateway", "isDefaultGateway", "ipMasq", "hairpinMode", "promiscMode"]) {
    const b = bool(raw, k);
    if (b instanceof CniError) return b;
    flags[k] = b;
  }
  const ipam = decodeIpamField(raw);
  if (ipam instanceof CniError) return ipam;
  const opt = decodeOptional(raw);
  if (opt instanceof CniError) return opt;
  const isDefaultGateway = flags["isDefaultGateway"] === true;
  return {
    ...head, bridge, mtu, ipam, ...opt,
    isGateway: flags["isGateway"] === true || isDefaultGateway,
    isDefaultGateway,
    ipMasq: flags["ipMasq"] === true,
    hairpinMode: flags["hairpinMode"] === true,
    promiscMode: flags["promiscMode"] === true,
  };
}
