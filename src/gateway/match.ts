/**
 * @module match
 * Which Gateway listener and which route rule a request reaches.
 *
 * Listener: among the Gateway's HTTP/HTTPS listeners on the request's port, the one whose
 * hostname matches the Host most specifically (exact, then the longest wildcard, then none);
 * conformance HTTPRouteListenerHostnameMatching: bar.com, foo.bar.com and *.bar.com listeners
 * take bar.com, foo.bar.com and baz.bar.com respectively, foo.com gets a 404.
 *
 * Rule (apis/v1/httproute_types.go `HTTPRouteRule.Matches`): a rule matches when any of its
 * matches does (all conditions of a match: path, headers, query params, method). Among the
 * routes attached to that listener precedence goes to the largest number of characters in a
 * matching non-wildcard hostname, then in a matching hostname; then exact path match, longest
 * prefix, method match, most header matches, most query param matches; then the oldest route
 * (creationTimestamp), then `{namespace}/{name}` alphabetically; then the first rule and match
 * in list order. GRPCRoute (grpcroute_types.go): hostname as above, then characters in a
 * matching service, in a matching method, header matches. A request nothing matches is a 404.
 * RegularExpression matches are implementation-specific; kwire applies them as anchored
 * ECMAScript regular expressions and ranks them below prefixes.
 */
import type { Gateway, GatewayRoute, GRPCRouteMatch, GRPCRouteRule, HTTPRouteMatch, HTTPRouteRule, Listener, StringMatch } from "../model/index.js";
import { hostnameMatches, hostnameRank } from "./hostname.js";
import type { ListenerAttachment } from "./attach.js";

export interface GatewayRequest {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly method: string;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  readonly query: ReadonlyMap<string, string>;
}

const HTTP_PROTOCOLS = new Set(["HTTP", "HTTPS"]);

/** The listener a request lands on (most specific hostname), or undefined. */
export function listenerFor(gw: Gateway, host: string, port: number): Listener | undefined {
  const cands = gw.listeners.filter((l) => l.port === port && HTTP_PROTOCOLS.has(l.protocol) && (l.hostname === undefined || hostnameMatches(l.hostname, host)));
  const rank = (l: Listener): number => (l.hostname === undefined ? 0 : l.hostname.startsWith("*.") ? l.hostname.length : 1000 + l.hostname.length);
  return [...cands].sort((a, b) => rank(b) - rank(a))[0];
}

function fullMatch(re: string, s: string): boolean {
  try {
    return new RegExp(`^(?:${re})$`).test(s);
  } catch {
    return false;
  }
}

const elements = (p: string): string[] => p.split("/").filter((e) => e !== "");

/** PathPrefix "matching is done on a path element by element basis ... a trailing / is ignored". */
export function pathPrefixMatches(prefix: string, path: string): boolean {
  const want = elements(prefix);
  const got = elements(path);
  return want.length <= got.length && want.every((e, i) => e === got[i]);
}

function stringMatches(ms: readonly StringMatch[], values: ReadonlyMap<string, string>, caseInsensitiveNames: boolean): boolean {
  return ms.every((m) => {
    const v = values.get(caseInsensitiveNames ? m.name.toLowerCase() : m.name);
    return v !== undefined && (m.type === "Exact" ? v === m.value : fullMatch(m.value, v));
  });
}

export function httpMatches(m: HTTPRouteMatch, r: GatewayRequest): boolean {
  const p = m.path;
  const pathOk = p.type === "Exact" ? r.path === p.value : p.type === "PathPrefix" ? pathPrefixMatches(p.value, r.path) : fullMatch(p.value, r.path);
  return pathOk && (m.method === undefined || m.method === r.method) && stringMatches(m.headers, r.headers, true) && stringMatches(m.queryParams, r.query, false);
}

/** gRPC's `/package.Service/Method` request path. */
export function grpcMethodOf(path: string): { service: string; method: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return m ? { service: m[1] ?? "", method: m[2] ?? "" } : undefined;
}

export function grpcMatches(m: GRPCRouteMatch, r: GatewayRequest): boolean {
  const call = grpcMethodOf(r.path);
  if (m.method !== undefined) {
    if (!call) return false;
    const eq = (want: string | undefined, got: string): boolean => want === undefined || (m.method?.type === "Exact" ? want === got : fullMatch(want, got));
    if (!eq(m.method.service, call.service) || !eq(m.method.method, call.method)) return false;
  }
  return stringMatches(m.headers, r.headers, true);
}

export interface RuleChoice {
  readonly route: GatewayRoute;
  readonly ruleIndex: number;
  readonly rule: HTTPRouteRule | GRPCRouteRule;
  readonly matchIndex: number;
  /** The route hostname the Host matched (undefined: any host). */
  readonly hostname: string | undefined;
  readonly describe: string;
}

type Key = readonly number[];

function httpKey(m: HTTPRouteMatch): Key {
  const type = m.path.type === "Exact" ? 2 : m.path.type === "PathPrefix" ? 1 : 0;
  return [type, m.path.value.length, m.method !== undefined ? 1 : 0, m.headers.length, m.queryParams.length];
}

function grpcKey(m: GRPCRouteMatch | undefined): Key {
  return [m?.method?.service?.length ?? 0, m?.method?.method?.length ?? 0, m?.headers.length ?? 0];
}

export function describeHttpMatch(m: HTTPRouteMatch): string {
  const parts = [`${m.path.type} ${m.path.value}`];
  if (m.method !== undefined) parts.push(`method ${m.method}`);
  for (const h of m.headers) parts.push(`header ${h.name}${h.type === "Exact" ? "=" : "~"}${h.value}`);
  for (const q of m.queryParams) parts.push(`query ${q.name}${q.type === "Exact" ? "=" : "~"}${q.value}`);
  return parts.join(", ");
}

function describeGrpcMatch(m: GRPCRouteMatch | undefined): string {
  if (!m) return "every gRPC request";
  const parts = [m.method ? `method ${m.method.service ?? "*"}/${m.method.method ?? "*"}` : "any method", ...m.headers.map((h) => `header ${h.name}=${h.value}`)];
  return parts.join(", ");
}

function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

interface Candidate extends RuleChoice {
  readonly key: Key;
}

/** The most specific hostname of the route (on its listener) that matches the Host. */
function matchingHostname(hostnames: readonly (string | undefined)[], host: string): { ok: boolean; hostname: string | undefined } {
  const hits = hostnames.filter((h) => h === undefined || hostnameMatches(h, host));
  const best = [...hits].sort((a, b) => compareKeys(hostnameRank(a), hostnameRank(b)))[0];
  return { ok: hits.length > 0, hostname: best };
}

/**
 * The rule a request reaches among the routes attached to one listener; `others` lists what
 * else matched, for the trace. undefined: nothing matches (a 404).
 */
export function chooseRule(attached: readonly { readonly route: GatewayRoute; readonly attached: ListenerAttachment }[], r: GatewayRequest): { best: RuleChoice; others: readonly RuleChoice[] } | undefined {
  const cands: Candidate[] = [];
  for (const { route, attached: a } of attached) {
    const h = matchingHostname(a.hostnames, r.host);
    if (!h.ok) continue;
    const hk = hostnameRank(h.hostname);
    if (route.kind === "HTTPRoute") {
      route.rules.forEach((rule, ri) => rule.matches.forEach((m, mi) => {
        if (httpMatches(m, r)) cands.push({ route, ruleIndex: ri, rule, matchIndex: mi, hostname: h.hostname, describe: describeHttpMatch(m), key: [...hk, ...httpKey(m)] });
      }));
    } else {
      route.rules.forEach((rule, ri) => {
        const ms: readonly (GRPCRouteMatch | undefined)[] = rule.matches.length === 0 ? [undefined] : rule.matches;
        ms.forEach((m, mi) => {
          if (m === undefined || grpcMatches(m, r)) cands.push({ route, ruleIndex: ri, rule, matchIndex: mi, hostname: h.hostname, describe: describeGrpcMatch(m), key: [...hk, ...grpcKey(m)] });
        });
      });
    }
  }
  cands.sort((a, b) => compareKeys(a.key, b.key) || age(a.route, b.route) || `${a.route.namespace}/${a.route.name}`.localeCompare(`${b.route.namespace}/${b.route.name}`) || a.ruleIndex - b.ruleIndex || a.matchIndex - b.matchIndex);
  const [best, ...others] = cands;
  return best ? { best, others } : undefined;
}

/** Older first; a route without creationTimestamp sorts after those with one. */
function age(a: GatewayRoute, b: GatewayRoute): number {
  if (a.creationTimestamp === b.creationTimestamp) return 0;
  if (a.creationTimestamp === undefined) return 1;
  if (b.creationTimestamp === undefined) return -1;
  return Date.parse(a.creationTimestamp) - Date.parse(b.creationTimestamp);
}
