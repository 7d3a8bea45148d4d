/**
 * @module browser (web e2e harness)
 * Debian Chromium through playwright-core (never a downloaded browser), the flags this closed
 * network needs, a fresh profile per run; `kwire serve` started as a child process on a free
 * loopback port; the web build refreshed when src/web is newer than dist/web.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { BUNDLE, ensureBundle, newestFile } from "../cli/bundle.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = join(ROOT, "test-artifacts/web");
const BIN = BUNDLE;

/** The flags from the machine notes: without the background-networking ones Chromium dials out. */
export const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const mtime = (p: string): number => (existsSync(p) ? statSync(p).mtimeMs : 0);

/** Rebuilds dist/web (vite) and the CLI bundle (test/cli/bundle.ts) when missing or older than their sources. */
export function ensureBuilt(): void {
  const tests = /\.test\.ts$/;
  if (mtime(join(ROOT, "dist/web/index.html")) < newestFile(join(ROOT, "src/web"), tests)) {
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--config", "src/web/vite.config.ts"], { cwd: ROOT, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  }
  ensureBundle();
}

export interface Kwire {
  readonly url: string;
  stop(): Promise<number | null>;
}

/** `kwire serve --port 0 ARGS…`: resolves once it prints the URL it listens on. */
export function serve(args: readonly string[]): Promise<Kwire> {
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`kwire serve printed no URL in 30 s:\n${err}`)), 30_000);
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = / at (http:\/\/\S+) /.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        ok({ url: m[1], stop: () => (child.kill("SIGTERM"), exited) });
      }
    });
    void exited.then((code) => fail(new Error(`kwire serve exited (${code}):\n${err}`)));
  });
}

/** `kwire ARGS…` to completion. */
export function kwire(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "kwire-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits for the page's first render; returns milliseconds from navigation. */
export async function open(page: Page, url: string): Promise<number> {
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  const state = await page.evaluate("document.body.dataset.ready");
  if (state !== "true") throw new Error(`the page failed to load: ${await page.textContent("#app")}`);
  return Date.now() - t0;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

export async function tab(page: Page, name: string): Promise<void> {
  await page.click(`button.tab[data-tab="${name}"]`);
}

type Probe = "cellCenter" | "whatifCellCenter" | "graphEdgeCenter" | "diffEdgeCenter";

/** Clicks a heat-map cell or a graph edge by its endpoint ids (positions from window.kwireDebug). */
export async function clickPair(page: Page, probe: Probe, src: string, dst: string): Promise<void> {
  // A string: this file is type-checked without the DOM lib; the hook is src/web/debug.ts.
  const p: unknown = await page.evaluate(`window.kwireDebug?.${probe}?.(${JSON.stringify(src)}, ${JSON.stringify(dst)})`);
  if (typeof p !== "object" || p === null || !("x" in p) || !("y" in p) || typeof p.x !== "number" || typeof p.y !== "number") {
    throw new Error(`${probe}: no ${src} → ${dst} on the page`);
  }
  await page.mouse.click(p.x, p.y);
}

/** Timings the page measured (src/web/debug.ts): firstRenderMs, analyzeMs, matrixMs, … */
export async function pageTimings(page: Page): Promise<Record<string, number>> {
  const t: unknown = await page.evaluate("window.kwireDebug?.timings ?? {}");
  const out: Record<string, number> = {};
  if (typeof t === "object" && t !== null) for (const [k, v] of Object.entries(t)) if (typeof v === "number") out[k] = Math.round(v);
  return out;
}
