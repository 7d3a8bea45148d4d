/**
 * @module main
 * The `kwire` (and `kubectl-kwire`) executable: parses the command line, runs one command,
 * maps errors to exit codes. User errors never print a stack trace.
 */
import { Command, CommanderError } from "commander";
import { BadInput, type Io } from "./context.js";
import { EXIT_BAD_INPUT, UsageError } from "./io.js";
import { demoCommand } from "./commands/demo.js";
import { matrixCommand } from "./commands/matrix.js";
import { proxyRulesCommand } from "./commands/proxy-rules.js";
import { lintCommand } from "./commands/lint.js";
import { traceCommand } from "./commands/trace.js";
import { dnsCommand } from "./commands/dns.js";
import { serveCommand } from "./commands/serve.js";
import { diffCommand } from "./commands/diff.js";
import { testCommand } from "./commands/test.js";
import { labCommand } from "./commands/lab.js";
import { cniCommand } from "./cni-entry.js";
import { completionCommand } from "./completion.js";
import { addExamples } from "./help.js";
import { packageVersion, versionCommand } from "./version.js";

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exit = 0;
  const setExit = (n: number): void => {
    exit = n;
  };
  const program = new Command("kwire")
    .description("Kubernetes networking, modelled exactly: who can reach whom, on which port, and why")
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  for (const c of [matrixCommand(io, setExit), traceCommand(io, setExit), dnsCommand(io, setExit), diffCommand(io, setExit), testCommand(io, setExit), demoCommand(io, setExit), serveCommand(io, setExit), proxyRulesCommand(io, setExit), lintCommand(io, setExit), labCommand(io, setExit), cniCommand(io, setExit), versionCommand(io, setExit), completionCommand(io, setExit, () => program)]) {
    program.addCommand(c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err }));
  }
  // Every command and subcommand (lab status, cni agent, …) throws instead of exiting, and
  // writes through io: `--help` and usage errors never end the process from inside.
  const inProcess = (cmd: Command): void => {
    for (const c of cmd.commands) {
      c.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
      inProcess(c);
    }
  };
  inProcess(program);
  addExamples(program);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (e instanceof UsageError || e instanceof BadInput) {
      io.err(`kwire: error: ${e.message}\n`);
      return EXIT_BAD_INPUT;
    }
    const err = e as Error;
    io.err(`kwire: internal error: ${err.message}\n${process.env["KWIRE_DEBUG"] ? (err.stack ?? "") + "\n" : "(set KWIRE_DEBUG=1 for details; please report it)\n"}`);
    return 70;
  }
}

