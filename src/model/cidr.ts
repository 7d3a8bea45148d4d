/**
 * @module cidr
 * CIDR blocks as (family, first address, prefix length) and the conversion back from ranges.
 */
import { bitsOf, formatIp, maxValue, parseIp, type Ip, type IpFamily } from "./ip.js";

export interface Cidr {
  readonly family: IpFamily;
  /** First address of the block (host bits cleared). */
  readonly base: bigint;
  readonly prefix: number;
}

export type CidrParse =
  | {
      readonly ok: true;
      readonly cidr: Cidr;
      /** Bits set after the prefix (`1.2.3.4/0`): the API accepts it, warning it is ambiguous. */
      readonly hostBitsSet: boolean;
      /** `10.0.0.0/08`: the API (without StrictIPCIDRValidation) accepts it and reads /8. */
      readonly prefixLeadingZeros: boolean;
      /** `::ffff:10.0.0.0/104`: an IPv4-mapped IPv6 address (kept as IPv6 here). */
      readonly ipv4Mapped: boolean;
    }
  | { readonly ok: false; readonly reason: string };

const V4_LEADING_ZERO = /^(\d{1,3}\.){3}\d{1,3}$/;

/**
 * Parses `addr/prefix` as Kubernetes' legacy CIDR fields do (netutils.ParseCIDRSloppy, see
 * k8s.io/apimachinery/pkg/api/validation/ip.go `parseCIDR`), except that an IPv4 octet with a
 * leading 0 is refused: the API server reads it as decimal, libc-based software as octal.
 */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf("/");
  if (slash < 0) return { ok: false, reason: "a CIDR needs a prefix length, e.g. 10.0.0.0/16" };
  const addrText = text.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) {
    if (V4_LEADING_ZERO.test(addrText) && addrText.split(".").some((o) => o.length > 1 && o.startsWith("0"))) {
      return {
        ok: false,
        reason: `"${addrText}" has an octet with a leading 0: the API server reads it as decimal, but other software (libc) as octal, and Go's net.ParseCIDR (most CNIs) refuses it, so what it matches is ambiguous; Kubernetes will reject it (StrictIPCIDRValidation)`,
      };
    }
    return { ok: false, reason: `"${addrText}" is not an IPv4 or IPv6 address` };
  }
  const lenText = text.slice(slash + 1);
  if (!/^\d+$/.test(lenText)) return { ok: false, reason: `prefix length "${lenText}" is not a number` };
  const prefix = Number(lenText);
  if (prefix > bitsOf(ip.family)) {
    return { ok: false, reason: `prefix length ${lenText} exceeds ${bitsOf(ip.family)} for IPv${ip.family}` };
  }
  const base = ip.value & maskOf(ip.family, prefix);
  return {
    ok: true,
    cidr: { family: ip.family, base, prefix },
    hostBitsSet: base !== ip.value,
    prefixLeadingZeros: lenText.length > 1 && lenText.startsWith("0"),
    ipv4Mapped: ip.family === 6 && ip.value >> 32n === 0xffffn,
  };
}

export function maskOf(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(bitsOf(family));
  return maxValue(family) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

export function lastOf(c: Cidr): bigint {
  return c.base | (maxValue(c.family) ^ maskOf(c.family, c.prefix));
}

export function cidrContainsIp(c: Cidr, ip: Ip): boolean {
  return c.family === ip.family && ip.value >= c.base && ip.value <= lastOf(c);
}

/** True when `inner` lies inside `outer` and is strictly smaller. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix > outer.prefix && inner.base >= outer.base && lastOf(inner) <= lastOf(outer);
}

export function formatCidr(c: Cidr): string {
  return `${formatIp({ family: c.family, value: c.base })}/${c.prefix}`;
}

/** The minimal list of CIDR blocks covering [lo, hi] exactly. */
export function rangeToCidrs(family: IpFamily, lo: bigint, hi: bigint): Cidr[] {
  const out: Cidr[] = [];
  const bits = bitsOf(family);
  let cur = lo;
  while (cur <= hi) {
    let size = 0; // log2 of block size
    while (size < bits) {
      const next = size + 1;
      const block = 1n << BigInt(next);
      if ((cur & (block - 1n)) !== 0n || cur + block - 1n > hi) break;
      size = next;
    }
    out.push({ family, base: cur, prefix: bits - size });
    cur += 1n << BigInt(size);
  }
  return out;
}
