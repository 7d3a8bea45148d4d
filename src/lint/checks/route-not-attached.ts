/**
 * @module route-not-attached
 * An HTTPRoute or GRPCRoute parentRef that no listener accepts: the Gateway is missing, no
 * listener has the sectionName/port, the listener does not allow the route's kind or
 * namespace (allowedRoutes), or the hostnames do not intersect ("the HTTPRoute is not
 * accepted", apis/v1/httproute_types.go Hostnames). Traffic for it gets a 404.
 */
import { attach, type AttachContext } from "../../gateway/index.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

export function attachContextOf(cluster: { readonly gateways?: AttachContext["gateways"]; readonly namespaces: readonly { readonly name: string; readonly labels: Readonly<Record<string, string>> }[] }): AttachContext {
  return { gateways: cluster.gateways ?? [], namespaceLabels: (ns) => cluster.namespaces.find((n) => n.name === ns)?.labels };
}

export const routeNotAttached: LintCheck = {
  code: "route-not-attached",
  severity: "warning",
  description: "a Gateway API route's parentRef is not accepted by any listener (missing Gateway, sectionName/port, kind, namespace or hostname)",
  run(ctx) {
    const out: Finding[] = [];
    const actx = attachContextOf(ctx.cluster);
    for (const route of ctx.cluster.gatewayRoutes ?? []) {
      if (route.parentRefs.length === 0) {
        out.push({ code: "route-not-attached", severity: "warning", message: `${route.kind} has no parentRefs: it attaches to nothing`, object: objectName(route), source: route.source, hint: "add a parentRef naming the Gateway (and sectionName for one listener)" });
        continue;
      }
      for (const ref of route.parentRefs) {
        const a = attach(route, ref, actx);
        if (!a.ok) out.push({ code: "route-not-attached", severity: "warning", message: a.reason, object: objectName(route), source: ref.source, hint: "check the parentRef's name, namespace, sectionName and port, the listener's allowedRoutes, and that the route's hostnames intersect the listener's" });
      }
    }
    return out;
  },
};
