/**
 * Unit tests of Ingress matching, from the networking.k8s.io/v1 examples table.
 */
import { describe, expect, it } from "vitest";
import { unknownSource, type Ingress, type IngressPath, type PathType } from "../model/index.js";
import { hostMatches, pathMatches, routeRequest } from "./index.js";

const p = (pathType: PathType, path: string, name = "svc"): IngressPath => ({ path, pathType, backend: { service: { name, port: { number: 80 } }, source: unknownSource } });

describe("path matching (API examples)", () => {
  const cases: [PathType, string, string, boolean][] = [
    ["Prefix", "/", "/anything", true],
    ["Exact", "/foo", "/foo", true],
    ["Exact", "/foo", "/bar", false],
    ["Exact", "/foo", "/foo/", false],
    ["Exact", "/foo/", "/foo", false],
    ["Prefix", "/foo", "/foo", true],
    ["Prefix", "/foo", "/foo/", true],
    ["Prefix", "/foo/", "/foo", true],
    ["Prefix", "/aaa/bb", "/aaa/bbb", false],
    ["Prefix", "/aaa/bbb", "/aaa/bbb/ccc", true],
    ["Prefix", "/aaa/bbb/", "/aaa/bbbxyz", false],
    ["ImplementationSpecific", "/foo", "/foo/bar", true],
  ];
  for (const [type, path, req, want] of cases) {
    it(`${type} ${path} ${want ? "matches" : "does not match"} ${req}`, () => expect(pathMatches(p(type, path), req)).toBe(want));
  }
});

describe("host matching", () => {
  it("*.foo.com matches bar.foo.com but not baz.bar.foo.com nor foo.com", () => {
    expect(hostMatches("*.foo.com", "bar.foo.com")).toBe(true);
    expect(hostMatches("*.foo.com", "baz.bar.foo.com")).toBe(false);
    expect(hostMatches("*.foo.com", "foo.com")).toBe(false);
  });
});

describe("routeRequest precedence", () => {
  const ing = (paths: IngressPath[], host?: string): Ingress => ({ kind: "Ingress", namespace: "x", name: "i", rules: [{ ...(host ? { host } : {}), paths, source: unknownSource }], tls: [], source: unknownSource });
  it("the longest matching path wins; on a tie Exact beats Prefix", () => {
    const r = routeRequest([ing([p("Prefix", "/", "root"), p("Prefix", "/foo", "pre"), p("Exact", "/foo", "exact")])], [], "h", "/foo");
    expect(r.ok && r.route.backend.service?.name).toBe("exact");
  });
  it("a precise host is preferred over a wildcard and over no host", () => {
    const r = routeRequest([ing([p("Prefix", "/", "any")]), ing([p("Prefix", "/", "wild")], "*.a.com"), ing([p("Prefix", "/", "exact")], "b.a.com")], [], "b.a.com", "/");
    expect(r.ok && r.route.backend.service?.name).toBe("exact");
  });
  it("no matching path and no defaultBackend: a 404 from the controller", () => {
    const r = routeRequest([ing([p("Exact", "/x")], "h")], [], "h", "/y");
    expect(r.ok).toBe(false);
  });
});
