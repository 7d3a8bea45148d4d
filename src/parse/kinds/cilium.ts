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
  CILIUM_NAMESPACE_LABEL,
  ipSetOfCidr,
  ipSetSubtract,
  isStrictSubset,
  parseCidr,
  parseIp,
  type Cidr,
  type CiliumCidrRule,
  type CiliumPolicy,
  type CiliumRule,
  type CiliumRuleSet,
  type PolicyType,
} from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeIcmps, decodeToPorts } from "./cilium-ports.js";
import { decodeCiliumSelector, decodeEntities, decodePeerSelectors, withNamespaceMatch } from "./cilium-selector.js";
import { decodeMeta } from "./metadata.js";

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
