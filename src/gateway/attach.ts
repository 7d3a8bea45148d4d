/**
 * @module attach
 * Route attachment (apis/v1/shared_types.go `ParentReference`, gateway_types.go
 * `AllowedRoutes`, `Listener.Hostname`): a parentRef names a Gateway (default namespace: the
 * route's), optionally one listener by `sectionName` and/or `port`. The route attaches to each
 * such listener that
 * - allows its kind (`allowedRoutes.kinds`, default: the kinds the protocol supports —
 *   HTTP/HTTPS: HTTPRoute and GRPCRoute; TLS: TLSRoute; TCP: TCPRoute; UDP: UDPRoute),
 * - allows its namespace (`allowedRoutes.namespaces.from`: Same — default —, All, or Selector
 *   over the namespace's labels), and
 * - shares a hostname with it ("If both the Listener and HTTPRoute have specified hostnames,
 *   and none match ... then the HTTPRoute is not accepted").
 */
import { GATEWAY_GROUP, selectorMatches, type Gateway, type GatewayRoute, type Labels, type Listener, type ParentRef } from "../model/index.js";
import { effectiveHostnames } from "./hostname.js";

const PROTOCOL_KINDS: Readonly<Record<string, readonly string[]>> = {
  HTTP: ["HTTPRoute", "GRPCRoute"],
  HTTPS: ["HTTPRoute", "GRPCRoute"],
  TLS: ["TLSRoute"],
  TCP: ["TCPRoute"],
  UDP: ["UDPRoute"],
};

export interface ListenerAttachment {
  readonly listener: Listener;
  /** The hostnames the route serves on this listener (undefined: any host). */
  readonly hostnames: readonly (string | undefined)[];
}

export type AttachResult =
  | { readonly ok: true; readonly gateway: Gateway; readonly listeners: readonly ListenerAttachment[] }
  | { readonly ok: false; readonly reason: string; readonly gateway?: Gateway };

export interface AttachContext {
  readonly gateways: readonly Gateway[];
  /** Namespace labels, for `from: Selector`. */
  readonly namespaceLabels: (ns: string) => Labels | undefined;
}

export const routeId = (r: { readonly kind: string; readonly namespace: string; readonly name: string }): string => `${r.kind} ${r.namespace}/${r.name}`;
export const gatewayId = (g: Gateway): string => `${g.namespace}/${g.name}`;

/** Why a listener refuses the route, or undefined when it accepts it. */
function refusal(route: GatewayRoute, gw: Gateway, l: Listener, ctx: AttachContext): string | undefined {
  const supported = PROTOCOL_KINDS[l.protocol] ?? [];
  const allowed = l.allowedKinds.length === 0 ? supported : l.allowedKinds.filter((k) => k.group === GATEWAY_GROUP && supported.includes(k.kind)).map((k) => k.kind);
  if (!allowed.includes(route.kind)) return `listener ${l.name} (${l.protocol}/${l.port}) allows kinds ${allowed.join(", ") || "none"}, not ${route.kind}`;
  const ns = l.allowedNamespaces;
  switch (ns.from) {
    case "Same":
      if (route.namespace !== gw.namespace) return `listener ${l.name} allows routes from namespace ${gw.namespace} only (allowedRoutes.namespaces.from: Same), not ${route.namespace}`;
      break;
    case "All":
      break;
    case "Selector": {
      const labels = ctx.namespaceLabels(route.namespace) ?? {};
      if (!selectorMatches(ns.selector, labels)) return `listener ${l.name}'s allowedRoutes namespace selector does not select namespace ${route.namespace}`;
      break;
    }
  }
  if (effectiveHostnames(l.hostname, route.hostnames).length === 0) return `listener ${l.name}'s hostname ${l.hostname ?? ""} does not intersect the route's hostnames ${route.hostnames.join(", ")}`;
  return undefined;
}

export function attach(route: GatewayRoute, ref: ParentRef, ctx: AttachContext): AttachResult {
  if (ref.group !== GATEWAY_GROUP || ref.kind !== "Gateway") return { ok: false, reason: `parentRef ${ref.kind} ${ref.name} (group ${ref.group || "core"}) is not a Gateway: not modelled` };
  const ns = ref.namespace ?? route.namespace;
  const gateway = ctx.gateways.find((g) => g.namespace === ns && g.name === ref.name);
  if (!gateway) return { ok: false, reason: `parentRef names Gateway ${ns}/${ref.name}, which is not in the input` };
  const named = gateway.listeners.filter((l) => (ref.sectionName === undefined || l.name === ref.sectionName) && (ref.port === undefined || l.port === ref.port));
  if (named.length === 0) {
    const what = [ref.sectionName !== undefined ? `sectionName ${ref.sectionName}` : "", ref.port !== undefined ? `port ${ref.port}` : ""].filter((x) => x).join(" and ");
    return { ok: false, gateway, reason: `Gateway ${gatewayId(gateway)} has no listener with ${what} (listeners: ${gateway.listeners.map((l) => `${l.name} ${l.protocol}/${l.port}`).join(", ")})` };
  }
  const listeners: ListenerAttachment[] = [];
  const reasons: string[] = [];
  for (const l of named) {
    const why = refusal(route, gateway, l, ctx);
    if (why === undefined) listeners.push({ listener: l, hostnames: effectiveHostnames(l.hostname, route.hostnames) });
    else reasons.push(why);
  }
  if (listeners.length === 0) return { ok: false, gateway, reason: `no listener of Gateway ${gatewayId(gateway)} accepts ${routeId(route)}: ${reasons.join("; ")}` };
  return { ok: true, gateway, listeners };
}

/** Every accepted (route, gateway, listener) attachment, in route order. */
export function attachments(routes: readonly GatewayRoute[], ctx: AttachContext): { route: GatewayRoute; gateway: Gateway; attached: ListenerAttachment }[] {
  const out: { route: GatewayRoute; gateway: Gateway; attached: ListenerAttachment }[] = [];
  for (const route of routes) {
    const seen = new Set<string>();
    for (const ref of route.parentRefs) {
      const a = attach(route, ref, ctx);
      if (!a.ok) continue;
      for (const l of a.listeners) {
        const key = `${gatewayId(a.gateway)}/${l.listener.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ route, gateway: a.gateway, attached: l });
      }
    }
  }
  return out;
}
