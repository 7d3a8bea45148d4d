/**
 * @module serve (command)
 * `kwire serve [-f MANIFESTS] [--port N] [--host 127.0.0.1]`: the web UI on loopback, with the
 * input (or the embedded demo cluster) served as raw text for the page's own engine, with the
 * input options it analyses with (--cni, --pod-cidr; -n as the initial namespace filter);
 * `--export DIR` writes a static site that opens from file:// instead.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { podRange } from "../../engine/index.js";
import { cniByName } from "../../model/index.js";
import { DEMO_CLUSTER, packagePath } from "../assets.js";
import { addInputOptions, loadInputs, type InputOptions, type Io } from "../context.js";
import { EXIT_OK, UsageError } from "../io.js";
import { exportSite, startServer, webRoot, type WebInput } from "../web-server.js";
import { NAMESPACE_HELP, namespaceHelp } from "../help.js";
import { progress } from "../progress.js";

export interface ServeOptions extends InputOptions {
  port: string;
  host: string;
  export?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function serveInput(opts: ServeOptions, io: Io): Promise<WebInput> {
  if (opts.cni !== undefined && !cniByName(opts.cni)) throw new UsageError(`unknown CNI "${opts.cni}"`);
  if (opts.podCidr !== undefined && !podRange(opts.podCidr)) throw new UsageError(`--pod-cidr: "${opts.podCidr}" is not a CIDR`);
  // The page analyses with the same options as the other commands: --cni, --pod-cidr, -n.
  const options = {
    ...(opts.cni === undefined ? {} : { cni: opts.cni }),
    ...(opts.podCidr === undefined ? {} : { podCidr: opts.podCidr }),
    ...(opts.namespace !== undefined && !opts.allNamespaces ? { namespace: opts.namespace } : {}),
  };
  const live = opts.kubeconfig !== undefined || opts.context !== undefined;
  if (!live && (opts.filename ?? []).length === 0) {
    return { title: `demo cluster (${DEMO_CLUSTER})`, files: [{ path: DEMO_CLUSTER, text: readFileSync(packagePath(DEMO_CLUSTER), "utf8") }], ...options };
  }
  const files = await loadInputs(opts, io);
  const title = live ? `live cluster${opts.context ? ` (${opts.context})` : ""}` : (opts.filename ?? []).join(", ");
  return { title, files, ...options };
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be 0-65535 (0 picks a free port), not "${text}"`);
  return Number(text);
}

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export function serveCommand(io: Io, setExit: (n: number) => void): Command {
  const cmd = new Command("serve").description("the web UI: graph, matrix, traces, policies and what-if, on 127.0.0.1 (or --export a static site)");
  namespaceHelp(addInputOptions(cmd), NAMESPACE_HELP.serve)
    .option("--port <n>", "port to listen on (0 picks a free one)", "7420")
    .option("--host <addr>", "address (or name) to listen on; keep it loopback, the page shows the whole input. Requests must name it, localhost, 127.0.0.1 or [::1] in Host", "127.0.0.1")
    .option("--export <dir>", "write a static site (DIR/index.html, app and input embedded) that opens from file://, and exit")
    .action(async (opts: ServeOptions) => {
      const root = webRoot();
      const input = await serveInput(opts, io);
      if (opts.export !== undefined) {
        const out = exportSite(root, input, opts.export);
        io.out(`kwire: wrote ${out} (${input.files.length} input file(s) embedded); open it in a browser, no server needed\n`);
        setExit(EXIT_OK);
        return;
      }
      const port = parsePort(opts.port);
      if (!LOOPBACK.test(opts.host)) io.err(`kwire: warning: listening on ${opts.host}: anyone who can reach it can read the input manifests${opts.host === "0.0.0.0" || opts.host === "::" ? ` (requests must still say Host: localhost, 127.0.0.1 or [::1]; listen on a name with --host NAME to be reached by it)` : ""}\n`);
      const server = await startServer({ root, input, host: opts.host, port });
      progress().done(); // the server runs until stopped: no progress line from here on
      io.err(`kwire: serving the web UI for ${input.title} at ${server.url} (Ctrl-C to stop)\n`);
      await untilSignal();
      await server.close();
      setExit(EXIT_OK);
    });
  return cmd;
}
