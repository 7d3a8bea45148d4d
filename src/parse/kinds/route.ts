/**
 * @module route (decoder)
 * OpenShift route.openshift.io/v1 Route (https://docs.openshift.com/container-platform/latest/
 * rest_api/network_apis/route-route-openshift-io-v1.html): spec.host (else the host the router
 * admitted, status.ingress[].host), spec.path (a prefix, "/" when absent), spec.to (kind
 * Service, weight default 100) and spec.alternateBackends (at most 3), spec.port.targetPort
 * (a Service port name or number, or the endpoints' targetPort; absent: every port),
 * spec.tls.termination.
 */
import type { OpenShiftRoute } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { creationTimestamp } from "./gateway-route.js";
import { decodeHostname } from "./gateway.js";
import { decodeMeta } from "./metadata.js";

function backend(c: Cursor): OpenShiftRoute["backends"][number] | undefined {
  if (!c.expect("map")) return undefined;
  const name = c.get("name").reqString();
  const kind = c.get("kind").optString() ?? "Service";
  const weight = c.get("weight").optInt() ?? 100;
  if (weight < 0 || weight > 256) c.get("weight").error("invalid-value", `weight ${weight} is outside 0-256`);
  return name === undefined ? undefined : { kind, name, weight, source: c.ref };
}

export function decodeOpenShiftRoute(obj: Cursor): OpenShiftRoute | undefined {
  const meta = decodeMeta(obj, true);
  const spec = obj.get("spec");
  if (!meta || !spec.expect("map")) return undefined;
  const to = spec.get("to");
  if (to.isAbsent) to.error("missing-field", 'required field "to" is missing');
  const first = to.isAbsent ? undefined : backend(to);
  const alts = spec.get("alternateBackends").items().map(backend).filter((b): b is NonNullable<typeof b> => b !== undefined);
  if (alts.length > 3) spec.get("alternateBackends").error("invalid-value", `a Route has at most 3 alternateBackends, got ${alts.length}`);
  const host = decodeHostname(spec.get("host")) ?? obj.get("status").get("ingress").items()[0]?.get("host").optString();
  const path = spec.get("path").optString() ?? "/";
  if (!path.startsWith("/")) spec.get("path").error("invalid-value", `path "${path}" must start with "/"`);
  const tp = spec.get("port").get("targetPort");
  const targetPort = tp.kind === "number" ? tp.optInt() : tp.optString();
  const tls = spec.get("tls").get("termination").optString();
  const ts = creationTimestamp(obj);
  if (!first) return undefined;
  return {
    kind: "Route",
    namespace: meta.namespace,
    name: meta.name,
    ...(host !== undefined && host !== "" ? { host } : {}),
    path,
    backends: [first, ...alts],
    ...(targetPort !== undefined ? { targetPort } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(ts !== undefined ? { creationTimestamp: ts } : {}),
    source: obj.ref,
  };
}
