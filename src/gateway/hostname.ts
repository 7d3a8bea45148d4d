/**
 * @module hostname
 * Gateway API hostnames (apis/v1/shared_types.go `Hostname`, httproute_types.go `Hostnames`):
 * a wildcard `*.example.com` is a suffix match — it matches `test.example.com` and
 * `foo.test.example.com`, but not `example.com` (unlike an Ingress wildcard, which covers one
 * label). A listener and a route hostname intersect when either matches the other; the
 * intersection is the more specific of the two.
 */

const norm = (h: string): string => h.toLowerCase().replace(/\.$/, "");

/** Whether `pattern` (exact or `*.` wildcard) matches the concrete host `host`. */
export function hostnameMatches(pattern: string, host: string): boolean {
  const p = norm(pattern);
  const h = norm(host);
  if (!p.startsWith("*.")) return p === h;
  return h.endsWith(p.slice(1)) && h.length > p.length - 1;
}

/** The intersection of two hostnames (either may be a wildcard); undefined when they do not intersect. */
export function intersectHostnames(a: string, b: string): string | undefined {
  const x = norm(a);
  const y = norm(b);
  const xw = x.startsWith("*.");
  const yw = y.startsWith("*.");
  if (!xw && !yw) return x === y ? x : undefined;
  if (xw && !yw) return hostnameMatches(x, y) ? y : undefined;
  if (!xw && yw) return hostnameMatches(y, x) ? x : undefined;
  // Both wildcards: the longer suffix is inside the shorter one.
  if (x === y) return x;
  if (x.endsWith(y.slice(1))) return x;
  if (y.endsWith(x.slice(1))) return y;
  return undefined;
}

/**
 * The hostnames a route serves on a listener: the listener's hostname when the route names
 * none, the route's when the listener has none, else the pairwise intersections. `[]` means
 * no intersection (the route does not attach); `undefined` in the list means any host.
 */
export function effectiveHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[]): readonly (string | undefined)[] {
  if (routeHostnames.length === 0) return [listenerHostname];
  if (listenerHostname === undefined) return routeHostnames;
  const out = new Set<string>();
  for (const h of routeHostnames) {
    const i = intersectHostnames(listenerHostname, h);
    if (i !== undefined) out.add(i);
  }
  return [...out];
}

/** Specificity of a matching hostname: [characters of a non-wildcard hostname, characters of the hostname]. */
export function hostnameRank(h: string | undefined): readonly [number, number] {
  if (h === undefined) return [0, 0];
  return h.startsWith("*.") ? [0, h.length] : [h.length, h.length];
}
