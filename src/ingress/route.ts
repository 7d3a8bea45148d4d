/**
 * @module route
 * Which backend an Ingress controller sends a request to. Rules are grouped by host as a
 * controller builds its virtual servers: the most specific matching host wins (precise over
 * wildcard over no host), and only that host's paths are looked at. Among them "precedence
 * will be given first to the longest matching path. If two paths are still equally matched,
 * precedence will be given to paths with an exact path type over prefix path type". Without a
 * matching path the Ingress's defaultBackend answers, else the controller's own 404.
 */
import type { Ingress, IngressBackend, IngressClass, IngressPath, IngressRule } from "../model/index.js";
import { hostMatches, hostRank, pathMatches } from "./match.js";

export interface IngressRoute {
  readonly ingress: Ingress;
  /** The effective class (spec.ingressClassName, the annotation, or the default IngressClass). */
  readonly className?: string;
  readonly rule?: IngressRule;
  readonly path?: IngressPath;
  readonly backend: IngressBackend;
  readonly detail: string;
}

export type RouteResult = { readonly ok: true; readonly route: IngressRoute } | { readonly ok: false; readonly reason: string };

export function effectiveClass(ing: Ingress, classes: readonly IngressClass[]): string | undefined {
  return ing.ingressClassName ?? classes.find((c) => c.isDefault)?.name;
}

interface Candidate {
  readonly ingress: Ingress;
  readonly rule: IngressRule;
  readonly path: IngressPath;
}

const describePath = (p: IngressPath): string => `${p.pathType} ${p.path}`;
const ingId = (i: Ingress): string => `${i.namespace}/${i.name}`;

export function routeRequest(ingresses: readonly Ingress[], classes: readonly IngressClass[], host: string, path: string): RouteResult {
  const withHost = ingresses.flatMap((ingress) => ingress.rules.filter((r) => hostMatches(r.host, host)).map((rule) => ({ ingress, rule })));
  const rank = Math.max(-1, ...withHost.map((x) => hostRank(x.rule.host)));
  const group = withHost.filter((x) => hostRank(x.rule.host) === rank);
  const cands: Candidate[] = group.flatMap((x) => x.rule.paths.filter((p) => pathMatches(p, path)).map((p) => ({ ...x, path: p })));
  cands.sort((a, b) => b.path.path.length - a.path.path.length || exactFirst(a.path, b.path) || ingId(a.ingress).localeCompare(ingId(b.ingress)));
  const best = cands[0];
  const cls = (i: Ingress): { className?: string } => {
    const c = effectiveClass(i, classes);
    return c !== undefined ? { className: c } : {};
  };
  if (best) {
    const others = cands.slice(1).map((c) => describePath(c.path));
    const detail = `host ${host} matches rule host ${best.rule.host ?? "(any)"} of Ingress ${ingId(best.ingress)}; path ${path} matches ${describePath(best.path)}${others.length ? ` (longest match; also matched: ${others.join(", ")})` : ""}`;
    return { ok: true, route: { ingress: best.ingress, ...cls(best.ingress), rule: best.rule, path: best.path, backend: best.path.backend, detail } };
  }
  const pool = group.length > 0 ? [...new Set(group.map((x) => x.ingress))] : ingresses;
  const fallback = pool.find((i) => i.defaultBackend);
  if (fallback?.defaultBackend) {
    const why = group.length > 0 ? `no path of host ${host} matches ${path}` : `no rule matches host ${host}`;
    return { ok: true, route: { ingress: fallback, ...cls(fallback), backend: fallback.defaultBackend, detail: `${why}: defaultBackend of Ingress ${ingId(fallback)}` } };
  }
  if (group.length === 0) return { ok: false, reason: `no Ingress rule matches host ${host} and no Ingress has a defaultBackend: the controller answers 404` };
  const paths = group.flatMap((x) => x.rule.paths.map(describePath)).join(", ");
  return { ok: false, reason: `host ${host} is served (Ingress ${[...new Set(group.map((x) => ingId(x.ingress)))].join(", ")}), but no path matches ${path} (paths: ${paths}) and there is no defaultBackend: the controller answers 404` };
}

function exactFirst(a: IngressPath, b: IngressPath): number {
  return (a.pathType === "Exact" ? 0 : 1) - (b.pathType === "Exact" ? 0 : 1);
}

/** Whether any Ingress has a rule for this host (precise or wildcard), i.e. the host is "ours". */
export function servesHost(ingresses: readonly Ingress[], host: string): boolean {
  return ingresses.some((i) => i.rules.some((r) => r.host !== undefined && hostMatches(r.host, host)));
}
