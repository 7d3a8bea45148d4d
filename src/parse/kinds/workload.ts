/**
 * @module workload
 * Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController:
 * the pod template's labels and ports, and how many pods run at once.
 */
import type { Workload, WorkloadKind } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";
import { decodePodSpec } from "./pod-spec.js";

function templateOf(kind: WorkloadKind, spec: Cursor): Cursor {
  if (kind === "CronJob") return spec.get("jobTemplate").get("spec").get("template");
  return spec.get("template");
}

function replicasOf(kind: WorkloadKind, spec: Cursor): number {
  switch (kind) {
    case "DaemonSet":
      return 2;
    case "Job":
      return spec.get("parallelism").optInt() ?? 1;
    case "CronJob":
      return spec.get("jobTemplate").get("spec").get("parallelism").optInt() ?? 1;
    default:
      return spec.get("replicas").optInt() ?? 1;
  }
}

export function decodeWorkload(kind: WorkloadKind, obj: Cursor): Workload | undefined {
  const meta = decodeMeta(obj, true);
  if (!meta) return undefined;
  const spec = obj.get("spec");
  const template = templateOf(kind, spec);
  if (template.isAbsent) {
    template.error("missing-field", `${kind} ${meta.namespace}/${meta.name} has no pod template`);
    return undefined;
  }
  const podSpec = decodePodSpec(template.get("spec"));
  const labels = template.get("metadata").get("labels").stringMap();
  const serviceName = kind === "StatefulSet" ? spec.get("serviceName").optString() : undefined;
  return {
    ...(serviceName ? { serviceName } : {}),
    kind,
    namespace: meta.namespace,
    name: meta.name,
    labels,
    hostNetwork: podSpec.hostNetwork,
    ports: podSpec.ports,
    ...(podSpec.dns !== undefined ? { dns: podSpec.dns } : {}),
    replicas: replicasOf(kind, spec),
    owners: meta.owners,
    source: obj.ref,
  };
}
