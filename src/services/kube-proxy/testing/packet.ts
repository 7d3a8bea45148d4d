/**
 * @module packet (testing)
 * What the rule tracers take and return: one new connection in, the possible outcomes out
 * (random endpoint choice makes several), summarised as kube-proxy's helpers_test.go
 * packetFlowTest does: "10.180.0.1:80, 10.180.0.2:80" or "REJECT"/"DROP", and masquerade.
 * `nftFlows` runs the nftables layouts' tables (kube-proxy's and the compact one) through the one
 * nft tracer (`src/nft/tracer.ts`); iptables-tracer.ts interprets the iptables text.
 */
import { cidrContainsIp, parseCidr, parseIp, type Ip } from "../../../model/index.js";
import { traceConnection, type Table } from "../../../nft/index.js";

export interface Packet {
  readonly src: string;
  readonly dst: string;
  readonly protocol: "tcp" | "udp" | "sctp";
  readonly dport: number;
}

export interface PacketState {
  readonly src: Ip;
  readonly dst: Ip;
  readonly dport: number;
  readonly protocol: string;
  readonly mark: number;
  readonly dnat?: string;
  readonly masquerade: boolean;
}

export type Final = "ACCEPT" | "DROP" | "REJECT";

export interface Outcome {
  readonly verdict: Final;
  readonly dnat?: string;
  readonly masquerade: boolean;
}

export interface FlowResult {
  /** Sorted, distinct DNAT targets joined by ", "; or "REJECT" / "DROP"; "" when accepted untouched. */
  readonly output: string;
  readonly masquerade: boolean;
  readonly outcomes: readonly Outcome[];
}

export function initialState(p: Packet): PacketState {
  const src = parseIp(p.src);
  const dst = parseIp(p.dst);
  if (!src || !dst) throw new Error(`bad packet addresses ${p.src} → ${p.dst}`);
  return { src, dst, dport: p.dport, protocol: p.protocol, mark: 0, masquerade: false };
}

/** An address or CIDR text contains the address. */
export function inCidr(text: string, ip: Ip): boolean {
  const c = parseCidr(text.includes("/") ? text : `${text}/${ip.family === 4 ? 32 : 128}`);
  return c.ok && cidrContainsIp(c.cidr, ip);
}

export const isLocal = (ip: Ip, local: readonly Ip[]): boolean => local.some((l) => l.family === ip.family && l.value === ip.value);

export function summarize(outcomes: readonly Outcome[]): FlowResult {
  const parts = new Set<string>();
  for (const o of outcomes) {
    if (o.verdict !== "ACCEPT") parts.add(o.verdict);
    else if (o.dnat) parts.add(o.dnat);
  }
  const output = [...parts].sort((a, b) => a.localeCompare(b, "en", { numeric: true })).join(", ");
  return { output, masquerade: outcomes.length > 0 && outcomes.every((o) => o.masquerade), outcomes };
}

/** Applies a DNAT target `ip:port` to the state. */
export function applyDnat(st: PacketState, to: string): PacketState {
  const i = to.lastIndexOf(":");
  const ip = parseIp(to.slice(0, i).replace(/^\[|\]$/g, ""));
  if (!ip) throw new Error(`bad DNAT target ${to}`);
  return { ...st, dst: ip, dport: Number(to.slice(i + 1)), dnat: to };
}

/** A Service table (`buildNftTable`, `buildCompactTable`) as a flow tracer on a node with `localIPs`. */
export function nftFlows(table: Table, localIPs: readonly Ip[]): { trace(p: Packet): FlowResult } {
  return {
    trace: (p) =>
      summarize(
        traceConnection(table, { saddr: p.src, daddr: p.dst, protocol: p.protocol, dport: p.dport }, localIPs).map((o) => ({
          verdict: o.verdict === "accept" ? "ACCEPT" : o.verdict === "drop" ? "DROP" : "REJECT",
          masquerade: o.masquerade,
          ...(o.dnat !== undefined ? { dnat: o.dnat } : {}),
        })),
      ),
  };
}
