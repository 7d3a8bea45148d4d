/**
 * North-south exposure in the web UI, in Debian Chromium (issue 13: "The web UI draws the same
 * edges"): `kwire serve` on fixtures/scenarios/ns-exposure draws the ingress-nginx controller's
 * dashed exposure edges and lists them in the findings; clicking one traces it. On the demo (no
 * controller pod in the input) the heat map has an `ingress-controller` row, and its cell traces
 * the request from the internet — which kwire cannot finish without the controller pod, and says so.
 * Skipped, with the reason, when Chromium is missing.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, ensureBuilt, launch, open, serve, shot, tab, type Browser, type Kwire } from "./browser.js";

const HAVE_CHROMIUM = existsSync(CHROMIUM);
const CONTROLLER = "ingress-nginx/ingress-nginx-controller[Deployment]";

async function clickAt(b: Browser, probe: "exposureEdgeCenter" | "cellCenter", src: string, dst: string): Promise<void> {
  const p: unknown = await b.page.evaluate(`window.kwireDebug?.${probe}?.(${JSON.stringify(src)}, ${JSON.stringify(dst)})`);
  if (typeof p !== "object" || p === null || !("x" in p) || !("y" in p) || typeof p.x !== "number" || typeof p.y !== "number") throw new Error(`${probe}: no ${src} → ${dst} on the page`);
  await b.page.mouse.click(p.x, p.y);
}

describe.skipIf(!HAVE_CHROMIUM)(`web UI: north-south exposure${HAVE_CHROMIUM ? "" : ` (skipped: ${CHROMIUM} is missing)`}`, () => {
  let shop: Kwire;
  let demo: Kwire;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    shop = await serve(["-f", "fixtures/scenarios/ns-exposure/cluster.yaml"]);
    demo = await serve([]);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    expect(await shop?.stop()).toBe(0);
    expect(await demo?.stop()).toBe(0);
  });

  it("draws the controller's exposure edge; clicking it traces controller → backend (allowed)", async () => {
    await open(browser.page, shop.url);
    await tab(browser.page, "graph");
    const note = browser.page.locator("section.graph-view p.note");
    await expect.poll(() => note.textContent()).toContain("2 north-south exposure edges (dashed)");
    await shot(browser.page, "exposure-graph");
    await clickAt(browser, "exposureEdgeCenter", CONTROLLER, "shop/web[Deployment]");
    const verdict = browser.page.getByTestId("verdict");
    await expect.poll(() => verdict.textContent()).toContain("ALLOWED");
    expect(await verdict.textContent()).toContain(`${CONTROLLER} → shop/web[Deployment] on TCP/8080`);
  });

  it("lists the exposure edges in the findings", async () => {
    await tab(browser.page, "findings");
    const view = browser.page.locator("section.findings-view");
    await expect.poll(() => view.textContent()).toContain("North-south exposure (2)");
    expect(await view.textContent()).toContain(`${CONTROLLER} => shop/api[Deployment] : TCP:9000 via Ingress shop/shop`);
  });

  it("demo: the heat map's ingress-controller row; its cell traces the URL from the internet and names what is missing", async () => {
    await open(browser.page, demo.url);
    await tab(browser.page, "matrix");
    await browser.page.getByTestId("heatmap").waitFor();
    await clickAt(browser, "cellCenter", "ingress-controller", "production/web[Deployment]");
    const error = browser.page.getByTestId("trace-error");
    await expect.poll(() => error.textContent()).toContain("no ingress controller pod is in the input");
    expect(await browser.page.getByTestId("trace-dst").inputValue()).toBe("http://shop.example.com/");
  });
});
