/**
 * @module service-pods (lint helpers)
 * The pod instances (listed pods and workload replicas) a Service's selector picks, shared by
 * the Service checks.
 */
import type { Service } from "../../model/index.js";
import type { PodInstance } from "../../services/index.js";
import type { LintContext } from "../context.js";

export function hasSelector(svc: Service): svc is Service & { readonly selector: Readonly<Record<string, string>> } {
  return svc.type !== "ExternalName" && svc.selector !== undefined && Object.keys(svc.selector).length > 0;
}

export function selectedInstances(ctx: LintContext, svc: Service): PodInstance[] {
  const sel = svc.selector ?? {};
  return ctx.services.instances.filter((i) => i.namespace === svc.namespace && Object.entries(sel).every(([k, v]) => i.labels[k] === v));
}

/** `web-0, web-1 and 3 more` */
export function someNames(names: readonly string[], max = 3): string {
  const uniq = [...new Set(names)];
  return uniq.length <= max ? uniq.join(", ") : `${uniq.slice(0, max).join(", ")} and ${uniq.length - max} more`;
}
