/**
 * @module route-reference-not-permitted
 * A backendRef to a Service in another namespace without a ReferenceGrant there that allows
 * the route's kind from the route's namespace (apis/v1beta1/referencegrant_types.go): the
 * implementation sets ResolvedRefs=False (RefNotPermitted) and answers 500.
 */
import { grantAllows } from "../../gateway/index.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

export const routeReferenceNotPermitted: LintCheck = {
  code: "route-reference-not-permitted",
  severity: "error",
  description: "a Gateway API backendRef crosses namespaces without a ReferenceGrant in the target namespace",
  run(ctx) {
    const out: Finding[] = [];
    const grants = ctx.cluster.referenceGrants ?? [];
    for (const route of ctx.cluster.gatewayRoutes ?? []) {
      for (const rule of route.rules) {
        for (const b of rule.backendRefs) {
          const ns = b.namespace ?? route.namespace;
          if (ns === route.namespace || grantAllows(grants, route, { namespace: ns, name: b.name, kind: b.kind, group: b.group })) continue;
          out.push({
            code: "route-reference-not-permitted",
            severity: "error",
            message: `backendRef ${b.kind} ${ns}/${b.name} is in another namespace and no ReferenceGrant in ${ns} allows ${route.kind} from ${route.namespace}: RefNotPermitted, requests get a 500`,
            object: objectName(route),
            source: b.source,
            hint: `add a ReferenceGrant in ${ns}: from [{ group: gateway.networking.k8s.io, kind: ${route.kind}, namespace: ${route.namespace} }], to [{ group: "${b.group}", kind: ${b.kind}, name: ${b.name} }]`,
          });
        }
      }
    }
    return out;
  },
};
