/**
 * @module cilium-match
 * Cilium's predicates over kwire parties:
 * - a pod's Cilium labels are its labels plus io.kubernetes.pod.namespace,
 *   io.cilium.k8s.namespace.labels.<key> for each namespace label, and
 *   io.cilium.k8s.policy.serviceaccount; hostNetwork pods are the node (entity host /
 *   remote-node), never endpoints;
 * - entities (pkg/policy/api/entity.go): world = outside the cluster (world-ipv4/-ipv6 by
 *   family), cluster = every pod and node and the API server, host = the local node,
 *   remote-node = other nodes, kube-apiserver, all = everything; init, health, unmanaged,
 *   ingress and none match nothing kwire models;
 * - CIDR rules match only addresses outside the cluster ("CIDR rules do not apply to traffic
 *   where both sides of the connection are either managed by Cilium or use an IP belonging to a
 *   node in the cluster", docs security/policy/language);
 * - an L3 rule with no toPorts allows every port; an L4-only rule (toPorts, no peer field)
 *   allows every peer; an empty rule `{}` allows nothing.
 */
import type { CiliumEntity, CiliumPortRule, CiliumRule, CiliumRuleSet, ContainerPort, Labels } from "../model/index.js";
import { ALL_PORTS, CILIUM_NAMESPACE_LABEL, CILIUM_NAMESPACE_LABELS_PREFIX, CILIUM_SERVICE_ACCOUNT_LABEL, EMPTY_PORTS, ipSetContains, portsOf, selectorMatches, unionPorts, type PortSet, type Protocol } from "../model/index.js";
import { ALL_FLOWS, EMPTY_FLOWS, flowsOfPorts, icmpFlows, unionFlows, type FlowSet } from "./flow-set.js";
import { peerIps, serviceAccountOf, type PolicyPeer, type PolicyEndpoint } from "./party.js";

export function ciliumLabels(e: PolicyEndpoint): Labels {
  const out: Record<string, string> = { ...e.labels, [CILIUM_NAMESPACE_LABEL]: e.namespace, [CILIUM_SERVICE_ACCOUNT_LABEL]: serviceAccountOf(e) };
  for (const [k, v] of Object.entries(e.namespaceLabels)) out[`${CILIUM_NAMESPACE_LABELS_PREFIX}${k}`] = v;
  return out;
}

export function ciliumSetSelects(s: CiliumRuleSet, e: PolicyEndpoint): boolean {
  return s.subject.type === "Endpoints" && !e.hostNetwork && selectorMatches(s.subject.selector.selector, ciliumLabels(e));
}

/** A hostNetwork pod is its node: `host` when on the local endpoint's node, else `remote-node`. */
function effectiveType(p: PolicyPeer, local: PolicyEndpoint): PolicyPeer["type"] {
  if (p.type !== "Pod" || !p.endpoint.hostNetwork) return p.type;
  return p.endpoint.nodeName !== undefined && p.endpoint.nodeName === local.nodeName ? "Host" : "RemoteNode";
}

function entityMatches(e: CiliumEntity, p: PolicyPeer, local: PolicyEndpoint): boolean {
  const t = effectiveType(p, local);
  switch (e) {
    case "all":
      return true;
    case "world":
      return t === "World";
    case "world-ipv4":
    case "world-ipv6":
      return t === "World" && peerIps(p).some((ip) => ip.family === (e === "world-ipv4" ? 4 : 6));
    case "cluster":
      return t !== "World";
    case "host":
      return t === "Host";
    case "remote-node":
      return t === "RemoteNode";
    case "kube-apiserver":
      return t === "KubeAPIServer";
    case "ingress":
    case "init":
    case "health":
    case "unmanaged":
    case "none":
      return false;
  }
}

/** Does the rule's peer part accept this party? */
export function ciliumPeerMatches(r: CiliumRule, p: PolicyPeer, local: PolicyEndpoint): boolean {
  if (r.anyPeer) return r.toPorts !== "All" || r.icmps.length > 0;
  const t = effectiveType(p, local);
  if (t === "Pod" && p.type === "Pod") {
    const labels = ciliumLabels(p.endpoint);
    const required = r.requires.every((q) => selectorMatches(q.selector, labels));
    if (required && r.endpoints.some((s) => s.reserved.length === 0 && selectorMatches(s.selector, labels))) return true;
  }
  if (r.entities.some((e) => entityMatches(e, p, local))) return true;
  if (t === "World" && r.cidrs.some((c) => peerIps(p).some((ip) => ipSetContains(c.set, ip.family, ip.value)))) return true;
  return false;
}

const ALL_L4: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

function portRuleSet(pr: CiliumPortRule, dstPorts: readonly ContainerPort[] | undefined): PortSet {
  let out = EMPTY_PORTS;
  for (const pp of pr.ports) {
    const protos = pp.protocol === "ANY" ? ALL_L4 : [pp.protocol];
    for (const proto of protos) {
      if (pp.port.type === "AllPorts") out = unionPorts(out, { ...EMPTY_PORTS, [proto]: ALL_PORTS[proto] });
      else if (pp.port.type === "Number") {
        if (pp.port.port >= 1) out = unionPorts(out, portsOf(proto, pp.port.port, pp.port.endPort));
      } else {
        const name = pp.port.name;
        for (const cp of dstPorts ?? []) if (cp.name === name && cp.protocol === proto) out = unionPorts(out, portsOf(proto, cp.containerPort, cp.containerPort));
      }
    }
  }
  return out;
}

/** ICMP type names Cilium accepts (pkg/policy/api/icmp.go), as numbers per family. */
const ICMP_NAMES: Readonly<Record<string, readonly [number | undefined, number | undefined]>> = {
  EchoReply: [0, 129],
  DestinationUnreachable: [3, 1],
  Redirect: [5, 137],
  EchoRequest: [8, 128],
  TimeExceeded: [11, 3],
  ParameterProblem: [12, 4],
  PacketTooBig: [undefined, 2],
};

function icmpRuleFlows(r: CiliumRule): FlowSet {
  let out = EMPTY_FLOWS;
  for (const i of r.icmps) {
    const family = i.family === "IPv4" ? 4 : 6;
    const type = typeof i.type === "number" ? i.type : ICMP_NAMES[i.type]?.[family === 4 ? 0 : 1];
    if (type !== undefined) out = unionFlows(out, icmpFlows(family, type));
  }
  return out;
}

/** What the rule allows/denies toward the destination (after the peer matched). */
export function ciliumRuleFlows(r: CiliumRule, dst: PolicyPeer): FlowSet {
  if (r.toPorts === "All" && r.icmps.length === 0) return ALL_FLOWS;
  const dstPorts = dst.type === "Pod" ? dst.endpoint.ports : undefined;
  let out = EMPTY_FLOWS;
  if (r.toPorts !== "All") for (const pr of r.toPorts) out = unionFlows(out, flowsOfPorts(portRuleSet(pr, dstPorts)));
  return unionFlows(out, icmpRuleFlows(r));
}

/**
 * L7 rules: the connection's verdict is the L4 one, fully modelled; the proxy may still reject
 * single requests. Shown in traces, never an uncertainty.
 */
export function ciliumL7Note(r: CiliumRule): string | undefined {
  const l7 = r.toPorts === "All" ? [] : r.toPorts.flatMap((p) => p.l7.map((x) => x.kind));
  return l7.length > 0 ? `L7 ${[...new Set(l7)].join("/")} rules not modelled (the verdict is the L4 one; the proxy may reject single requests)` : undefined;
}

/** Parts that could change the L4 verdict and that kwire does not model (FQDNs, unmodelled peers…). */
export function ciliumUnmodelled(r: CiliumRule): string | undefined {
  const parts: string[] = [];
  if (r.fqdns.length > 0) parts.push(`toFQDNs ${r.fqdns.join(",")} not modelled (matches no address)`);
  if (r.unmodelledPeers.length > 0) parts.push(`${r.unmodelledPeers.join(",")} not modelled`);
  if (r.requires.length > 0) parts.push("fromRequires/toRequires applied to this rule's endpoint peers only");
  return parts.length ? parts.join("; ") : undefined;
}
