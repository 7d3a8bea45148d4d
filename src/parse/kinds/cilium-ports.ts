/**
 * @module cilium-ports (decoder)
 * Cilium `toPorts` (PortRule / PortDenyRule: port number, name or "0", endPort, protocol
 * TCP|UDP|SCTP|ANY with ANY the default), L7 `rules` (decoded and flagged), and `icmps`.
 */
import type { CiliumIcmp, CiliumL7, CiliumPort, CiliumPortRule, CiliumProtocol } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { IANA_SVC_NAME } from "./network-policy.js";

const PROTOCOLS: readonly CiliumProtocol[] = ["TCP", "UDP", "SCTP", "ANY"];

function decodePortProtocol(c: Cursor): CiliumPort | undefined {
  if (!c.expect("map")) return undefined;
  c.checkKeys(["port", "endPort", "protocol"]);
  const protoText = c.get("protocol").optString() ?? "ANY";
  const protocol = PROTOCOLS.find((p) => p === protoText);
  if (!protocol) {
    c.get("protocol").error("invalid-protocol", `protocol "${protoText}" is not one of ${PROTOCOLS.join(", ")}`);
    return undefined;
  }
  const pc = c.get("port");
  const text = pc.kind === "number" ? String(pc.scalar()) : pc.optString();
  const endPort = c.get("endPort").optInt();
  if (text === undefined || text === "0") {
    if (endPort !== undefined && endPort !== 0) c.get("endPort").error("end-port-without-port", "endPort needs a port");
    return { protocol, port: { type: "AllPorts" } };
  }
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    if (port > 65535) {
      pc.error("invalid-port", `port ${port} is outside 0-65535`);
      return undefined;
    }
    const end = endPort === undefined || endPort === 0 ? port : endPort;
    if (end < port || end > 65535) {
      c.get("endPort").error("end-port-below-port", `endPort ${end} must be between port ${port} and 65535`);
      return undefined;
    }
    return { protocol, port: { type: "Number", port, endPort: end } };
  }
  if (!IANA_SVC_NAME.test(text)) {
    pc.error("invalid-port", `"${text}" is neither a port number nor a valid port name`);
    return undefined;
  }
  if (endPort !== undefined && endPort !== 0) c.get("endPort").error("end-port-with-named-port", "endPort cannot be used with a named port");
  return { protocol, port: { type: "Named", name: text } };
}

function decodeL7(c: Cursor, deny: boolean): CiliumL7[] {
  if (c.isAbsent || !c.expect("map")) return [];
  if (deny) {
    c.error("invalid-value", "deny rules cannot carry L7 rules");
    return [];
  }
  c.checkKeys(["http", "dns", "kafka", "l7proto", "l7"]);
  const out: CiliumL7[] = [];
  for (const k of ["http", "dns", "kafka"] as const) {
    const v = c.get(k);
    if (v.isAbsent) continue;
    const n = v.kind === "seq" ? v.items().length : 0;
    out.push({ kind: k, summary: `${n} ${k} rule${n === 1 ? "" : "s"}: ${JSON.stringify(v.plain())}` });
  }
  const proto = c.get("l7proto").optString();
  if (proto !== undefined) out.push({ kind: "l7proto", summary: proto });
  if (out.length > 0) c.report("peer-not-modelled", "warning", `L7 rules (${out.map((x) => x.kind).join(", ")}) are not modelled: the connection-level verdict is the L4 one; the proxy may still reject requests`, "see docs/calico-cilium.md, \"Not decided at L3/L4\"");
  return out;
}

export function decodeToPorts(c: Cursor, deny: boolean): "All" | CiliumPortRule[] {
  if (c.isAbsent || !c.expect("seq")) return "All";
  const out: CiliumPortRule[] = [];
  for (const pr of c.items()) {
    if (!pr.expect("map")) continue;
    pr.checkKeys(deny ? ["ports"] : ["ports", "rules", "originatingTLS", "terminatingTLS", "listener", "serverNames"]);
    const ports: CiliumPort[] = [];
    const pc = pr.get("ports");
    if (!pc.isAbsent && pc.expect("seq")) for (const p of pc.items()) {
      const d = decodePortProtocol(p);
      if (d) ports.push(d);
    }
    out.push({ ports: ports.length ? ports : [{ protocol: "ANY", port: { type: "AllPorts" } }], l7: decodeL7(pr.get("rules"), deny) });
  }
  return out.length ? out : "All";
}

export function decodeIcmps(c: Cursor): CiliumIcmp[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CiliumIcmp[] = [];
  for (const r of c.items()) {
    const fields = r.get("fields");
    if (!fields.expect("seq")) continue;
    for (const f of fields.items()) {
      const family = f.get("family").optString() ?? "IPv4";
      const tc = f.get("type");
      const type = tc.kind === "number" ? tc.optInt() : tc.optString();
      if ((family !== "IPv4" && family !== "IPv6") || type === undefined) {
        f.error("invalid-value", "an ICMP field needs a type and family IPv4 or IPv6");
        continue;
      }
      out.push({ family, type });
    }
  }
  return out;
}

