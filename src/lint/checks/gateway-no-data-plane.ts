/**
 * @module gateway-no-data-plane
 * A Gateway whose data-plane pods (labelled gateway.networking.k8s.io/gateway-name=<gateway>
 * in its namespace, as Istio and Envoy Gateway label them) are not in the input: traces through
 * it cannot judge the policies toward its backends without --ingress-controller POD.
 */
import { GATEWAY_NAME_LABEL } from "../../model/index.js";
import { objectName, type Finding, type LintCheck } from "../types.js";

export const gatewayNoDataPlane: LintCheck = {
  code: "gateway-no-data-plane",
  severity: "info",
  description: "a Gateway has no data-plane pods (gateway.networking.k8s.io/gateway-name) in the input",
  run(ctx) {
    const out: Finding[] = [];
    for (const gw of ctx.cluster.gateways ?? []) {
      const has = ctx.topology.subjects.some((s) => s.namespace === gw.namespace && s.labels[GATEWAY_NAME_LABEL] === gw.name);
      if (!has) out.push({ code: "gateway-no-data-plane", severity: "info", message: `no pod labelled ${GATEWAY_NAME_LABEL}=${gw.name} in namespace ${gw.namespace}: the Gateway's data plane is not in the input`, object: objectName(gw), source: gw.source, hint: "include the proxy Deployment/pods in the input, or trace with --ingress-controller POD" });
    }
    return out;
  },
};
