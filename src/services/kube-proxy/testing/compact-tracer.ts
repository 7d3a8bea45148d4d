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
import { RulesetTracer, type Branch } from "./nft-tracer.js";
import { applyDnat, inCidr, isLocal, type PacketState } from "./packet.js";

const DISPATCH = "ip daddr \\. meta l4proto \\. th dport";
const NODEPORT = "fib daddr type local ip daddr != 127\\.0\\.0\\.0/8 meta l4proto \\. th dport";
const SOURCE = "(?:ip saddr (\\S+) |(fib saddr type local) )?";

export class CompactTracer extends RulesetTracer {
  /** Same hook order as `NftTracer` (kube-proxy's table); `filter-prerouting` exists only with loadBalancerSourceRanges. */
  constructor(text: string, localIPs: readonly Ip[]) {
    super(text, localIPs, "compact tracer", /\bchain filter-prerouting \{/.test(text) ? ["filter-prerouting", "nat-prerouting"] : ["nat-prerouting"]);
  }

  /** The optional source condition of a dispatch rule (`ip saddr <cidr>` / `fib saddr type local`). */
  private source(cidr: string | undefined, local: string | undefined, st: PacketState): boolean {
    if (cidr !== undefined && !inCidr(cidr, st.src)) return false;
    return local === undefined || isLocal(st.src, this.localIPs);
  }

  protected layoutRule(r: string, st: PacketState, depth: number): Branch[] | undefined {
    const next: Branch[] = [{ st, action: "next" }];
    const proto = st.protocol;
    const dst = formatIp(st.dst);
    let m: RegExpExecArray | null;
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
      if (group === undefined) this.fail(`${dst}:${st.dport} has no group in ${m[4]}`);
      const addr = parseIp(group);
      if (addr === undefined) this.fail(`bad group address ${group}`);
      return [{ st: { ...st, dst: addr }, action: "next" }];
    }
    if ((m = /^meta l4proto (\w+) dnat ip to ip daddr \. numgen random mod (\d+) map @(\S+)$/.exec(r))) {
      if (m[1] !== proto) return next;
      return Array.from({ length: Number(m[2]) }, (_, i) => {
        const to = this.lookup(m?.[3] ?? "", `${dst} . ${i}`);
        if (to === undefined) this.fail(`no endpoint ${dst} . ${i} in ${m?.[3]}`);
        const [ip, port] = to.split(" . ");
        return { st: applyDnat(st, `${ip}:${port}`), action: "accept" as const };
      });
    }
    return undefined;
  }
}
