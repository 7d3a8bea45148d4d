/**
 * @module service-selector-no-pods
 * A Service whose selector matches no pod (listed, or run by a workload in the input) has no
 * endpoints: connections to it are rejected.
 */
import { formatLabels } from "../../model/index.js";
import { labelPairs, selectorHint } from "../closest.js";
import { objectName, type LintCheck } from "../types.js";
import { hasSelector, selectedInstances } from "./service-pods.js";

export const serviceSelectorNoPods: LintCheck = {
  code: "service-selector-no-pods",
  severity: "warning",
  description: "Service selector matches no pod, so the Service has no endpoints",
  run(ctx) {
    return ctx.cluster.services.filter(hasSelector).flatMap((svc) => {
      if (selectedInstances(ctx, svc).length > 0) return [];
      const inNs = ctx.services.instances.filter((i) => i.namespace === svc.namespace).map((i) => i.labels);
      return [{
        code: "service-selector-no-pods" as const,
        severity: "warning" as const,
        message: `selector ${formatLabels(svc.selector)} matches no pod in namespace ${svc.namespace}: the Service has no endpoints and connections to it are rejected`,
        object: objectName(svc),
        source: svc.source,
        hint: selectorHint(svc.selector, labelPairs(inNs), `pod in ${svc.namespace}`),
      }];
    });
  },
};
