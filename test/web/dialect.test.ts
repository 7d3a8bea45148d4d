/**
 * The web UI on Calico and Cilium inputs, in Debian Chromium: the policy view lists the CNI's
 * tiers in evaluation order (Calico tiers by order, docs.tigera.io/calico/latest/network-policy/
 * policy-tiers/tiered-policy; Cilium's deny tier before its allow tier, docs.cilium.io
 * security/policy/deny) with each policy's rules and actions, and the findings view shows the
 * dialect lint checks. Skipped, with the reason, when Chromium is missing.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, ensureBuilt, launch, open, serve, shot, tab, type Browser, type Kwire } from "./browser.js";

const HAVE_CHROMIUM = existsSync(CHROMIUM);

describe.skipIf(!HAVE_CHROMIUM)(`web UI with Calico and Cilium policies${HAVE_CHROMIUM ? "" : ` (skipped: ${CHROMIUM} is missing)`}`, () => {
  let calico: Kwire;
  let cilium: Kwire;
  let browser: Browser;

  beforeAll(async () => {
    ensureBuilt();
    calico = await serve(["-f", "fixtures/scenarios/lint-dialect/calico.yaml"]);
    cilium = await serve(["-f", "fixtures/scenarios/lint-dialect/cilium.yaml"]);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    expect(await calico?.stop()).toBe(0);
    expect(await cilium?.stop()).toBe(0);
  });

  it("Calico: tiers by order with their policies; a policy's rules with actions and matched workloads", async () => {
    const { page } = browser;
    await open(page, calico.url);
    await tab(page, "policies");
    const heads = page.locator("li.tier-head");
    await expect.poll(() => heads.allTextContents()).toEqual(["tier security · order 100 · default Deny", "tier default · order 1000000 · default Deny"]);
    const names = await page.locator("ul.policy-list li[data-policy] .policy-name").allTextContents();
    expect(names).toEqual(["security.db-lockdown", "shop/api-allow-web", "shop/api-deny-web", "shop/db-from-web", "shop/typo"]);
    await page.click('li[data-policy="default:NetworkPolicy (Calico)/shop/api-deny-web"]');
    const detail = page.getByTestId("policy-detail");
    await expect.poll(() => detail.textContent()).toContain("Order 20 in tier default · order 1000000 · default Deny.");
    expect(await page.locator(".policy-title h2").textContent()).toBe("NetworkPolicy (Calico) shop/api-deny-web");
    expect(await page.textContent("header")).toContain("5 policies");
    const rules = await detail.locator("table.rules").textContent();
    expect(rules).toContain("Deny");
    expect(rules).toContain("source: selector app == 'web'");
    expect(rules).toContain("shop/web[Pod]");
    await shot(page, "policies-calico");
    // "Edit in what-if" opens the Calico object itself.
    await detail.locator("button", { hasText: "Edit in what-if" }).click();
    await expect.poll(() => page.getByTestId("whatif-text").inputValue()).toContain("name: api-deny-web");
  });

  it("Calico: the findings list shows the dialect checks", async () => {
    const { page } = browser;
    await tab(page, "findings");
    const view = page.locator("section.findings-view");
    await expect.poll(() => view.textContent(), { timeout: 30_000 }).toMatch(/Lint \(\d+, \d+ ms\)/);
    const text = await view.textContent();
    for (const code of ["calico-tier-unreachable", "calico-selector-no-match", "dialect-rule-shadowed"]) expect(text).toContain(code);
    await shot(page, "findings-calico");
  });

  it("Cilium: the deny tier before the allow tier, L7 parts shown as not modelled (the L4 verdict stands), the L7 finding listed", async () => {
    const { page } = browser;
    await open(page, cilium.url);
    await tab(page, "policies");
    const heads = page.locator("li.tier-head");
    await expect.poll(() => heads.allTextContents()).toEqual([
      "cilium-deny: every deny rule, before any allow (deny wins)",
      "cilium-allow: allow rules of CNPs, CCNPs and NetworkPolicies (default deny once selected)",
    ]);
    await page.click('li[data-policy="cilium-allow:CiliumNetworkPolicy/shop/api-l7"]');
    const detail = page.getByTestId("policy-detail");
    await expect.poll(() => detail.textContent()).toContain("L7 http rules not modelled (the verdict is the L4 one");
    expect(await detail.textContent()).not.toContain("uncertain: L7");
    await shot(page, "policies-cilium");
    await tab(page, "findings");
    const view = page.locator("section.findings-view");
    await expect.poll(() => view.textContent(), { timeout: 30_000 }).toContain("cilium-l7-ineffective");
  });
});
