/**
 * @module match
 * Ingress host and path matching, as networking.k8s.io/v1 defines it.
 *
 * - Host: a precise host matches itself (case-insensitively); `*.example.com` matches exactly
 *   one more label (`a.example.com`, not `example.com` nor `a.b.example.com`); no host matches
 *   every request.
 * - Exact: the path equals the request path, case-sensitively (`/foo` does not match `/foo/`).
 * - Prefix: "matching is done on a path element by element basis": the path's elements (split
 *   by '/', empty ones ignored, so a trailing '/' does not matter) are a prefix of the request's
 *   (`/foo/bar` matches `/foo/bar/baz` but not `/foo/barbaz`; `/` matches everything).
 * - ImplementationSpecific is matched as Prefix (kwire's choice; ingress-nginx does the same
 *   for paths without regex annotations).
 */
import type { IngressPath } from "../model/index.js";

export function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (ruleHost === undefined) return true;
  const h = host.toLowerCase().replace(/\.$/, "");
  const r = ruleHost.toLowerCase();
  if (!r.startsWith("*.")) return r === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === r.slice(2);
}

/** Host specificity: 2 precise, 1 wildcard, 0 any host. */
export const hostRank = (ruleHost: string | undefined): number => (ruleHost === undefined ? 0 : ruleHost.startsWith("*.") ? 1 : 2);

const elements = (p: string): string[] => p.split("/").filter((e) => e !== "");

export function pathMatches(p: IngressPath, requestPath: string): boolean {
  if (p.pathType === "Exact") return p.path === requestPath;
  const want = elements(p.path);
  const got = elements(requestPath);
  return want.length <= got.length && want.every((e, i) => e === got[i]);
}

/** The request path without query string or fragment; "" becomes "/". */
export function requestPathOf(pathAndQuery: string): string {
  const p = pathAndQuery.split(/[?#]/)[0] ?? "";
  return p === "" ? "/" : p;
}
