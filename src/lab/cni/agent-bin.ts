#!/usr/bin/env node
/**
 * @module lab/cni/agent-bin
 * `kwire-cni-agent [--socket NAME|/path] [--pid-file FILE] [-v]`: the agent without the rest of the
 * CLI (what `kwire cni agent` runs; tests and the bench start this file). The socket name defaults
 * to $KWIRE_CNI_AGENT, else `kwire-cni`.
 */
import { parseArgs } from "node:util";
import { runAgentProcess } from "./agent.js";

const { values } = parseArgs({
  options: { socket: { type: "string" }, "pid-file": { type: "string" }, verbose: { type: "boolean", short: "v" } },
});
const socket = values.socket ?? process.env["KWIRE_CNI_AGENT"];
process.exitCode = await runAgentProcess(
  { ...(socket === undefined || socket === "" ? {} : { socket }), ...(values["pid-file"] === undefined ? {} : { pidFile: values["pid-file"] }), verbose: values.verbose === true },
  (s) => void process.stdout.write(s),
  (s) => void process.stderr.write(s),
);
