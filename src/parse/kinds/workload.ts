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

/** How many pods run at once; undefined (with an error) when the count is invalid. */
function replicasOf(kind: WorkloadKind, spec: Cursor): number | undefined {
  const field = kind === "Job" ? spec.get("parallelism")
    : kind === "CronJob" ? spec.get("jobTemplate").get("spec").get("parallelism")
    : kind === "DaemonSet" ? undefined
    : spec.get("replicas");
  if (!field) return 2;
  const n = field.optInt();
  if (n !== undefined && n < 0) {
    // ValidateNonnegativeField (pkg/apis/apps/validation, batch/validation): "must be greater than or equal to 0".
    field.error("invalid-value", `${lastKey(field.path)} ${n} must be greater than or equal to 0`);
    return undefined;
  }
  return field.isAbsent ? 1 : n;
}

const lastKey = (path: string): string => path.slice(path.lastIndexOf(".") + 1);

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
  const replicas = replicasOf(kind, spec);
  if (replicas === undefined) return undefined;
  const serviceName = kind === "StatefulSet" ? spec.get("serviceName").optString() : undefined;
  return {
    ...(serviceName ? { serviceName } : {}),
    kind,
    namespace: meta.namespace,
    name: meta.name,
    labels,
    hostNetwork: podSpec.hostNetwork,
    ports: podSpec.ports,
    ...(podSpec.serviceAccount !== undefined ? { serviceAccount: podSpec.serviceAccount } : {}),
    ...(podSpec.dns !== undefined ? { dns: podSpec.dns } : {}),
    replicas,
    owners: meta.owners,
    source: obj.ref,
  };
}
