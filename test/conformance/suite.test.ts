/**
 * Guards on the suite itself: enough cases, unique titles, each citing where it comes from.
 */
import { describe, expect, it } from "vitest";
import { allTitles } from "./harness.js";

describe("conformance suite", () => {
  it("has at least 40 cases with unique titles, each citing its upstream", () => {
    const titles = allTitles();
    expect(titles.length).toBeGreaterThanOrEqual(40);
    expect(new Set(titles).size).toBe(titles.length);
    for (const t of titles) expect(t).toMatch(/ \[upstream: [^\]]+\]$/);
  });
});
