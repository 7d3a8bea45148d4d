/**
 * @module service-target-port-not-exposed
 * A numeric targetPort that none of the selected pods declares among its containerPorts,
 * while they do declare others: usually a typo or a stale port. (containerPorts are
 * informational, so traffic still flows if the process listens; hence a warning.)
 */
import { objectName, type Finding, type LintCheck } from "../types.js";
import { portLabel, portReports } from "./service-ports.js";

export const serviceTargetPortNotExposed: LintCheck = {
  code: "service-target-port-not-exposed",
  severity: "warning",
  description: "a numeric targetPort is not among the selected pods' containerPorts",
  run(ctx) {
    const out: Finding[] = [];
    for (const r of portReports(ctx)) {
      if (r.port.targetPort.type !== "Number") continue;
      if (!r.pods.every((p) => r.fates.get(p)?.fate === "missing")) continue;
      const declared = [...new Set(r.pods.flatMap((p) => p.ports.filter((cp) => cp.protocol === r.port.protocol).map((cp) => cp.containerPort)))].sort((a, b) => a - b);
      if (declared.length === 0) continue;
      out.push({
        code: "service-target-port-not-exposed",
        severity: "warning",
        message: `${portLabel(r.port)} targets ${r.port.targetPort.port}/${r.port.protocol}, which no selected pod declares (they declare ${declared.join(", ")})`,
        object: objectName(r.svc),
        source: r.port.source,
        hint: `did you mean targetPort: ${declared[0]}? Naming the containerPort and using targetPort: <name> avoids this drift`,
      });
    }
    return out;
  },
};
