/**
 * @module port-set
 * Canonical, immutable sets of (protocol, port) as sorted merged ranges per protocol.
 * `key()` is a stable string, so equal sets intern to the same id.
 */
import { MAX_PORT, MIN_PORT, PROTOCOLS, type Protocol } from "./protocol.js";

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export interface PortSet {
  readonly TCP: readonly PortRange[];
  readonly UDP: readonly PortRange[];
  readonly SCTP: readonly PortRange[];
}

const FULL: readonly PortRange[] = [{ from: MIN_PORT, to: MAX_PORT }];
export const EMPTY_PORTS: PortSet = { TCP: [], UDP: [], SCTP: [] };
export const ALL_PORTS: PortSet = { TCP: FULL, UDP: FULL, SCTP: FULL };

export function portsOf(protocol: Protocol, from: number, to: number): PortSet {
  const r = [{ from, to }];
  return { TCP: protocol === "TCP" ? r : [], UDP: protocol === "UDP" ? r : [], SCTP: protocol === "SCTP" ? r : [] };
}

export function allPortsOf(protocol: Protocol): PortSet {
  return portsOf(protocol, MIN_PORT, MAX_PORT);
}

function mergeRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const all = [...a, ...b].sort((x, y) => x.from - y.from);
  const out: PortRange[] = [];
  for (const r of all) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to + 1) {
      if (r.to > last.to) out[out.length - 1] = { from: last.from, to: r.to };
    } else out.push(r);
  }
  return out;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as PortRange;
    const y = b[j] as PortRange;
    const from = Math.max(x.from, y.from);
    const to = Math.min(x.to, y.to);
    if (from <= to) out.push({ from, to });
    if (x.to < y.to) i++;
    else j++;
  }
  return out;
}

export function unionPorts(a: PortSet, b: PortSet): PortSet {
  return { TCP: mergeRanges(a.TCP, b.TCP), UDP: mergeRanges(a.UDP, b.UDP), SCTP: mergeRanges(a.SCTP, b.SCTP) };
}

export function intersectPorts(a: PortSet, b: PortSet): PortSet {
  return { TCP: intersectRanges(a.TCP, b.TCP), UDP: intersectRanges(a.UDP, b.UDP), SCTP: intersectRanges(a.SCTP, b.SCTP) };
}

export function isEmptyPorts(p: PortSet): boolean {
  return p.TCP.length === 0 && p.UDP.length === 0 && p.SCTP.length === 0;
}

export function isAllPorts(p: PortSet): boolean {
  return PROTOCOLS.every((proto) => {
    const r = p[proto];
    return r.length === 1 && r[0]?.from === MIN_PORT && r[0]?.to === MAX_PORT;
  });
}

export function containsPort(p: PortSet, protocol: Protocol, port: number): boolean {
  return p[protocol].some((r) => port >= r.from && port <= r.to);
}

export function portSetKey(p: PortSet): string {
  return PROTOCOLS.map((proto) => p[proto].map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(",")).join("|");
}

/** Flat list as CONTRACT.md prints it: sorted by protocol (TCP, UDP, SCTP) then port. */
export function portSetToList(p: PortSet): { protocol: Protocol; from: number; to: number }[] {
  return PROTOCOLS.flatMap((protocol) => p[protocol].map((r) => ({ protocol, from: r.from, to: r.to })));
}

/** Human form: `all`, `TCP:80,8080-8090 UDP:53`, or `none`. */
export function formatPortSet(p: PortSet): string {
  if (isAllPorts(p)) return "all";
  if (isEmptyPorts(p)) return "none";
  return PROTOCOLS.filter((proto) => p[proto].length > 0)
    .map((proto) => {
      const rs = p[proto];
      if (rs.length === 1 && rs[0]?.from === MIN_PORT && rs[0]?.to === MAX_PORT) return `${proto}:all`;
      return `${proto}:${rs.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(",")}`;
    })
    .join(" ");
}

function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let j = 0;
  for (const x of a) {
    let from = x.from;
    while (j < b.length && (b[j] as PortRange).to < from) j++;
    let k = j;
    while (k < b.length && (b[k] as PortRange).from <= x.to) {
      const y = b[k] as PortRange;
      if (y.from > from) out.push({ from, to: y.from - 1 });
      from = Math.max(from, y.to + 1);
      k++;
    }
    if (from <= x.to) out.push({ from, to: x.to });
  }
  return out;
}

/** a − b: what an ordered rule leaves for the rules after it. */
export function subtractPorts(a: PortSet, b: PortSet): PortSet {
  return { TCP: subtractRanges(a.TCP, b.TCP), UDP: subtractRanges(a.UDP, b.UDP), SCTP: subtractRanges(a.SCTP, b.SCTP) };
}
