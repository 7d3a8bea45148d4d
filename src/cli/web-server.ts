/**
 * @module web-server
 * What `kwire serve` runs: a loopback HTTP server (node:http, GET only) for the built web app in
 * dist/web/ and the input manifests as raw text at `/api/input` — the page runs the engine
 * itself, in a Web Worker — and `--export`, which folds the app, its stylesheet and the input
 * into one index.html that opens from file:// with no server.
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

/** The built app's folder; a clear error when `npm run build:web` has not run. */
export function webRoot(root = packagePath(WEB_ROOT)): string {
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

export function handler(root: string, input: WebInput): (req: IncomingMessage, res: ServerResponse) => void {
  const inputJson = JSON.stringify(input);
  return (req, res) => {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.setHeader("Allow", "GET, HEAD");
      send(res, 405, "text/plain; charset=utf-8", "method not allowed\n", false);
      return;
    }
    const url = req.url ?? "/";
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

export function startServer(opts: { readonly root: string; readonly input: WebInput; readonly host: string; readonly port: number }): Promise<RunningServer> {
  const server = createServer(handler(opts.root, opts.input));
  return new Promise((ok, fail) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      fail(new UsageError(e.code === "EADDRINUSE" ? `port ${opts.port} on ${opts.host} is in use: pick another with --port (0 picks a free one)` : `cannot listen on ${opts.host}:${opts.port}: ${e.message}`));
    });
    server.listen(opts.port, opts.host, () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : opts.port;
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
