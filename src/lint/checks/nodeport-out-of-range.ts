/**
 * @module nodeport-out-of-range
 * The API server rejects a nodePort outside --service-node-port-range (default 30000-32767).
 */
import { objectName, type Finding, type LintCheck } from "../types.js";

export const nodePortOutOfRange: LintCheck = {
  code: "nodeport-out-of-range",
  severity: "error",
  description: "a nodePort is outside the Service node port range (30000-32767)",
  run(ctx) {
    const { from, to } = ctx.nodePortRange;
    const out: Finding[] = [];
    for (const svc of ctx.cluster.services) {
      for (const sp of svc.ports) {
        if (sp.nodePort === undefined || (sp.nodePort >= from && sp.nodePort <= to)) continue;
        out.push({
          code: "nodeport-out-of-range",
          severity: "error",
          message: `nodePort ${sp.nodePort} is outside the node port range ${from}-${to}: the API server rejects this Service`,
          object: objectName(svc),
          source: sp.source,
          hint: `use a port in ${from}-${to}, or leave nodePort out and let the API server allocate one`,
        });
      }
    }
    return out;
  },
};
