/**
 * @module service-named-port-unresolved
 * A named targetPort must name a container port (with the Service port's protocol) on each
 * selected pod; pods without it are left out of the endpoints (FindPort), and when no pod
 * has it the Service port has no endpoints at all.
 */
import { closest } from "../closest.js";
import { objectName, type Finding, type LintCheck } from "../types.js";
import { someNames } from "./service-pods.js";
import { portLabel, portReports } from "./service-ports.js";

export const serviceNamedPortUnresolved: LintCheck = {
  code: "service-named-port-unresolved",
  severity: "error",
  description: "a named targetPort is not declared by the selected pods",
  run(ctx) {
    const out: Finding[] = [];
    for (const r of portReports(ctx)) {
      if (r.port.targetPort.type !== "Name") continue;
      const name = r.port.targetPort.name;
      const missing = r.pods.filter((p) => r.fates.get(p)?.fate === "missing");
      if (missing.length === 0) continue;
      const all = missing.length === r.pods.length;
      const near = closest(name, r.pods.flatMap((p) => p.ports.flatMap((cp) => (cp.name ? [cp.name] : []))));
      out.push({
        code: "service-named-port-unresolved",
        severity: all ? "error" : "warning",
        message: `${portLabel(r.port)} targets the named port "${name}", which ${all ? "no selected pod declares: the port has no endpoints" : `${someNames(missing.map((p) => p.name))} do not declare: they are left out of its endpoints`}`,
        object: objectName(r.svc),
        source: r.port.source,
        hint: near ? `did you mean targetPort: ${near}?` : `add a ${r.port.protocol} containerPort named ${name} to the pod template, or use a port number`,
      });
    }
    return out;
  },
};
