/**
 * @module ingress-backend-missing
 * Every Ingress backend must name a Service in the Ingress's namespace and one of its ports
 * (by number or by name); otherwise the controller answers 503 for that path.
 */
import type { Ingress, IngressBackend, Service } from "../../model/index.js";
import { closest } from "../closest.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

function backends(ing: Ingress): { readonly where: string; readonly b: IngressBackend }[] {
  const out = ing.defaultBackend ? [{ where: "defaultBackend", b: ing.defaultBackend }] : [];
  ing.rules.forEach((r, i) => r.paths.forEach((p, j) => out.push({ where: `rules[${i}] (${r.host ?? "*"}) paths[${j}] ${p.path}`, b: p.backend })));
  return out;
}

function problem(ing: Ingress, b: IngressBackend, services: readonly Service[]): { message: string; hint: string } | undefined {
  const ref = b.service;
  if (!ref) return undefined;
  const svc = services.find((s) => s.namespace === ing.namespace && s.name === ref.name);
  if (!svc) {
    const near = closest(ref.name, services.filter((s) => s.namespace === ing.namespace).map((s) => s.name));
    return { message: `backend Service ${ing.namespace}/${ref.name} does not exist`, hint: near ? `did you mean ${near}?` : `create the Service in namespace ${ing.namespace} (an Ingress cannot reach other namespaces)` };
  }
  const ports = svc.ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(", ");
  if (ref.port.number !== undefined && !svc.ports.some((p) => p.port === ref.port.number)) {
    return { message: `backend Service ${ing.namespace}/${ref.name} has no port ${ref.port.number}`, hint: `its ports are ${ports}; an Ingress names the Service port, not the targetPort` };
  }
  if (ref.port.name !== undefined && !svc.ports.some((p) => p.name === ref.port.name)) {
    return { message: `backend Service ${ing.namespace}/${ref.name} has no port named ${ref.port.name}`, hint: `its ports are ${ports}` };
  }
  return undefined;
}

export const ingressBackendMissing: LintCheck = {
  code: "ingress-backend-missing",
  severity: "error",
  description: "an Ingress backend names a Service or Service port that does not exist",
  run(ctx) {
    const out: Finding[] = [];
    for (const ing of ctx.cluster.ingresses) {
      for (const { where, b } of backends(ing)) {
        const p = problem(ing, b, ctx.cluster.services);
        if (p) out.push({ code: "ingress-backend-missing", severity: "error", message: `${where}: ${p.message}`, object: objectName(ing), source: b.source, hint: p.hint });
      }
    }
    return out;
  },
};
