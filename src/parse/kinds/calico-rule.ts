/**
 * @module calico-rule (decoder)
 * apiv3.Rule and apiv3.EntityRule with Calico's validation (libcalico-go lib/validator/v3):
 * action Allow|Deny|Pass|Log; protocol TCP|UDP|SCTP|ICMP|ICMPv6|UDPLite or 1-255; ports and
 * notPorts only with a protocol that has ports; icmp/notICMP only with ICMP/ICMPv6, type 0-254,
 * code 0-255 and only with a type; nets/notNets as CIDRs or plain IPs of the rule's ipVersion;
 * selectors in Calico's selector language, their errors placed at the offending token.
 */
import {
  ipSetOfCidr,
  normalizeIntervals,
  parseCidr,
  parseIp,
  type CalicoAction,
  type CalicoEntityRule,
  type CalicoIcmp,
  type CalicoPort,
  type CalicoProtocol,
  type CalicoRule,
  type CalicoSelectorField,
  type CalicoServiceAccountMatch,
  type Cidr,
  type IpSet,
  type SourceRef,
} from "../../model/index.js";
import { formatSelectorError, parseCalicoSelector } from "../../policy/calico-selector.js";
import type { Cursor } from "../cursor.js";
import { IANA_SVC_NAME } from "./network-policy.js";

const ACTIONS: readonly CalicoAction[] = ["Allow", "Deny", "Pass", "Log"];
const PROTOCOL_NAMES = ["TCP", "UDP", "SCTP", "ICMP", "ICMPv6", "UDPLite"] as const;

/** The place of column `column` inside a one-line YAML/JSON string value (else the value itself). */
function refInside(c: Cursor, column: number): SourceRef {
  const off = c.src.locate(c.segs);
  if (off === undefined) return c.ref;
  const ch = c.src.text.charAt(off);
  if (ch === "|" || ch === ">") return c.ref;
  const start = ch === '"' || ch === "'" ? off + 1 : off;
  const target = start + column - 1;
  if (c.src.text.slice(start, target).includes("\n")) return c.ref;
  return c.src.refAt(target, c.path);
}

/** A present selector field, parsed; errors name the offending token at its exact column. */
export function decodeCalicoSelector(c: Cursor): CalicoSelectorField | undefined {
  const text = c.optString();
  if (text === undefined) return undefined;
  const r = parseCalicoSelector(text);
  if (!r.ok) {
    const ref = refInside(c, r.error.column);
    c.src.diagnostics.push({
      code: "invalid-label-selector",
      severity: "error",
      message: `invalid Calico selector ${JSON.stringify(text)}: ${formatSelectorError(r.error)}`,
      source: ref,
      hint: "Calico selectors look like: role == 'database' && env in {'prod', 'staging'} (docs: reference/resources/networkpolicy#selectors)",
    });
    return undefined;
  }
  return { text, selector: r.selector, source: c.ref };
}

function decodeProtocol(c: Cursor): CalicoProtocol | undefined {
  if (c.isAbsent) return undefined;
  if (c.kind === "number") {
    const n = c.optInt();
    if (n === undefined) return undefined;
    if (n < 1 || n > 255) {
      c.error("invalid-protocol", `protocol number ${n} is outside 1-255`);
      return undefined;
    }
    return { type: "Number", number: n };
  }
  const t = c.optString();
  if (t === undefined) return undefined;
  if (/^\d+$/.test(t)) return decodeProtocolNumberText(c, t);
  const name = PROTOCOL_NAMES.find((p) => p === t || p.toLowerCase() === t);
  if (!name) {
    c.error("invalid-protocol", `protocol "${t}" is not one of ${PROTOCOL_NAMES.join(", ")} or a number 1-255`);
    return undefined;
  }
  return { type: "Name", name };
}

function decodeProtocolNumberText(c: Cursor, t: string): CalicoProtocol | undefined {
  const n = Number(t);
  if (n < 1 || n > 255) {
    c.error("invalid-protocol", `protocol number ${n} is outside 1-255`);
    return undefined;
  }
  return { type: "Number", number: n };
}

/** numorstring.Protocol.SupportsPorts: TCP, UDP, SCTP, UDPLite (also as 6, 17, 132, 136). */
export function protocolSupportsPorts(p: CalicoProtocol | undefined): boolean {
  if (!p) return false;
  return p.type === "Name" ? p.name === "TCP" || p.name === "UDP" || p.name === "SCTP" || p.name === "UDPLite" : [6, 17, 132, 136].includes(p.number);
}

function isIcmp(p: CalicoProtocol | undefined): "ICMP" | "ICMPv6" | undefined {
  if (!p) return undefined;
  if (p.type === "Name") return p.name === "ICMP" || p.name === "ICMPv6" ? p.name : undefined;
  return p.number === 1 ? "ICMP" : p.number === 58 ? "ICMPv6" : undefined;
}

function portNumber(c: Cursor, text: string): number | undefined {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    c.error("invalid-port", `port ${text} is outside 0-65535`);
    return undefined;
  }
  return n;
}

function decodePort(c: Cursor): CalicoPort | undefined {
  if (c.kind === "number") {
    const n = c.optInt();
    if (n === undefined) return undefined;
    const p = portNumber(c, String(n));
    return p === undefined ? undefined : { type: "Range", from: p, to: p };
  }
  const t = c.optString();
  if (t === undefined) return undefined;
  const m = /^(\d+)(?::(\d+))?$/.exec(t);
  if (m) {
    const from = portNumber(c, m[1] ?? "");
    const to = m[2] === undefined ? from : portNumber(c, m[2]);
    if (from === undefined || to === undefined) return undefined;
    if (from > to) {
      c.error("invalid-port", `port range "${t}": the minimum ${from} is above the maximum ${to}`);
      return undefined;
    }
    return { type: "Range", from, to };
  }
  if (!IANA_SVC_NAME.test(t)) {
    c.error("invalid-port", `"${t}" is neither a port, a "min:max" range nor a valid port name`);
    return undefined;
  }
  return { type: "Named", name: t };
}

function decodePorts(c: Cursor): CalicoPort[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CalicoPort[] = [];
  for (const it of c.items()) {
    const p = decodePort(it);
    if (p) out.push(p);
  }
  return out;
}

function decodeNets(c: Cursor, ipVersion: 4 | 6 | undefined): Cidr[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: Cidr[] = [];
  for (const it of c.items()) {
    const t = it.optString();
    if (t === undefined) continue;
    // cnet.ParseCIDROrIP: a plain address is a /32 (/128).
    const ip = t.includes("/") ? undefined : parseIp(t);
    const parsed = ip ? parseCidr(`${t}/${ip.family === 4 ? 32 : 128}`) : parseCidr(t);
    if (!parsed.ok) {
      it.error("invalid-cidr", `invalid CIDR "${t}": ${parsed.reason}`);
      continue;
    }
    if (ipVersion !== undefined && parsed.cidr.family !== ipVersion) {
      it.error("invalid-cidr", `"${t}" is IPv${parsed.cidr.family} but the rule has ipVersion ${ipVersion}`);
      continue;
    }
    out.push(parsed.cidr);
  }
  return out;
}

/** One IpSet per family (union of the CIDRs). */
export function netSetsOf(nets: readonly Cidr[]): IpSet[] {
  const out: IpSet[] = [];
  for (const family of [4, 6] as const) {
    const mine = nets.filter((n) => n.family === family).map((n) => ipSetOfCidr(n).intervals[0]).filter((x) => x !== undefined);
    if (mine.length > 0) out.push({ family, intervals: normalizeIntervals(mine) });
  }
  return out;
}

function decodeServiceAccounts(c: Cursor): CalicoServiceAccountMatch | undefined {
  if (c.isAbsent || !c.expect("map")) return undefined;
  c.checkKeys(["names", "selector"]);
  const namesC = c.get("names");
  const names: string[] = [];
  if (!namesC.isAbsent && namesC.expect("seq")) for (const n of namesC.items()) {
    const s = n.optString();
    if (s !== undefined) names.push(s);
  }
  const selC = c.get("selector");
  return { names, selector: selC.isAbsent ? undefined : decodeCalicoSelector(selC) };
}

const ENTITY_KEYS = ["nets", "notNets", "selector", "notSelector", "namespaceSelector", "serviceAccounts", "services", "ports", "notPorts"];

function decodeEntity(c: Cursor, ipVersion: 4 | 6 | undefined): CalicoEntityRule {
  const empty: CalicoEntityRule = { nets: [], notNets: [], netSets: [], notNetSets: [], selector: undefined, notSelector: undefined, namespaceSelector: undefined, serviceAccounts: undefined, services: undefined, ports: [], notPorts: [] };
  if (c.isAbsent || !c.expect("map")) return empty;
  c.checkKeys(ENTITY_KEYS);
  const nets = decodeNets(c.get("nets"), ipVersion);
  const notNets = decodeNets(c.get("notNets"), ipVersion);
  const opt = (k: string): CalicoSelectorField | undefined => (c.get(k).isAbsent ? undefined : decodeCalicoSelector(c.get(k)));
  const svcC = c.get("services");
  let services: CalicoEntityRule["services"];
  if (!svcC.isAbsent && svcC.expect("map")) {
    svcC.checkKeys(["name", "namespace"]);
    const name = svcC.get("name").reqString();
    if (name !== undefined) services = { name, namespace: svcC.get("namespace").optString() };
  }
  return {
    nets,
    notNets,
    netSets: netSetsOf(nets),
    notNetSets: netSetsOf(notNets),
    selector: opt("selector"),
    notSelector: opt("notSelector"),
    namespaceSelector: opt("namespaceSelector"),
    serviceAccounts: decodeServiceAccounts(c.get("serviceAccounts")),
    services,
    ports: decodePorts(c.get("ports")),
    notPorts: decodePorts(c.get("notPorts")),
  };
}

function decodeIcmp(c: Cursor): CalicoIcmp | undefined {
  if (c.isAbsent || !c.expect("map")) return undefined;
  c.checkKeys(["type", "code"]);
  const type = c.get("type").optInt();
  const code = c.get("code").optInt();
  if (type !== undefined && (type < 0 || type > 254)) c.get("type").error("invalid-value", `ICMP type ${type} is outside 0-254`);
  if (code !== undefined && (code < 0 || code > 255)) c.get("code").error("invalid-value", `ICMP code ${code} is outside 0-255`);
  if (code !== undefined && type === undefined) c.error("invalid-value", "an ICMP code needs an ICMP type");
  return { type, code };
}

const RULE_KEYS = ["action", "ipVersion", "protocol", "notProtocol", "icmp", "notICMP", "source", "destination", "http", "metadata"];

/** Decodes one rule; undefined (with errors) when it is invalid. */
export function decodeCalicoRule(r: Cursor, index: number): CalicoRule | undefined {
  const before = r.ctx.diagnostics.length;
  if (!r.expect("map")) return undefined;
  r.checkKeys(RULE_KEYS);
  const actionText = r.get("action").reqString();
  const action = ACTIONS.find((a) => a === actionText);
  if (actionText !== undefined && !action) r.get("action").error("invalid-value", `action "${actionText}" is not one of ${ACTIONS.join(", ")}`);
  const ipvC = r.get("ipVersion");
  const ipv = ipvC.optInt();
  if (ipv !== undefined && ipv !== 4 && ipv !== 6) ipvC.error("invalid-value", `ipVersion ${ipv} is not 4 or 6`);
  const ipVersion = ipv === 4 || ipv === 6 ? ipv : undefined;
  const protocol = decodeProtocol(r.get("protocol"));
  const notProtocol = decodeProtocol(r.get("notProtocol"));
  const source = decodeEntity(r.get("source"), ipVersion);
  const destination = decodeEntity(r.get("destination"), ipVersion);
  const icmp = decodeIcmp(r.get("icmp"));
  const notICMP = decodeIcmp(r.get("notICMP"));
  checkProtocolUse(r, protocol, ipVersion, source, destination, icmp !== undefined || notICMP !== undefined);
  const http = decodeHttp(r.get("http"));
  for (const k of ["ports", "notPorts"]) {
    const pc = r.get("source").get(k);
    if (!pc.isAbsent) pc.report("peer-not-modelled", "warning", `source ${k} is not modelled: a connection's source port is ephemeral, so kwire cannot know it`, "the rule's verdicts are marked uncertain");
  }
  for (const side of ["source", "destination"]) {
    const sc = r.get(side).get("services");
    if (!sc.isAbsent) sc.report("peer-not-modelled", "warning", `${side}.services is not modelled: kwire does not expand a Service match into its endpoints here`, "the rule's verdicts are marked uncertain");
  }
  const failed = r.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed || !action) return undefined;
  return { action, ipVersion, protocol, notProtocol, icmp, notICMP, source, destination, http, unmodelled: unmodelledParts(source, destination, http !== undefined), index, ref: r.ref };
}

function checkProtocolUse(r: Cursor, protocol: CalicoProtocol | undefined, ipVersion: 4 | 6 | undefined, src: CalicoEntityRule, dst: CalicoEntityRule, hasIcmp: boolean): void {
  const withPorts = (["source", "destination"] as const).filter((side) => {
    const e = side === "source" ? src : dst;
    return e.ports.length > 0 || e.notPorts.length > 0;
  });
  if (withPorts.length > 0 && !protocolSupportsPorts(protocol)) {
    r.get("protocol").error("invalid-value", `${withPorts.join(" and ")} ports need protocol TCP, UDP, SCTP or UDPLite (got ${protocol ? describeProtocol(protocol) : "none"})`);
  }
  const icmpKind = isIcmp(protocol);
  if (hasIcmp && !icmpKind) r.get("icmp").error("invalid-value", "icmp/notICMP need protocol ICMP or ICMPv6");
  if (icmpKind === "ICMP" && ipVersion === 6) r.get("protocol").error("invalid-value", "protocol ICMP with ipVersion 6 (use ICMPv6)");
  if (icmpKind === "ICMPv6" && ipVersion === 4) r.get("protocol").error("invalid-value", "protocol ICMPv6 with ipVersion 4 (use ICMP)");
}

export function describeProtocol(p: CalicoProtocol): string {
  return p.type === "Name" ? p.name : String(p.number);
}

function decodeHttp(c: Cursor): CalicoRule["http"] {
  if (c.isAbsent || !c.expect("map")) return undefined;
  c.checkKeys(["methods", "paths"]);
  const methods = c.get("methods").kind === "seq" ? c.get("methods").items().map((m) => m.optString() ?? "?") : [];
  const paths = c.get("paths").kind === "seq" ? c.get("paths").items().map((p) => JSON.stringify(p.plain())) : [];
  c.report("peer-not-modelled", "warning", `http match (methods ${methods.join(",") || "any"}, paths ${paths.join(",") || "any"}) is L7 and not modelled: kwire decides at L3/L4 and ignores it`, "an Allow with an http match allows more at L4 than Calico's L7 proxy would");
  return { methods, paths };
}

function unmodelledParts(src: CalicoEntityRule, dst: CalicoEntityRule, http: boolean): string[] {
  const out: string[] = [];
  if (src.ports.length > 0 || src.notPorts.length > 0) out.push("source ports (a connection's source port is ephemeral)");
  if (src.services || dst.services) out.push("services match");
  if (http) out.push("http match (L7)");
  return out;
}
