/**
 * @module web-server
 * What `kwire serve` runs: a loopback HTTP server (node:http, GET only) for the built web app in
 * dist/web/ and the input manifests as raw text at `/api/input` — the page runs the engine
 * itself, in a Web Worker — and `--export`, which folds the app, its stylesheet and the input
 * into one index.html that opens from file:// with no server.
 *
 * The input is what the server protects, so it answers only requests that name it:
 * - the `Host` header must be the listen address, `localhost`, `127.0.0.1`, `[::1]` or the
 *   `--host` name, with the listening port (DNS rebinding: a page on evil.example whose name
 *   resolves to 127.0.0.1 sends `Host: evil.example`) — else 421;
 * - `/api/` requests from another origin (`Origin` not this server's, or `Sec-Fetch-Site`
 *   other than `same-origin`/`none`) get 403;
 * - headers must arrive within `headersTimeoutMs`, the whole request within `requestTimeoutMs`
 *   (half-open connections are closed);
 * - a non-GET/HEAD request is answered 405 after its body is drained (up to `MAX_DRAIN_BYTES`;
 *   a larger declared body gets 413 at once, `Expect: 100-continue` gets 405 without reading),
 *   always with `Connection: close`.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import type { InputFile } from "../parse/index.js";
import { packagePath } from "./assets.js";
import { UsageError } from "./io.js";

/** What the page asks for at `api/input` (or finds embedded in an exported page). */
export interface WebInput {
  readonly title: string;
  readonly files: readonly InputFile[];
  readonly cni?: string;
  /** `--pod-cidr`: where pods without an IP in the input live. */
  readonly podCidr?: string;
  /** `-n/--namespace`: the namespace the page opens filtered on. */
  readonly namespace?: string;
}

export const WEB_ROOT = "dist/web";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
};

/** The built app's folder (`KWIRE_WEB_ROOT` names another build); a clear error when `npm run build:web` has not run. */
export function webRoot(root = process.env["KWIRE_WEB_ROOT"] ?? packagePath(WEB_ROOT)): string {
  if (!existsSync(join(root, "index.html"))) {
    throw new UsageError(`the web UI is not built (no ${join(root, "index.html")}): run \`npm run build:web\` (or \`npm run build\`) first`);
  }
  return root;
}

/** A request path → a file inside `root`, or undefined (outside the root, or no such file). */
export function staticFile(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(urlPath, "http://localhost").pathname);
  } catch {
    return undefined;
  }
  if (path.includes("\0")) return undefined;
  const full = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return statSync(full).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean): void {
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
  res.end(head ? undefined : body);
}

/** A body of a refused request is read and dropped up to this size; a larger one is cut off. */
export const MAX_DRAIN_BYTES = 1 << 20;
const TEXT = "text/plain; charset=utf-8";

/** The names (without port) a request may give in `Host`: see the module comment. */
export function allowedHostNames(listenHost: string): Set<string> {
  const bare = listenHost.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  const names = new Set(["localhost", "127.0.0.1", "::1"]);
  if (bare !== "0.0.0.0" && bare !== "::") names.add(bare);
  return names;
}

/** `Host` header → name and port, or undefined when malformed. */
function parseHost(header: string): { readonly name: string; readonly port?: number } | undefined {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return undefined;
  const name = (m[1] ?? m[2] ?? "").toLowerCase().replace(/\.$/, "");
  return m[3] === undefined ? { name } : { name, port: Number(m[3]) };
}

export interface Guard {
  readonly hosts: ReadonlySet<string>;
  /** The port the server listens on (known once it listens). */
  port(): number;
}

function hostOk(guard: Guard, header: string | undefined): boolean {
  const h = header === undefined ? undefined : parseHost(header);
  if (!h || !guard.hosts.has(h.name)) return false;
  return (h.port ?? 80) === guard.port();
}

/** A cross-origin request: a browser page of another origin (or a site that is not this one). */
function crossOrigin(guard: Guard, req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return true;
  }
  return u.protocol !== "http:" || !hostOk(guard, u.host);
}

/** Refuses a request with a body cleanly: drains it (bounded), then answers and closes. */
function refuseWithBody(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  res.setHeader("Connection", "close");
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > MAX_DRAIN_BYTES) {
    send(res, 413, TEXT, `request body too large (${declared} bytes); ${message}`, false);
    res.on("finish", () => req.destroy());
    return;
  }
  let seen = 0;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > MAX_DRAIN_BYTES) {
      if (!res.headersSent) send(res, 413, TEXT, `request body too large; ${message}`, false);
      req.destroy();
    }
  });
  req.on("end", () => {
    if (!res.headersSent) send(res, status, TEXT, message, false);
  });
  req.on("error", () => undefined);
}

export function handler(root: string, input: WebInput, guard?: Guard): (req: IncomingMessage, res: ServerResponse) => void {
  const inputJson = JSON.stringify(input);
  return (req, res) => {
    const head = req.method === "HEAD";
    if (guard && !hostOk(guard, req.headers.host)) {
      refuseWithBody(req, res, 421, `kwire serve answers only for its own address (Host: ${[...guard.hosts].map((h) => (h.includes(":") ? `[${h}]` : h)).join(", ")} with port ${guard.port()}), not "${req.headers.host ?? ""}"\n`);
      return;
    }
    if (req.method !== "GET" && !head) {
      res.setHeader("Allow", "GET, HEAD");
      refuseWithBody(req, res, 405, "method not allowed\n");
      return;
    }
    const url = req.url ?? "/";
    if (guard && url.startsWith("/api/") && crossOrigin(guard, req)) {
      send(res, 403, TEXT, "cross-origin requests to the API are refused\n", head);
      return;
    }
    if (url === "/api/input" || url.startsWith("/api/input?")) {
      send(res, 200, "application/json; charset=utf-8", inputJson, head);
      return;
    }
    const file = staticFile(root, url);
    if (!file) {
      send(res, 404, "text/plain; charset=utf-8", "not found\n", head);
      return;
    }
    send(res, 200, TYPES[extname(file)] ?? "application/octet-stream", readFileSync(file), head);
  };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly root: string;
  readonly input: WebInput;
  readonly host: string;
  readonly port: number;
  /** Time for a client to send the request headers (default 10 s). */
  readonly headersTimeoutMs?: number;
  /** Time for a client to send the whole request (default 30 s). */
  readonly requestTimeoutMs?: number;
}

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  let listening = opts.port;
  const guard: Guard = { hosts: allowedHostNames(opts.host), port: () => listening };
  const headersTimeout = opts.headersTimeoutMs ?? 10_000;
  const requestTimeout = Math.max(opts.requestTimeoutMs ?? 30_000, headersTimeout);
  // Node checks both timeouts every connectionsCheckingInterval (default 30 s): check often
  // enough that a half-open connection is closed close to its deadline.
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout), keepAliveTimeout: 5000 }, handler(opts.root, opts.input, guard));
  // `Expect: 100-continue`: refuse before the body is sent when the request will be refused anyway.
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" || req.method === "HEAD") {
      res.writeContinue();
      server.emit("request", req, res);
      return;
    }
    res.setHeader("Allow", "GET, HEAD");
    res.setHeader("Connection", "close");
    send(res, hostOk(guard, req.headers.host) ? 405 : 421, TEXT, "refused\n", false);
    res.on("finish", () => req.destroy());
  });
  server.on("clientError", (e: NodeJS.ErrnoException, socket) => {
    const status = e.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : e.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return new Promise((ok, fail) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      fail(new UsageError(e.code === "EADDRINUSE" ? `port ${opts.port} on ${opts.host} is in use: pick another with --port (0 picks a free one)` : `cannot listen on ${opts.host}:${opts.port}: ${e.message}`));
    });
    server.listen(opts.port, opts.host, () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : opts.port;
      listening = port;
      const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
      ok({
        url: `http://${host}:${port}/`,
        port,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

/** JSON that is safe inside a <script> element (no `<`, so no `</script>` and no `<!--`). */
export function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function scriptTag(code: string): string {
  // Inline when the bundle cannot end the element early; otherwise a data: URL, which module
  // scripts may load from a file:// page (an external file would be blocked there).
  if (!/<\/script|<!--/i.test(code)) return `<script type="module">${code}</script>`;
  return `<script type="module" src="data:text/javascript;base64,${Buffer.from(code).toString("base64")}"></script>`;
}

/** index.html with its script and stylesheet inlined and the input embedded. */
export function exportHtml(root: string, input: WebInput): string {
  let html = readFileSync(join(root, "index.html"), "utf8");
  const asset = (ref: string): string => {
    const file = staticFile(root, `/${ref.replace(/^\.\//, "")}`);
    if (!file) throw new Error(`the built web UI references ${ref}, which is missing from ${root}`);
    return readFileSync(file, "utf8");
  };
  html = html.replace(/<script type="module"[^>]*\ssrc="([^"]+)"[^>]*><\/script>/g, "");
  html = html.replace(/<link rel="stylesheet"[^>]*\shref="([^"]+)"[^>]*>/g, (_m, href: string) => `<style>${asset(href).replace(/<\/style/gi, "<\\/style")}</style>`);
  const scripts = [...readFileSync(join(root, "index.html"), "utf8").matchAll(/<script type="module"[^>]*\ssrc="([^"]+)"[^>]*><\/script>/g)].map((m) => scriptTag(asset(m[1] ?? "")));
  const embedded = `<script id="kwire-input" type="application/json">${scriptJson(input)}</script>`;
  // A function, not a string: `$&`, `$'` and friends in the bundle must not be expanded.
  return html.replace("</body>", () => `${embedded}\n${scripts.join("\n")}\n</body>`);
}

export function exportSite(root: string, input: WebInput, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, "index.html");
  writeFileSync(out, exportHtml(root, input));
  return out;
}
