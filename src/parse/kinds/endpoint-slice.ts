/**
 * @module endpoint-slice (decoder)
 * discovery.k8s.io/v1 EndpointSlice, and v1 Endpoints folded into slices (`fromEndpoints:
 * true`; one slice per subset and address family, as the EndpointSlice mirroring controller
 * does). Conditions follow the API text: "ready … nil should be interpreted as true",
 * "serving … nil should be interpreted as the same as ready", terminating nil ⇒ false.
 * Endpoints' `addresses` are ready, `notReadyAddresses` are not.
 */
import { isProtocol, parseIp, type Endpoint, type EndpointPort, type EndpointSlice, type Ip } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
const ADDRESS_TYPES = ["IPv4", "IPv6", "FQDN"] as const;

export function decodeEndpointSlice(obj: Cursor): EndpointSlice | undefined {
  const meta = decodeMeta(obj, true);
  if (!meta) return undefined;
  const atC = obj.get("addressType");
  const atText = atC.reqString();
  const addressType = ADDRESS_TYPES.find((t) => t === atText);
  if (atText !== undefined && !addressType) atC.error("invalid-value", `addressType "${atText}" is not IPv4, IPv6 or FQDN`);
  if (!addressType) return undefined;
  const endpoints: Endpoint[] = [];
  const epC = obj.get("endpoints");
  if (!epC.isAbsent && epC.expect("seq")) {
    for (const e of epC.items()) {
      const ep = decodeEndpoint(e, addressType, meta.namespace);
      if (ep) endpoints.push(ep);
    }
  }
  const serviceName = meta.labels[SERVICE_NAME_LABEL];
  return {
    kind: "EndpointSlice",
    namespace: meta.namespace,
    name: meta.name,
    ...(serviceName !== undefined ? { serviceName } : {}),
    addressType,
    endpoints,
    ports: decodePorts(obj.get("ports")),
    fromEndpoints: false,
    source: obj.ref,
  };
}

function decodeEndpoint(e: Cursor, addressType: EndpointSlice["addressType"], namespace: string): Endpoint | undefined {
  if (!e.expect("map")) return undefined;
  const addrC = e.get("addresses");
  if (addrC.isAbsent) addrC.error("missing-field", 'required field "addresses" is missing');
  const addresses: Ip[] = [];
  if (addressType !== "FQDN" && !addrC.isAbsent && addrC.expect("seq")) {
    for (const a of addrC.items()) {
      const ip = ipOf(a);
      if (ip && ip.family !== (addressType === "IPv4" ? 4 : 6)) a.error("invalid-value", `address ${String(a.scalar())} does not match addressType ${addressType}`);
      else if (ip) addresses.push(ip);
    }
  }
  const cond = e.get("conditions");
  const ready = cond.get("ready").optBool() ?? true;
  const serving = cond.get("serving").optBool() ?? ready;
  const terminating = cond.get("terminating").optBool() ?? false;
  return { addresses, ready, serving, terminating, ...placement(e, namespace) };
}

function placement(e: Cursor, namespace: string): Pick<Endpoint, "hostname" | "nodeName" | "zone" | "targetPod"> {
  const hostname = e.get("hostname").optString();
  const nodeName = e.get("nodeName").optString();
  const zone = e.get("zone").optString();
  const ref = e.get("targetRef");
  const refKind = ref.get("kind").optString();
  const refName = ref.get("name").optString();
  const refNs = ref.get("namespace").optString() ?? namespace;
  return {
    ...(hostname !== undefined ? { hostname } : {}),
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(zone !== undefined ? { zone } : {}),
    ...(refKind === "Pod" && refName !== undefined ? { targetPod: `${refNs}/${refName}` } : {}),
  };
}

function ipOf(c: Cursor): Ip | undefined {
  const t = c.optString();
  if (t === undefined) return undefined;
  const ip = parseIp(t);
  if (!ip) c.error("invalid-value", `"${t}" is not an IP address`);
  return ip;
}

/** ports[]: protocol defaults to TCP; a port without a number restricts nothing and is skipped. */
function decodePorts(c: Cursor): EndpointPort[] {
  const out: EndpointPort[] = [];
  if (c.isAbsent || !c.expect("seq")) return out;
  for (const p of c.items()) {
    if (!p.expect("map")) continue;
    const port = p.get("port").optInt();
    const protocol = p.get("protocol").optString() ?? "TCP";
    if (!isProtocol(protocol)) {
      p.get("protocol").error("invalid-protocol", `protocol "${protocol}" is not TCP, UDP or SCTP`);
      continue;
    }
    if (port === undefined) continue;
    if (port < 1 || port > 65535) {
      p.get("port").error("invalid-port", `port ${port} is outside 1-65535`);
      continue;
    }
    const name = p.get("name").optString();
    out.push({ ...(name !== undefined && name !== "" ? { name } : {}), protocol, port });
  }
  return out;
}

/** v1 Endpoints (name = the Service's name) → one slice per subset and address family. */
export function decodeEndpoints(obj: Cursor): EndpointSlice[] | undefined {
  const meta = decodeMeta(obj, true);
  if (!meta) return undefined;
  const slices: EndpointSlice[] = [];
  const subsets = obj.get("subsets");
  if (subsets.isAbsent || !subsets.expect("seq")) return slices;
  subsets.items().forEach((sub, i) => {
    const ports = decodePorts(sub.get("ports"));
    const eps = [...subsetAddresses(sub.get("addresses"), true, meta.namespace), ...subsetAddresses(sub.get("notReadyAddresses"), false, meta.namespace)];
    for (const family of [4, 6] as const) {
      const mine = eps.filter((e) => e.addresses[0]?.family === family);
      if (mine.length === 0) continue;
      slices.push({
        kind: "EndpointSlice",
        namespace: meta.namespace,
        name: `${meta.name}-subset${i}${family === 6 ? "-v6" : ""}`,
        serviceName: meta.name,
        addressType: family === 4 ? "IPv4" : "IPv6",
        endpoints: mine,
        ports,
        fromEndpoints: true,
        source: sub.ref,
      });
    }
  });
  return slices;
}

function subsetAddresses(c: Cursor, ready: boolean, namespace: string): Endpoint[] {
  const out: Endpoint[] = [];
  if (c.isAbsent || !c.expect("seq")) return out;
  for (const a of c.items()) {
    if (!a.expect("map")) continue;
    const ipC = a.get("ip");
    if (ipC.isAbsent) ipC.error("missing-field", 'required field "ip" is missing');
    const ip = ipOf(ipC);
    if (!ip) continue;
    out.push({ addresses: [ip], ready, serving: ready, terminating: false, ...placement(a, namespace) });
  }
  return out;
}
