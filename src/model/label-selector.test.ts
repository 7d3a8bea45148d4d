import { describe, expect, it } from "vitest";
import { EVERYTHING, formatLabels, formatSelector, isEmptySelector, selectorMatches, type LabelRequirement, type LabelSelector } from "./label-selector.js";

const sel = (matchLabels: Record<string, string>, ...matchExpressions: LabelRequirement[]): LabelSelector => ({ matchLabels, matchExpressions });
const req = (key: string, operator: LabelRequirement["operator"], ...values: string[]): LabelRequirement => ({ key, operator, values });

describe("selectorMatches (metav1.LabelSelector)", () => {
  it("\"An empty label selector matches all objects\"", () => {
    expect(isEmptySelector(EVERYTHING)).toBe(true);
    expect(selectorMatches(EVERYTHING, {})).toBe(true);
    expect(selectorMatches(EVERYTHING, { app: "web" })).toBe(true);
  });

  it("matchLabels: every pair must be present with that exact value", () => {
    expect(selectorMatches(sel({ app: "web" }), { app: "web", tier: "edge" })).toBe(true);
    expect(selectorMatches(sel({ app: "web", tier: "db" }), { app: "web", tier: "edge" })).toBe(false);
    expect(selectorMatches(sel({ app: "web" }), {})).toBe(false);
    expect(selectorMatches(sel({ app: "" }), { app: "" })).toBe(true);
  });

  it("\"The requirements are ANDed\": matchLabels and matchExpressions together", () => {
    const s = sel({ app: "web" }, req("tier", "In", "edge", "frontend"));
    expect(selectorMatches(s, { app: "web", tier: "edge" })).toBe(true);
    expect(selectorMatches(s, { app: "web", tier: "db" })).toBe(false);
    expect(selectorMatches(s, { app: "api", tier: "edge" })).toBe(false);
  });

  it("In: the key must exist and its value be in the set", () => {
    const s = sel({}, req("env", "In", "prod", "staging"));
    expect(selectorMatches(s, { env: "prod" })).toBe(true);
    expect(selectorMatches(s, { env: "dev" })).toBe(false);
    expect(selectorMatches(s, {})).toBe(false);
  });

  it("NotIn matches a missing key (\"… and all resources with no labels with the tier key\")", () => {
    const s = sel({}, req("tier", "NotIn", "frontend", "backend"));
    expect(selectorMatches(s, {})).toBe(true);
    expect(selectorMatches(s, { app: "x" })).toBe(true);
    expect(selectorMatches(s, { tier: "cache" })).toBe(true);
    expect(selectorMatches(s, { tier: "frontend" })).toBe(false);
  });

  it("Exists and DoesNotExist look at the key only, whatever the value (even empty)", () => {
    expect(selectorMatches(sel({}, req("legacy", "Exists")), { legacy: "" })).toBe(true);
    expect(selectorMatches(sel({}, req("legacy", "Exists")), {})).toBe(false);
    expect(selectorMatches(sel({}, req("legacy", "DoesNotExist")), {})).toBe(true);
    expect(selectorMatches(sel({}, req("legacy", "DoesNotExist")), { legacy: "true" })).toBe(false);
  });

  it("label keys are data, not object properties (toString, constructor are ordinary missing keys)", () => {
    expect(selectorMatches(sel({}, req("toString", "Exists")), {})).toBe(false);
    expect(selectorMatches(sel({}, req("constructor", "DoesNotExist")), {})).toBe(true);
    expect(selectorMatches(sel({}, req("constructor", "NotIn", "x")), {})).toBe(true);
  });
});

describe("kubectl's text form", () => {
  it("formatSelector: <all> for the empty selector, sorted labels, then expressions", () => {
    expect(formatSelector(EVERYTHING)).toBe("<all>");
    const s = sel({ tier: "edge", app: "web" }, req("env", "In", "staging", "prod"), req("track", "NotIn", "canary"), req("gpu", "Exists"), req("legacy", "DoesNotExist"));
    expect(formatSelector(s)).toBe("app=web,tier=edge,env in (prod,staging),track notin (canary),gpu,!legacy");
  });

  it("formatLabels: sorted key=value pairs, <none> when there are none", () => {
    expect(formatLabels({ tier: "edge", app: "web" })).toBe("app=web,tier=edge");
    expect(formatLabels({})).toBe("<none>");
  });
});
