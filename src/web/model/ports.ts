/**
 * @module ports
 * The matrix's `ports` value (`"all"` or merged ranges per protocol): text for people, and the
 * questions the filters ask of it.
 */
import type { Protocol } from "../../model/index.js";
import type { PortsJson } from "../../report/index.js";

/** `all`, or `TCP 80, TCP 8000-8080, UDP 53`. */
export function formatPorts(p: PortsJson): string {
  if (p === "all") return "all ports";
  if (p.length === 0) return "none";
  return p.map((r) => `${r.protocol} ${r.from === r.to ? r.from : `${r.from}-${r.to}`}`).join(", ");
}

/** Whether the set holds some port of `protocol` (any when absent), and `port` itself when given. */
export function portsAdmit(p: PortsJson, protocol?: Protocol, port?: number): boolean {
  if (p === "all") return true;
  return p.some((r) => (protocol === undefined || r.protocol === protocol) && (port === undefined || (r.from <= port && port <= r.to)));
}

export function portsKey(p: PortsJson): string {
  return p === "all" ? "all" : p.map((r) => `${r.protocol}:${r.from}-${r.to}`).join(",");
}

/** A connection a trace can show: the first allowed (protocol, port), or TCP with no port when all are. */
export function firstPort(p: PortsJson): { readonly protocol: Protocol; readonly port?: number } {
  if (p === "all") return { protocol: "TCP" };
  const r = p[0];
  return r ? { protocol: r.protocol, port: r.from } : { protocol: "TCP" };
}
