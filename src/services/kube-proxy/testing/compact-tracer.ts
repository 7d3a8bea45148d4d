/**
 * @module compact-tracer (testing)
 * An interpreter for exactly the rule shapes `compact.ts` emits (the shared dispatch, the
 * group-address rewrite and map DNAT, the hairpin set, and kube-proxy's per-Service shapes for
 * session affinity), in the manner of `nft-tracer.ts`: it parses the rendered `table ip
 * kwire-services { … }` text and runs a new connection through the base chains in hook and
 * priority order, following every `numgen random` branch. Unknown rule shapes throw, and so does
 * a DNAT map lookup that misses (the renderer must never leave a group address on a packet).
 */
import { formatIp, parseIp, type Ip } from "../../../model/index.js";
import { parseNft } from "./nft-tracer.js";
import { applyDnat, inCidr, initialState, isLocal, summarize, type FlowResult, type Outcome, type Packet, type PacketState } from "./packet.js";

type Action = "next" | "return" | "accept" | "drop" | "reject";
interface Branch { readonly st: PacketState; readonly action: Action }

const DISPATCH = "ip daddr \\. meta l4proto \\. th dport";
const NODEPORT = "fib daddr type local ip daddr != 127\\.0\\.0\\.0/8 meta l4proto \\. th dport";
const SOURCE = "(?:ip saddr (\\S+) |(fib saddr type local) )?";

export class CompactTracer {
  private readonly rs: ReturnType<typeof parseNft>;
  constructor(text: string, private readonly localIPs: readonly Ip[]) {
    this.rs = parseNft(text);
  }

  private lookup(map: string, key: string): string | undefined {
    const els = this.rs.sets.get(map);
    if (!els) throw new Error(`compact tracer: no map ${map}`);
    return els.find((e) => e.key === key)?.value;
  }

  private has(set: string, key: string): boolean {
    const els = this.rs.sets.get(set);
    if (!els) throw new Error(`compact tracer: no set ${set}`);
    return els.some((e) => e.key === key);
  }

  private verdict(v: string, st: PacketState, depth: number): Branch[] {
    if (v === "drop" || v === "reject" || v === "return") return [{ st, action: v }];
    const m = /^(jump|goto) (\S+)$/.exec(v);
    if (!m) throw new Error(`compact tracer: unknown verdict "${v}"`);
    const sub = this.run(m[2] as string, st, depth + 1);
    const fallOff: Action = m[1] === "jump" ? "next" : "return";
    return sub.map((b) => (b.action === "next" || b.action === "return" ? { st: b.st, action: fallOff } : b));
  }

  private vmap(map: string, key: string, st: PacketState, depth: number): Branch[] {
    const v = this.lookup(map, key);
    return v === undefined ? [{ st, action: "next" }] : this.verdict(v, st, depth);
  }

  /** The optional source condition of a dispatch rule (`ip saddr <cidr>` / `fib saddr type local`). */
  private source(cidr: string | undefined, local: string | undefined, st: PacketState): boolean {
    if (cidr !== undefined && !inCidr(cidr, st.src)) return false;
    return local === undefined || isLocal(st.src, this.localIPs);
  }

  private rule(r: string, st: PacketState, depth: number): Branch[] {
    const next: Branch[] = [{ st, action: "next" }];
    const proto = st.protocol;
    const dst = formatIp(st.dst);
    let m: RegExpExecArray | null;
    if ((m = /^(?:ct state new )?((?:jump|goto) \S+)$/.exec(r))) return this.verdict(m[1] as string, st, depth);
    if ((m = /^ct state new ip daddr != 127\.0\.0\.0\/8 meta l4proto \. th dport vmap @(\S+)$/.exec(r))) {
      return inCidr("127.0.0.0/8", st.dst) ? next : this.vmap(m[1] as string, `${proto} . ${st.dport}`, st, depth);
    }
    if ((m = new RegExp(`^(?:ct state new )?${SOURCE}${DISPATCH} vmap @(\\S+)$`).exec(r))) {
      return this.source(m[1], m[2], st) ? this.vmap(m[3] as string, `${dst} . ${proto} . ${st.dport}`, st, depth) : next;
    }
    if ((m = new RegExp(`^${SOURCE}${NODEPORT} vmap @(\\S+)$`).exec(r))) {
      if (!this.source(m[1], m[2], st) || !isLocal(st.dst, this.localIPs) || inCidr("127.0.0.0/8", st.dst)) return next;
      return this.vmap(m[3] as string, `${proto} . ${st.dport}`, st, depth);
    }
    if ((m = /^ct state new ip daddr @(\S+) reject$/.exec(r))) return this.has(m[1] as string, dst) ? [{ st, action: "reject" }] : next;
    if ((m = /^ct status dnat ip saddr \. ip daddr @(\S+) ((?:jump|goto) \S+)$/.exec(r))) {
      return st.dnat !== undefined && this.has(m[1] as string, `${formatIp(st.src)} . ${dst}`) ? this.verdict(m[2] as string, st, depth) : next;
    }
    if ((m = /^meta l4proto (\w+) ip daddr set (ip daddr \. )?(\w+) dport map @(\S+)$/.exec(r))) {
      if (m[1] !== proto || m[3] !== proto) return next;
      const group = this.lookup(m[4] as string, m[2] ? `${dst} . ${st.dport}` : `${st.dport}`);
      if (group === undefined) throw new Error(`compact tracer: ${dst}:${st.dport} has no group in ${m[4]}`);
      const addr = parseIp(group);
      if (addr === undefined) throw new Error(`compact tracer: bad group address ${group}`);
      return [{ st: { ...st, dst: addr }, action: "next" }];
    }
    if ((m = /^meta l4proto (\w+) dnat ip to ip daddr \. numgen random mod (\d+) map @(\S+)$/.exec(r))) {
      if (m[1] !== proto) return next;
      return Array.from({ length: Number(m[2]) }, (_, i) => {
        const to = this.lookup(m?.[3] ?? "", `${dst} . ${i}`);
        if (to === undefined) throw new Error(`compact tracer: no endpoint ${dst} . ${i} in ${m?.[3]}`);
        const [ip, port] = to.split(" . ");
        return { st: applyDnat(st, `${ip}:${port}`), action: "accept" as const };
      });
    }
    if ((m = /^ip daddr (\S+) (tcp|udp|sctp) dport (\d+)(?: ip saddr != (\S+))? (jump \S+)$/.exec(r))) {
      const hit = inCidr(m[1] as string, st.dst) && proto === m[2] && st.dport === Number(m[3]) && (m[4] === undefined || !inCidr(m[4], st.src));
      return hit ? this.verdict(m[5] as string, st, depth) : next;
    }
    if (/^ip saddr @\S+ goto \S+$/.test(r)) return next; // affinity sets start empty
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
    throw new Error(`compact tracer: unknown rule shape "${r}"`);
  }

  run(chain: string, st: PacketState, depth = 0): Branch[] {
    if (depth > 32) throw new Error("compact tracer: jump loop");
    const rules = this.rs.chains.get(chain);
    if (!rules) throw new Error(`compact tracer: no chain ${chain}`);
    let live: PacketState[] = [st];
    const done: Branch[] = [];
    for (const r of rules) {
      const nextLive: PacketState[] = [];
      for (const s of live) for (const b of this.rule(r, s, depth)) (b.action === "next" ? nextLive.push(b.st) : done.push(b));
      live = nextLive;
    }
    return [...done, ...live.map((s) => ({ st: s, action: "next" as const }))];
  }

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

  /** Same hook order as `NftTracer.trace` (kube-proxy's table), less the firewall chain. */
  trace(p: Packet): FlowResult {
    const finals: Outcome[] = [];
    const st = initialState(p);
    const fromHost = isLocal(st.src, this.localIPs);
    let live = fromHost
      ? this.hooks(["filter-output", "nat-output", "filter-output-post-dnat"], [st], finals)
      : this.hooks(["nat-prerouting"], [st], finals);
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
