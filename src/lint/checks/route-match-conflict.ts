/**
 * @module route-match-conflict
 * Two routes that claim the very same requests, so one never receives any:
 * - Gateway API: two different HTTPRoutes attached to the same listener with a common hostname
 *   and an identical match (path type and value, method, headers, query params). Precedence
 *   then falls to "the oldest Route based on creation timestamp", then `{namespace}/{name}`
 *   (apis/v1/httproute_types.go); the other route's rule is shadowed.
 * - OpenShift: two Routes with the same host and path; the router admits the older one and
 *   rejects the other (HostAlreadyClaimed).
 */
import type { GatewayRoute, HTTPRouteMatch, OpenShiftRoute } from "../../model/index.js";
import { attachments, describeHttpMatch, gatewayId, routeId } from "../../gateway/index.js";
import { objectName, type Finding, type LintCheck } from "../types.js";
import { attachContextOf } from "./route-not-attached.js";

const matchKey = (m: HTTPRouteMatch): string => JSON.stringify([m.path.type, m.path.value, m.method ?? "", [...m.headers].map((h) => `${h.type}:${h.name.toLowerCase()}=${h.value}`).sort(), [...m.queryParams].map((q) => `${q.type}:${q.name}=${q.value}`).sort()]);

const older = (a: { readonly creationTimestamp?: string; readonly namespace: string; readonly name: string }, b: typeof a): number =>
  (a.creationTimestamp ?? "\uffff").localeCompare(b.creationTimestamp ?? "\uffff") || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`);

function gatewayConflicts(routes: readonly GatewayRoute[], ctx: Parameters<LintCheck["run"]>[0]): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, { route: GatewayRoute; rule: number }>();
  const atts = attachments(routes, attachContextOf(ctx.cluster)).sort((a, b) => older(a.route, b.route));
  const reported = new Set<string>();
  for (const a of atts) {
    if (a.route.kind !== "HTTPRoute") continue;
    a.route.rules.forEach((rule, ri) => {
      for (const m of rule.matches) {
        for (const h of a.attached.hostnames) {
          const key = `${gatewayId(a.gateway)}/${a.attached.listener.name}|${h ?? "*"}|${matchKey(m)}`;
          const first = seen.get(key);
          if (!first) {
            seen.set(key, { route: a.route, rule: ri });
            continue;
          }
          if (first.route === a.route) continue;
          const id = `${routeId(a.route)}|${ri}|${key}`;
          if (reported.has(id)) continue;
          reported.add(id);
          out.push({
            code: "route-match-conflict",
            severity: "warning",
            message: `rules[${ri}] match ${describeHttpMatch(m)} on ${h ?? "any host"} (listener ${a.attached.listener.name} of Gateway ${gatewayId(a.gateway)}) is identical to rules[${first.rule}] of ${routeId(first.route)}, which takes precedence (older, or first by namespace/name): this rule never receives those requests`,
            object: objectName(a.route),
            source: rule.source,
            hint: "remove one of the two matches, or make them differ (path, method, headers, query params)",
          });
        }
      }
    });
  }
  return out;
}

function openshiftConflicts(routes: readonly OpenShiftRoute[]): Finding[] {
  const out: Finding[] = [];
  const byKey = new Map<string, OpenShiftRoute[]>();
  for (const r of routes) {
    if (r.host === undefined) continue;
    const key = `${r.host.toLowerCase()}${r.path}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  for (const list of byKey.values()) {
    const [winner, ...losers] = [...list].sort(older);
    for (const r of losers) {
      out.push({ code: "route-match-conflict", severity: "warning", message: `host ${r.host ?? ""} path ${r.path} is already claimed by Route ${winner?.namespace}/${winner?.name}: the router rejects this one (HostAlreadyClaimed)`, object: objectName(r), source: r.source, hint: "give the Route another host or path" });
    }
  }
  return out;
}

export const routeMatchConflict: LintCheck = {
  code: "route-match-conflict",
  severity: "warning",
  description: "two routes claim identical requests (same listener, hostname and match; or same OpenShift host and path), so one never receives them",
  run(ctx) {
    return [...gatewayConflicts(ctx.cluster.gatewayRoutes ?? [], ctx), ...openshiftConflicts(ctx.cluster.openshiftRoutes ?? [])];
  },
};
