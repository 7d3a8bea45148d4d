/**
 * @module lab/ipam/config
 * Decode the `ipam` section of a network config (host-local compatible): `type`, `ranges`
 * (a list of range sets) or the legacy single `subnet`/`rangeStart`/`rangeEnd`/`gateway`, `routes`
 * and `dataDir`. Untyped input stays `unknown` until narrowed here; every issue names its field.
 */
import { formatCidr, network, parseIp, parseIpPrefix, type Cidr, type Ip } from "./addr.js";
import { canonicalizeRange, checkRangeSets, type Range, type RangeInput, type RangeIssue, type RangeSet } from "./range.js";

export const IPAM_TYPES = ["host-local", "kwire"] as const;
export const DEFAULT_DATA_DIR = "/var/lib/cni/networks";

export interface RouteConfig {
  readonly dst: Cidr;
  readonly gw?: Ip;
}

export interface IpamConfig {
  readonly type: (typeof IPAM_TYPES)[number];
  readonly rangeSets: readonly RangeSet[];
  readonly routes: readonly RouteConfig[];
  readonly dataDir: string;
}

export type IpamIssue = RangeIssue & { readonly unsupported?: true };
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: IpamIssue };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const bad = (field: string, message: string): { ok: false; issue: IpamIssue } => ({ ok: false, issue: { field, message } });
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function optString(o: Record<string, unknown>, key: string, field: string): Decoded<string | undefined> {
  const v = o[key];
  if (v === undefined) return { ok: true, value: undefined };
  return typeof v === "string" ? { ok: true, value: v } : bad(`${field}.${key}`, `${field}.${key} must be a string, got ${show(v)}`);
}

function decodeRange(v: unknown, field: string): Decoded<Range> {
  if (!isObj(v)) return bad(field, `${field} must be an object, got ${show(v)}`);
  const parts: Record<string, string | undefined> = {};
  for (const k of ["subnet", "rangeStart", "rangeEnd", "gateway"]) {
    const s = optString(v, k, field);
    if (!s.ok) return s;
    parts[k] = s.value;
  }
  if (parts["subnet"] === undefined) return bad(`${field}.subnet`, `${field}.subnet is required`);
  const input: RangeInput = { subnet: parts["subnet"], rangeStart: parts["rangeStart"], rangeEnd: parts["rangeEnd"], gateway: parts["gateway"] };
  return canonicalizeRange(input, field);
}

function decodeRangeSets(ipam: Record<string, unknown>): Decoded<RangeSet[]> {
  const raw = ipam["ranges"];
  if (raw === undefined) {
    if (ipam["subnet"] === undefined) return bad("ipam.ranges", "ipam.ranges is required (a list of range sets, e.g. [[{\"subnet\": \"10.22.0.0/16\"}]])");
    const r = decodeRange(ipam, "ipam");
    return r.ok ? { ok: true, value: [[r.value]] } : r;
  }
  if (!Array.isArray(raw) || raw.length === 0) return bad("ipam.ranges", `ipam.ranges must be a non-empty list of range sets, got ${show(raw)}`);
  const sets: RangeSet[] = [];
  for (const [i, set] of raw.entries()) {
    if (!Array.isArray(set)) return bad(`ipam.ranges[${i}]`, `ipam.ranges[${i}] must be a list of ranges, got ${show(set)}`);
    const ranges: Range[] = [];
    for (const [j, r] of set.entries()) {
      const d = decodeRange(r, `ipam.ranges[${i}][${j}]`);
      if (!d.ok) return d;
      ranges.push(d.value);
    }
    sets.push(ranges);
  }
  const issue = checkRangeSets(sets, "ipam.ranges");
  return issue === undefined ? { ok: true, value: sets } : { ok: false, issue };
}

function decodeRoute(v: unknown, field: string): Decoded<RouteConfig> {
  if (!isObj(v) || typeof v["dst"] !== "string") return bad(`${field}.dst`, `${field} must be {"dst": "CIDR", "gw"?: "IP"}, got ${show(v)}`);
  const p = parseIpPrefix(v["dst"]);
  if (p === undefined) return bad(`${field}.dst`, `${field}.dst ${show(v["dst"])} is not a CIDR`);
  const dst: Cidr = { ip: network(p.ip, p.prefix), prefix: p.prefix };
  if (v["gw"] === undefined) return { ok: true, value: { dst } };
  const gw = typeof v["gw"] === "string" ? parseIp(v["gw"]) : undefined;
  if (gw === undefined) return bad(`${field}.gw`, `${field}.gw ${show(v["gw"])} is not an IP address`);
  if (gw.family !== dst.ip.family) return bad(`${field}.gw`, `${field}.gw ${show(v["gw"])} is not in the family of dst ${formatCidr(dst)}`);
  return { ok: true, value: { dst, gw } };
}

function decodeRoutes(raw: unknown): Decoded<RouteConfig[]> {
  if (raw === undefined) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return bad("ipam.routes", `ipam.routes must be a list, got ${show(raw)}`);
  const out: RouteConfig[] = [];
  for (const [i, r] of raw.entries()) {
    const d = decodeRoute(r, `ipam.routes[${i}]`);
    if (!d.ok) return d;
    out.push(d.value);
  }
  return { ok: true, value: out };
}

/** Decode and validate `ipam`. */
export function decodeIpam(raw: unknown): Decoded<IpamConfig> {
  if (!isObj(raw)) return bad("ipam", `ipam must be an object, got ${show(raw)}`);
  const type = raw["type"];
  const known = IPAM_TYPES.find((t) => t === type);
  if (known === undefined) {
    return { ok: false, issue: { field: "ipam.type", message: `ipam.type ${show(type)} is not supported (kwire has built-in IPAM: ${IPAM_TYPES.map((t) => `"${t}"`).join(" or ")})`, unsupported: true } };
  }
  const dataDir = optString(raw, "dataDir", "ipam");
  if (!dataDir.ok) return dataDir;
  if (dataDir.value !== undefined && !dataDir.value.startsWith("/")) return bad("ipam.dataDir", `ipam.dataDir ${show(dataDir.value)} must be an absolute path`);
  const sets = decodeRangeSets(raw);
  if (!sets.ok) return sets;
  const routes = decodeRoutes(raw["routes"]);
  if (!routes.ok) return routes;
  return { ok: true, value: { type: known, rangeSets: sets.value, routes: routes.value, dataDir: dataDir.value ?? DEFAULT_DATA_DIR } };
}
