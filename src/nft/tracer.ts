/**
 * @module nft/tracer
 * A small interpreter for exactly the nft subset `ast.ts` describes (after kube-proxy's
 * `nftablesTracer` in helpers_test.go), for every table kwire builds: the NetworkPolicy tables and
 * both Service layouts. Tests state behaviour with it ("10.0.1.2 → 10.0.2.3 TCP/80 is dropped",
 * "10.244.1.9 → 10.96.0.20:80 lands on one of three endpoints, not masqueraded") instead of
 * matching ruleset text alone.
 *
 * - `traceHook` / `traceForward` / `traceForwardAll`: one packet through one hook's base chain
 *   (the policy tables): accepted or dropped, and which rules decided.
 * - `traceConnection`: the first packet of a connection through every base chain of the tables, in
 *   netfilter's hook and priority order (prerouting, then input or forward by the — possibly
 *   translated — destination, then postrouting; a packet from one of the node's own addresses:
 *   output, then postrouting), following every `numgen random` value: the possible outcomes with
 *   their DNAT target and masquerade.
 *
 * A rule shape outside the AST cannot be traced because it cannot be built; a map lookup in a NAT
 * or address-rewriting statement that misses throws (a renderer bug: the packet would keep a
 * placeholder address).
 */
import { parseCidr, parseIp, type Ip } from "../model/index.js";
import { ICMPV6_TYPE_NUMBER, type AddrField, type Chain, type CtState, type DataMap, type Expr, type IpFamily, type L4Proto, type Match, type NamedSet, type Statement, type Table, type Verdict, type VerdictElement } from "./ast.js";
import { printStatement } from "./print.js";

export interface Packet {
  readonly saddr: string;
  readonly daddr: string;
  readonly protocol: L4Proto | "icmp" | "icmpv6";
  /** ICMPv6 only: the message type by its nft name (`nd-neighbor-solicit`, …), or by number in icmpType. */
  readonly icmpv6Type?: string;
  readonly dport?: number;
  /** ICMP (protocol "icmp") or ICMPv6 (protocol "icmpv6") type and code. */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** Conntrack state of the packet; a first packet is "new". */
  readonly ct?: CtState;
}

/** An ICMPv6 packet's type number: icmpType, else its named type's number. */
function icmpv6Number(pkt: Packet): number | undefined {
  if (pkt.icmpType !== undefined) return pkt.icmpType;
  const named = Object.entries(ICMPV6_TYPE_NUMBER).find(([k]) => k === pkt.icmpv6Type);
  return named?.[1];
}

export type Final = "accept" | "drop" | "reject";

export interface TraceResult {
  readonly verdict: Final;
  /** `chain: rule` lines of every statement that matched, in order. */
  readonly path: readonly string[];
}

/** One way a connection's first packet can end (`numgen random` makes several). */
export interface Outcome {
  readonly verdict: Final;
  /** The DNAT target (`10.244.1.3:8080`) when a rule translated the destination. */
  readonly dnat?: string;
  readonly masquerade: boolean;
  /** `table/chain: rule` lines of every statement that matched on this way, in order. */
  readonly path: readonly string[];
}

/** The packet as the rules see it at one point of its walk. */
interface State {
  readonly src: Ip;
  readonly dst: Ip;
  readonly dport: number | undefined;
  readonly mark: number;
  readonly dnat?: string;
  readonly masquerade: boolean;
  readonly path: readonly string[];
}

type Action = "next" | "return" | Final;
interface Branch {
  readonly st: State;
  readonly action: Action;
}

/** One value of a key expression: an address, or a protocol name / number compared as text. */
type Value = { readonly ip: Ip } | { readonly text: string };

const famOf = (t: string): IpFamily => (t.includes(":") ? 6 : 4);

/** Whether set element `el` (address, CIDR or `a-b` range, either family) holds `ip`; never across families. */
function inElement(el: string, ip: Ip): boolean {
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

/** A number (port, numgen value) in element `el` (`80` or `8000-8080`). */
function inNumbers(el: string, n: number): boolean {
  const [lo, hi] = el.split("-").map(Number);
  return lo !== undefined && n >= lo && n <= (hi ?? lo);
}

/** Whether a (possibly concatenated) element key holds the key's values. */
function keyMatches(el: string, key: readonly Value[]): boolean {
  const parts = el.split(" . ");
  return parts.length === key.length && key.every((v, i) => {
    const part = parts[i] as string;
    if ("ip" in v) return inElement(part, v.ip);
    return /^\d+$/.test(v.text) ? inNumbers(part, Number(v.text)) : part === v.text;
  });
}

/** Every combination of the expressions' values (numgen yields each of its values). */
function product(values: readonly (readonly Value[])[]): Value[][] {
  return values.reduce<Value[][]>((acc, vs) => acc.flatMap((a) => vs.map((v) => [...a, v])), [[]]);
}

/** Applies a DNAT target `ip:port` (`[ip6]:port`). */
function dnatTo(st: State, to: string): State {
  const i = to.lastIndexOf(":");
  const ip = parseIp(to.slice(0, i).replace(/^\[|\]$/g, ""));
  if (ip === undefined) throw new Error(`tracer: bad DNAT target ${to}`);
  return { ...st, dst: ip, dport: Number(to.slice(i + 1)), dnat: to };
}

const isLocal = (ip: Ip, local: readonly Ip[]): boolean => local.some((l) => l.family === ip.family && l.value === ip.value);

class Tracer {
  private readonly chains: ReadonlyMap<string, Chain>;
  private readonly sets: ReadonlyMap<string, NamedSet>;
  constructor(
    readonly table: Table,
    readonly pkt: Packet,
    private readonly localIPs: readonly Ip[],
    /** Prefix of path lines (the table name when several tables are traced). */
    private readonly prefix = "",
  ) {
    this.chains = new Map(table.chains.map((c) => [c.name, c]));
    this.sets = new Map(table.sets.map((s) => [s.name, s]));
  }

  private set<K extends NamedSet["kind"]>(name: string, kind: K): NamedSet & { kind: K } {
    const s = this.sets.get(name);
    if (s === undefined || s.kind !== kind) throw new Error(`tracer: no ${kind === "vmap" ? "map" : kind} @${name}`);
    return s as NamedSet & { kind: K };
  }

  /** The state's address, when it is of `family` (an `ip` match never matches an IPv6 packet). */
  private addr(st: State, field: AddrField, family: IpFamily = 4): Ip | undefined {
    const ip = field === "saddr" ? st.src : st.dst;
    return ip.family === family ? ip : undefined;
  }

  private has(st: State, field: AddrField, family: IpFamily | undefined, elements: readonly string[]): boolean {
    const a = this.addr(st, field, family);
    return a !== undefined && elements.some((el) => inElement(el, a));
  }

  private matches(m: Match, st: State): boolean {
    const pkt = this.pkt;
    switch (m.type) {
      case "ct-state":
        return m.states.includes(pkt.ct ?? "new");
      case "ct-status":
        return st.dnat !== undefined;
      case "addr":
        return this.has(st, m.field, m.ipFamily, this.set(m.set, "set").elements);
      case "addr-literal":
        return this.addr(st, m.field, m.ipFamily) !== undefined && this.has(st, m.field, m.ipFamily, m.elements) !== (m.negate === true);
      case "fib-local":
        return isLocal(m.field === "saddr" ? st.src : st.dst, this.localIPs);
      case "mark-clear":
        return (st.mark & m.mask) === 0;
      case "icmpv6-type": {
        const t = icmpv6Number(pkt);
        return pkt.protocol === "icmpv6" && t !== undefined && m.types.some((x) => ICMPV6_TYPE_NUMBER[x] === t);
      }
      case "nfproto":
        return st.src.family === m.ipFamily;
      case "l4proto":
        return pkt.protocol === m.protocol;
      case "dport": {
        const port = st.dport;
        return port !== undefined && (m.protocol === undefined || pkt.protocol === m.protocol) && m.ranges.some((r) => port >= r.from && port <= r.to);
      }
      case "dport-set": {
        const port = st.dport;
        return port !== undefined && this.set(m.set, "set").elements.some((el) => inNumbers(el, port));
      }
      case "addr-pair": {
        const s = this.addr(st, "saddr", m.ipFamily);
        const d = this.addr(st, "daddr", m.ipFamily);
        if (s === undefined || d === undefined) return false;
        return this.set(m.set, "set").elements.some((el) => keyMatches(el, [{ ip: s }, { ip: d }]));
      }
      case "icmp-type":
      case "icmp-code": {
        const six = m.ipFamily === 6;
        const v = m.type === "icmp-type" ? (six ? icmpv6Number(pkt) : pkt.icmpType) : pkt.icmpCode;
        return pkt.protocol === (six ? "icmpv6" : "icmp") && v !== undefined && m.ranges.some((r) => v >= r.from && v <= r.to);
      }
    }
  }

  /** The values of a key (several with numgen); none when the packet has no such field. */
  private keys(key: readonly Expr[], st: State): Value[][] {
    return product(key.map((e): Value[] => {
      switch (e.type) {
        case "addr": {
          const ip = this.addr(st, e.field, e.ipFamily);
          return ip === undefined ? [] : [{ ip }];
        }
        case "l4proto":
          return [{ text: this.pkt.protocol }];
        case "dport":
          return st.dport === undefined || (e.protocol !== undefined && e.protocol !== this.pkt.protocol) ? [] : [{ text: `${st.dport}` }];
        case "numgen":
          return Array.from({ length: e.mod }, (_, i) => ({ text: `${i}` }));
      }
    }));
  }

  /** A data map's value for one key; a miss throws (see the module comment). */
  private lookup(map: string, key: readonly Value[]): string {
    const m: DataMap = this.set(map, "map");
    const hit = m.elements.find((e) => keyMatches(e.key, key));
    if (hit === undefined) throw new Error(`tracer: ${key.map((v) => ("ip" in v ? v.ip.value.toString() : v.text)).join(" . ")} not in @${map}`);
    return hit.value;
  }

  private verdict(v: Verdict, st: State, depth: number): Branch[] {
    if (v.type === "accept" || v.type === "drop" || v.type === "return") return [{ st, action: v.type }];
    const fallOff: Action = v.type === "jump" ? "next" : "return";
    return this.run(v.chain, st, depth + 1).map((b) => (b.action === "next" || b.action === "return" ? { st: b.st, action: fallOff } : b));
  }

  private note(st: State, chain: string, s: Statement, suffix = ""): State {
    return { ...st, path: [...st.path, `${this.prefix}${chain}: ${printStatement(s)}${suffix}`] };
  }

  /** One statement: the branches it leads to. */
  private statement(chain: string, s: Statement, st: State, depth: number): Branch[] {
    if (!(s.matches ?? []).every((m) => this.matches(m, st))) return [{ st, action: "next" }];
    if (s.type === "vmap") {
      const elements: readonly VerdictElement[] = typeof s.map === "string" ? this.set(s.map, "vmap").elements : s.map;
      const keys = this.keys(s.key, st);
      if (keys.length === 0) return [{ st, action: "next" }];
      return keys.flatMap((key) => {
        const v = elements.find((e) => keyMatches(e.key, key))?.verdict;
        if (v === undefined) return [{ st, action: "next" as const }];
        return this.verdict(v, this.note(st, chain, s, v.type === "jump" || v.type === "goto" ? ` -> ${v.chain}` : ""), depth);
      });
    }
    let live: Branch[] = [{ st: this.note(st, chain, s), action: "next" }];
    for (const a of s.actions ?? []) {
      live = live.flatMap((b): Branch[] => {
        if (b.action !== "next") return [b];
        const x = b.st;
        const keys = a.type === "dnat-map" || a.type === "addr-set-map" ? this.keys(a.key, x) : [];
        switch (a.type) {
          case "mark-set":
            return [{ st: { ...x, mark: a.op === "or" ? x.mark | a.value : x.mark ^ a.value }, action: "next" }];
          case "masquerade":
            return [{ st: { ...x, masquerade: true }, action: "accept" }];
          case "reject":
            return [{ st: x, action: "reject" }];
          case "dnat":
            return [{ st: dnatTo(x, a.to), action: "accept" }];
          case "dnat-map":
            if (keys.length === 0) return [b];
            return keys.map((key) => {
              const [ip = "", port] = this.lookup(a.map, key).split(" . ");
              return { st: dnatTo(x, ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`), action: "accept" };
            });
          case "addr-set-map":
            if (keys.length === 0) return [b];
            return keys.map((key) => {
              const ip = parseIp(this.lookup(a.map, key));
              if (ip === undefined) throw new Error(`tracer: @${a.map} holds no address for the key`);
              return { st: a.field === "saddr" ? { ...x, src: ip } : { ...x, dst: ip }, action: "next" };
            });
          case "set-update":
            // One connection's first packet: what it adds is not read back within the trace.
            return [b];
        }
      });
    }
    if (s.verdict === undefined) return live;
    const v = s.verdict;
    return live.flatMap((b) => (b.action === "next" ? this.verdict(v, b.st, depth) : [b]));
  }

  /** Run a chain: the branches that end in it (a verdict) or run out of it ("next"). */
  run(name: string, st: State, depth = 0): Branch[] {
    const chain = this.chains.get(name);
    if (chain === undefined) throw new Error(`tracer: no chain ${name}`);
    if (depth > 32) throw new Error("tracer: jump loop");
    let live: State[] = [st];
    const done: Branch[] = [];
    for (const s of chain.statements) {
      const next: State[] = [];
      for (const x of live) for (const b of this.statement(name, s, x, depth)) (b.action === "next" ? next.push(b.st) : done.push(b));
      live = next;
      if (live.length === 0) break;
    }
    return [...done, ...live.map((x) => ({ st: x, action: "next" as const }))];
  }

  /** A base chain: its verdicts, a return or running out meaning the chain's policy. */
  base(c: Chain, st: State): { st: State; verdict: Final }[] {
    const policy = c.base?.policy ?? "accept";
    return this.run(c.name, st).map((b) => ({ st: b.st, verdict: b.action === "next" || b.action === "return" ? policy : b.action }));
  }
}

function initial(pkt: Packet): State {
  const src = parseIp(pkt.saddr);
  const dst = parseIp(pkt.daddr);
  if (src === undefined || dst === undefined) throw new Error(`tracer: bad packet addresses ${pkt.saddr} → ${pkt.daddr}`);
  return { src, dst, dport: pkt.dport, mark: 0, masquerade: false, path: [] };
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
    if (r.verdict !== "accept") return { verdict: r.verdict, path };
  }
  return { verdict: "accept", path };
}

/** Trace `pkt` through the table's base chain on the forward hook. */
export function traceForward(table: Table, pkt: Packet): TraceResult {
  return traceHook(table, "forward", pkt);
}

/**
 * Trace `pkt` through the table's base chain on `hook` (input: to the node itself; output: sent by
 * the node); a table without a chain on that hook accepts. When `numgen` makes several ways, a
 * drop or reject on any of them is the result.
 */
export function traceHook(table: Table, hook: "forward" | "input" | "output", pkt: Packet): TraceResult {
  const base = table.chains.find((c) => c.base?.hook === hook);
  if (base?.base === undefined) {
    if (hook !== "forward") return { verdict: "accept", path: [] };
    throw new Error("tracer: the table has no forward base chain");
  }
  const ways = new Tracer(table, pkt, []).base(base, initial(pkt));
  const r = ways.find((w) => w.verdict !== "accept") ?? ways[0];
  if (r === undefined) throw new Error("tracer: no outcome");
  return { verdict: r.verdict, path: r.st.path };
}

/** nft's named priorities (`dstnat - 10` is -110). */
const PRIORITY_NAMES: Readonly<Record<string, number>> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

function priorityValue(p: number | string): number {
  if (typeof p === "number") return p;
  const m = /^(-?\d+)$|^([a-z]+)(?: ([+-]) (\d+))?$/.exec(p);
  if (m === null) throw new Error(`tracer: priority "${p}"`);
  if (m[1] !== undefined) return Number(m[1]);
  const base = PRIORITY_NAMES[m[2] ?? ""];
  if (base === undefined) throw new Error(`tracer: priority "${p}"`);
  return base + (m[3] === "-" ? -1 : 1) * Number(m[4] ?? 0);
}

/**
 * Trace a connection's first packet through every base chain of `tables` in hook and priority
 * order (see the module comment); `localIPs` are the node's addresses (`fib … type local`, and
 * which packets the node sends or receives). Every outcome, with its path.
 */
export function traceConnection(tables: Table | readonly Table[], pkt: Packet, localIPs: readonly Ip[]): Outcome[] {
  const list: readonly Table[] = Array.isArray(tables) ? tables : [tables as Table];
  const tracers = list.map((t) => new Tracer(t, pkt, localIPs, list.length > 1 ? `${t.name}/` : ""));
  const chainsOf = (hook: string): { t: Tracer; c: Chain }[] =>
    tracers
      .flatMap((t) => t.table.chains.filter((c) => c.base?.hook === hook).map((c) => ({ t, c })))
      .map((x, i) => ({ ...x, i, p: priorityValue(x.c.base?.priority ?? 0) }))
      .sort((a, b) => a.p - b.p || a.i - b.i);
  const finals: Outcome[] = [];
  const hooks = (hook: string, start: readonly State[]): State[] => {
    let live = [...start];
    for (const { t, c } of chainsOf(hook)) {
      const next: State[] = [];
      for (const st of live) {
        for (const w of t.base(c, st)) {
          if (w.verdict === "accept") next.push(w.st);
          else finals.push({ verdict: w.verdict, masquerade: w.st.masquerade, path: w.st.path, ...(w.st.dnat !== undefined ? { dnat: w.st.dnat } : {}) });
        }
      }
      live = next;
    }
    return live;
  };
  const st = initial(pkt);
  let live: State[];
  if (isLocal(st.src, localIPs)) live = hooks("output", [st]);
  else {
    const routed = hooks("prerouting", [st]);
    live = [...hooks("input", routed.filter((x) => isLocal(x.dst, localIPs))), ...hooks("forward", routed.filter((x) => !isLocal(x.dst, localIPs)))];
  }
  for (const x of hooks("postrouting", live)) finals.push({ verdict: "accept", masquerade: x.masquerade, path: x.path, ...(x.dnat !== undefined ? { dnat: x.dnat } : {}) });
  return finals;
}
