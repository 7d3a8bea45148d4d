/**
 * @module service-port-protocol-mismatch
 * The targetPort exists on the selected pods but with another protocol (Service port TCP,
 * containerPort UDP): kube-proxy forwards the Service's protocol, which nothing listens on.
 */
import { objectName, type Finding, type LintCheck } from "../types.js";
import { portLabel, portReports, targetText } from "./service-ports.js";

export const servicePortProtocolMismatch: LintCheck = {
  code: "service-port-protocol-mismatch",
  severity: "error",
  description: "the Service port's protocol differs from the container port it targets",
  run(ctx) {
    const out: Finding[] = [];
    for (const r of portReports(ctx)) {
      const hits = r.pods.map((p) => r.fates.get(p)).filter((f) => f?.fate === "protocol");
      const other = hits[0]?.other;
      if (!other || r.pods.some((p) => r.fates.get(p)?.fate === "ok")) continue;
      out.push({
        code: "service-port-protocol-mismatch",
        severity: "error",
        message: `${portLabel(r.port)} targets ${targetText(r.port)} over ${r.port.protocol}, but the selected pods declare it as ${other.protocol} (containerPort ${other.containerPort})`,
        object: objectName(r.svc),
        source: r.port.source,
        hint: `set protocol: ${other.protocol} on the Service port (or add a second Service port for ${other.protocol})`,
      });
    }
    return out;
  },
};
