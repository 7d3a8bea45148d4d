/**
 * @module cni-entry
 * `kwire cni`: hands stdin and the CNI_* environment to the plugin in src/lab/cni.
 * `kwire cni agent`: the long-running kwire-cni for this network namespace, which the bin/kwire-cni
 * shim talks to (src/lab/cni/agent.ts). Plugin and agent modules load only when used.
 */
import { Command } from "commander";
import type { Io } from "./context.js";
import { readStdin } from "./io.js";

export async function runCniFromProcess(): Promise<number> {
  const { runCni } = await import("../lab/cni/main.js");
  const { printedStdout } = await import("../lab/cni/agent-protocol.js");
  const res = await runCni(process.env, readStdin());
  process.stdout.write(printedStdout(res.stdout));
  return res.exitCode;
}

interface AgentOptions {
  socket?: string;
  pidFile?: string;
  verbose?: boolean;
}

/** The `cni` command with its `agent` subcommand. */
export function cniCommand(io: Io, setExit: (n: number) => void): Command {
  const cni = new Command("cni")
    .description("the CNI plugin entry point (CNI spec 1.1 over stdin and CNI_* environment variables)")
    .action(async () => {
      setExit(await runCniFromProcess());
    });
  cni
    .command("agent")
    .description("serve kwire-cni to the bin/kwire-cni shim in this network namespace (run one per node netns; stops on SIGTERM/SIGINT)")
    .option("--socket <name>", "abstract unix socket name, or an absolute path for a filesystem socket (default: $KWIRE_CNI_AGENT, else kwire-cni)")
    .option("--pid-file <file>", "write the agent's pid here while it runs")
    .option("-v, --verbose", "log one line per request on stderr")
    .action(async (opts: AgentOptions) => {
      const { runAgentProcess } = await import("../lab/cni/agent.js");
      const env = process.env["KWIRE_CNI_AGENT"];
      const socket = opts.socket ?? (env === undefined || env === "" ? undefined : env);
      // Written straight to the process streams: the agent runs until signalled, and its
      // "listening" line must appear at once (io.out is flushed only when the command ends).
      setExit(await runAgentProcess(
        { ...(socket === undefined ? {} : { socket }), ...(opts.pidFile === undefined ? {} : { pidFile: opts.pidFile }), verbose: opts.verbose === true },
        (s) => void process.stdout.write(s),
        (s) => void process.stderr.write(s),
      ));
    });
  for (const c of cni.commands) c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return cni;
}
