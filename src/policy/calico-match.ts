/**
 * @module calico-match
 * Calico's predicates: which endpoints a policy selects, and what a rule matches between two
 * parties. Follows libcalico-go's conversion to the data-plane model:
 * - labels Calico gives a pod: its own plus projectcalico.org/namespace, /orchestrator ("k8s")
 *   and /serviceaccount; a namespaced NetworkSet gets projectcalico.org/namespace;
 * - namespace labels are read only through a namespaceSelector, which also sees
 *   projectcalico.org/name (the namespace's name); service account labels only through
 *   serviceAccounts.selector / serviceAccountSelector, which also see projectcalico.org/name;
 * - rules.go getEndpointSelector: a rule's selector is scoped to the policy's namespace when the
 *   policy is namespaced and no namespaceSelector is given — as soon as selector, notSelector or
 *   serviceAccounts is used; notSelector itself is never scoped;
 * - a selector matches an address when some endpoint or network set with that address (a pod's
 *   IP, a NetworkSet's nets) matches it (Felix IP sets).
 */
import { ALL_PORTS, EMPTY_PORTS, ipSetContains, portsOf, unionPorts, type CalicoEntityRule, type CalicoNetworkSet, type CalicoPolicy, type CalicoPort, type CalicoProtocol, type CalicoRule, type CalicoSelector, type ContainerPort, type Ip, type IpSet, type Labels, type PortSet, type Protocol } from "../model/index.js";
import { evaluateCalicoSelector, lookupIn, matchesNamespaceSelector } from "./calico-selector.js";
import { ALL_FLOWS, EMPTY_FLOWS, flowsOfPorts, icmpFlows, intersectFlows, subtractFlows, unionFlows, type FlowSet } from "./flow-set.js";
import { peerIps, serviceAccountOf, type PolicyPeer, type PolicyEndpoint } from "./party.js";

export interface CalicoContext {
  readonly networkSets: readonly CalicoNetworkSet[];
}

/** Something a selector can match: a pod or a network set holding the address. */
interface Identity {
  readonly labels: Labels;
  /** undefined: not namespaced (GlobalNetworkSet). */
  readonly namespace: string | undefined;
  readonly namespaceLabels: Labels | undefined;
  readonly serviceAccount: string | undefined;
  readonly serviceAccountLabels: Labels | undefined;
}

export function calicoPodLabels(e: PolicyEndpoint): Labels {
  return { ...e.labels, "projectcalico.org/namespace": e.namespace, "projectcalico.org/orchestrator": "k8s", "projectcalico.org/serviceaccount": serviceAccountOf(e) };
}

function namespaceLabelsOf(namespace: string, labels: Labels): Labels {
  return { ...labels, "projectcalico.org/name": namespace };
}

function podIdentity(e: PolicyEndpoint): Identity {
  return {
    labels: calicoPodLabels(e),
    namespace: e.namespace,
    namespaceLabels: namespaceLabelsOf(e.namespace, e.namespaceLabels),
    serviceAccount: serviceAccountOf(e),
    serviceAccountLabels: { ...(e.serviceAccountLabels ?? {}), "projectcalico.org/name": serviceAccountOf(e) },
  };
}

function inSets(sets: readonly IpSet[], ip: Ip): boolean {
  return sets.some((s) => ipSetContains(s, ip.family, ip.value));
}

/** Every identity a party's address belongs to. */
function identities(p: PolicyPeer, ctx: CalicoContext, nsLabels: (ns: string) => Labels): Identity[] {
  const out: Identity[] = [];
  if (p.type === "Pod" && !p.endpoint.hostNetwork) out.push(podIdentity(p.endpoint));
  const ips = peerIps(p);
  for (const s of ctx.networkSets) {
    if (!ips.some((ip) => inSets(s.netSets, ip))) continue;
    const namespace = s.namespace;
    out.push({
      labels: namespace === undefined ? s.labels : { ...s.labels, "projectcalico.org/namespace": namespace },
      namespace,
      namespaceLabels: namespace === undefined ? undefined : namespaceLabelsOf(namespace, nsLabels(namespace)),
      serviceAccount: undefined,
      serviceAccountLabels: undefined,
    });
  }
  return out;
}

function matches(sel: CalicoSelector, labels: Labels): boolean {
  return evaluateCalicoSelector(sel, lookupIn(labels));
}

/** rules.go parseServiceAccounts: names AND selector (over the service account's labels). */
function serviceAccountMatches(sa: NonNullable<CalicoEntityRule["serviceAccounts"]>, id: Identity): boolean {
  if (id.serviceAccount === undefined) return false;
  if (sa.names.length > 0 && !sa.names.includes(id.serviceAccount)) return false;
  return !sa.selector || matches(sa.selector.selector, id.serviceAccountLabels ?? {});
}

/** The positive selector of an entity rule (getEndpointSelector), or undefined when it sets none. */
function positiveSelector(er: CalicoEntityRule, policyNamespace: string | undefined): ((id: Identity) => boolean) | undefined {
  const used = er.selector !== undefined || er.notSelector !== undefined || er.serviceAccounts !== undefined || er.namespaceSelector !== undefined;
  if (!used) return undefined;
  const nsSel = er.namespaceSelector;
  return (id) => {
    if (nsSel) {
      if (!matchesNamespaceSelector(nsSel.selector, id.namespaceLabels)) return false;
    } else if (policyNamespace !== undefined && id.namespace !== policyNamespace) return false;
    if (er.serviceAccounts && !serviceAccountMatches(er.serviceAccounts, id)) return false;
    return !er.selector || matches(er.selector.selector, id.labels);
  };
}

/** Does one side (source or destination) of a rule accept this party? */
export function entityMatches(er: CalicoEntityRule, policyNamespace: string | undefined, p: PolicyPeer, ctx: CalicoContext, nsLabels: (ns: string) => Labels): boolean {
  const ips = peerIps(p);
  if (er.netSets.length > 0 && !ips.some((ip) => inSets(er.netSets, ip))) return false;
  if (er.notNetSets.length > 0 && ips.some((ip) => inSets(er.notNetSets, ip))) return false;
  const pos = positiveSelector(er, policyNamespace);
  const needIds = pos !== undefined || er.notSelector !== undefined;
  if (!needIds) return true;
  const ids = identities(p, ctx, nsLabels);
  if (pos && !ids.some(pos)) return false;
  const not = er.notSelector;
  return !(not && ids.some((id) => matches(not.selector, id.labels)));
}

/** Does the policy apply to this endpoint? (hostNetwork pods are host endpoints: never.) */
export function calicoPolicySelects(p: CalicoPolicy, e: PolicyEndpoint): boolean {
  if (e.hostNetwork) return false;
  if (p.namespace !== undefined && p.namespace !== e.namespace) return false;
  const id = podIdentity(e);
  if (p.selector && !matches(p.selector.selector, id.labels)) return false;
  if (p.namespaceSelector && !matchesNamespaceSelector(p.namespaceSelector.selector, id.namespaceLabels)) return false;
  return !p.serviceAccountSelector || matches(p.serviceAccountSelector.selector, id.serviceAccountLabels ?? {});
}

const PORT_PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

const PROTOCOL_NUMBERS: ReadonlyMap<number, string> = new Map([[6, "TCP"], [17, "UDP"], [132, "SCTP"], [1, "ICMP"], [58, "ICMPv6"]]);

/** The kwire lanes a Calico protocol covers (UDPLite and other numbers: none). */
function protocolFlows(p: CalicoProtocol): FlowSet {
  const name = p.type === "Name" ? p.name : PROTOCOL_NUMBERS.get(p.number);
  if (name === "TCP" || name === "UDP" || name === "SCTP") return flowsOfPorts({ ...EMPTY_PORTS, [name]: ALL_PORTS[name] });
  if (name === "ICMP") return icmpFlows(4);
  if (name === "ICMPv6") return icmpFlows(6);
  return EMPTY_FLOWS;
}

function portsFor(ports: readonly CalicoPort[], protocols: readonly Protocol[], dstPorts: readonly ContainerPort[] | undefined): PortSet {
  let out = EMPTY_PORTS;
  for (const proto of protocols) {
    for (const p of ports) {
      if (p.type === "Range") {
        if (p.to >= 1) out = unionPorts(out, portsOf(proto, Math.max(1, p.from), p.to));
      }
      else for (const cp of dstPorts ?? []) if (cp.name === p.name && cp.protocol === proto) out = unionPorts(out, portsOf(proto, cp.containerPort, cp.containerPort));
    }
  }
  return out;
}

/**
 * What the rule matches between `src` and `dst` (EMPTY when a side does not match). Destination
 * named ports resolve against the destination pod's containerPorts; source ports are not
 * modelled (flagged by the decoder): a rule with them matches as if they were absent.
 */
export function calicoRuleFlows(r: CalicoRule, policyNamespace: string | undefined, src: PolicyPeer, dst: PolicyPeer, ctx: CalicoContext, nsLabels: (ns: string) => Labels): FlowSet {
  if (!entityMatches(r.source, policyNamespace, src, ctx, nsLabels) || !entityMatches(r.destination, policyNamespace, dst, ctx, nsLabels)) return EMPTY_FLOWS;
  return calicoTargetFlows(r, src, dst);
}

/**
 * The address families a connection between two parties can run over: those both have an
 * address of (a party without addresses — a pod not yet numbered — does not restrict).
 */
function connectionFamilies(src: PolicyPeer, dst: PolicyPeer): (4 | 6)[] {
  const of = (p: PolicyPeer): Set<number> => new Set(peerIps(p).map((ip) => ip.family));
  const a = of(src);
  const b = of(dst);
  return ([4, 6] as const).filter((f) => (a.size === 0 || a.has(f)) && (b.size === 0 || b.has(f)));
}

/**
 * What the rule matches once both sides matched: protocol, ports (named ones on `dst`), ICMP, IP version.
 * ipVersion: Felix renders a rule only into the tables of its IP version (felix/rules/policy.go:
 * "Skipping rule because it is for a different IP version"), so it matches when the connection can
 * run over that family. Two dual-stack parties can use either: the party-level verdict says the rule
 * matches (as a pod matches nets by any of its addresses) and family-dependence.ts marks the policy.
 */
export function calicoTargetFlows(r: CalicoRule, src: PolicyPeer, dst: PolicyPeer): FlowSet {
  if (r.ipVersion !== undefined && !connectionFamilies(src, dst).includes(r.ipVersion)) return EMPTY_FLOWS;
  let flows = r.protocol ? protocolFlows(r.protocol) : ALL_FLOWS;
  const dstPorts = dst.type === "Pod" ? dst.endpoint.ports : undefined;
  const protos = PORT_PROTOCOLS.filter((p) => flows.ports[p].length > 0);
  if (r.destination.ports.length > 0) flows = intersectFlows(flows, flowsOfPorts(portsFor(r.destination.ports, protos, dstPorts)));
  if (r.destination.notPorts.length > 0) flows = subtractFlows(flows, flowsOfPorts(portsFor(r.destination.notPorts, protos, dstPorts)));
  if (r.icmp && r.icmp.type !== undefined) flows = intersectFlows(flows, unionFlows(icmpFlows(4, r.icmp.type, r.icmp.code), icmpFlows(6, r.icmp.type, r.icmp.code)));
  if (r.notICMP && r.notICMP.type !== undefined) flows = subtractFlows(flows, unionFlows(icmpFlows(4, r.notICMP.type, r.notICMP.code), icmpFlows(6, r.notICMP.type, r.notICMP.code)));
  if (r.notProtocol) flows = subtractFlows(flows, protocolFlows(r.notProtocol));
  return flows;
}
