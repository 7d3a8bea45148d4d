/**
 * @module pod
 * Pod: labels, IPs from status (podIP/podIPs, hostIP), hostNetwork, containerPorts, owners,
 * and what the Service layer needs: the Ready condition, phase, deletionTimestamp,
 * hostname/subdomain.
 */
import { parseIp, trimmed, type Ip, type Pod } from "../../model/index.js";
import { isRecord, type Cursor } from "../cursor.js";
import { decodeMeta, plainMeta, type Meta } from "./metadata.js";
import { decodePodSpec, plainPodSpec, type PodSpecInfo } from "./pod-spec.js";

function ipAt(c: Cursor): Ip | undefined {
  const text = c.optString();
  if (text === undefined || text === "") return undefined;
  const ip = parseIp(text);
  if (!ip) c.error("invalid-value", `"${text}" is not an IP address`);
  return ip;
}

/**
 * A Pod: read from its parsed value without cursors when it has the clean common shape (every
 * field of the right type and valid: most pods of a large input), else through cursors, which
 * report what is wrong with the field's place. Both build the Pod with `pod()`; a property
 * test (pod.test.ts) checks they agree.
 */
export function decodePod(obj: Cursor): Pod | undefined {
  const v = obj.value;
  if (!isRecord(v)) return decodePodByCursor(obj);
  // Part by part, in the cursor path's order (metadata, spec, status), so the diagnostics come
  // in the same order: each part plain when it is clean, else through cursors; a bad
  // containerPort entry alone is decoded by cursor inside an otherwise plain spec.
  const meta = plainMeta(v, true) ?? decodeMeta(obj, true);
  if (!meta) return undefined;
  const spec = plainPodSpec(v["spec"], () => obj.get("spec")) ?? decodePodSpec(obj.get("spec"));
  return podOfParts(v, meta, spec, plainAddresses(v["status"]) ?? cursorAddresses(obj.get("status")), obj);
}

/** The Pod from its decoded parts; readiness (which reports nothing) read from the plain value. */
function podOfParts(v: Record<string, unknown>, meta: Meta, spec: PodSpecInfo, addresses: Addresses, obj: Cursor): Pod {
  const st = v["status"];
  const status: Record<string, unknown> = isRecord(st) ? st : {};
  const conditions = status["conditions"];
  const m = v["metadata"];
  const deletion = isRecord(m) ? m["deletionTimestamp"] : undefined;
  return pod(meta, spec, addresses.ips, addresses.hostIP, readinessOf(Array.isArray(conditions) ? (conditions as unknown[]) : undefined, status["phase"], deletion !== undefined && deletion !== null), obj);
}

interface Addresses { readonly ips: Ip[]; readonly hostIP: Ip | undefined }

/** status.podIP, podIPs and hostIP through cursors (reporting what is wrong). */
function cursorAddresses(status: Cursor): Addresses {
  const ips: Ip[] = [];
  const podIP = status.get("podIP");
  const primary = ipAt(podIP);
  if (primary) ips.push(primary);
  for (const item of status.get("podIPs").items()) {
    // podIPs[0] is podIP (the API server keeps them so): the same text is not parsed twice.
    const ip = item.entry((e) => (primary && e.get("ip").scalar() === podIP.scalar() ? primary : ipAt(e.get("ip"))));
    if (ip && !ips.some((x) => x.family === ip.family && x.value === ip.value)) ips.push(ip);
  }
  return { ips, hostIP: ipAt(status.get("hostIP")) };
}

/** `cursorAddresses` of a plain status; undefined when the cursor path would report anything. */
function plainAddresses(st: unknown): Addresses | undefined {
  const status: Record<string, unknown> = isRecord(st) ? st : {};
  const ips: Ip[] = [];
  const podIP = status["podIP"];
  const primary = plainIp(podIP);
  if (primary === BAD) return undefined;
  if (primary) ips.push(primary);
  const podIPs = status["podIPs"];
  if (Array.isArray(podIPs)) {
    for (const e of podIPs as unknown[]) {
      const text = isRecord(e) ? e["ip"] : undefined;
      const ip = primary && text === podIP ? primary : plainIp(text);
      if (ip === BAD) return undefined;
      if (ip && !ips.some((x) => x.family === ip.family && x.value === ip.value)) ips.push(ip);
    }
  }
  const hostIP = plainIp(status["hostIP"]);
  if (hostIP === BAD) return undefined;
  return { ips, hostIP };
}

export function decodePodByCursor(obj: Cursor): Pod | undefined {
  const meta = decodeMeta(obj, true);
  if (!meta) return undefined;
  const spec = decodePodSpec(obj.get("spec"));
  const status = obj.get("status");
  const { ips, hostIP } = cursorAddresses(status);
  return pod(meta, spec, ips, hostIP, readiness(obj, status), obj);
}

function pod(meta: Meta, spec: PodSpecInfo, ips: Ip[], hostIP: Ip | undefined, r: Pick<Pod, "ready" | "phase" | "terminating">, obj: Cursor): Pod {
  if (spec.hostNetwork && ips.length === 0 && hostIP) ips.push(hostIP);
  return {
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
}

/** status.conditions[type=Ready].status, status.phase, metadata.deletionTimestamp. */
function readiness(obj: Cursor, status: Cursor): Pick<Pod, "ready" | "phase" | "terminating"> {
  const conditions = status.get("conditions");
  return readinessOf(conditions.kind === "seq" ? (conditions.value as unknown[]) : undefined, status.get("phase").scalar(), !obj.get("metadata").get("deletionTimestamp").isAbsent);
}

function readinessOf(conditions: readonly unknown[] | undefined, phase: unknown, deleting: boolean): Pick<Pod, "ready" | "phase" | "terminating"> {
  const out: { ready: boolean | undefined; phase: string | undefined; terminating: boolean | undefined } = { ready: undefined, phase: undefined, terminating: undefined };
  if (conditions) {
    const ready = conditions.find((c) => isRecord(c) && c["type"] === "Ready");
    out.ready = ready !== undefined && (ready as Record<string, unknown>)["status"] === "True";
  }
  if (typeof phase === "string") out.phase = phase;
  if (deleting) out.terminating = true;
  return out;
}

/** `ipAt` of a plain value: absent, null or "" → undefined; an address; else BAD. */
function plainIp(v: unknown): Ip | undefined | typeof BAD {
  if (v === undefined || v === null || v === "") return undefined;
  return typeof v === "string" ? (parseIp(v) ?? BAD) : BAD;
}

const BAD: unique symbol = Symbol("bad");

/**
 * The cursor path without cursors, for a pod it would decode without a word (see decodePod);
 * undefined for anything else.
 */
export function plainPod(obj: Cursor): Pod | undefined {
  const v = obj.value;
  if (!isRecord(v)) return undefined;
  const meta = plainMeta(v, true);
  if (!meta) return undefined;
  const spec = plainPodSpec(v["spec"]);
  if (!spec) return undefined;
  const addresses = plainAddresses(v["status"]);
  if (!addresses) return undefined;
  return podOfParts(v, meta, spec, addresses, obj);
}
