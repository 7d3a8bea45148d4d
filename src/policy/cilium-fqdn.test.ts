/**
 * Cilium matchName / matchPattern (docs.cilium.io security/policy/language "DNS based":
 * "`*` matches any valid DNS character except `.`"; a lone `*` matches all names).
 */
import { describe, expect, it } from "vitest";
import { fqdnMatches } from "./cilium-fqdn.js";

describe("fqdnMatches", () => {
  it.each([
    ["api.example.com", "api.example.com", true],
    ["API.example.com.", "api.example.com", true],
    ["api.example.com", "www.example.com", false],
    ["*.example.com", "api.example.com", true],
    ["*.example.com", "a.b.example.com", false],
    ["*.example.com", "example.com", false],
    ["api-*.example.com", "api-eu1.example.com", true],
    ["*", "anything.at.all", true],
  ])("%s vs %s → %s", (pattern, name, want) => {
    expect(fqdnMatches(pattern, name)).toBe(want);
  });
});
