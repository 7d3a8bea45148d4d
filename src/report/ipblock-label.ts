/**
 * @module ipblock-label
 * A short human label for an external cell: the cell's CIDRs, or "ENCLOSING(except:HOLES)" when
 * that is shorter (the partition of 0.0.0.0/0 minus 10.0.0.0/8 is eight CIDRs, but one phrase).
 */
import { bitsOf, formatCidr, ipSetSubtract, ipSetToCidrs, normalizeIntervals, parseCidr, lastOf, type Cidr, type IpFamily } from "../model/index.js";

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
