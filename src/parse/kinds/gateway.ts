/**
 * @module gateway (decoder)
 * gateway.networking.k8s.io GatewayClass, Gateway (v1, v1beta1) and ReferenceGrant (v1beta1,
 * v1alpha2), with the CRD defaults (https://github.com/kubernetes-sigs/gateway-api,
 * apis/v1/gateway_types.go): allowedRoutes.namespaces.from defaults to Same; a Selector
 * needs a selector; listener names are unique; a hostname is a DNS name, optionally with
 * a leading `*.` label, never an IP address. Addresses come from status.addresses (what the
 * implementation assigned), else spec.addresses.
 */
import { GATEWAY_GROUP, parseIp, type AllowedNamespaces, type Gateway, type GatewayClass, type Ip, type Listener, type ReferenceGrant, type RouteGroupKind } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeSelector } from "./label-selector.js";
import { decodeMeta } from "./metadata.js";

const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Gateway API hostname: lower-case DNS name with an optional leading wildcard label; not an IP. */
export function decodeHostname(c: Cursor): string | undefined {
  const h = c.optString();
  if (h === undefined) return undefined;
  if (parseIp(h)) {
    c.error("invalid-value", `hostname "${h}" must be a DNS name, not an IP address`);
    return undefined;
  }
  if (!HOSTNAME.test(h)) {
    c.error("invalid-value", `hostname "${h}" is not a valid hostname (lower-case RFC 1123 labels; a wildcard only as the whole first label, "*.example.com")`);
    return undefined;
  }
  return h;
}

export function decodeGatewayClass(obj: Cursor): GatewayClass | undefined {
  const meta = decodeMeta(obj, false);
  const controllerName = obj.get("spec").get("controllerName").reqString();
  if (!meta || controllerName === undefined) return undefined;
  return { kind: "GatewayClass", name: meta.name, controllerName, source: obj.ref };
}

export function decodeGateway(obj: Cursor): Gateway | undefined {
  const meta = decodeMeta(obj, true);
  const spec = obj.get("spec");
  if (!meta || !spec.expect("map")) {
    if (meta && spec.isAbsent) spec.error("missing-field", 'required field "spec" is missing');
    return undefined;
  }
  const gatewayClassName = spec.get("gatewayClassName").reqString();
  const listeners: Listener[] = [];
  const ls = spec.get("listeners");
  if (ls.isAbsent || !ls.expect("seq") || ls.items().length === 0) ls.error("missing-field", "a Gateway needs at least one listener");
  for (const l of ls.items()) {
    const listener = decodeListener(l);
    if (!listener) continue;
    if (listeners.some((x) => x.name === listener.name)) {
      l.get("name").error("invalid-value", `listener name "${listener.name}" is used twice`);
      continue;
    }
    listeners.push(listener);
  }
  if (gatewayClassName === undefined) return undefined;
  const status = addressesOf(obj.get("status").get("addresses"));
  const given = status.ips.length + status.hostnames.length > 0 ? status : addressesOf(spec.get("addresses"));
  return { kind: "Gateway", namespace: meta.namespace, name: meta.name, gatewayClassName, listeners, addresses: given.ips, hostnames: given.hostnames, source: obj.ref };
}

function addressesOf(c: Cursor): { ips: Ip[]; hostnames: string[] } {
  const ips: Ip[] = [];
  const hostnames: string[] = [];
  if (c.isAbsent || !c.expect("seq")) return { ips, hostnames };
  for (const a of c.items()) {
    const type = a.get("type").optString() ?? "IPAddress";
    const value = a.get("value").reqString();
    if (value === undefined) continue;
    if (type === "Hostname") hostnames.push(value);
    else if (type === "IPAddress") {
      const ip = parseIp(value);
      if (ip) ips.push(ip);
      else a.get("value").error("invalid-value", `"${value}" is not an IP address (type IPAddress)`);
    } else a.get("type").report("invalid-value", "warning", `address type "${type}" is implementation-specific: not modelled`);
  }
  return { ips, hostnames };
}

function decodeListener(l: Cursor): Listener | undefined {
  if (!l.expect("map")) return undefined;
  const name = l.get("name").reqString();
  const port = l.get("port").optInt();
  if (l.get("port").isAbsent) l.get("port").error("missing-field", 'required field "port" is missing');
  if (port !== undefined && (port < 1 || port > 65535)) l.get("port").error("invalid-port", `port ${port} is outside 1-65535`);
  const protocol = l.get("protocol").reqString();
  const hostname = decodeHostname(l.get("hostname"));
  const ar = l.get("allowedRoutes");
  const allowedNamespaces = decodeAllowedNamespaces(ar.get("namespaces"));
  const allowedKinds: RouteGroupKind[] = [];
  const kinds = ar.get("kinds");
  if (!kinds.isAbsent && kinds.expect("seq")) {
    for (const k of kinds.items()) {
      const kind = k.get("kind").reqString();
      if (kind !== undefined) allowedKinds.push({ group: k.get("group").optString() ?? GATEWAY_GROUP, kind });
    }
  }
  if (name === undefined || port === undefined || protocol === undefined || !allowedNamespaces || port < 1 || port > 65535) return undefined;
  return { name, port, protocol, ...(hostname !== undefined ? { hostname } : {}), allowedNamespaces, allowedKinds, source: l.ref };
}

function decodeAllowedNamespaces(c: Cursor): AllowedNamespaces | undefined {
  const from = c.get("from").optString() ?? "Same";
  if (from === "Same" || from === "All") return { from };
  if (from === "Selector") {
    const sc = c.get("selector");
    if (sc.isAbsent) {
      sc.error("missing-field", 'allowedRoutes.namespaces.from is Selector but "selector" is missing');
      return undefined;
    }
    const selector = decodeSelector(sc);
    return selector && { from, selector };
  }
  c.get("from").error("invalid-value", `from "${from}" is not one of All, Same, Selector`);
  return undefined;
}

export function decodeReferenceGrant(obj: Cursor): ReferenceGrant | undefined {
  const meta = decodeMeta(obj, true);
  const spec = obj.get("spec");
  if (!meta || !spec.expect("map")) return undefined;
  const from: ReferenceGrant["from"][number][] = [];
  for (const f of spec.get("from").items()) {
    const kind = f.get("kind").reqString();
    const namespace = f.get("namespace").reqString();
    if (kind !== undefined && namespace !== undefined) from.push({ group: f.get("group").optString() ?? "", kind, namespace });
  }
  const to: ReferenceGrant["to"][number][] = [];
  for (const t of spec.get("to").items()) {
    const kind = t.get("kind").reqString();
    const name = t.get("name").optString();
    if (kind !== undefined) to.push({ group: t.get("group").optString() ?? "", kind, ...(name !== undefined ? { name } : {}) });
  }
  if (from.length === 0) spec.get("from").error("missing-field", "a ReferenceGrant needs at least one from entry");
  if (to.length === 0) spec.get("to").error("missing-field", "a ReferenceGrant needs at least one to entry");
  return { kind: "ReferenceGrant", namespace: meta.namespace, name: meta.name, from, to, source: obj.ref };
}
