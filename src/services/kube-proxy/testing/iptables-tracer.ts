/**
 * @module iptables-tracer (testing)
 * An interpreter for exactly the iptables rule shapes kube-proxy (and so iptables.ts) emits.
 * It parses the iptables-save text and runs a new connection through nat PREROUTING (or
 * OUTPUT), filter INPUT/FORWARD (or OUTPUT) and nat POSTROUTING, following both branches of
 * every `-m statistic --mode random`. Unknown options throw.
 */
import type { Ip } from "../../../model/index.js";
import { applyDnat, inCidr, initialState, isLocal, summarize, type FlowResult, type Outcome, type Packet, type PacketState } from "./packet.js";

type Tables = Map<string, Map<string, string[][]>>;
type Action = "next" | "return" | "accept" | "drop" | "reject";
interface Branch { readonly st: PacketState; readonly action: Action }

export function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? "");
  return out;
}

export function parseIptables(text: string): Tables {
  const tables: Tables = new Map();
  let cur: Map<string, string[][]> | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("*")) tables.set(line.slice(1), (cur = new Map()));
    else if (line.startsWith(":") && cur) cur.set(line.slice(1).split(" ")[0] ?? "", []);
    else if (line.startsWith("-A ") && cur) {
      const t = tokenize(line);
      cur.get(t[1] ?? "")?.push(t.slice(2));
    }
  }
  return tables;
}

/** Evaluates the match part of a rule: the states that match (several for `statistic`), and those that do not. */
function matches(args: readonly string[], st: PacketState, local: readonly Ip[]): { hit: PacketState[]; miss: PacketState[] } {
  let neg = false;
  let ok = true;
  let branch = false;
  for (let i = 0; i < args.length && args[i] !== "-j"; i++) {
    const a = args[i] as string;
    const v = args[i + 1] ?? "";
    let r: boolean | undefined;
    switch (a) {
      case "!": neg = true; continue;
      case "-m": i++; continue;
      case "--comment": case "--mode": case "--seconds": case "--name": i++; continue;
      case "--reap": continue;
      case "-p": r = st.protocol === v; i++; break;
      case "-d": r = inCidr(v, st.dst); i++; break;
      case "-s": r = inCidr(v, st.src); i++; break;
      case "--dport": r = st.dport === Number(v); i++; break;
      case "--dst-type": r = isLocal(st.dst, local); i++; break;
      case "--src-type": r = isLocal(st.src, local); i++; break;
      case "--ctstate": r = v.split(",").includes("NEW"); i++; break;
      case "--mark": { const [val, mask] = v.split("/"); r = (st.mark & Number(mask ?? val)) === Number(val); i++; break; }
      case "--probability": branch = true; i++; continue;
      case "--rcheck": r = false; break; // recent lists start empty
      case "--set": continue;
      default: throw new Error(`iptables tracer: unknown option ${a}`);
    }
    if ((r as boolean) === neg) ok = false;
    neg = false;
  }
  if (!ok) return { hit: [], miss: [st] };
  return branch ? { hit: [st], miss: [st] } : { hit: [st], miss: [] };
}

export class IptablesTracer {
  private readonly tables: Tables;
  constructor(text: string, private readonly localIPs: readonly Ip[]) {
    this.tables = parseIptables(text);
  }

  private target(table: string, args: readonly string[], st: PacketState, depth: number): Branch[] {
    const j = args.indexOf("-j");
    if (j < 0) return [{ st, action: "next" }]; // a rule with only a comment (kube-proxy's KUBE-FW-* tail)
    const t = args[j + 1] ?? "";
    const opt = (name: string): string => args[args.indexOf(name) + 1] ?? "";
    switch (t) {
      case "RETURN": return [{ st, action: "return" }];
      case "ACCEPT": return [{ st, action: "accept" }];
      case "DROP": return [{ st, action: "drop" }];
      case "REJECT": return [{ st, action: "reject" }];
      case "DNAT": return [{ st: applyDnat(st, opt("--to-destination")), action: "accept" }];
      case "MASQUERADE": return [{ st: { ...st, masquerade: true }, action: "accept" }];
      case "MARK": {
        const or = args.includes("--or-mark");
        const mark = Number(opt(or ? "--or-mark" : "--xor-mark"));
        return [{ st: { ...st, mark: or ? st.mark | mark : st.mark ^ mark }, action: "next" }];
      }
      default:
        return this.run(table, t, st, depth + 1).map((b) => (b.action === "return" ? { st: b.st, action: "next" } : b));
    }
  }

  run(table: string, chain: string, st: PacketState, depth = 0): Branch[] {
    if (depth > 32) throw new Error("iptables tracer: jump loop");
    const rules = this.tables.get(table)?.get(chain);
    if (!rules) throw new Error(`iptables tracer: no chain ${table}/${chain}`);
    let live: PacketState[] = [st];
    const done: Branch[] = [];
    for (const r of rules) {
      const next: PacketState[] = [];
      for (const s of live) {
        const m = matches(r, s, this.localIPs);
        next.push(...m.miss);
        for (const h of m.hit) for (const b of this.target(table, r, h, depth)) (b.action === "next" ? next.push(b.st) : done.push(b));
      }
      live = next;
    }
    return [...done, ...live.map((s) => ({ st: s, action: "next" as const }))];
  }

  private hook(table: string, chain: string, start: readonly PacketState[], finals: Outcome[]): PacketState[] {
    const out: PacketState[] = [];
    for (const s of start) {
      for (const b of this.run(table, chain, s)) {
        if (b.action === "drop" || b.action === "reject") finals.push({ verdict: b.action === "drop" ? "DROP" : "REJECT", masquerade: b.st.masquerade, ...(b.st.dnat ? { dnat: b.st.dnat } : {}) });
        else out.push(b.st);
      }
    }
    return out;
  }

  trace(p: Packet): FlowResult {
    const finals: Outcome[] = [];
    const st = initialState(p);
    let live: PacketState[];
    if (isLocal(st.src, this.localIPs)) {
      live = this.hook("filter", "OUTPUT", this.hook("nat", "OUTPUT", [st], finals), finals);
    } else {
      const pre = this.hook("nat", "PREROUTING", [st], finals);
      live = [
        ...this.hook("filter", "INPUT", pre.filter((s) => isLocal(s.dst, this.localIPs)), finals),
        ...this.hook("filter", "FORWARD", pre.filter((s) => !isLocal(s.dst, this.localIPs)), finals),
      ];
    }
    live = this.hook("nat", "POSTROUTING", live, finals);
    for (const s of live) finals.push({ verdict: "ACCEPT", masquerade: s.masquerade, ...(s.dnat ? { dnat: s.dnat } : {}) });
    return summarize(finals);
  }
}
