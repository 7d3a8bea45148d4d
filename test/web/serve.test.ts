/**
 * `kwire serve`'s server and `--export`, without a browser: static files stay inside the app
 * folder, the input is served as raw text at /api/input, only GET/HEAD are answered, and the
 * export embeds the app, its stylesheet and the input in one HTML file.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportHtml, scriptJson, startServer, staticFile, webRoot, type RunningServer } from "../../src/cli/web-server.js";
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
