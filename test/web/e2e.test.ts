/**
 * The web UI end to end, in Debian Chromium (playwright-core, executablePath /usr/bin/chromium):
 * `kwire serve` on a free loopback port with the demo cluster; click an allowed edge and a denied
 * cell and read their traces; open a policy; edit a policy in the what-if view and see the
 * difference; open the `--export` output from file://; and time a 5,000-pod cluster. Screenshots
 * of each view go to test-artifacts/web/. Skipped, with the reason, when Chromium is missing
 * (CI installs it: .ci/run).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCluster } from "../../bench/generate.js";
import { ARTIFACTS, CHROMIUM, ROOT, clickPair, ensureBuilt, kwire, launch, open, pageTimings, serve, shot, tab, type Browser, type Kwire } from "./browser.js";
import { tempDirs } from "./temp-dirs.js";

/** Temporary directories this file makes; removed when it ends. */
const temp = tempDirs();

const HAVE_CHROMIUM = existsSync(CHROMIUM);
const WEB = "production/web[Deployment]";
const FRONTEND = "production/frontend[Deployment]";
const API = "production/api-server[Deployment]";
const DATABASE = "production/database[StatefulSet]";
const PROMETHEUS = "monitoring/prometheus[Deployment]";

describe.skipIf(!HAVE_CHROMIUM)(`web UI in Chromium${HAVE_CHROMIUM ? "" : ` (skipped: ${CHROMIUM} is missing; install Debian's chromium package)`}`, () => {
  let server: Kwire;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    server = await serve([]);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  it("loads the demo cluster and draws the graph", async () => {
    const { page } = browser;
    const ms = await open(page, server.url);
    const t = await pageTimings(page);
    console.log(`[web] demo: page ready in ${ms} ms (first render ${t["firstRenderMs"]} ms; worker analysis ${t["analyzeMs"]} ms, matrix ${t["matrixMs"]} ms)`);
    expect(await page.textContent("header")).toContain("7 policies");
    expect(await page.locator('[data-testid="graph"] canvas').count()).toBeGreaterThan(0);
    await shot(page, "graph");
    if (process.env["KWIRE_DOCS_SCREENSHOT"]) {
      // The README's picture (docs/screenshot.png), regenerated on request only.
      const small = await browser.context.newPage();
      await small.setViewportSize({ width: 1100, height: 640 });
      await open(small, server.url);
      mkdirSync(join(ROOT, "docs"), { recursive: true });
      await small.screenshot({ path: join(ROOT, "docs/screenshot.png") });
      await small.close();
    }
  });

  it("clicking an allowed edge shows its trace", async () => {
    const { page } = browser;
    await tab(page, "graph");
    await clickPair(page, "graphEdgeCenter", WEB, FRONTEND);
    const verdict = page.getByTestId("verdict");
    await expect.poll(() => verdict.textContent()).toContain("ALLOWED");
    expect(await verdict.textContent()).toContain("production/web[Deployment] → production/frontend[Deployment] on TCP/3000");
  });

  it("clicking a denied heat-map cell shows its trace, with the deciding policy's YAML", async () => {
    const { page } = browser;
    await tab(page, "matrix");
    await page.getByTestId("heatmap").waitFor();
    await shot(page, "matrix");
    await clickPair(page, "cellCenter", FRONTEND, DATABASE);
    const verdict = page.getByTestId("verdict");
    await expect.poll(() => verdict.textContent()).toContain("DENIED");
    expect(await verdict.textContent()).toContain("on TCP/5432");
    const egress = page.locator('li.step[data-stage="egress-policy"]');
    expect(await egress.getAttribute("class")).toContain("denied");
    expect(await egress.textContent()).toContain("production/frontend");
    expect(await egress.locator('[data-testid="excerpt"] .mark').count()).toBe(1);
    await shot(page, "trace");
  });

  it("traces what is typed: ns/name → ns/name:port", async () => {
    const { page } = browser;
    await tab(page, "trace");
    await page.getByTestId("trace-src").fill("production/frontend");
    await page.getByTestId("trace-dst").fill("production/api-server:8080");
    await page.getByTestId("trace-go").click();
    await expect.poll(() => page.getByTestId("verdict").textContent()).toContain("ALLOWED");
    expect(await page.locator('li.step[data-stage="ingress-policy"]').textContent()).toContain("production/api-server ingress[0]");
  });

  it("shows which pods a policy selects and which peers it admits", async () => {
    const { page } = browser;
    await tab(page, "policies");
    await page.click('li[data-policy="production/database"]');
    const detail = page.getByTestId("policy-detail");
    await expect.poll(() => detail.textContent()).toContain("Selects 1 workload");
    expect(await detail.textContent()).toContain(DATABASE);
    expect(await detail.locator("table.rules").textContent()).toContain(API);
    await shot(page, "policies");
  });

  it("what-if: an edited policy shows added (green) and removed (red) connections before anything is applied", async () => {
    const { page } = browser;
    await tab(page, "whatif");
    await page.getByTestId("whatif-object").selectOption({ label: "NetworkPolicy production/database" });
    const editor = page.getByTestId("whatif-text");
    const before = await editor.inputValue();
    expect(before).toContain("app: api-server");
    await editor.fill(before.replace("podSelector: { matchLabels: { app: api-server } }", "namespaceSelector: { matchLabels: { env: ops } }"));
    await page.getByTestId("whatif-run").click();
    const summary = page.getByTestId("diff-summary");
    await expect.poll(() => summary.textContent()).toContain("+1 added");
    expect(await summary.textContent()).toContain("−1 removed");
    const rows = page.locator('[data-testid="diff-table"] tr');
    expect(await rows.count()).toBe(2);
    expect(await page.locator("tr.diff-added").textContent()).toContain(PROMETHEUS);
    expect(await page.locator("tr.diff-removed").textContent()).toContain(API);
    expect(await page.locator('[data-testid="diff-graph"] canvas').count()).toBeGreaterThan(0);
    await shot(page, "whatif");
    // The loaded input is unchanged until Apply; the removed connection's trace uses the edit.
    expect(await page.textContent("header")).toContain("23 allowed");
    await page.locator("tr.diff-removed").click();
    await expect.poll(() => page.getByTestId("verdict").textContent()).toContain("DENIED");
    expect(await page.getByTestId("verdict").textContent()).toContain(`${API} → ${DATABASE}`);
  });

  it("lists the input's findings", async () => {
    const { page } = browser;
    await tab(page, "findings");
    const view = page.locator("section.findings-view");
    await expect.poll(() => view.textContent(), { timeout: 30_000 }).toMatch(/Lint \(\d+, \d+ ms\)/);
    expect(await view.textContent()).toMatch(/CNI/);
    await shot(page, "findings");
  });

  it("--export writes a site that opens from file:// with no server", async () => {
    const dir = temp("kwire-export-");
    const r = kwire(["serve", "--export", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("index.html");
    const { page } = browser;
    await open(page, pathToFileURL(join(dir, "index.html")).href);
    await tab(page, "matrix");
    await clickPair(page, "cellCenter", FRONTEND, DATABASE);
    await expect.poll(() => page.getByTestId("verdict").textContent()).toContain("DENIED");
    await shot(page, "export");
  });
});

describe.skipIf(!HAVE_CHROMIUM)(`web UI with 5,000 pods${HAVE_CHROMIUM ? "" : " (skipped: no Chromium)"}`, () => {
  it("stays interactive: time to first render, matrix in the worker, a cell's trace", async () => {
    ensureBuilt();
    const gen = generateCluster({ pods: 5000, policies: 500 });
    const dir = temp("kwire-5k-");
    const file = join(dir, "cluster-5k.yaml");
    writeFileSync(file, gen.text);
    const server = await serve(["-f", file]);
    const browser = await launch();
    try {
      const { page } = browser;
      const ready = await open(page, server.url);
      const t = await pageTimings(page);
      await shot(page, "graph-5k");
      const t0 = Date.now();
      await tab(page, "matrix");
      await page.getByTestId("heatmap").waitFor();
      const heat = Date.now() - t0;
      await shot(page, "matrix-5k");
      await tab(page, "trace");
      const ids: unknown = await page.evaluate("Array.from(document.querySelectorAll('#kw-endpoints option')).map((o) => o.value)");
      const endpoints = Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string") : [];
      await page.getByTestId("trace-src").fill(gen.samplePairs[0]?.[0] ?? "");
      await page.getByTestId("trace-dst").fill(gen.samplePairs[0]?.[1] ?? "");
      const t1 = Date.now();
      await page.getByTestId("trace-go").click();
      await page.getByTestId("verdict").waitFor({ timeout: 60_000 });
      const trace = Date.now() - t1;
      // Lint runs in a second worker; the trace above did not wait for it.
      await page.waitForFunction("window.kwireDebug?.timings?.lintMs !== undefined", undefined, { timeout: 120_000 }).catch(() => undefined);
      const lint = (await pageTimings(page))["lintMs"];
      const figures = { pods: gen.pods, policies: gen.policies, endpoints: endpoints.length, pageReadyMs: ready, ...t, heatmapMs: heat, traceMs: trace, lintMs: lint ?? "not finished in 120 s" };
      console.log(`[web] 5k pods: ${JSON.stringify(figures)}`);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, "perf-5k.json"), JSON.stringify(figures, null, 2) + "\n");
      expect(endpoints.length).toBeGreaterThan(400);
    } finally {
      await browser.close();
      await server.stop();
    }
  }, 300_000);
});
