/**
 * @module flow-set
 * What a rule matches at L4, beyond PortSet: TCP/UDP/SCTP ports plus ICMP and ICMPv6 as
 * (type, code) pairs, each pair one integer type*256+code in 0-65535, so "type 8, any code" is
 * the range 2048-2303 and all ICMP is 0-65535. Ranges reuse PortSet's lanes and operations.
 */
import { ALL_PORTS, EMPTY_PORTS, intersectPorts, isEmptyPorts, subtractPorts, unionPorts, type PortRange, type PortSet } from "../model/index.js";
import type { PortOps } from "./tiers.js";

export interface FlowSet {
  readonly ports: PortSet;
  /** ICMP (IPv4) type*256+code ranges. */
  readonly icmp: readonly PortRange[];
  /** ICMPv6 type*256+code ranges. */
  readonly icmp6: readonly PortRange[];
}

const ICMP_ALL: readonly PortRange[] = [{ from: 0, to: 65535 }];

export const EMPTY_FLOWS: FlowSet = { ports: EMPTY_PORTS, icmp: [], icmp6: [] };
export const ALL_FLOWS: FlowSet = { ports: ALL_PORTS, icmp: ICMP_ALL, icmp6: ICMP_ALL };

/** Range lanes through PortSet's TCP lane (the operations are protocol-blind). */
function lane(op: (a: PortSet, b: PortSet) => PortSet, a: readonly PortRange[], b: readonly PortRange[]): readonly PortRange[] {
  return op({ TCP: a, UDP: [], SCTP: [] }, { TCP: b, UDP: [], SCTP: [] }).TCP;
}

function combine(op: (a: PortSet, b: PortSet) => PortSet): (a: FlowSet, b: FlowSet) => FlowSet {
  return (a, b) => ({ ports: op(a.ports, b.ports), icmp: lane(op, a.icmp, b.icmp), icmp6: lane(op, a.icmp6, b.icmp6) });
}

export const unionFlows = combine(unionPorts);
export const intersectFlows = combine(intersectPorts);
export const subtractFlows = combine(subtractPorts);

export function isEmptyFlows(f: FlowSet): boolean {
  return isEmptyPorts(f.ports) && f.icmp.length === 0 && f.icmp6.length === 0;
}

export function flowsOfPorts(ports: PortSet): FlowSet {
  return { ports, icmp: [], icmp6: [] };
}

/** ICMP of one family: any type (type undefined), one type (any code), or one type and code. */
export function icmpFlows(family: 4 | 6, type?: number, code?: number): FlowSet {
  const r: readonly PortRange[] = type === undefined ? ICMP_ALL : [{ from: type * 256 + (code ?? 0), to: type * 256 + (code ?? 255) }];
  return family === 4 ? { ports: EMPTY_PORTS, icmp: r, icmp6: [] } : { ports: EMPTY_PORTS, icmp: [], icmp6: r };
}

export const FLOW_SET_OPS: PortOps<FlowSet> = {
  all: ALL_FLOWS,
  empty: EMPTY_FLOWS,
  union: unionFlows,
  intersect: intersectFlows,
  subtract: subtractFlows,
  isEmpty: isEmptyFlows,
};
