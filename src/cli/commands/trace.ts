/**
 * @module trace (command)
 * `kwire trace SRC DST`: one connection, step by step. Exit 0 allowed, 1 denied, 2 bad input.
 */
import { Command } from "commander";
import { isProtocol } from "../../model/index.js";
import { PolicyIndex, resolveTarget, traceConnection, type Trace } from "../../engine/index.js";
import { traceJson, traceText } from "../../report/index.js";
import type { Analyzed } from "../../analyze/index.js";
import { addInputOptions, analyzeInputs, type InputOptions, type Io } from "../context.js";
import { EXIT_FINDINGS, EXIT_OK, UsageError } from "../io.js";

export interface TraceOptions extends InputOptions {
  protocol: string;
  port?: string;
  output: string;
}

export function runTrace(a: Analyzed, src: string, dst: string, opts: { protocol: string; port?: string | undefined; namespace?: string | undefined }): Trace {
  const protocol = opts.protocol.toUpperCase();
  if (!isProtocol(protocol)) throw new UsageError(`--protocol must be TCP, UDP or SCTP, not "${opts.protocol}"`);
  const t = a.analysis.topology;
  const ns = opts.namespace ?? "default";
  const s = resolveTarget(t, src, ns);
  if (!s.ok) throw new UsageError(`source: ${s.error}`);
  const d = resolveTarget(t, dst, ns);
  if (!d.ok) throw new UsageError(`destination: ${d.error}`);
  let port = d.target.port;
  if (opts.port !== undefined) port = /^\d+$/.test(opts.port) ? Number(opts.port) : opts.port;
  if (typeof port === "number" && (port < 1 || port > 65535)) throw new UsageError(`port ${port} is outside 1-65535`);
  const req = { src: s.target.party, dst: d.target.party, protocol, ...(port !== undefined ? { port } : {}) };
  return traceConnection(t, new PolicyIndex(a.cluster), req);
}

export function traceCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("trace")
    .description("trace one connection step by step (exit 0 allowed, 1 denied, 2 bad input)")
    .argument("<src>", "pod or workload: x/a, deploy/web -n prod, prod/web[Deployment], or IP")
    .argument("<dst>", "pod or workload with optional :PORT (number or name), or IP:PORT");
  addInputOptions(cmd)
    .option("--protocol <protocol>", "TCP|UDP|SCTP", "TCP")
    .option("--port <port>", "destination port (number or container port name)")
    .option("-o, --output <format>", "text|json", "text")
    .action(async (src: string, dst: string, opts: TraceOptions) => {
      const a = await analyzeInputs(opts, io);
      const t = runTrace(a, src, dst, opts);
      if (opts.output === "json") io.out(JSON.stringify(traceJson(t), null, 2) + "\n");
      else if (opts.output === "text") io.out(traceText(t));
      else throw new UsageError(`-o must be text or json, not "${opts.output}"`);
      setExit(t.verdict === "allowed" ? EXIT_OK : EXIT_FINDINGS);
    });
  return cmd;
}
