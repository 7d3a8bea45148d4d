/**
 * @module lab/prober
 * Real connections between pod netns. Each pod server is also its netns' probe agent, reached over
 * a unix socket (not netns-scoped): the prober keeps one connection per source pod, sends JSON-line
 * requests `{id, dst, port, protocol, timeoutMs}` and gets `{id, verdict, ms, reply}` back. A
 * bounded pool keeps at most `concurrency` probes in flight. A cell counts as observed-allowed only
 * when it connected and the answer came from the destination pod (its greeting is its pod id).
 * Service cells list the endpoint pods whose answer counts (`accept`) and may be tried several
 * times (`attempts`, random endpoint choice: see service-cells.ts). DNS cells run glibc's resolver
 * in the pod (`ip netns exec … getent ahostsv4 NAME`, or `ahostsv6` for AAAA cells, so the pod's
 * resolv.conf applies).
 * SCTP cells are skipped with a stated reason. Results go to a JSON-lines flow log.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { SCTP_SKIP, type Cell, type CellResult, type ProbeVerdict } from "./compare.js";
import { LabError } from "./errors.js";
import type { Host } from "./host.js";
import { sockPath } from "./state.js";

export interface ProbeOptions {
  readonly dir: string;
  /** Source pod id → its netns. */
  readonly netnsOf: ReadonlyMap<string, string>;
  /** Source pod id → its agent's key (socket name; default its netns: hostNetwork pods share their node's). */
  readonly agentOf?: ReadonlyMap<string, string>;
  /** Source pods whose DNS lookups are skipped, with the reason (hostNetwork pods use the node's resolver). */
  readonly noDns?: ReadonlyMap<string, string>;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  /** JSON lines, one per cell; undefined: no flow log. */
  readonly flowLog?: string;
  /** Runs DNS lookups (`ip netns exec <pod> getent ahostsv4 NAME`); required for dns cells. */
  readonly host?: Host;
}

interface Answer {
  readonly verdict: ProbeVerdict;
  readonly ms: number;
  readonly reply: string;
}

const VERDICTS: readonly ProbeVerdict[] = ["connected", "refused", "timeout", "error"];

/** One source pod's agent connection, multiplexed by request id. */
class Agent {
  private readonly pending = new Map<number, (a: Answer) => void>();
  private buf = "";
  private next = 1;
  private constructor(private readonly sock: Socket) {
    sock.on("data", (d) => this.onData(d.toString()));
    sock.on("close", () => {
      for (const done of this.pending.values()) done({ verdict: "error", ms: 0, reply: "agent connection closed" });
      this.pending.clear();
    });
  }

  static open(path: string): Promise<Agent> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once("connect", () => resolve(new Agent(s)));
      s.once("error", (e) => reject(new LabError("server-not-ready", `cannot reach the probe agent at ${path}: ${e.message}`, e)));
    });
  }

  private onData(text: string): void {
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf("\n")) >= 0) {
      const v: unknown = JSON.parse(this.buf.slice(0, nl));
      this.buf = this.buf.slice(nl + 1);
      if (typeof v !== "object" || v === null || !("id" in v) || typeof v.id !== "number") continue;
      const verdict = "verdict" in v ? VERDICTS.find((x) => x === v.verdict) ?? "error" : "error";
      const ms = "ms" in v && typeof v.ms === "number" ? v.ms : 0;
      const reply = "reply" in v && typeof v.reply === "string" ? v.reply : "";
      this.pending.get(v.id)?.({ verdict, ms, reply });
      this.pending.delete(v.id);
    }
  }

  probe(dst: string, port: number, protocol: string, timeoutMs: number): Promise<Answer> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.sock.write(JSON.stringify({ id, dst, port, protocol, timeoutMs }) + "\n");
    });
  }

  close(): void {
    this.sock.end();
  }
}

function result(cell: Cell, a: Answer): CellResult {
  const observed = a.verdict === "connected" && (cell.accept ?? [cell.dst]).includes(a.reply);
  return { ...cell, observed, verdict: a.verdict, latencyMs: Math.round(a.ms * 1000) / 1000, reply: a.reply };
}

/**
 * A name looked up the way an application in the pod does: glibc's resolver under `ip netns
 * exec` (which bind-mounts /etc/netns/<pod>/resolv.conf: search list, ndots:5). Observed allowed
 * when it resolves to exactly the addresses the model predicts (any address, when it predicts none).
 */
async function lookupCell(host: Host, netns: string, cell: Cell): Promise<CellResult> {
  const t0 = performance.now();
  const six = cell.qtype === "AAAA";
  const r = await host.exec(["ip", "netns", "exec", netns, "getent", six ? "ahostsv6" : "ahostsv4", cell.name ?? cell.dst]);
  const ms = performance.now() - t0;
  // ahostsv6 maps IPv4 answers to ::ffff:a.b.c.d when there is no AAAA record: those are not IPv6 answers.
  const got = [...new Set(r.stdout.split("\n").map((l) => l.trim().split(/\s+/)[0] ?? "").filter((x) => x !== "" && !(six && x.startsWith("::ffff:"))))].sort();
  const expect = cell.expect ?? [];
  const same = got.length === expect.length && got.every((x, i) => x === expect[i]);
  const verdict: ProbeVerdict = r.code === 0 ? "connected" : r.code === 2 ? "refused" : "error";
  const observed = r.code === 0 && got.length > 0 && (expect.length === 0 || same);
  return { ...cell, observed, verdict, latencyMs: Math.round(ms * 1000) / 1000, reply: r.code === 0 ? got.join(",") : r.stderr.trim() };
}

async function probeCell(agents: Map<string, Promise<Agent>>, opts: ProbeOptions, cell: Cell): Promise<CellResult> {
  if (cell.protocol === "SCTP") return { ...cell, observed: undefined, verdict: "skipped", latencyMs: 0, skipReason: SCTP_SKIP };
  const netns = opts.netnsOf.get(cell.src);
  if (netns === undefined) return { ...cell, observed: undefined, verdict: "skipped", latencyMs: 0, skipReason: `${cell.src} does not run in the lab` };
  if (cell.kind === "dns") {
    const why = opts.noDns?.get(cell.src);
    if (why !== undefined) return { ...cell, observed: undefined, verdict: "skipped", latencyMs: 0, skipReason: why };
    if (opts.host === undefined) return { ...cell, observed: undefined, verdict: "skipped", latencyMs: 0, skipReason: "no host to run lookups" };
    return lookupCell(opts.host, netns, cell);
  }
  let agent = agents.get(cell.src);
  if (agent === undefined) {
    agent = Agent.open(sockPath(opts.dir, opts.agentOf?.get(cell.src) ?? netns));
    agents.set(cell.src, agent);
  }
  const a = await agent;
  let last: CellResult | undefined;
  for (let i = 0; i < Math.max(1, cell.attempts ?? 1); i++) {
    last = result(cell, await a.probe(cell.dstIp, cell.port, cell.protocol, opts.timeoutMs ?? 1000));
    if (last.observed === true) break;
  }
  return last as CellResult;
}

/** Probe every cell with at most `concurrency` in flight; results in the cells' order. */
export async function probeCells(cells: readonly Cell[], opts: ProbeOptions): Promise<CellResult[]> {
  const agents = new Map<string, Promise<Agent>>();
  const out: CellResult[] = new Array<CellResult>(cells.length);
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < cells.length) {
      const i = nextIndex++;
      out[i] = await probeCell(agents, opts, cells[i] as Cell);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 64) }, worker));
  } finally {
    for (const a of agents.values()) a.then((x) => x.close(), () => undefined);
  }
  if (opts.flowLog !== undefined) writeFlowLog(opts.flowLog, out);
  return out;
}

export function writeFlowLog(path: string, results: readonly CellResult[]): void {
  writeFileSync(path, "");
  const ts = new Date().toISOString();
  const lines = results.map((r) => JSON.stringify({ ts, kind: r.kind, src: r.src, dst: r.dst, dstIp: r.dstIp, port: r.port, protocol: r.protocol, verdict: r.verdict, latencyMs: r.latencyMs, predicted: r.predicted, observed: r.observed ?? null, ...(r.name === undefined ? {} : { name: r.name, reply: r.reply ?? "" }) }));
  appendFileSync(path, lines.join("\n") + (lines.length > 0 ? "\n" : ""));
}
