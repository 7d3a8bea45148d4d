/**
 * @module externalname-in-cluster
 * An ExternalName Service whose externalName is the DNS name of a Service in this cluster
 * (`svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`) is a CNAME loop through cluster DNS;
 * it bypasses nothing and breaks TLS host checks and NetworkPolicy expectations. Pointing at
 * such a name whose Service does not exist resolves to NXDOMAIN.
 */
import { objectName, type Finding, type LintCheck } from "../types.js";

const IN_CLUSTER = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?\.?$/;

export const externalNameInCluster: LintCheck = {
  code: "externalname-in-cluster",
  severity: "warning",
  description: "an ExternalName Service points at an in-cluster Service name",
  run(ctx) {
    const out: Finding[] = [];
    const names = new Set(ctx.cluster.services.map((s) => `${s.namespace}/${s.name}`));
    for (const svc of ctx.cluster.services) {
      if (svc.type !== "ExternalName" || svc.externalName === undefined) continue;
      const m = IN_CLUSTER.exec(svc.externalName.toLowerCase());
      if (!m) continue;
      const target = `${m[3]}/${m[1]}`;
      const explicit = m[5] !== undefined;
      if (!names.has(target) && !explicit) continue;
      out.push({
        code: "externalname-in-cluster",
        severity: "warning",
        message: names.has(target)
          ? `externalName ${svc.externalName} is the in-cluster Service ${target}: clients get a CNAME back into cluster DNS instead of the Service itself`
          : `externalName ${svc.externalName} names an in-cluster Service ${target} that the input does not declare: lookups return NXDOMAIN`,
        object: objectName(svc),
        source: svc.source,
        hint: names.has(target)
          ? `have clients use ${m[1]}.${m[3]} directly, or make this a selector Service with the same selector as ${target}`
          : `check the Service name and namespace in externalName`,
      });
    }
    return out;
  },
};
