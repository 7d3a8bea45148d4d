/**
 * @module node (decoder)
 * v1 Node: labels, status.addresses (InternalIP, ExternalIP) and spec.podCIDR(s).
 */
import { parseCidr, parseIp, type Ip, type Node } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";

export function decodeNode(obj: Cursor): Node | undefined {
  const meta = decodeMeta(obj, false);
  if (!meta) return undefined;
  const internalIPs: Ip[] = [];
  const externalIPs: Ip[] = [];
  const addrs = obj.get("status").get("addresses");
  if (!addrs.isAbsent && addrs.expect("seq")) {
    for (const a of addrs.items()) {
      const type = a.get("type").optString();
      if (type !== "InternalIP" && type !== "ExternalIP") continue;
      const text = a.get("address").optString() ?? "";
      const ip = parseIp(text);
      if (!ip) {
        a.get("address").error("invalid-value", `${type} "${text}" is not an IP address`);
        continue;
      }
      (type === "InternalIP" ? internalIPs : externalIPs).push(ip);
    }
  }
  return { kind: "Node", name: meta.name, labels: meta.labels, internalIPs, externalIPs, podCIDRs: podCIDRs(obj.get("spec")), source: obj.ref };
}

/** spec.podCIDRs, or the older single spec.podCIDR; each must parse as a CIDR. */
function podCIDRs(spec: Cursor): string[] {
  const out: string[] = [];
  const add = (c: Cursor): void => {
    const t = c.optString();
    if (t === undefined || out.includes(t)) return;
    const parsed = parseCidr(t);
    if (!parsed.ok) c.error("invalid-cidr", `invalid podCIDR "${t}": ${parsed.reason}`);
    else out.push(t);
  };
  add(spec.get("podCIDR"));
  const list = spec.get("podCIDRs");
  if (!list.isAbsent && list.expect("seq")) for (const item of list.items()) add(item);
  return out;
}
