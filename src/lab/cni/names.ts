/**
 * @module lab/cni/names
 * Deterministic, bounded names and MACs (habit 9): the host-side veth of an attachment is
 * `kwv` + 12 hex digits of FNV-1a-64 over `containerID/ifname` (15 chars = IFNAMSIZ-1), so DEL and GC
 * find it without state; MACs are locally administered unicast, derived the same way; the masquerade
 * chain of an attachment is `kw-` + hash. No imports: this is on the start-up path.
 */

export const HOST_VETH_PREFIX = "kwv";

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/** FNV-1a 64-bit over the UTF-16 code units of `s`, as 16 hex digits. */
export function fnv64(s: string): string {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK64;
  }
  return h.toString(16).padStart(16, "0");
}

const attachmentKey = (containerID: string, ifname: string): string => `${containerID}/${ifname}`;

/** Host-side veth name for an attachment, e.g. `kwv3f2a9c01b7e4`. */
export function hostVethName(containerID: string, ifname: string): string {
  return HOST_VETH_PREFIX + fnv64(attachmentKey(containerID, ifname)).slice(0, 12);
}

/** A locally administered unicast MAC derived from `seed`. */
export function macFor(seed: string): string {
  const hex = fnv64(seed).slice(0, 12);
  const bytes = hex.match(/../g) ?? [];
  const first = ((parseInt(bytes[0] ?? "0", 16) & 0xfc) | 0x02).toString(16).padStart(2, "0");
  return [first, ...bytes.slice(1)].join(":");
}

export const hostMac = (containerID: string, ifname: string): string => macFor(`host/${attachmentKey(containerID, ifname)}`);
export const containerMac = (containerID: string, ifname: string): string => macFor(`ctr/${attachmentKey(containerID, ifname)}`);
export const bridgeMac = (bridge: string): string => macFor(`bridge/${bridge}`);

/** nft chain that masquerades one attachment (network-qualified). */
export const masqChainName = (network: string, containerID: string, ifname: string): string =>
  `kw-${fnv64(`${network}/${attachmentKey(containerID, ifname)}`).slice(0, 16)}`;
