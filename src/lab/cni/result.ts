/**
 * @module lab/cni/result
 * CNI result JSON: decoding a `prevResult`, converting to the requested `cniVersion` (before 1.0.0
 * every `ips[]` entry carries `version`), chaining onto a `prevResult`, and printing the way the Go
 * skeleton does (4-space indented JSON).
 */
import type { CniDns, CniInterface, CniIpConfig, CniResult, CniRoute } from "./types.js";
import { atLeast } from "./version.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): string | undefined => (typeof o[k] === "string" ? o[k] : undefined);

function listOf<T>(v: unknown, what: string, one: (o: Obj, i: number) => T | string): T[] | string {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return `${what} must be a list`;
  const out: T[] = [];
  for (const [i, x] of v.entries()) {
    if (!isObj(x)) return `${what}[${i}] must be an object`;
    const d = one(x, i);
    if (typeof d === "string") return d;
    out.push(d);
  }
  return out;
}

function decodeInterface(o: Obj, i: number): CniInterface | string {
  const name = str(o, "name");
  if (name === undefined) return `interfaces[${i}].name is required`;
  const mac = str(o, "mac");
  const sandbox = str(o, "sandbox");
  const mtu = typeof o["mtu"] === "number" ? o["mtu"] : undefined;
  return { name, ...(mac === undefined ? {} : { mac }), ...(mtu === undefined ? {} : { mtu }), ...(sandbox === undefined ? {} : { sandbox }) };
}

function decodeIpConfig(o: Obj, i: number): CniIpConfig | string {
  const address = str(o, "address");
  if (address === undefined) return `ips[${i}].address is required`;
  const gateway = str(o, "gateway");
  const idx = o["interface"];
  if (idx !== undefined && (typeof idx !== "number" || !Number.isInteger(idx) || idx < 0)) return `ips[${i}].interface must be a non-negative integer`;
  return { ...(idx === undefined ? {} : { interface: idx }), address, ...(gateway === undefined ? {} : { gateway }) };
}

function decodeRoute(o: Obj, i: number): CniRoute | string {
  const dst = str(o, "dst");
  if (dst === undefined) return `routes[${i}].dst is required`;
  const gw = str(o, "gw");
  return { dst, ...(gw === undefined ? {} : { gw }) };
}

/** Decode a result (a `prevResult`); a string is the problem found. */
export function decodeResult(v: unknown): CniResult | string {
  if (!isObj(v)) return "prevResult must be an object";
  const interfaces = listOf(v["interfaces"], "interfaces", decodeInterface);
  if (typeof interfaces === "string") return interfaces;
  const ips = listOf(v["ips"], "ips", decodeIpConfig);
  if (typeof ips === "string") return ips;
  const routes = listOf(v["routes"], "routes", decodeRoute);
  if (typeof routes === "string") return routes;
  const dns: CniDns | undefined = isObj(v["dns"]) ? v["dns"] : undefined;
  return { cniVersion: str(v, "cniVersion") ?? "", interfaces, ips, routes, ...(dns === undefined ? {} : { dns }) };
}

/** Express `r` in `cniVersion` (adds/removes `ips[].version`). */
export function convertResult(r: CniResult, cniVersion: string): CniResult {
  const legacy = !atLeast(cniVersion, "1.0.0");
  const ips = (r.ips ?? []).map((ip): CniIpConfig => {
    const { version: _drop, ...rest } = ip;
    return legacy ? { ...rest, version: ip.address.includes(":") ? "6" : "4" } : rest;
  });
  return { cniVersion, interfaces: r.interfaces ?? [], ips, routes: r.routes ?? [], dns: r.dns ?? {} };
}

const dnsEmpty = (d: CniDns | undefined): boolean => d === undefined || Object.keys(d).length === 0;

/**
 * Chain `ours` after `prev`: interfaces appended (our `ips[].interface` indices shifted), ips and
 * routes appended, DNS from `prev` unless it is empty.
 */
export function chainResult(prev: CniResult, ours: CniResult): CniResult {
  const shift = (prev.interfaces ?? []).length;
  const ips = (ours.ips ?? []).map((ip) => (ip.interface === undefined ? ip : { ...ip, interface: ip.interface + shift }));
  return {
    cniVersion: ours.cniVersion,
    interfaces: [...(prev.interfaces ?? []), ...(ours.interfaces ?? [])],
    ips: [...(prev.ips ?? []), ...ips],
    routes: [...(prev.routes ?? []), ...(ours.routes ?? [])],
    dns: dnsEmpty(prev.dns) ? (ours.dns ?? {}) : (prev.dns ?? {}),
  };
}

/** Print like the Go skeleton: indented JSON. */
export const printJson = (v: unknown): string => JSON.stringify(v, null, 4);
