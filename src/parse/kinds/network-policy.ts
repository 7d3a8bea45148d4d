/**
 * @module network-policy (decoder)
 * networking.k8s.io/v1 NetworkPolicy with the API server's validation and defaulting. The
 * API's nil-vs-empty rules are decided here, once, and become variants of the model.
 */
import {
  ipSetOfCidr,
  ipSetSubtract,
  isProtocol,
  formatCidr,
  isStrictSubset,
  parseCidr,
  type Cidr,
  type NetworkPolicy,
  type Peer,
  type PolicyPort,
  type PolicyRule,
  type PolicyType,
} from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";
import { decodeSelector } from "./label-selector.js";

export const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * `specAlso`: fields a kind that wraps a NetworkPolicySpec adds to it (Calico's
 * StagedKubernetesNetworkPolicy: `stagedAction`), read by the caller and not unknown here.
 */
export function decodeNetworkPolicy(obj: Cursor, specAlso: readonly string[] = []): NetworkPolicy | undefined {
  const before = obj.ctx.diagnostics.length;
  obj.checkKeys(["apiVersion", "kind", "metadata", "spec", "status"]);
  const meta = decodeMeta(obj, true);
  const spec = obj.get("spec");
  if (spec.isAbsent) spec.error("missing-field", 'required field "spec" is missing');
  if (!meta || !spec.expect("map")) return undefined;
  spec.checkKeys(["podSelector", "policyTypes", "ingress", "egress", ...specAlso]);
  // podSelector is required by the schema, but an absent one decodes as {} (every pod), as Go does.
  const podSelector = decodeSelector(spec.get("podSelector"));
  const ingress = decodeRules(spec.get("ingress"), "from");
  const egress = decodeRules(spec.get("egress"), "to");
  const policyTypes = decodePolicyTypes(spec.get("policyTypes"), egress.length > 0);
  const failed = obj.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  if (failed || !podSelector || !policyTypes) return undefined;
  return { kind: "NetworkPolicy", namespace: meta.namespace, name: meta.name, podSelector, policyTypes, ingress, egress, source: obj.ref };
}

/** Defaulting (SetDefaults_NetworkPolicy): none given ⇒ Ingress, plus Egress when egress has rules. */
function decodePolicyTypes(c: Cursor, hasEgressRules: boolean): PolicyType[] | undefined {
  if (c.isAbsent || (c.kind === "seq" && c.items().length === 0)) {
    return hasEgressRules ? ["Ingress", "Egress"] : ["Ingress"];
  }
  if (!c.expect("seq")) return undefined;
  const out: PolicyType[] = [];
  for (const item of c.items()) {
    const v = item.optString();
    if (v !== "Ingress" && v !== "Egress") {
      if (v !== undefined) item.error("invalid-value", `policyType "${v}" is not Ingress or Egress`);
      return undefined;
    }
    if (out.includes(v)) {
      item.error("invalid-value", `policyType "${v}" is listed twice`);
      return undefined;
    }
    out.push(v);
  }
  return out;
}

function decodeRules(c: Cursor, peerField: "from" | "to"): PolicyRule[] {
  if (c.isAbsent || !c.expect("seq")) return [];
  const rules: PolicyRule[] = [];
  for (const r of c.items()) {
    if (r.kind === "null") {
      rules.push({ peers: "All", ports: "All", source: r.ref });
      continue;
    }
    if (!r.expect("map")) continue;
    r.checkKeys([peerField, "ports"]);
    const peers = decodePeers(r.get(peerField));
    const ports = decodePorts(r.get("ports"));
    // A named port is looked up on the destination pod. In an ingress rule that is the selected
    // pod, so `from: ipBlock` + a named port is fine; in an egress rule to ipBlocks only, the
    // destination is an address, which has no named ports unless it happens to be a pod's IP.
    if (peerField === "to" && ports !== "All" && peers !== "All" && peers.length > 0 && peers.every((p) => p.type === "IPBlock")) {
      const named = ports.find((p) => p.port.type === "Named");
      if (named && named.port.type === "Named") {
        r.ctx.diagnostics.push({
          code: "named-port-with-ipblock",
          severity: "warning",
          message: `named port "${named.port.name}" matches no address outside the cluster: every peer of this egress rule is an ipBlock, and a named port is resolved on the destination pod, so it matches only pods whose IP the ipBlock covers`,
          source: named.source,
          hint: "use a port number for ipBlock peers",
        });
      }
    }
    rules.push({ peers, ports, source: r.ref });
  }
  return rules;
}

function decodePeers(c: Cursor): "All" | Peer[] {
  if (c.isAbsent || !c.expect("seq")) return "All";
  const items = c.items();
  if (items.length === 0) return "All";
  const peers: Peer[] = [];
  for (const p of items) {
    const peer = decodePeer(p);
    if (peer) peers.push(peer);
  }
  return peers;
}

function decodePeer(p: Cursor): Peer | undefined {
  if (p.kind === "null") {
    p.error("empty-peer", "a peer must set podSelector, namespaceSelector or ipBlock");
    return undefined;
  }
  if (!p.expect("map")) return undefined;
  p.checkKeys(["podSelector", "namespaceSelector", "ipBlock"]);
  const podC = p.get("podSelector");
  const nsC = p.get("namespaceSelector");
  const ipC = p.get("ipBlock");
  const hasPod = podC.kind !== "missing";
  const hasNs = nsC.kind !== "missing";
  const hasIp = ipC.kind !== "missing";
  if (!hasPod && !hasNs && !hasIp) {
    p.error("empty-peer", "a peer must set podSelector, namespaceSelector or ipBlock", "an empty peer {} is rejected by the API server; omit `from`/`to` to allow everything");
    return undefined;
  }
  if (hasIp && (hasPod || hasNs)) {
    p.error("ipblock-with-selector", "a peer may not set both ipBlock and podSelector/namespaceSelector", "split it into two peers (OR) in the same list");
    return undefined;
  }
  if (hasIp) return decodeIpBlock(ipC);
  const pods = hasPod ? decodeSelector(podC) : { matchLabels: {}, matchExpressions: [] };
  const nsSel = hasNs ? decodeSelector(nsC) : undefined;
  if (!pods || (hasNs && !nsSel)) return undefined;
  return {
    type: "Pods",
    namespaces: nsSel ? { type: "Selector", selector: nsSel } : { type: "PolicyNamespace" },
    pods,
    source: p.ref,
  };
}

function decodeIpBlock(c: Cursor): Peer | undefined {
  if (!c.expect("map")) return undefined;
  c.checkKeys(["cidr", "except"]);
  const text = c.get("cidr").reqString();
  if (text === undefined) return undefined;
  const cidr = checkedCidr(c.get("cidr"), text, "CIDR");
  if (!cidr) return undefined;
  const except: Cidr[] = [];
  const exC = c.get("except");
  if (!exC.isAbsent && exC.expect("seq")) {
    for (const e of exC.items()) {
      const et = e.optString();
      if (et === undefined) continue;
      const ep = checkedCidr(e, et, "except CIDR");
      if (!ep) return undefined;
      if (!isStrictSubset(ep, cidr)) {
        e.error("except-outside-cidr", `except "${et}" must be a strict subset of cidr "${text}"`);
        return undefined;
      }
      except.push(ep);
    }
  }
  let set = ipSetOfCidr(cidr);
  for (const e of except) set = ipSetSubtract(set, ipSetOfCidr(e));
  return { type: "IPBlock", cidr, except, set, text, source: c.ref };
}

/**
 * ipBlock.cidr / except as the API server validates them (ValidateIPBlock in
 * pkg/apis/networking/validation/validation.go → IsValidCIDRForLegacyField, and the warnings of
 * GetWarningsForCIDR in k8s.io/apimachinery/pkg/api/validation/ip.go). Without the alpha gate
 * StrictIPCIDRValidation the API accepts a prefix with leading 0s and bits set after the prefix,
 * with a warning; kwire warns too and reads them as the API and Go's net.ParseCIDR do.
 */
function checkedCidr(c: Cursor, text: string, what: string): Cidr | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    c.error("invalid-cidr", `invalid ${what} "${text}": ${parsed.reason}`);
    return undefined;
  }
  const canonical = formatCidr(parsed.cidr);
  if (parsed.ipv4Mapped) {
    c.error("invalid-cidr", `invalid ${what} "${text}": an IPv4-mapped IPv6 address, which IPv4 and IPv6 software read differently, so what it matches is ambiguous (strict validation: "must not have an IPv4-mapped IPv6 address")`);
    return undefined;
  }
  if (parsed.prefixLeadingZeros) {
    c.report("cidr-non-standard", "warning", `${what} "${text}" has leading zeros in its prefix length: the API server accepts it with the warning "non-standard CIDR value … will be considered invalid in a future Kubernetes release", and reads it as ${canonical}`, `write "${canonical}"`);
  }
  if (parsed.hostBitsSet) {
    const addr = text.slice(0, text.indexOf("/"));
    const single = `${addr}/${parsed.cidr.family === 4 ? 32 : 128}`;
    c.report("cidr-host-bits", "warning", `${what} "${text}" has bits set after the prefix length: the API server accepts it with the warning "CIDR value is ambiguous in this context (should be ${JSON.stringify(canonical)} or ${JSON.stringify(single)}?)"; Go's net.ParseCIDR (used by CNIs) and kwire read it as ${canonical}`, `write "${canonical}" or "${single}", whichever you meant`);
  }
  return parsed.cidr;
}

function decodePorts(c: Cursor): "All" | PolicyPort[] {
  if (c.isAbsent || !c.expect("seq")) return "All";
  const items = c.items();
  if (items.length === 0) return "All";
  const out: PolicyPort[] = [];
  for (const p of items) {
    const port = decodePort(p);
    if (port) out.push(port);
  }
  return out;
}

function decodePort(p: Cursor): PolicyPort | undefined {
  if (p.kind === "null") return { protocol: "TCP", port: { type: "AllPorts" }, source: p.ref };
  if (!p.expect("map")) return undefined;
  p.checkKeys(["protocol", "port", "endPort"]);
  const protoText = p.get("protocol").optString() ?? "TCP";
  if (!isProtocol(protoText)) {
    p.get("protocol").error("invalid-protocol", `protocol "${protoText}" is not TCP, UDP or SCTP`);
    return undefined;
  }
  const portC = p.get("port");
  const endC = p.get("endPort");
  const endPort = endC.optInt();
  if (portC.isAbsent) {
    if (endPort !== undefined) {
      endC.error("end-port-without-port", "endPort may not be specified when port is not specified");
      return undefined;
    }
    return { protocol: protoText, port: { type: "AllPorts" }, source: p.ref };
  }
  if (portC.kind === "string") {
    const name = String(portC.scalar());
    if (endPort !== undefined) {
      endC.error("end-port-with-named-port", `endPort may not be specified when port is the named port "${name}"`);
      return undefined;
    }
    if (!IANA_SVC_NAME.test(name)) {
      portC.error("invalid-port", `"${name}" is not a valid port name (IANA_SVC_NAME: 1-15 lowercase letters, digits and '-', at least one letter)`);
      return undefined;
    }
    return { protocol: protoText, port: { type: "Named", name }, source: p.ref };
  }
  const port = portC.optInt();
  if (port === undefined) return undefined;
  if (port < 1 || port > 65535) {
    portC.error("invalid-port", `port ${port} is outside 1-65535`);
    return undefined;
  }
  if (endPort !== undefined && (endPort < port || endPort > 65535)) {
    endC.error("end-port-below-port", `endPort ${endPort} must be between port ${port} and 65535`);
    return undefined;
  }
  return { protocol: protoText, port: { type: "Number", port, endPort: endPort ?? port }, source: p.ref };
}
