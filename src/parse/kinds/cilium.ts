/**
 * @module cilium (decoder)
 * cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy with the CRD's validation
 * and Cilium's own parsing (pkg/k8s/apis/cilium.io/utils/utils.go ParseToCiliumRule):
 * - `spec` and/or `specs` (at least one); each rule has endpointSelector or nodeSelector;
 * - a namespaced policy's endpointSelector always gets `io.kubernetes.pod.namespace = <ns>`;
 *   its peer selectors (fromEndpoints, toEndpoints, from/toRequires) get it too unless they name
 *   `io.kubernetes.pod.namespace` or an `io.cilium.k8s.namespace.labels.*` key; a clusterwide
 *   policy's peer selectors get `io.kubernetes.pod.namespace exists` (pods only); selectors with
 *   `reserved:` keys are left alone (getEndpointSelector);
 * - label keys lose their `k8s:` / `any:` source prefix (pods' labels are k8s-sourced);
 * - toPorts: port number, name or "0"/absent (all), endPort, protocol TCP|UDP|SCTP|ANY (default
 *   ANY); rules.http/dns/kafka and toFQDNs decoded and flagged "L7 / FQDN part not modelled";
 * - enableDefaultDeny defaults to true for each direction the rule set has rules in.
 */
import {
  CILIUM_ENTITIES,
  CILIUM_NAMESPACE_LABEL,
  CILIUM_NAMESPACE_LABELS_PREFIX,
  ipSetOfCidr,
  ipSetSubtract,
  isStrictSubset,
  parseCidr,
  parseIp,
  type Cidr,
  type CiliumCidrRule,
  type CiliumEntity,
  type CiliumIcmp,
  type CiliumL7,
  type CiliumPolicy,
  type CiliumPort,
  type CiliumPortRule,
  type CiliumProtocol,
  type CiliumRule,
  type CiliumRuleSet,
  type CiliumSelector,
  type LabelRequirement,
  type LabelSelector,
  type PolicyType,
} from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeSelector } from "./label-selector.js";
import { decodeMeta } from "./metadata.js";
import { IANA_SVC_NAME } from "./network-policy.js";

export const CILIUM_KINDS = ["CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy"] as const;

export function isCiliumPolicyKind(apiVersion: string, kind: string): kind is (typeof CILIUM_KINDS)[number] {
  return apiVersion === "cilium.io/v2" && (CILIUM_KINDS as readonly string[]).includes(kind);
}

export function decodeCiliumPolicy(obj: Cursor, kind: (typeof CILIUM_KINDS)[number], apiVersion: string): CiliumPolicy | undefined {
  const before = obj.ctx.diagnostics.length;
  obj.checkKeys(["apiVersion", "kind", "metadata", "spec", "specs", "status"]);
  const namespaced = kind === "CiliumNetworkPolicy";
  const meta = decodeMeta(obj, namespaced);
  if (!meta) return undefined;
  const ns = namespaced ? meta.namespace : undefined;
  const specC = obj.get("spec");
  const specsC = obj.get("specs");
  if (specC.isAbsent && specsC.isAbsent) obj.error("missing-field", 'a Cilium policy needs "spec" or "specs"');
  const specs: CiliumRuleSet[] = [];
  const cursors = [...(specC.isAbsent ? [] : [specC]), ...(!specsC.isAbsent && specsC.expect("seq") ? specsC.items() : [])];
  cursors.forEach((c, i) => {
    const s = decodeRuleSet(c, ns, i);
    if (s) specs.push(s);
  });
  const failed = obj.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed) return undefined;
  return { kind, apiVersion, name: meta.name, namespace: ns, specs, source: obj.ref };
}

function decodeRuleSet(c: Cursor, ns: string | undefined, index: number): CiliumRuleSet | undefined {
  if (!c.expect("map")) return undefined;
  c.checkKeys(["endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny", "labels", "description", "enableDefaultDeny", "log"]);
  const epC = c.get("endpointSelector");
  const nodeC = c.get("nodeSelector");
  if (epC.isAbsent === nodeC.isAbsent) {
    c.error("invalid-value", "a rule must set exactly one of endpointSelector, nodeSelector");
    return undefined;
  }
  if (!nodeC.isAbsent && ns !== undefined) nodeC.error("invalid-value", "nodeSelector is only allowed in a CiliumClusterwideNetworkPolicy");
  let subject: CiliumRuleSet["subject"] | undefined;
  if (!epC.isAbsent) {
    const sel = decodeCiliumSelector(epC);
    const userNs = sel?.selector.matchLabels[CILIUM_NAMESPACE_LABEL];
    if (ns !== undefined && userNs !== undefined && userNs !== ns) {
      epC.report("invalid-value", "warning", `endpointSelector names namespace "${userNs}" but a CiliumNetworkPolicy applies only in its own namespace "${ns}": Cilium replaces the match (ParseToCiliumRule)`);
    }
    if (sel) subject = { type: "Endpoints", selector: ns === undefined ? sel : { ...sel, selector: withNamespaceMatch(sel.selector, ns, true) } };
  } else {
    const sel = decodeCiliumSelector(nodeC);
    nodeC.report("peer-not-modelled", "warning", "nodeSelector: host policies apply to nodes, which kwire does not model as policy subjects");
    if (sel) subject = { type: "Nodes", selector: sel };
  }
  const ingress = [...decodeRules(c.get("ingress"), "Ingress", false, ns), ...decodeRules(c.get("ingressDeny"), "Ingress", true, ns)];
  const egress = [...decodeRules(c.get("egress"), "Egress", false, ns), ...decodeRules(c.get("egressDeny"), "Egress", true, ns)];
  const defaultDeny = decodeDefaultDeny(c.get("enableDefaultDeny"), {
    Ingress: hasItems(c.get("ingress")) || hasItems(c.get("ingressDeny")),
    Egress: hasItems(c.get("egress")) || hasItems(c.get("egressDeny")),
  });
  if (!subject) return undefined;
  return { subject, ingress, egress, defaultDeny, description: c.get("description").optString(), index, ref: c.ref };
}

function hasItems(c: Cursor): boolean {
  return c.kind === "seq" && c.items().length > 0;
}

/** Rule.EnableDefaultDeny: "If not specified, the default is true for each traffic direction that has rules". */
function decodeDefaultDeny(c: Cursor, has: { Ingress: boolean; Egress: boolean }): CiliumRuleSet["defaultDeny"] {
  if (c.isAbsent || !c.expect("map")) return has;
  c.checkKeys(["ingress", "egress"]);
  return { Ingress: c.get("ingress").optBool() ?? has.Ingress, Egress: c.get("egress").optBool() ?? has.Egress };
}

/** Strips a `k8s:`/`any:` source prefix; `reserved:` keys are returned separately. */
function bareKey(k: string): { key: string; reserved: boolean } {
  if (k.startsWith("reserved:")) return { key: k.slice("reserved:".length), reserved: true };
  const m = /^(k8s|any):(.*)$/.exec(k);
  return { key: m ? (m[2] ?? k) : k, reserved: false };
}

function decodeCiliumSelector(c: Cursor): CiliumSelector | undefined {
  const raw = decodeSelector(c);
  if (!raw) return undefined;
  const reserved: string[] = [];
  const matchLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.matchLabels)) {
    const b = bareKey(k);
    if (b.reserved) reserved.push(b.key);
    else matchLabels[b.key] = v;
  }
  const matchExpressions: LabelRequirement[] = [];
  for (const r of raw.matchExpressions) {
    const b = bareKey(r.key);
    if (b.reserved) reserved.push(b.key);
    else matchExpressions.push({ ...r, key: b.key });
  }
  return { selector: { matchLabels, matchExpressions }, reserved, source: c.ref };
}

function hasKey(s: LabelSelector, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(s.matchLabels, key) || s.matchExpressions.some((r) => r.key === key);
}

function hasKeyPrefix(s: LabelSelector, prefix: string): boolean {
  return Object.keys(s.matchLabels).some((k) => k.startsWith(prefix)) || s.matchExpressions.some((r) => r.key.startsWith(prefix));
}

/**
 * getEndpointSelector: namespaced policy ⇒ `io.kubernetes.pod.namespace = ns` (the subject always;
 * peers unless they name the namespace or namespace labels); clusterwide ⇒ peers need the label.
 */
function withNamespaceMatch(s: LabelSelector, ns: string | undefined, subject: boolean): LabelSelector {
  if (subject) return ns === undefined ? s : { matchLabels: { ...s.matchLabels, [CILIUM_NAMESPACE_LABEL]: ns }, matchExpressions: s.matchExpressions };
  if (hasKey(s, CILIUM_NAMESPACE_LABEL)) return s;
  if (ns === undefined) return { matchLabels: s.matchLabels, matchExpressions: [...s.matchExpressions, { key: CILIUM_NAMESPACE_LABEL, operator: "Exists", values: [] }] };
  if (hasKeyPrefix(s, CILIUM_NAMESPACE_LABELS_PREFIX)) return s;
  return { matchLabels: { ...s.matchLabels, [CILIUM_NAMESPACE_LABEL]: ns }, matchExpressions: s.matchExpressions };
}

function decodePeerSelectors(c: Cursor, ns: string | undefined, entities: CiliumEntity[]): CiliumSelector[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CiliumSelector[] = [];
  for (const it of c.items()) {
    const sel = decodeCiliumSelector(it);
    if (!sel) continue;
    if (sel.reserved.length > 0) {
      // Reserved labels name entities (reserved:host ≡ entity host); Cilium adds no namespace.
      const known = sel.reserved.filter((r): r is CiliumEntity => (CILIUM_ENTITIES as readonly string[]).includes(r));
      if (known.length === sel.reserved.length && Object.keys(sel.selector.matchLabels).length === 0 && sel.selector.matchExpressions.length === 0) entities.push(...known);
      else {
        it.report("peer-not-modelled", "warning", `selector mixes reserved labels (${sel.reserved.join(", ")}) with others: kwire treats it as matching no endpoint`);
        out.push(sel);
      }
      continue;
    }
    out.push({ ...sel, selector: withNamespaceMatch(sel.selector, ns, false) });
  }
  return out;
}

function decodeEntities(c: Cursor): CiliumEntity[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CiliumEntity[] = [];
  for (const it of c.items()) {
    const t = it.optString();
    if (t === undefined) continue;
    const e = CILIUM_ENTITIES.find((x) => x === t);
    if (!e) it.error("invalid-value", `entity "${t}" is not one of ${CILIUM_ENTITIES.join(", ")}`);
    else out.push(e);
  }
  return out;
}

function cidrOf(c: Cursor, t: string): Cidr | undefined {
  const ip = t.includes("/") ? undefined : parseIp(t);
  const parsed = ip ? parseCidr(`${t}/${ip.family === 4 ? 32 : 128}`) : parseCidr(t);
  if (!parsed.ok) {
    c.error("invalid-cidr", `invalid CIDR "${t}": ${parsed.reason}`);
    return undefined;
  }
  return parsed.cidr;
}

function decodeCidrs(c: Cursor): CiliumCidrRule[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CiliumCidrRule[] = [];
  for (const it of c.items()) {
    const t = it.optString();
    const cidr = t === undefined ? undefined : cidrOf(it, t);
    if (cidr && t !== undefined) out.push({ cidr, except: [], set: ipSetOfCidr(cidr), text: t });
  }
  return out;
}

function decodeCidrSet(c: Cursor, unmodelled: string[]): CiliumCidrRule[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: CiliumCidrRule[] = [];
  for (const it of c.items()) {
    if (!it.expect("map")) continue;
    it.checkKeys(["cidr", "except", "cidrGroupRef", "cidrGroupSelector"]);
    const which = ["cidr", "cidrGroupRef", "cidrGroupSelector"].filter((k) => !it.get(k).isAbsent);
    if (which.length !== 1) {
      it.error("invalid-value", "a CIDR rule must set exactly one of cidr, cidrGroupRef, cidrGroupSelector");
      continue;
    }
    if (which[0] !== "cidr") {
      unmodelled.push(`${which[0]} (CiliumCIDRGroup)`);
      it.report("peer-not-modelled", "warning", `${which[0]} refers to CiliumCIDRGroup objects, which kwire does not read: the rule matches no address through it`);
      continue;
    }
    const t = it.get("cidr").optString();
    const cidr = t === undefined ? undefined : cidrOf(it.get("cidr"), t);
    if (!cidr || t === undefined) continue;
    const except: Cidr[] = [];
    const ec = it.get("except");
    if (!ec.isAbsent && ec.expect("seq")) for (const e of ec.items()) {
      const et = e.optString();
      const ecidr = et === undefined ? undefined : cidrOf(e, et);
      if (!ecidr) continue;
      if (ecidr.family !== cidr.family || !(isStrictSubset(ecidr, cidr) || (ecidr.base === cidr.base && ecidr.prefix === cidr.prefix))) e.error("except-outside-cidr", `except ${et} is not inside ${t}`);
      else except.push(ecidr);
    }
    const set = except.reduce((s, e) => ipSetSubtract(s, ipSetOfCidr(e)), ipSetOfCidr(cidr));
    out.push({ cidr, except, set, text: except.length ? `${t} except ${except.length}` : t });
  }
  return out;
}

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

function decodeToPorts(c: Cursor, deny: boolean): "All" | CiliumPortRule[] {
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

function decodeIcmps(c: Cursor): CiliumIcmp[] {
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

const PEER_KEYS: Readonly<Record<PolicyType, Readonly<Record<string, string>>>> = {
  Ingress: { endpoints: "fromEndpoints", requires: "fromRequires", entities: "fromEntities", cidr: "fromCIDR", cidrSet: "fromCIDRSet", nodes: "fromNodes", groups: "fromGroups" },
  Egress: { endpoints: "toEndpoints", requires: "toRequires", entities: "toEntities", cidr: "toCIDR", cidrSet: "toCIDRSet", nodes: "toNodes", groups: "toGroups", services: "toServices", fqdns: "toFQDNs" },
};

function decodeRules(c: Cursor, direction: PolicyType, deny: boolean, ns: string | undefined): CiliumRule[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const keys = PEER_KEYS[direction];
  const key = (k: string): string => keys[k] ?? k;
  const out: CiliumRule[] = [];
  c.items().forEach((r, index) => {
    if (!r.expect("map")) return;
    const allowed = Object.values(keys).filter((k) => !(deny && (k === "toFQDNs" || k === "fromRequires" || k === "toRequires")));
    r.checkKeys([...allowed, "toPorts", "icmps", ...(deny ? [] : ["authentication"])]);
    const entities = decodeEntities(r.get(key("entities")));
    const endpoints = decodePeerSelectors(r.get(key("endpoints")), ns, entities);
    const requires = decodePeerSelectors(r.get(key("requires")), ns, []);
    const unmodelledPeers: string[] = [];
    const cidrs = [...decodeCidrs(r.get(key("cidr"))), ...decodeCidrSet(r.get(key("cidrSet")), unmodelledPeers)];
    for (const k of ["nodes", "groups", "services"]) {
      const f = keys[k];
      if (f === undefined || r.get(f).isAbsent) continue;
      unmodelledPeers.push(f);
      r.get(f).report("peer-not-modelled", "warning", `${f} is not modelled: the rule matches no peer through it`);
    }
    const fqdns = direction === "Egress" && !deny ? decodeFqdns(r.get("toFQDNs")) : [];
    const l3 = ["endpoints", "entities", "cidr", "cidrSet", "nodes", "groups", "services", "fqdns"].some((k) => keys[k] !== undefined && !r.get(keys[k] as string).isAbsent);
    if (!r.get("authentication").isAbsent) r.get("authentication").report("peer-not-modelled", "warning", "authentication (mutual auth) is not modelled: kwire assumes it succeeds");
    out.push({
      direction,
      deny,
      endpoints,
      requires,
      entities,
      cidrs,
      fqdns,
      unmodelledPeers,
      anyPeer: !l3,
      toPorts: decodeToPorts(r.get("toPorts"), deny),
      icmps: decodeIcmps(r.get("icmps")),
      index,
      ref: r.ref,
    });
  });
  return out;
}

function decodeFqdns(c: Cursor): string[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const out: string[] = [];
  for (const it of c.items()) {
    if (!it.expect("map")) continue;
    it.checkKeys(["matchName", "matchPattern"]);
    const n = it.get("matchName").optString() ?? it.get("matchPattern").optString();
    if (n === undefined) it.error("missing-field", "a toFQDNs entry needs matchName or matchPattern");
    else out.push(n);
  }
  if (out.length > 0) c.report("peer-not-modelled", "warning", `toFQDNs (${out.join(", ")}) is not modelled: kwire cannot resolve names, so the rule matches no address through it unless --external-ip names one`);
  return out;
}
