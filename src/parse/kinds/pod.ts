/**
 * @module pod
 * Pod: labels, IPs from status (podIP/podIPs, hostIP), hostNetwork, containerPorts, owners,
 * and what the Service layer needs: the Ready condition, phase, deletionTimestamp,
 * hostname/subdomain.
 */
import { parseIp, trimmed, type Ip, type Pod } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";
import { decodePodSpec } from "./pod-spec.js";

function ipAt(c: Cursor): Ip | undefined {
  const text = c.optString();
  if (text === undefined || text === "") return undefined;
  const ip = parseIp(text);
  if (!ip) c.error("invalid-value", `"${text}" is not an IP address`);
  return ip;
}

export function decodePod(obj: Cursor): Pod | undefined {
  const meta = decodeMeta(obj, true);
  if (!meta) return undefined;
  const spec = decodePodSpec(obj.get("spec"));
  const status = obj.get("status");
  const ips: Ip[] = [];
  const podIP = status.get("podIP");
  const primary = ipAt(podIP);
  if (primary) ips.push(primary);
  for (const item of status.get("podIPs").items()) {
    // podIPs[0] is podIP (the API server keeps them so): the same text is not parsed twice.
    const ip = item.entry((e) => (primary && e.get("ip").scalar() === podIP.scalar() ? primary : ipAt(e.get("ip"))));
    if (ip && !ips.some((x) => x.family === ip.family && x.value === ip.value)) ips.push(ip);
  }
  const hostIP = ipAt(status.get("hostIP"));
  if (spec.hostNetwork && ips.length === 0 && hostIP) ips.push(hostIP);
  const r = readiness(obj, status);
  const pod: Pod = {
    kind: "Pod",
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    ips: trimmed(ips),
    hostNetwork: spec.hostNetwork,
    ports: spec.ports,
    ...(spec.dns !== undefined ? { dns: spec.dns } : {}),
    owners: meta.owners,
    source: obj.ref,
    hostIP,
    nodeName: spec.nodeName,
    serviceAccount: spec.serviceAccount,
    hostname: spec.hostname,
    subdomain: spec.subdomain,
    ready: r.ready,
    phase: r.phase,
    terminating: r.terminating,
  };
  return pod;
}

/** status.conditions[type=Ready].status, status.phase, metadata.deletionTimestamp. */
function readiness(obj: Cursor, status: Cursor): Pick<Pod, "ready" | "phase" | "terminating"> {
  const out: { ready: boolean | undefined; phase: string | undefined; terminating: boolean | undefined } = { ready: undefined, phase: undefined, terminating: undefined };
  const conditions = status.get("conditions");
  if (conditions.kind === "seq") {
    const ready = conditions.items().find((c) => c.get("type").scalar() === "Ready");
    out.ready = ready !== undefined && ready.get("status").scalar() === "True";
  }
  const phase = status.get("phase").scalar();
  if (typeof phase === "string") out.phase = phase;
  if (!obj.get("metadata").get("deletionTimestamp").isAbsent) out.terminating = true;
  return out;
}
