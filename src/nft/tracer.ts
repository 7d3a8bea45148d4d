/**
 * @module nft/tracer
 * A small interpreter for exactly the nft subset `ast.ts` describes (kube-proxy's `nftablesTracer`
 * in helpers_test.go): run one packet through a table's base chain on the forward hook and say
 * whether it is accepted or dropped, and which rules decided. Tests state behaviour with it
 * ("10.0.1.2 → 10.0.2.3 TCP/80 is dropped") instead of matching ruleset text alone.
 */
import { parseCidr, parseIp } from "../model/index.js";
import type { AddrField, Chain, CtState, IpFamily, L4Proto, Match, Statement, Table, Verdict } from "./ast.js";
import { printStatement } from "./print.js";

export interface Packet {
  readonly saddr: string;
  readonly daddr: string;
  readonly protocol: L4Proto | "icmp" | "icmpv6";
  /** ICMPv6 only: the message type by its nft name (`nd-neighbor-solicit`, …). */
  readonly icmpv6Type?: string;
  readonly dport?: number;
  /** ICMP type and code (protocol "icmp"). */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** Conntrack state of the packet; a first packet is "new". */
  readonly ct?: CtState;
}

export interface TraceResult {
  readonly verdict: "accept" | "drop";
  /** `chain: rule` lines of every statement that matched, in order. */
  readonly path: readonly string[];
}

/** A packet address: its family and value. */
interface Addr {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** Whether set element `el` (address, CIDR or `a-b` range, either family) holds `ip`; never across families. */
function inElement(el: string, ip: Addr): boolean {
  const famOf = (t: string): IpFamily => (t.includes(":") ? 6 : 4);
  const dash = el.indexOf("-");
  if (dash > 0) {
    const lo = parseIp(el.slice(0, dash));
    const hi = parseIp(el.slice(dash + 1))?.value;
    return lo !== undefined && hi !== undefined && lo.family === ip.family && ip.value >= lo.value && ip.value <= hi;
  }
  if (el.includes("/")) {
    const c = parseCidr(el);
    if (!c.ok) throw new Error(`tracer: bad element ${el}`);
    if (c.cidr.family !== ip.family) return false;
    const size = 1n << BigInt((ip.family === 4 ? 32 : 128) - c.cidr.prefix);
    return ip.value >= c.cidr.base && ip.value < c.cidr.base + size;
  }
  const x = parseIp(el);
  return x !== undefined && famOf(el) === ip.family && x.value === ip.value;
}

class Tracer {
  readonly path: string[] = [];
  private readonly chains: ReadonlyMap<string, Chain>;
  constructor(readonly table: Table, readonly pkt: Packet) {
    this.chains = new Map(table.chains.map((c) => [c.name, c]));
  }

  /** The packet's address, when the packet is of `family` (an `ip` match never matches an IPv6 packet). */
  private addr(field: AddrField, family: IpFamily = 4): Addr | undefined {
    const ip = parseIp(field === "saddr" ? this.pkt.saddr : this.pkt.daddr);
    if (ip === undefined) throw new Error(`tracer: bad packet address ${field}`);
    return ip.family === family ? ip : undefined;
  }

  private has(field: AddrField, family: IpFamily | undefined, elements: readonly string[]): boolean {
    const a = this.addr(field, family);
    return a !== undefined && elements.some((el) => inElement(el, a));
  }

  private setElements(name: string): readonly string[] {
    const s = this.table.sets.find((x) => x.name === name);
    if (s === undefined) throw new Error(`tracer: no set @${name}`);
    return s.elements;
  }

  matches(m: Match): boolean {
    switch (m.type) {
      case "ct-state":
        return m.states.includes(this.pkt.ct ?? "new");
      case "addr":
        return this.has(m.field, m.ipFamily, this.setElements(m.set));
      case "addr-literal":
        return this.has(m.field, m.ipFamily, m.elements);
      case "icmpv6-type":
        return this.pkt.protocol === "icmpv6" && this.pkt.icmpv6Type !== undefined && (m.types as readonly string[]).includes(this.pkt.icmpv6Type);
      case "nfproto":
        return this.addr("saddr", m.ipFamily) !== undefined;
      case "l4proto":
        return this.pkt.protocol === m.protocol;
      case "dport":
        return this.pkt.dport !== undefined && m.ranges.some((r) => (this.pkt.dport ?? 0) >= r.from && (this.pkt.dport ?? 0) <= r.to);
      case "dport-set": {
        const port = this.pkt.dport;
        return port !== undefined && this.setElements(m.set).some((el) => {
          const [lo, hi] = el.split("-").map(Number);
          return lo !== undefined && port >= lo && port <= (hi ?? lo);
        });
      }
      case "addr-pair": {
        const s = this.addr("saddr", m.ipFamily);
        const d = this.addr("daddr", m.ipFamily);
        if (s === undefined || d === undefined) return false;
        return this.setElements(m.set).some((el) => {
          const [a, b] = el.split(" . ");
          return a !== undefined && b !== undefined && inElement(a, s) && inElement(b, d);
        });
      }
      case "icmp-type":
      case "icmp-code": {
        const v = m.type === "icmp-type" ? this.pkt.icmpType : this.pkt.icmpCode;
        return this.pkt.protocol === "icmp" && v !== undefined && m.ranges.some((r) => v >= r.from && v <= r.to);
      }
    }
  }

  private vmapVerdict(s: Statement & { type: "vmap" }): Verdict | undefined {
    const m = this.table.maps.find((x) => x.name === s.map);
    if (m === undefined) throw new Error(`tracer: no map @${s.map}`);
    const ip = this.addr(s.field, s.ipFamily);
    return ip === undefined ? undefined : m.elements.find((e) => inElement(e.key, ip))?.verdict;
  }

  /** Run a chain: a terminal verdict, or undefined when the chain ran out or returned. */
  run(name: string, depth = 0): "accept" | "drop" | undefined {
    const chain = this.chains.get(name);
    if (chain === undefined) throw new Error(`tracer: no chain ${name}`);
    if (depth > 16) throw new Error("tracer: jump loop");
    for (const s of chain.statements) {
      const v = s.type === "vmap" ? this.vmapVerdict(s) : s.matches.every((m) => this.matches(m)) ? s.verdict : undefined;
      if (v === undefined) continue;
      this.path.push(`${name}: ${printStatement(s)}${s.type === "vmap" && (v.type === "jump" || v.type === "goto") ? ` -> ${v.chain}` : ""}`);
      if (v.type === "accept" || v.type === "drop") return v.type;
      if (v.type === "return") return undefined;
      // goto: the rest of this chain is abandoned; a return in the target ends this chain too.
      if (v.type === "goto") return this.run(v.chain, depth + 1);
      const r = this.run(v.chain, depth + 1);
      if (r !== undefined) return r;
    }
    return undefined;
  }
}

/**
 * Trace `pkt` through the forward base chains of several tables, as netfilter runs them: every
 * table's chain sees the packet; a drop anywhere is final, an accept only ends that table's chain.
 */
export function traceForwardAll(tables: readonly Table[], pkt: Packet, hook: "forward" | "input" | "output" = "forward"): TraceResult {
  const path: string[] = [];
  for (const t of tables) {
    const r = traceHook(t, hook, pkt);
    path.push(...r.path.map((line) => `${t.name}/${line}`));
    if (r.verdict === "drop") return { verdict: "drop", path };
  }
  return { verdict: "accept", path };
}

/** Trace `pkt` through the table's base chain on the forward hook. */
export function traceForward(table: Table, pkt: Packet): TraceResult {
  return traceHook(table, "forward", pkt);
}

/**
 * Trace `pkt` through the table's base chain on `hook` (input: to the node itself; output: sent by
 * the node); a table without a chain on that hook accepts.
 */
export function traceHook(table: Table, hook: "forward" | "input" | "output", pkt: Packet): TraceResult {
  const base = table.chains.find((c) => c.base?.hook === hook);
  if (base?.base === undefined) {
    if (hook !== "forward") return { verdict: "accept", path: [] };
    throw new Error("tracer: the table has no forward base chain");
  }
  const t = new Tracer(table, pkt);
  const v = t.run(base.name) ?? base.base.policy;
  return { verdict: v, path: t.path };
}
