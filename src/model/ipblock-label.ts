/**
 * @module ipblock-label
 * The id and short label of an external cell (a block of addresses outside the cluster): the
 * cell's CIDRs, or "ENCLOSING(except:HOLES)" when that is shorter (the partition of 0.0.0.0/0
 * minus 10.0.0.0/8 is eight CIDRs, but one phrase). A label still longer than
 * `MAX_IPBLOCK_LABEL` is cut and made unique by a hash of the full CIDR list, so every output
 * (table, wide, json, yaml, csv, md, dot, mermaid, diff) names the cell with the same short id;
 * the JSON endpoint's `cidrs` always lists every CIDR.
 */
import { formatCidr, lastOf, parseCidr, type Cidr } from "./cidr.js";
import { bitsOf, type IpFamily } from "./ip.js";
import { ipSetSubtract, ipSetToCidrs, normalizeIntervals } from "./ip-set.js";

function enclosing(family: IpFamily, lo: bigint, hi: bigint): Cidr {
  const bits = bitsOf(family);
  let prefix = bits;
  while (prefix > 0) {
    const size = BigInt(bits - prefix);
    if (lo >> size === hi >> size) break;
    prefix--;
  }
  const size = BigInt(bits - prefix);
  return { family, base: (lo >> size) << size, prefix };
}

export function ipBlockLabel(cidrs: readonly string[]): string {
  const parsed = cidrs.map((c) => parseCidr(c)).flatMap((p) => (p.ok ? [p.cidr] : []));
  const first = parsed[0];
  if (!first || parsed.length !== cidrs.length || parsed.some((c) => c.family !== first.family) || parsed.length <= 2) return cidrs.join(",");
  const intervals = normalizeIntervals(parsed.map((c) => ({ lo: c.base, hi: lastOf(c) })));
  const lo = intervals[0]?.lo ?? 0n;
  const hi = intervals[intervals.length - 1]?.hi ?? 0n;
  const outer = enclosing(first.family, lo, hi);
  const holes = ipSetToCidrs(ipSetSubtract({ family: first.family, intervals: [{ lo: outer.base, hi: lastOf(outer) }] }, { family: first.family, intervals }));
  if (holes.length + 1 >= parsed.length) return cidrs.join(",");
  return `${formatCidr(outer)}(except:${holes.map(formatCidr).join(",")})`;
}

/** Labels longer than this are shortened (a table column stays readable; ids stay greppable). */
export const MAX_IPBLOCK_LABEL = 48;

/** FNV-1a, 32 bits, as 8 hex digits: a stable short tag for a long CIDR list. */
function fnv1a32(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** `ipblock:<label>`, the one id of an external cell in every output. */
export function ipBlockId(cidrs: readonly string[]): string {
  const label = ipBlockLabel(cidrs);
  if (label.length <= MAX_IPBLOCK_LABEL) return `ipblock:${label}`;
  const head = label.slice(0, MAX_IPBLOCK_LABEL - 16).replace(/[,(][^,(]*$/, "");
  return `ipblock:${head}…+${cidrs.length}cidrs~${fnv1a32(cidrs.join(","))}`;
}
