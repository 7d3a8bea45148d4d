/**
 * @module nft/names
 * Every nftables object name kwire uses, in one place (kube-proxy's constants at the top of
 * proxier.go), and the deterministic bounded names of generated objects: a readable part cut to
 * fit plus a short hash of the full key (kube-proxy's `hashAndTruncate`). nft identifiers must
 * start with a letter and contain only letters, digits, `-`, `_`, `.`; the readable part keeps
 * `[a-z0-9-]` only, so Kubernetes names (DNS labels and subdomains) always fit.
 */

/** The lab's table, in the inet family of every node netns. Never touched by anything else. */
export const TABLE_FAMILY = "inet";
export const TABLE_NAME = "kwire";

/** Base chain on the forward hook (not `fwd`: that is an nft keyword). */
export const FORWARD_CHAIN = "forward";
/**
 * Base chains for a node running hostNetwork pods: traffic the node itself sends to its pods never
 * passes `forward` (hook output: the pods' ingress), nor does traffic its pods send to the node
 * (hook input: the pods' egress).
 */
export const OUTPUT_CHAIN = "output";
export const INPUT_CHAIN = "input";
/** Verdict map: local pod IP (isolated for egress) → jump to its egress chain. */
export const EGRESS_MAP = "egress-pods";
/** Verdict map: local pod IP (isolated for ingress) → jump to its ingress chain. */
export const INGRESS_MAP = "ingress-pods";
/** The same maps for local pods' IPv6 addresses (only when some local pod has one). */
export const EGRESS_MAP6 = "egress-pods6";
export const INGRESS_MAP6 = "ingress-pods6";

export const EGRESS_CHAIN_PREFIX = "eg-";
export const INGRESS_CHAIN_PREFIX = "in-";
export const PEER_SET_PREFIX = "peers-";
/** Named port sets (`th dport @ports-…`), shared by content: never one anonymous set per rule. */
export const PORT_SET_PREFIX = "ports-";
/** The `ipv4_addr . ipv4_addr` set of (pod, pod) pairs accepted as hairpin. */
export const HAIRPIN_SET = "hairpin";
/**
 * The pairs (pod, pod) of local pods that cluster policies select: their hairpin skips only the
 * NetworkPolicy tier (a rule inside their chains), not the whole policy like `hairpin`.
 */
export const HAIRPIN_TIERED_SET = "hairpin-tiered";
/** The `ipv6_addr . ipv6_addr` twins of the hairpin sets (dual-stack and IPv6 pods). */
export const HAIRPIN_SET6 = "hairpin6";
export const HAIRPIN_TIERED_SET6 = "hairpin-tiered6";
/** Readable parts of the tier chains a pod's chain hands over to (`eg-<ns>-np-<hash>`, …). */
export const NP_TIER_PART = "np";
export const BASELINE_TIER_PART = "baseline";

/**
 * Most policy tables per node. A large node's policy is split by namespace into shards
 * `kwire`, `kwire-1`, … (one forward base chain each): the kernel looks sets up by name with a
 * linear scan of the table's set list per rule, so one table of T sets and R rules loads in
 * O(R·T); K shards cut that K-fold. Every shard name is removed whenever the ruleset is replaced.
 */
export const MAX_SHARDS = 16;
export const shardTableName = (i: number): string => (i === 0 ? TABLE_NAME : `${TABLE_NAME}-${i}`);

/** Longest generated name; nft allows 256, shorter names keep `nft list` readable. */
export const MAX_NAME = 63;

/** 64-bit FNV-1a as two 32-bit lanes (fast, no bigint): 16 hex digits. */
export function hash64(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** `prefix` + readable part (cut to fit) + `-` + 8 hex digits of the hash of `key`. */
export function hashAndTruncate(prefix: string, readable: string, key: string): string {
  const clean = readable.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  const room = MAX_NAME - prefix.length - 9;
  const part = clean.slice(0, room).replace(/-$/, "");
  return `${prefix}${part}${part === "" ? "" : "-"}${hash64(key).slice(0, 8)}`;
}

/** Egress chain of a pod (`namespace/name`). */
export const egressChainName = (podId: string): string => hashAndTruncate(EGRESS_CHAIN_PREFIX, podId.replace("/", "-"), `egress/${podId}`);
/** Ingress chain of a pod (`namespace/name`). */
export const ingressChainName = (podId: string): string => hashAndTruncate(INGRESS_CHAIN_PREFIX, podId.replace("/", "-"), `ingress/${podId}`);
/** A peer set is named by its content: equal sets are shared by every rule that needs them. */
export const peerSetName = (elements: readonly string[]): string => `${PEER_SET_PREFIX}${hash64(elements.join(","))}`;
/** A port set is named by its content too. */
export const portSetName = (elements: readonly string[]): string => `${PORT_SET_PREFIX}${hash64(elements.join(","))}`;
