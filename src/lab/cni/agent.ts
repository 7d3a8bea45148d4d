/**
 * @module lab/cni/agent
 * `kwire cni agent`: a long-running kwire-cni for one node network namespace (antrea-agent,
 * cilium-agent, Multus thick plugin). It listens on a unix socket — by default the abstract
 * `@kwire-cni`, which exists per network namespace, so a shim started in a node's netns reaches that
 * node's agent — and runs each request through the same `runCni(env, stdin, deps)` as the
 * standalone binary, in its own netns (`createHost()`), so a runtime pays for a shell and `nc`
 * instead of a Node start per ADD. Wire format: `agent-protocol.ts`. Requests run concurrently;
 * IPAM serialises through its file lock.
 */
import { existsSync, unlinkSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { agentAddress, decodeRequest, type AgentRequest, DEFAULT_AGENT, encodeRefusal, encodeResult, GREETING, MAX_REQUEST_BYTES, ProtocolError } from "./agent-protocol.js";
import { JSON_BATCH_ARGV, type CniDeps } from "./deps.js";
import { runCni } from "./main.js";
import { warmLauncher } from "./warm.js";

export interface AgentOptions {
  /** Abstract socket name, or an absolute path for a filesystem socket (default `kwire-cni`). */
  readonly socket?: string;
  /** Dependencies for every request (default: the real host in this netns, IPAM on disk, and a launcher that keeps `ip` started ahead). */
  readonly deps?: CniDeps;
  /** Called once per finished request with a one-line summary. */
  readonly onRequest?: (line: string) => void;
}

export interface Agent {
  /** `@name` for an abstract socket, else the path. */
  readonly name: string;
  /** Requests being run right now (received completely, not yet answered). */
  inFlight(): number;
  /** Stop accepting, drop connections whose request is still incomplete, wait for the rest to answer. */
  close(): Promise<void>;
}

const errno = (e: unknown): string | undefined =>
  e instanceof Error && "code" in e && typeof e.code === "string" ? e.code : undefined;

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once("error", onError);
    server.listen(address, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** Does something accept connections at `path`? (A leftover socket file refuses.) */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

async function bind(server: Server, socket: string): Promise<void> {
  const address = agentAddress(socket);
  try {
    await listen(server, address);
  } catch (e) {
    if (errno(e) !== "EADDRINUSE") throw e;
    const shown = socket.startsWith("/") ? socket : `@${socket}`;
    if (!socket.startsWith("/") || (await answers(socket))) throw new Error(`another agent is already listening on ${shown} (in this network namespace)`);
    unlinkSync(socket);
    await listen(server, address);
  }
}

/** Read one request, run it, answer. `received` is called once the whole request is in. */
async function serve(conn: Socket, deps: CniDeps, onRequest: ((line: string) => void) | undefined, received: () => void): Promise<void> {
  const t0 = performance.now();
  const chunks: Buffer[] = [];
  let size = 0;
  const body = await new Promise<Buffer | undefined>((resolve) => {
    conn.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    conn.once("end", () => resolve(Buffer.concat(chunks)));
    conn.once("close", () => resolve(undefined));
  });
  if (body === undefined) return;
  received();
  if (size > MAX_REQUEST_BYTES) {
    conn.end(encodeRefusal(`request larger than ${MAX_REQUEST_BYTES} bytes`));
    return;
  }
  let req: AgentRequest;
  try {
    req = decodeRequest(body.toString("utf8"));
  } catch (e) {
    conn.end(encodeRefusal(e instanceof ProtocolError ? e.message : String(e)));
    return;
  }
  const out = await runCni(req.env, req.stdin, deps);
  conn.end(encodeResult(out.exitCode, out.stdout));
  onRequest?.(`${req.env.CNI_COMMAND ?? "?"} ${req.env.CNI_CONTAINERID ?? "-"} ${req.env.CNI_IFNAME ?? "-"} → exit ${out.exitCode} (${(performance.now() - t0).toFixed(1)} ms)`);
}

/** Start serving. Rejects when the socket cannot be bound (e.g. another agent holds the name). */
export async function startAgent(opts: AgentOptions = {}): Promise<Agent> {
  const socket = opts.socket ?? DEFAULT_AGENT;
  const h = await import("./handlers.js");
  const launcher = opts.deps === undefined ? warmLauncher([JSON_BATCH_ARGV]) : undefined;
  const deps: CniDeps = opts.deps ?? { ...h.defaultDeps(), ...(launcher === undefined ? {} : { launcher }) };
  const live = new Set<Promise<void>>();
  /** Connections whose request is not complete yet: nothing has run for them. */
  const reading = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (conn) => {
    reading.add(conn);
    conn.on("error", () => undefined);
    conn.write(GREETING);
    const p = serve(conn, deps, opts.onRequest, () => reading.delete(conn))
      .catch(() => void conn.destroy())
      .finally(() => {
        live.delete(p);
        reading.delete(conn);
      });
    live.add(p);
  });
  try {
    await bind(server, socket);
  } catch (e) {
    launcher?.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    name: socket.startsWith("/") ? socket : `@${socket}`,
    inFlight: () => live.size - reading.size,
    close: () => {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const c of reading) c.destroy();
        await Promise.allSettled([...live]);
        await stopped;
        launcher?.close();
      })();
      return closing;
    },
  };
}

export interface AgentProcessOptions {
  readonly socket?: string;
  readonly pidFile?: string;
  readonly verbose?: boolean;
}

/**
 * The agent as a process: start, write the pid file, print one `listening` line, serve until
 * SIGTERM/SIGINT, then finish the requests in flight, remove the pid file and resolve with 0.
 * Resolves with 1 (after printing why) when it cannot start.
 */
export async function runAgentProcess(opts: AgentProcessOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let agent: Agent;
  try {
    agent = await startAgent({
      ...(opts.socket === undefined ? {} : { socket: opts.socket }),
      ...(opts.verbose === true ? { onRequest: (line: string) => err(`kwire cni agent: ${line}\n`) } : {}),
    });
  } catch (e) {
    err(`kwire cni agent: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (opts.pidFile !== undefined) writeFileSync(opts.pidFile, `${process.pid}\n`);
  out(`kwire cni agent: listening on ${agent.name} (pid ${process.pid})\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  err(`kwire cni agent: ${signal}: finishing ${agent.inFlight()} request(s)\n`);
  await agent.close();
  if (opts.pidFile !== undefined && existsSync(opts.pidFile)) unlinkSync(opts.pidFile);
  return 0;
}
