/**
 * @module nft-tracer (testing)
 * An interpreter for exactly the nftables rule shapes kube-proxy (and so nftables.ts) emits,
 * after kube-proxy's helpers_test.go nftablesTracer. It parses the rendered `table ip
 * kube-proxy { … }` text and runs a new connection through the base chains in hook and
 * priority order, following every `numgen random` branch. Unknown rule shapes throw.
 * `RulesetTracer` is the machinery and the rule shapes both nftables layouts share (chains,
 * verdicts, maps, hooks, kube-proxy's per-Service and per-endpoint shapes); `NftTracer` adds
 * kube-proxy's dispatch, and compact-tracer.ts the compact layout's.
 */
import { formatIp, type Ip } from "../../../model/index.js";
import { applyDnat, inCidr, initialState, isLocal, summarize, type FlowResult, type Outcome, type Packet, type PacketState } from "./packet.js";

interface Element { readonly key: string; readonly value?: string }
interface Ruleset { readonly chains: Map<string, string[]>; readonly sets: Map<string, Element[]> }

type Action = "next" | "return" | "accept" | "drop" | "reject";
export interface Branch { readonly st: PacketState; readonly action: Action }

export function parseNft(text: string): Ruleset {
  const chains = new Map<string, string[]>();
  const sets = new Map<string, Element[]>();
  let chain: string[] | undefined;
  let set: string | undefined;
  let elements: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const head = /^(chain|set|map) (\S+) \{$/.exec(line);
    if (head) {
      chain = head[1] === "chain" ? [] : undefined;
      set = head[1] === "chain" ? undefined : (head[2] as string);
      if (chain) chains.set(head[2] as string, chain);
      if (set) sets.set(set, []);
      continue;
    }
    if (elements !== undefined || line.startsWith("elements = {")) {
      elements = (elements ?? "") + " " + line;
      if (line.endsWith("}") && set) {
        sets.set(set, parseElements(elements.replace(/^\s*elements = \{/, "").replace(/\}\s*$/, "")));
        elements = undefined;
      }
      continue;
    }
    if (!chain || line === "}" || line === "" || /^(type|comment) /.test(line)) continue;
    chain.push(line.replace(/ comment "[^"]*"$/, ""));
  }
  return { chains, sets };
}

function parseElements(body: string): Element[] {
  return body.split(",").map((e) => e.trim()).filter(Boolean).map((e) => {
    const [k, v] = e.replace(/ comment "[^"]*"/, "").split(" : ");
    return v === undefined ? { key: (k ?? "").trim() } : { key: (k ?? "").trim(), value: v.trim() };
  });
}

/** Runs a new connection through a parsed `table ip …` of either layout; subclasses add their rule shapes. */
export abstract class RulesetTracer {
  protected readonly rs: Ruleset;
  constructor(
    text: string,
    protected readonly localIPs: readonly Ip[],
    /** Error prefix, e.g. "nft tracer". */
    private readonly name: string,
    /** Base chains a packet from elsewhere passes before routing, in priority order. */
    private readonly prerouting: readonly string[],
  ) {
    this.rs = parseNft(text);
  }

  protected fail(msg: string): never {
    throw new Error(`${this.name}: ${msg}`);
  }

  protected lookup(map: string, key: string): string | undefined {
    const els = this.rs.sets.get(map);
    if (!els) this.fail(`no map ${map}`);
    return els.find((e) => e.key === key)?.value;
  }

  protected has(set: string, key: string): boolean {
    const els = this.rs.sets.get(set);
    if (!els) this.fail(`no set ${set}`);
    return els.some((e) => e.key === key);
  }

  protected verdict(v: string, st: PacketState, depth: number): Branch[] {
    if (v === "drop" || v === "reject" || v === "return") return [{ st, action: v }];
    const m = /^(jump|goto) (\S+)$/.exec(v);
    if (!m) this.fail(`unknown verdict "${v}"`);
    const sub = this.run(m[2] as string, st, depth + 1);
    const fallOff: Action = m[1] === "jump" ? "next" : "return";
    return sub.map((b) => (b.action === "next" || b.action === "return" ? { st: b.st, action: fallOff } : b));
  }

  protected vmap(map: string, key: string, st: PacketState, depth: number): Branch[] {
    const v = this.lookup(map, key);
    return v === undefined ? [{ st, action: "next" }] : this.verdict(v, st, depth);
  }

  /** The branches of a rule shape only this layout emits; undefined for any other shape. */
  protected abstract layoutRule(r: string, st: PacketState, depth: number): Branch[] | undefined;

  /** One rule: the branches it leads to. */
  private rule(r: string, st: PacketState, depth: number): Branch[] {
    const own = this.layoutRule(r, st, depth);
    if (own !== undefined) return own;
    const next: Branch[] = [{ st, action: "next" }];
    const proto = st.protocol;
    let m: RegExpExecArray | null;
    if ((m = /^(?:ct state new )?((?:jump|goto) \S+)$/.exec(r))) return this.verdict(m[1] as string, st, depth);
    if ((m = /^ip daddr (\S+) (tcp|udp|sctp) dport (\d+)(?: ip saddr != (\S+))? (jump \S+)$/.exec(r))) {
      const hit = inCidr(m[1] as string, st.dst) && proto === m[2] && st.dport === Number(m[3]) && (m[4] === undefined || !inCidr(m[4], st.src));
      return hit ? this.verdict(m[5] as string, st, depth) : next;
    }
    if (/^ip saddr @\S+ goto \S+$/.test(r)) return next; // affinity sets start empty
    if ((m = /^ip saddr != \{ (.*) \} drop$/.exec(r))) return (m[1] as string).split(",").some((c) => inCidr(c.trim(), st.src)) ? next : [{ st, action: "drop" }];
    if ((m = /^ip saddr (!= )?(\S+) ((?:jump|goto) \S+)$/.exec(r))) return inCidr(m[2] as string, st.src) !== Boolean(m[1]) ? this.verdict(m[3] as string, st, depth) : next;
    if ((m = /^fib saddr type local ((?:jump|goto) \S+)$/.exec(r))) return isLocal(st.src, this.localIPs) ? this.verdict(m[1] as string, st, depth) : next;
    if ((m = /^numgen random mod (\d+) vmap \{ (.*) \}$/.exec(r))) {
      return (m[2] as string).split(" , ").flatMap((el) => this.verdict(el.replace(/^\d+ : /, ""), st, depth));
    }
    if (/^update @\S+ \{ ip saddr \}$/.test(r)) return next;
    if ((m = /^meta l4proto (\w+) dnat to (\S+)$/.exec(r))) return m[1] === proto ? [{ st: applyDnat(st, m[2] as string), action: "accept" }] : next;
    if ((m = /^mark set mark (or|xor) (\S+)$/.exec(r))) return [{ st: { ...st, mark: m[1] === "or" ? st.mark | Number(m[2]) : st.mark ^ Number(m[2]) }, action: "next" }];
    if ((m = /^mark and (\S+) == 0 return$/.exec(r))) return (st.mark & Number(m[1])) === 0 ? [{ st, action: "return" }] : next;
    if (r === "masquerade fully-random") return [{ st: { ...st, masquerade: true }, action: "accept" }];
    if (r === "reject") return [{ st, action: "reject" }];
    if (r === "drop") return [{ st, action: "drop" }];
    return this.fail(`unknown rule shape "${r}"`);
  }

  run(chain: string, st: PacketState, depth = 0): Branch[] {
    if (depth > 32) this.fail("jump loop");
    const rules = this.rs.chains.get(chain);
    if (!rules) this.fail(`no chain ${chain}`);
    let live: PacketState[] = [st];
    const done: Branch[] = [];
    for (const r of rules) {
      const nextLive: PacketState[] = [];
      for (const s of live) for (const b of this.rule(r, s, depth)) (b.action === "next" ? nextLive.push(b.st) : done.push(b));
      live = nextLive;
    }
    return [...done, ...live.map((s) => ({ st: s, action: "next" as const }))];
  }

  /** Runs the base chains of one hook sequence; returns the surviving states and final outcomes. */
  private hooks(chains: readonly string[], start: readonly PacketState[], finals: Outcome[]): PacketState[] {
    let live = [...start];
    for (const c of chains) {
      const next: PacketState[] = [];
      for (const s of live) {
        for (const b of this.run(c, s)) {
          if (b.action === "drop" || b.action === "reject") finals.push({ verdict: b.action === "drop" ? "DROP" : "REJECT", masquerade: b.st.masquerade, ...(b.st.dnat ? { dnat: b.st.dnat } : {}) });
          else next.push(b.st);
        }
      }
      live = next;
    }
    return live;
  }

  trace(p: Packet): FlowResult {
    const finals: Outcome[] = [];
    const st = initialState(p);
    const fromHost = isLocal(st.src, this.localIPs);
    let live = fromHost
      ? this.hooks(["filter-output", "nat-output", "filter-output-post-dnat"], [st], finals)
      : this.hooks(this.prerouting, [st], finals);
    if (!fromHost) {
      const input = live.filter((s) => isLocal(s.dst, this.localIPs));
      const fwd = live.filter((s) => !isLocal(s.dst, this.localIPs));
      live = [...this.hooks(["filter-input"], input, finals), ...this.hooks(["filter-forward"], fwd, finals)];
    }
    live = this.hooks(["nat-postrouting"], live, finals);
    for (const s of live) finals.push({ verdict: "ACCEPT", masquerade: s.masquerade, ...(s.dnat ? { dnat: s.dnat } : {}) });
    return summarize(finals);
  }
}

/** kube-proxy's own table (nftables.ts). */
export class NftTracer extends RulesetTracer {
  constructor(text: string, localIPs: readonly Ip[]) {
    super(text, localIPs, "nft tracer", ["filter-prerouting", "nat-prerouting"]);
  }

  protected layoutRule(r: string, st: PacketState, depth: number): Branch[] | undefined {
    const next: Branch[] = [{ st, action: "next" }];
    const proto = st.protocol;
    let m: RegExpExecArray | null;
    if ((m = /^ip daddr \. meta l4proto \. th dport vmap @(\S+)$/.exec(r))) return this.vmap(m[1] as string, `${formatIp(st.dst)} . ${proto} . ${st.dport}`, st, depth);
    if ((m = /^(fib daddr type local )?ip daddr != 127\.0\.0\.0\/8 meta l4proto \. th dport vmap @(\S+)$/.exec(r))) {
      if (m[1] && !isLocal(st.dst, this.localIPs)) return next;
      if (inCidr("127.0.0.0/8", st.dst)) return next;
      return this.vmap(m[2] as string, `${proto} . ${st.dport}`, st, depth);
    }
    if ((m = /^ip daddr @(\S+) reject$/.exec(r))) return this.rs.sets.get(m[1] as string)?.some((e) => e.key === formatIp(st.dst)) ? [{ st, action: "reject" }] : next;
    return undefined;
  }
}
