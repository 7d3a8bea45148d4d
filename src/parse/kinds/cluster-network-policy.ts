/**
 * @module cluster-network-policy (decoder)
 * The network-policy-api kinds, with the CRDs' own validation:
 * - policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy
 *   (as served up to network-policy-api v0.1.7: subject namespaces|pods; peers namespaces|pods,
 *   egress also nodes|networks|domainNames; ports portNumber|namedPort|portRange);
 * - policy.networking.k8s.io/v1alpha2 and v1beta1 ClusterNetworkPolicy (tier Admin|Baseline, actions
 *   Accept|Deny|Pass, `protocols` with tcp/udp/sctp destinationPort or destinationNamedPort).
 *
 * Peers become NetworkPolicy peers: `namespaces: S` → pods of namespaces S; `pods` → namespace
 * AND pod selector; `networks` → an ipBlock per CIDR (it matches pod IPs too, as the API says);
 * `nodes` → the addresses in status.addresses of the matching Node objects (resolved once all
 * objects are read). `domainNames` is not modelled: it matches no address and says so. A peer with
 * no known field "fails closed" (API text: Accept rules match no traffic, Deny and Pass rules
 * match all traffic).
 */
import {
  EVERYTHING,
  formatSelector,
  ipSetOfCidr,
  isProtocol,
  normalizeIntervals,
  parseCidr,
  selectorMatches,
  type ClusterPolicy,
  type ClusterPolicyKind,
  type ClusterPolicyRule,
  type ClusterPolicySubject,
  type ClusterTier,
  type IpSet,
  type LabelSelector,
  type Node,
  type Peer,
  type PolicyPort,
  type PolicyType,
  type Protocol,
  type RuleAction,
  type SourceRef,
} from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeSelector } from "./label-selector.js";
import { IANA_SVC_NAME } from "./network-policy.js";

export const CLUSTER_POLICY_KINDS: Readonly<Record<string, { readonly apiVersion: string; readonly kind: ClusterPolicyKind }>> = {
  "policy.networking.k8s.io/v1alpha1/AdminNetworkPolicy": { apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy" },
  "policy.networking.k8s.io/v1alpha1/BaselineAdminNetworkPolicy": { apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy" },
  "policy.networking.k8s.io/v1alpha2/ClusterNetworkPolicy": { apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy" },
  // v1beta1 (the storage version upstream now serves) has the same schema as v1alpha2.
  "policy.networking.k8s.io/v1beta1/ClusterNetworkPolicy": { apiVersion: "policy.networking.k8s.io/v1beta1", kind: "ClusterNetworkPolicy" },
};

/** Node peers are resolved against the Node objects once every object is read. */
export type PendingClusterPolicy = (nodes: readonly Node[]) => ClusterPolicy;

type PendingPeer = Peer | { readonly type: "Nodes"; readonly selector: LabelSelector; readonly source: SourceRef };

interface PendingRule {
  readonly name: string | undefined;
  readonly action: RuleAction;
  readonly peers: "All" | readonly PendingPeer[];
  readonly ports: "All" | readonly PolicyPort[];
  readonly source: SourceRef;
  readonly unmodelled: string | undefined;
  /** A domainNames peer (see ClusterPolicyRule.unresolvedPeer). */
  readonly unresolvedPeer: boolean;
}

const EMPTY_SET: IpSet = { family: 4, intervals: [] };

export function decodeClusterPolicy(obj: Cursor, kind: ClusterPolicyKind, apiVersion: string): PendingClusterPolicy | undefined {
  const before = obj.ctx.diagnostics.length;
  obj.checkKeys(["apiVersion", "kind", "metadata", "spec", "status"]);
  const meta = obj.get("metadata");
  if (meta.isAbsent) meta.error("missing-field", 'required field "metadata" is missing');
  const name = meta.expect("map") ? meta.get("name").reqString() : undefined;
  const spec = obj.get("spec");
  if (spec.isAbsent) spec.error("missing-field", 'required field "spec" is missing');
  if (name === undefined || !spec.expect("map")) return undefined;
  const v2 = kind === "ClusterNetworkPolicy";
  spec.checkKeys(v2 ? ["tier", "priority", "subject", "ingress", "egress"] : kind === "AdminNetworkPolicy" ? ["priority", "subject", "ingress", "egress"] : ["subject", "ingress", "egress"]);
  if (kind === "BaselineAdminNetworkPolicy" && name !== "default") {
    meta.get("name").error("invalid-value", `a BaselineAdminNetworkPolicy must be named "default" (got "${name}"): the API allows only one`);
  }
  let tier: ClusterTier = kind === "BaselineAdminNetworkPolicy" ? "Baseline" : "Admin";
  if (v2) {
    const t = spec.get("tier").reqString();
    if (t !== undefined && t !== "Admin" && t !== "Baseline") spec.get("tier").error("invalid-value", `tier "${t}" is not Admin or Baseline`);
    else if (t !== undefined) tier = t;
  }
  let priority = 0;
  if (kind !== "BaselineAdminNetworkPolicy") {
    const pc = spec.get("priority");
    if (pc.isAbsent) pc.error("missing-field", 'required field "priority" is missing');
    const p = pc.optInt();
    if (p !== undefined && (p < 0 || p > 1000)) pc.error("invalid-value", `priority ${p} is outside 0-1000`);
    else if (p !== undefined) priority = p;
  }
  const subject = decodeSubject(spec.get("subject"), v2);
  const max = v2 ? 25 : 100;
  const ingress = decodeRules(spec.get("ingress"), "Ingress", kind, max);
  const egress = decodeRules(spec.get("egress"), "Egress", kind, max);
  const failed = obj.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed || !subject) return undefined;
  const source = obj.ref;
  return (nodes) => ({
    kind,
    apiVersion,
    name,
    tier,
    priority,
    subject,
    ingress: ingress.map((r) => resolveRule(r, nodes)),
    egress: egress.map((r) => resolveRule(r, nodes)),
    source,
  });
}

function decodeSubject(c: Cursor, v2: boolean): ClusterPolicySubject | undefined {
  if (c.isAbsent) {
    c.error("missing-field", 'required field "subject" is missing');
    return undefined;
  }
  if (!c.expect("map")) return undefined;
  c.checkKeys(["namespaces", "pods"]);
  const keys = c.keys().filter((k) => k === "namespaces" || k === "pods");
  if (keys.length !== 1) {
    c.error("invalid-value", "subject must set exactly one of namespaces, pods");
    return undefined;
  }
  if (keys[0] === "namespaces") {
    const ns = decodeSelector(c.get("namespaces"));
    return ns && { namespaces: ns, pods: EVERYTHING };
  }
  return decodeNamespacedPod(c.get("pods"), v2);
}

/**
 * NamespacedPod: podSelector is required; namespaceSelector is required in v1alpha1 and optional in
 * v1alpha2 ("+optional … if empty, it selects all Namespaces").
 */
function decodeNamespacedPod(c: Cursor, v2: boolean): { namespaces: LabelSelector; pods: LabelSelector } | undefined {
  if (!c.expect("map")) return undefined;
  c.checkKeys(["namespaceSelector", "podSelector"]);
  const nsC = c.get("namespaceSelector");
  const podC = c.get("podSelector");
  if (podC.kind === "missing") c.error("missing-field", 'required field "podSelector" is missing');
  if (nsC.kind === "missing" && !v2) c.error("missing-field", 'required field "namespaceSelector" is missing');
  const namespaces = nsC.kind === "missing" ? (v2 ? EVERYTHING : undefined) : decodeSelector(nsC);
  const pods = podC.kind === "missing" ? undefined : decodeSelector(podC);
  return namespaces && pods ? { namespaces, pods } : undefined;
}

function decodeAction(c: Cursor, kind: ClusterPolicyKind): RuleAction | undefined {
  const a = c.reqString();
  if (a === undefined) return undefined;
  const allowed = kind === "ClusterNetworkPolicy" ? ["Accept", "Deny", "Pass"] : kind === "AdminNetworkPolicy" ? ["Allow", "Deny", "Pass"] : ["Allow", "Deny"];
  if (!allowed.includes(a)) {
    c.error("invalid-value", `action "${a}" is not one of ${allowed.join(", ")} for ${kind}`);
    return undefined;
  }
  return a === "Accept" ? "Allow" : (a as RuleAction);
}

function decodeRules(c: Cursor, dir: PolicyType, kind: ClusterPolicyKind, max: number): PendingRule[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const items = c.items();
  if (items.length > max) c.error("invalid-value", `${dir.toLowerCase()} has ${items.length} rules; the API allows at most ${max}`);
  const out: PendingRule[] = [];
  const v2 = kind === "ClusterNetworkPolicy";
  const peerField = dir === "Ingress" ? "from" : "to";
  const portField = v2 ? "protocols" : "ports";
  for (const r of items) {
    if (!r.expect("map")) continue;
    r.checkKeys(["name", "action", peerField, portField]);
    const name = r.get("name").optString();
    if (name !== undefined && name.length > 100) r.get("name").error("invalid-value", "rule name is longer than 100 characters");
    const action = decodeAction(r.get("action"), kind);
    const peersC = r.get(peerField);
    if (peersC.isAbsent || (peersC.kind === "seq" && peersC.items().length === 0)) {
      peersC.error("missing-field", `"${peerField}" must list at least one peer`);
      continue;
    }
    if (!peersC.expect("seq") || action === undefined) continue;
    const ports = v2 ? decodeProtocols(r.get("protocols")) : decodePorts(r.get("ports"));
    if (!ports) continue;
    let unmodelled: string | undefined;
    let unresolvedPeer = false;
    let failAll = false;
    const peers: PendingPeer[] = [];
    for (const p of peersC.items()) {
      const got = decodePeer(p, dir, action, v2);
      if (got === "unknown") {
        unmodelled = `${peerField} has a peer with no field kwire knows: failing closed (${action === "Allow" ? "it matches no traffic" : "it matches all traffic"})`;
        p.report("peer-not-modelled", "warning", `peer sets no field kwire knows (${p.keys().join(", ") || "empty"}): the API says to fail closed, so this ${action} rule ${action === "Allow" ? "matches nothing through it" : "matches all traffic"}`);
        if (action !== "Allow") failAll = true;
        continue;
      }
      if (got === undefined) continue;
      for (const g of got) {
        if (g.type === "IPBlock" && g.text.startsWith("domainNames")) {
          unmodelled = `${g.text} is not modelled: it matches no address`;
          unresolvedPeer = true;
        }
        peers.push(g);
      }
    }
    if (dir === "Egress" && ports !== "All" && ports.some((x) => x.port.type === "Named") && peers.some((x) => x.type !== "Pods")) {
      r.error("invalid-value", "networks/nodes/domainNames peers cannot be used with named ports (there are no named ports for them)");
      continue;
    }
    out.push({ name, action, peers: failAll ? "All" : peers, ports, source: r.ref, unmodelled, unresolvedPeer });
  }
  return out;
}

function decodePeer(p: Cursor, dir: PolicyType, action: RuleAction, v2: boolean): PendingPeer[] | "unknown" | undefined {
  if (!p.expect("map")) return undefined;
  const known = dir === "Ingress" ? ["namespaces", "pods"] : ["namespaces", "pods", "nodes", "networks", "domainNames"];
  const keys = p.keys();
  const mine = keys.filter((k) => known.includes(k));
  if (mine.length === 0) return "unknown";
  if (mine.length > 1) {
    p.error("invalid-value", `a peer must set exactly one of ${known.join(", ")} (got ${mine.join(", ")})`);
    return undefined;
  }
  const field = mine[0] as string;
  const c = p.get(field);
  switch (field) {
    case "namespaces": {
      const sel = decodeSelector(c);
      return sel && [{ type: "Pods", namespaces: { type: "Selector", selector: sel }, pods: EVERYTHING, source: p.ref }];
    }
    case "pods": {
      const np = decodeNamespacedPod(c, v2);
      return np && [{ type: "Pods", namespaces: { type: "Selector", selector: np.namespaces }, pods: np.pods, source: p.ref }];
    }
    case "nodes": {
      const sel = decodeSelector(c);
      return sel && [{ type: "Nodes", selector: sel, source: p.ref }];
    }
    case "networks": {
      if (!c.expect("seq")) return undefined;
      const items = c.items();
      if (items.length === 0 || items.length > 25) {
        c.error("invalid-value", `networks must list 1-25 CIDRs (got ${items.length})`);
        return undefined;
      }
      // One peer per address family: the API lets a networks list mix IPv4 and IPv6 CIDRs.
      const byFamily = new Map<4 | 6, { set: IpSet; texts: string[]; first: string }>();
      for (const it of items) {
        const t = it.optString();
        if (t === undefined) return undefined;
        const parsed = parseCidr(t);
        if (!parsed.ok) {
          it.error("invalid-cidr", `invalid CIDR "${t}": ${parsed.reason}`);
          return undefined;
        }
        const s = ipSetOfCidr(parsed.cidr);
        const prev = byFamily.get(s.family);
        byFamily.set(s.family, prev ? { set: { family: s.family, intervals: normalizeIntervals([...prev.set.intervals, ...s.intervals]) }, texts: [...prev.texts, t], first: prev.first } : { set: s, texts: [t], first: t });
      }
      const out: Peer[] = [];
      for (const { set, texts, first } of byFamily.values()) {
        const cidr = parseCidr(first);
        if (cidr.ok) out.push({ type: "IPBlock", cidr: cidr.cidr, except: [], set, text: `networks ${texts.join(",")}`, source: p.ref });
      }
      return out;
    }
    case "domainNames": {
      if (action !== "Allow") {
        c.error("invalid-value", "domainNames peers are only allowed in Allow/Accept rules");
        return undefined;
      }
      const names = c.kind === "seq" ? c.items().map((x) => x.optString() ?? "?") : [];
      c.report("peer-not-modelled", "warning", `domainNames peer (${names.join(", ")}) is not modelled: kwire cannot resolve names, so this Allow rule matches no address through it`, "verdicts that depend on it are marked uncertain");
      const zero = parseCidr("0.0.0.0/32");
      if (!zero.ok) return undefined;
      return [{ type: "IPBlock", cidr: zero.cidr, except: [], set: EMPTY_SET, text: `domainNames ${names.join(",")}`, source: p.ref }];
    }
  }
  return undefined;
}

function decodeProtocol(c: Cursor): Protocol | undefined {
  const t = c.optString() ?? "TCP";
  if (!isProtocol(t)) {
    c.error("invalid-protocol", `protocol "${t}" is not TCP, UDP or SCTP`);
    return undefined;
  }
  return t;
}

function portNumber(c: Cursor): number | undefined {
  const n = c.optInt();
  if (n === undefined) {
    if (c.isAbsent) c.error("missing-field", `required field "${c.path.split(".").pop() ?? "port"}" is missing`);
    return undefined;
  }
  if (n < 1 || n > 65535) {
    c.error("invalid-port", `port ${n} is outside 1-65535`);
    return undefined;
  }
  return n;
}

/** A named port matches a container port of that name whatever its protocol. */
function namedPort(c: Cursor, source: SourceRef): PolicyPort[] | undefined {
  const name = c.optString();
  if (name === undefined) return undefined;
  if (!IANA_SVC_NAME.test(name)) {
    c.error("invalid-port", `"${name}" is not a valid port name (IANA_SVC_NAME)`);
    return undefined;
  }
  return (["TCP", "UDP", "SCTP"] as const).map((protocol) => ({ protocol, port: { type: "Named", name }, source }));
}

function range(c: Cursor, protocol: Protocol, source: SourceRef): PolicyPort | undefined {
  if (!c.expect("map")) return undefined;
  c.checkKeys(["protocol", "start", "end"]);
  const start = portNumber(c.get("start"));
  const end = portNumber(c.get("end"));
  if (start === undefined || end === undefined) return undefined;
  if (start >= end) {
    c.error("invalid-port", `portRange start ${start} must be less than end ${end}`);
    return undefined;
  }
  return { protocol, port: { type: "Number", port: start, endPort: end }, source };
}

/** v1alpha1 `ports`: portNumber | namedPort | portRange, exactly one each. Absent: all ports. */
function decodePorts(c: Cursor): "All" | PolicyPort[] | undefined {
  if (c.isAbsent) return "All";
  if (!c.expect("seq")) return undefined;
  const out: PolicyPort[] = [];
  for (const p of c.items()) {
    if (!p.expect("map")) return undefined;
    p.checkKeys(["portNumber", "namedPort", "portRange"]);
    const keys = p.keys().filter((k) => k === "portNumber" || k === "namedPort" || k === "portRange");
    if (keys.length !== 1) {
      p.error("invalid-value", "a port must set exactly one of portNumber, namedPort, portRange");
      return undefined;
    }
    if (keys[0] === "namedPort") {
      const n = namedPort(p.get("namedPort"), p.ref);
      if (!n) return undefined;
      out.push(...n);
      continue;
    }
    const body = p.get(keys[0] as string);
    if (!body.expect("map")) return undefined;
    const protocol = decodeProtocol(body.get("protocol"));
    if (!protocol) return undefined;
    if (keys[0] === "portNumber") {
      body.checkKeys(["protocol", "port"]);
      const n = portNumber(body.get("port"));
      if (n === undefined) return undefined;
      out.push({ protocol, port: { type: "Number", port: n, endPort: n }, source: p.ref });
    } else {
      const r = range(body, protocol, p.ref);
      if (!r) return undefined;
      out.push(r);
    }
  }
  return out.length ? out : "All";
}

/** v1alpha2 `protocols`: tcp|udp|sctp {destinationPort: {number|range}} or destinationNamedPort. */
function decodeProtocols(c: Cursor): "All" | PolicyPort[] | undefined {
  if (c.isAbsent) return "All";
  if (!c.expect("seq")) return undefined;
  const out: PolicyPort[] = [];
  for (const p of c.items()) {
    if (!p.expect("map")) return undefined;
    p.checkKeys(["tcp", "udp", "sctp", "destinationNamedPort"]);
    const keys = p.keys().filter((k) => ["tcp", "udp", "sctp", "destinationNamedPort"].includes(k));
    if (keys.length !== 1) {
      p.error("invalid-value", "a protocols entry must set exactly one of tcp, udp, sctp, destinationNamedPort");
      return undefined;
    }
    const key = keys[0] as string;
    if (key === "destinationNamedPort") {
      const n = namedPort(p.get(key), p.ref);
      if (!n) return undefined;
      out.push(...n);
      continue;
    }
    const protocol = key.toUpperCase() as Protocol;
    const body = p.get(key);
    if (!body.expect("map")) return undefined;
    body.checkKeys(["destinationPort"]);
    const dp = body.get("destinationPort");
    if (dp.isAbsent) {
      out.push({ protocol, port: { type: "AllPorts" }, source: p.ref });
      continue;
    }
    if (!dp.expect("map")) return undefined;
    dp.checkKeys(["number", "range"]);
    const dk = dp.keys().filter((k) => k === "number" || k === "range");
    if (dk.length !== 1) {
      dp.error("invalid-value", "destinationPort must set exactly one of number, range");
      return undefined;
    }
    if (dk[0] === "number") {
      const n = portNumber(dp.get("number"));
      if (n === undefined) return undefined;
      out.push({ protocol, port: { type: "Number", port: n, endPort: n }, source: p.ref });
    } else {
      const r = range(dp.get("range"), protocol, p.ref);
      if (!r) return undefined;
      out.push(r);
    }
  }
  return out.length ? out : "All";
}

/** Node peers → the addresses of the matching Node objects (status.addresses), one peer per family. */
function resolveRule(r: PendingRule, nodes: readonly Node[]): ClusterPolicyRule {
  let unmodelled = r.unmodelled;
  let unresolvedPeer = r.unresolvedPeer;
  const peers: "All" | Peer[] = r.peers === "All" ? "All" : r.peers.flatMap((p): Peer[] => {
    if (p.type !== "Nodes") return [p];
    const matched = nodes.filter((n) => selectorMatches(p.selector, n.labels));
    const ips = matched.flatMap((n) => [...n.internalIPs, ...n.externalIPs]);
    if (nodes.length === 0) {
      unmodelled = `nodes ${formatSelector(p.selector)}: the input declares no Node objects, so it matches no address`;
      unresolvedPeer = true;
    }
    const out: Peer[] = [];
    for (const family of [4, 6] as const) {
      const mine = ips.filter((ip) => ip.family === family);
      if (mine.length === 0 && (family === 6 || ips.length > 0)) continue;
      const set: IpSet = { family, intervals: normalizeIntervals(mine.map((ip) => ({ lo: ip.value, hi: ip.value }))) };
      const any = parseCidr(family === 4 ? "0.0.0.0/32" : "::/128");
      if (!any.ok) continue;
      out.push({ type: "IPBlock", cidr: any.cidr, except: [], set, text: `nodes ${formatSelector(p.selector)} (${matched.map((n) => n.name).join(",") || "no node matches"})`, source: p.source });
    }
    return out;
  });
  return {
    name: r.name,
    action: r.action,
    rule: { peers, ports: r.ports, source: r.source },
    ...(unmodelled !== undefined ? { unmodelled } : {}),
    ...(unresolvedPeer ? { unresolvedPeer: true as const } : {}),
  };
}
