/**
 * `kwire serve`'s server and `--export`, without a browser: static files stay inside the app
 * folder, the input is served as raw text at /api/input, only GET/HEAD are answered, only for
 * the server's own Host and (for the API) its own origin, slow clients are cut off, refused
 * bodies are drained, SIGTERM stops it; the export embeds the app, its stylesheet and the input
 * in one HTML file.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { exportHtml, MAX_DRAIN_BYTES, scriptJson, startServer, staticFile, webRoot, type RunningServer } from "../../src/cli/web-server.js";
import { runCli } from "../../src/cli/main.js";
import { serveInput } from "../../src/cli/commands/serve.js";
import { tempDirs } from "./temp-dirs.js";

/** Temporary directories this file makes; removed when it ends. */
const temp = tempDirs();

const INPUT = { title: "t", files: [{ path: "a.yaml", text: "kind: Namespace\nmetadata: { name: x }\n# </script><!-- tricky\n" }] };

function fakeApp(bundle: string): string {
  const root = temp("kwire-web-");
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), `<!doctype html><html><head><script type="module" crossorigin src="./assets/app.js"></script><link rel="stylesheet" crossorigin href="./assets/app.css"></head><body><div id="app"></div></body></html>`);
  writeFileSync(join(root, "assets/app.js"), bundle);
  writeFileSync(join(root, "assets/app.css"), "body { color: red }");
  return root;
}

describe("kwire serve: the HTTP server", () => {
  const root = fakeApp("console.log('app')");
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ root, input: INPUT, host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => server.close());

  it("listens on loopback and serves the app and the input", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(server.url);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/text\/html/);
    const js = await fetch(new URL("assets/app.js", server.url));
    expect(js.headers.get("content-type")).toMatch(/text\/javascript/);
    const input: unknown = await (await fetch(new URL("api/input", server.url))).json();
    expect(input).toEqual(INPUT);
  });

  it("answers 404 outside the app folder and 405 to anything but GET/HEAD", async () => {
    for (const p of ["/nope.js", "/../package.json", "/%2e%2e/package.json", "/assets/..%2f..%2fpackage.json"]) {
      expect((await fetch(server.url.replace(/\/$/, "") + p)).status, p).toBe(404);
    }
    expect((await fetch(server.url, { method: "POST", body: "x" })).status).toBe(405);
    expect((await fetch(server.url, { method: "HEAD" })).status).toBe(200);
  });

  it("keeps static paths inside the root", () => {
    expect(staticFile(root, "/")).toBe(join(root, "index.html"));
    expect(staticFile(root, "/../../etc/passwd")).toBeUndefined();
    expect(staticFile(root, "/%00")).toBeUndefined();
  });
});

describe("kwire serve --export", () => {
  it("inlines the script and stylesheet and embeds the input safely", () => {
    const html = exportHtml(fakeApp("console.log('app')"), INPUT);
    expect(html).not.toMatch(/src="\.\/assets/);
    expect(html).toContain("<style>body { color: red }</style>");
    expect(html).toContain(`<script type="module">console.log('app')</script>`);
    const embedded = /<script id="kwire-input" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1] ?? "";
    expect(JSON.parse(embedded)).toEqual(INPUT);
    expect(embedded).not.toContain("</script>");
  });

  it("falls back to a data: URL when the bundle itself contains </script>", () => {
    const html = exportHtml(fakeApp("const s = '</script>';"), INPUT);
    expect(html).toMatch(/<script type="module" src="data:text\/javascript;base64,/);
  });

  it("escapes < and line separators in embedded JSON", () => {
    expect(scriptJson({ a: "</script>\u2028" })).toBe('{"a":"\\u003c/script>\\u2028"}');
  });

  it("passes --cni, --pod-cidr and -n to the page (in /api/input and the embedded input)", async () => {
    const io = { out: () => undefined, err: () => undefined };
    const input = await serveInput({ port: "0", host: "127.0.0.1", cni: "calico", podCidr: "192.168.0.0/16", namespace: "production" }, io);
    expect(input).toMatchObject({ cni: "calico", podCidr: "192.168.0.0/16", namespace: "production" });
    const embedded = /<script id="kwire-input" type="application\/json">(.*?)<\/script>/s.exec(exportHtml(fakeApp("x"), input))?.[1] ?? "";
    expect(JSON.parse(embedded)).toMatchObject({ cni: "calico", podCidr: "192.168.0.0/16", namespace: "production" });
    const server = await startServer({ root: fakeApp("x"), input, host: "127.0.0.1", port: 0 });
    try {
      expect(await (await fetch(new URL("api/input", server.url))).json()).toMatchObject({ podCidr: "192.168.0.0/16", namespace: "production" });
    } finally {
      await server.close();
    }
    expect((await serveInput({ port: "0", host: "127.0.0.1", namespace: "production", allNamespaces: true }, io)).namespace).toBeUndefined();
    await expect(serveInput({ port: "0", host: "127.0.0.1", podCidr: "nope" }, io)).rejects.toThrow(/--pod-cidr: "nope" is not a CIDR/);
  });

  it("serves the embedded demo cluster without -f, and names the missing build", async () => {
    const demo = await serveInput({ port: "0", host: "127.0.0.1" }, { out: () => undefined, err: () => undefined });
    expect(demo.files[0]?.path).toBe("fixtures/demo/cluster.yaml");
    expect(demo.files[0]?.text).toBe(readFileSync(new URL("../../fixtures/demo/cluster.yaml", import.meta.url), "utf8"));
    expect(() => webRoot(join(tmpdir(), "kwire-no-such-build"))).toThrow(/npm run build:web/);
  });
});

describe("kwire serve --export keeps the bundle byte for byte", () => {
  it("does not expand $-patterns of String.replace in the script", () => {
    const code = "const a = s.replace(/x/, \"$'\" + \"$&\" + \"$`\");";
    expect(exportHtml(fakeApp(code), INPUT)).toContain(`<script type="module">${code}</script>`);
  });
});

/** One raw HTTP exchange on loopback: writes `text` (and `body` chunks), reads until the server closes. */
function raw(port: number, text: string, body: readonly Buffer[] = []): Promise<{ response: string; error?: string }> {
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1");
    let response = "";
    let error: string | undefined;
    socket.on("data", (d: Buffer) => void (response += d.toString("latin1")));
    socket.on("error", (e: NodeJS.ErrnoException) => void (error = e.code ?? e.message));
    socket.on("close", () => done(error === undefined ? { response } : { response, error }));
    socket.write(text);
    for (const b of body) socket.write(b);
  });
}

const status = (response: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);

describe("kwire serve: only its own Host, same-origin API, timeouts, bodies (raw HTTP on loopback)", () => {
  const root = fakeApp("x");
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ root, input: INPUT, host: "127.0.0.1", port: 0, headersTimeoutMs: 300, requestTimeoutMs: 600 });
  });
  afterAll(async () => server.close());
  const get = (path: string, headers: string): Promise<{ response: string }> => raw(server.port, `GET ${path} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`);

  // DNS rebinding: https://github.com/webpack/webpack-dev-server/issues/887 (CVE-2018-14732, the
  // same hole in webpack-dev-server, closed by checking Host); Node's own inspector does the same
  // (https://nodejs.org/en/learn/getting-started/security-best-practices#dns-rebinding-cwe-346).
  it("refuses a Host that is not its own (421) and does not send the input", async () => {
    for (const host of ["evil.example.com", `evil.example.com:${server.port}`, "127.0.0.1:1", "localhost.evil.example", "[::2]"]) {
      const r = await get("/api/input", `Host: ${host}\r\n`);
      expect(status(r.response), host).toBe(421);
      expect(r.response).not.toContain("Namespace");
    }
    expect(status((await raw(server.port, "GET /api/input HTTP/1.0\r\n\r\n")).response)).toBe(421); // no Host at all
  });

  it("answers for the listen address, localhost, 127.0.0.1 and [::1] with its port", async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `LOCALHOST:${server.port}`, `[::1]:${server.port}`]) {
      const r = await get("/api/input", `Host: ${host}\r\n`);
      expect(status(r.response), host).toBe(200);
      expect(r.response).toContain("Namespace");
    }
  });

  it("refuses cross-origin API requests (Origin, Sec-Fetch-Site) but not same-origin ones", async () => {
    const h = `Host: 127.0.0.1:${server.port}\r\n`;
    expect(status((await get("/api/input", `${h}Origin: http://evil.example.com\r\n`)).response)).toBe(403);
    expect(status((await get("/api/input", `${h}Origin: null\r\n`)).response)).toBe(403);
    expect(status((await get("/api/input", `${h}Sec-Fetch-Site: cross-site\r\n`)).response)).toBe(403);
    expect(status((await get("/api/input", `${h}Sec-Fetch-Site: same-site\r\n`)).response)).toBe(403);
    expect(status((await get("/api/input", `${h}Origin: http://localhost:${server.port}\r\nSec-Fetch-Site: same-origin\r\n`)).response)).toBe(200);
    expect(status((await get("/api/input", `${h}Sec-Fetch-Site: none\r\n`)).response)).toBe(200);
    // The app's static files carry no input; they load for a page of any origin.
    expect(status((await get("/", `${h}Sec-Fetch-Site: cross-site\r\n`)).response)).toBe(200);
  });

  it("closes connections that do not finish their headers (header timeout)", async () => {
    // Nothing sent, and half a request line: both are closed by the server, with 408 when it can.
    const idle = await raw(server.port, "");
    expect(idle.error).toBeUndefined();
    const half = await raw(server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `);
    expect(status(half.response)).toBe(408);
  });

  it("drains a body sent with a refused method and answers 405, without a reset", async () => {
    const body = Buffer.alloc(256 * 1024, 0x61);
    const r = await raw(server.port, `POST /api/input HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: ${body.length}\r\n\r\n`, [body]);
    expect(r.error).toBeUndefined();
    expect(status(r.response)).toBe(405);
    expect(r.response).toMatch(/\r\nAllow: GET, HEAD\r\n/);
    expect(r.response).toMatch(/\r\nConnection: close\r\n/);
  });

  it("refuses an oversized declared body at once (413), and Expect: 100-continue without reading it (405)", async () => {
    const big = await raw(server.port, `PUT /x HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: ${MAX_DRAIN_BYTES + 1}\r\n\r\n`);
    expect(status(big.response)).toBe(413);
    const cont = await raw(server.port, `POST /x HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Length: 1000000000\r\nExpect: 100-continue\r\n\r\n`);
    expect(status(cont.response)).toBe(405);
    expect(cont.response).not.toContain("100 Continue");
  });
});

describe("kwire serve (the command) stops promptly on SIGTERM", () => {
  it("closes open connections and returns exit 0", async () => {
    const root = fakeApp("x");
    const before = process.env["KWIRE_WEB_ROOT"];
    process.env["KWIRE_WEB_ROOT"] = root;
    let err = "";
    let announce: (url: string) => void = () => undefined;
    const url = new Promise<string>((ok) => void (announce = ok));
    const exit = runCli(["serve", "--port", "0", "-f", "fixtures/demo/cluster.yaml"], {
      out: () => undefined,
      err: (s) => {
        err += s;
        const m = /at (http:\S+) /.exec(err);
        if (m?.[1]) announce(m[1]);
      },
    });
    try {
      const u = new URL(await url);
      // A keep-alive connection the server must not wait for.
      const socket = connect(Number(u.port), "127.0.0.1");
      const closed = new Promise<void>((ok) => socket.on("close", () => ok()));
      socket.on("error", () => undefined);
      socket.write(`GET / HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`);
      await new Promise((ok) => socket.once("data", ok));
      process.emit("SIGTERM");
      expect(await exit).toBe(0);
      await closed;
    } finally {
      if (before === undefined) delete process.env["KWIRE_WEB_ROOT"];
      else process.env["KWIRE_WEB_ROOT"] = before;
    }
  });
});
