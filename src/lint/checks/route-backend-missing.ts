/**
 * @module route-backend-missing
 * A route backend that names a Service or Service port that does not exist: Gateway API
 * backendRefs (BackendNotFound: that share of requests gets a 500) and OpenShift Route `to` /
 * `alternateBackends` (the router answers 503).
 */
import type { Service } from "../../model/index.js";
import { resolveBackend } from "../../gateway/index.js";
import { closest } from "../closest.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

export const routeBackendMissing: LintCheck = {
  code: "route-backend-missing",
  severity: "error",
  description: "a Gateway API backendRef or OpenShift Route backend names a Service or Service port that does not exist",
  run(ctx) {
    const out: Finding[] = [];
    const services = (ns: string, name: string): Service | undefined => ctx.cluster.services.find((s) => s.namespace === ns && s.name === name);
    const near = (ns: string, name: string): string => {
      const c = closest(name, ctx.cluster.services.filter((s) => s.namespace === ns).map((s) => s.name));
      return c ? `did you mean ${c}?` : `create the Service in namespace ${ns}`;
    };
    for (const route of ctx.cluster.gatewayRoutes ?? []) {
      route.rules.forEach((rule, i) => {
        for (const b of rule.backendRefs) {
          const r = resolveBackend({ ...b, weight: Math.max(b.weight, 1) }, route, services, ctx.cluster.referenceGrants ?? []);
          if (r.status === "service-missing") out.push({ code: "route-backend-missing", severity: "error", message: `rules[${i}]: ${r.detail}: its share of requests gets a 500`, object: objectName(route), source: b.source, hint: near(r.namespace, b.name) });
          if (r.status === "port-missing") out.push({ code: "route-backend-missing", severity: "error", message: `rules[${i}]: ${r.detail}: its share of requests gets a 500`, object: objectName(route), source: b.source, hint: "a backendRef port is the Service port, not the targetPort" });
        }
      });
    }
    for (const route of ctx.cluster.openshiftRoutes ?? []) {
      for (const b of route.backends) {
        if (b.kind === "Service" && !services(route.namespace, b.name)) out.push({ code: "route-backend-missing", severity: "error", message: `backend Service ${route.namespace}/${b.name} does not exist: the router answers 503`, object: objectName(route), source: b.source, hint: near(route.namespace, b.name) });
      }
    }
    return out;
  },
};
