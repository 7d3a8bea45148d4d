/**
 * @module dialect-arbitrary
 * fast-check generators of small random clusters with Calico or Cilium policies on top of the
 * Kubernetes kinds of arbitrary.ts (as raw manifests, through the parser), for the general-tier
 * engine differential tests. Pods get service accounts and nodes (Calico's
 * serviceAccountSelector, Cilium's host / remote-node entities); Node objects give addresses (IPv4
 * and IPv6). Rules name addresses of both families (nets, CIDRs; fd00:250::/64 is where
 * compile-general-diff.test.ts numbers IPv6 pods), ICMPv6, and Calico's ipVersion.
 */
import fc from "fast-check";
import { clusterArb } from "./arbitrary.js";

const NS = ["x", "y", "z"] as const;

const calicoSelectorArb = fc.constantFrom(
  "",
  "all()",
  "app == 'a'",
  "app != 'b'",
  "app in {'a', 'c'}",
  "tier not in {'fe'}",
  "has(env)",
  "!has(tier)",
  "app == 'a' || tier == 'be'",
  "(app == 'b' && env == 'prod') || !has(app)",
  "app starts with 'a'",
  "projectcalico.org/namespace == 'x'",
  "projectcalico.org/serviceaccount == 'sa1'",
  "role == 'net'",
);
const calicoNsSelectorArb = fc.constantFrom("all()", "projectcalico.org/name == 'y'", "team == 'red'", "!has(team)", "global()");
const calicoNetsArb = fc.constantFrom(["10.0.0.0/16"], ["10.0.0.1/32"], ["192.168.0.0/16", "fd00::/8"], ["0.0.0.0/0"], ["fd00:250::/64"], ["fd00:250::1/128", "10.250.0.2/32"], ["::/0"], ["2001:db8::/32"]);
const calicoPortsArb = fc.constantFrom<(number | string)[]>([80], [53, 8080], ["http"], ["50:81"], ["dns"], [90]);

const entityArb = fc.record(
  {
    selector: calicoSelectorArb,
    notSelector: calicoSelectorArb,
    namespaceSelector: calicoNsSelectorArb,
    nets: calicoNetsArb,
    notNets: calicoNetsArb,
    serviceAccounts: fc.constantFrom({ names: ["sa1"] }, { selector: "projectcalico.org/name == 'sa2'" }),
  },
  { requiredKeys: [] },
);

const calicoRuleArb = fc
  .record(
    {
      action: fc.constantFrom("Allow", "Deny", "Pass", "Log", "Allow"),
      protocol: fc.constantFrom("TCP", "UDP", "SCTP", "ICMP", "ICMPv6"),
      notProtocol: fc.constantFrom("UDP"),
      icmp: fc.constantFrom({ type: 8 }, { type: 128 }, { type: 3, code: 1 }, { type: 1, code: 4 }),
      notICMP: fc.constantFrom({ type: 0 }, { type: 129 }),
      ipVersion: fc.constantFrom(4, 6),
      source: entityArb,
      destination: fc.record({ base: entityArb, ports: calicoPortsArb, notPorts: calicoPortsArb }, { requiredKeys: ["base"] }),
    },
    { requiredKeys: ["action"] },
  )
  .map((r) => {
    const { base, ports, notPorts } = r.destination ?? { base: {} };
    const icmpProto = r.protocol === "ICMP" || r.protocol === "ICMPv6";
    const proto = icmpProto ? undefined : r.protocol;
    // ports need a protocol that has ports; icmp/notICMP need ICMP or ICMPv6 (Calico validation)
    // a rule with ipVersion takes nets and an ICMP protocol of that version only (Calico validation):
    // the others are left out, and ICMP of the other version drops ipVersion
    const v = (r.protocol === "ICMP" && r.ipVersion === 6) || (r.protocol === "ICMPv6" && r.ipVersion === 4) ? undefined : r.ipVersion;
    const ofVersion = (e: Record<string, unknown>): Record<string, unknown> => {
      if (v === undefined) return e;
      const keep = (xs: unknown): string[] => (Array.isArray(xs) ? xs.filter((x): x is string => typeof x === "string" && x.includes(":") === (v === 6)) : []);
      const { nets, notNets, ...rest } = e;
      const n = keep(nets);
      const nn = keep(notNets);
      return { ...rest, ...(n.length ? { nets: n } : {}), ...(nn.length ? { notNets: nn } : {}) };
    };
    const destination = ofVersion({ ...base, ...(proto && ports ? { ports } : {}), ...(proto && notPorts ? { notPorts } : {}) });
    return {
      action: r.action,
      ...(r.protocol ? { protocol: r.protocol } : {}),
      ...(icmpProto && r.icmp ? { icmp: r.icmp } : {}),
      ...(icmpProto && r.notICMP ? { notICMP: r.notICMP } : {}),
      ...(v ? { ipVersion: v } : {}),
      ...(r.notProtocol && r.protocol !== "UDP" ? { notProtocol: r.notProtocol } : {}),
      ...(r.source ? { source: ofVersion(r.source) } : {}),
      destination,
    };
  });

const calicoPolicyArb = fc.record({
  global: fc.boolean(),
  ns: fc.constantFrom(...NS),
  tier: fc.constantFrom("default", "security", "platform"),
  order: fc.option(fc.constantFrom(10, 100, 100, 500), { nil: undefined }),
  selector: calicoSelectorArb,
  namespaceSelector: fc.option(calicoNsSelectorArb, { nil: undefined }),
  serviceAccountSelector: fc.option(fc.constantFrom("projectcalico.org/name == 'sa1'", "has(projectcalico.org/name)"), { nil: undefined }),
  types: fc.constantFrom(undefined, ["Ingress"], ["Egress"], ["Ingress", "Egress"]),
  ingress: fc.array(calicoRuleArb, { maxLength: 3 }),
  egress: fc.array(calicoRuleArb, { maxLength: 3 }),
});

const podExtrasArb = fc.array(fc.record({ sa: fc.constantFrom(undefined, "sa1", "sa2"), node: fc.constantFrom("n1", "n2") }), { minLength: 8, maxLength: 8 });

function nodes(): unknown[] {
  return [
    { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, status: { addresses: [{ type: "InternalIP", address: "172.16.0.3" }, { type: "InternalIP", address: "fd00:172:16::3" }] } },
    { apiVersion: "v1", kind: "Node", metadata: { name: "n2" }, status: { addresses: [{ type: "InternalIP", address: "172.16.0.4" }, { type: "InternalIP", address: "fd00:172:16::4" }] } },
  ];
}

/**
 * Service accounts and nodes for the base generator's pods and templates, and for the first pod two
 * twins with the same labels but another service account, or another node (what a class key must tell apart).
 */
function withExtras(manifests: unknown[], extras: readonly { sa: string | undefined; node: string }[]): unknown[] {
  let i = 0;
  const out = manifests.map((m) => {
    const o = m as { kind: string; spec?: { template?: { spec: Record<string, unknown> } } & Record<string, unknown> };
    const e = extras[i % extras.length] as { sa: string | undefined; node: string };
    if (o.kind === "Pod" && o.spec) {
      i++;
      return { ...o, spec: { ...o.spec, nodeName: e.node, ...(e.sa ? { serviceAccountName: e.sa } : {}) } };
    }
    if (o.kind === "Deployment" && o.spec?.template) {
      i++;
      return { ...o, spec: { ...o.spec, template: { ...o.spec.template, spec: { ...o.spec.template.spec, ...(e.sa ? { serviceAccountName: e.sa } : {}) } } } };
    }
    return m;
  });
  const first = out.find((m) => (m as { kind: string }).kind === "Pod") as { metadata: { name: string }; spec: Record<string, unknown>; status?: unknown } | undefined;
  if (first) {
    const sa = first.spec["serviceAccountName"] === "sa1" ? "sa2" : "sa1";
    out.push({ ...first, metadata: { ...first.metadata, name: `${first.metadata.name}-sa` }, spec: { ...first.spec, serviceAccountName: sa }, status: {} });
    out.push({ ...first, metadata: { ...first.metadata, name: `${first.metadata.name}-node` }, spec: { ...first.spec, nodeName: first.spec["nodeName"] === "n1" ? "n2" : "n1" }, status: {} });
  }
  return out;
}

export const calicoClusterArb = fc
  .record({
    base: clusterArb,
    extras: podExtrasArb,
    policies: fc.array(calicoPolicyArb, { maxLength: 4 }),
    tiers: fc.subarray([
      { name: "security", order: 100, defaultAction: "Deny" },
      { name: "platform", order: 50, defaultAction: "Pass" },
    ]),
    networkSet: fc.boolean(),
  })
  .map(({ base, extras, policies, tiers, networkSet }) => {
    const manifests = [...withExtras(base.manifests, extras), ...nodes()];
    for (const t of tiers) manifests.push({ apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: t.name }, spec: { order: t.order, defaultAction: t.defaultAction } });
    if (networkSet) manifests.push({ apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkSet", metadata: { name: "ext", labels: { role: "net" } }, spec: { nets: ["192.168.1.0/24", "10.0.0.2/32"] } });
    policies.forEach((p, i) => {
      const name = p.tier === "default" ? `cp${i}` : `${p.tier}.cp${i}`;
      const spec: Record<string, unknown> = { tier: p.tier, selector: p.selector, ingress: p.ingress, egress: p.egress };
      if (p.order !== undefined) spec["order"] = p.order;
      if (p.types) spec["types"] = p.types;
      if (p.serviceAccountSelector) spec["serviceAccountSelector"] = p.serviceAccountSelector;
      if (p.global && p.namespaceSelector) spec["namespaceSelector"] = p.namespaceSelector;
      manifests.push(
        p.global
          ? { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy", metadata: { name }, spec }
          : { apiVersion: "projectcalico.org/v3", kind: "NetworkPolicy", metadata: { name, namespace: p.ns }, spec },
      );
    });
    return { manifests };
  });

const ciliumSelectorArb = fc.constantFrom<Record<string, unknown>>(
  {},
  { matchLabels: { app: "a" } },
  { matchLabels: { "k8s:tier": "be" } },
  { matchExpressions: [{ key: "env", operator: "Exists" }] },
  { matchLabels: { "k8s:io.kubernetes.pod.namespace": "y" } },
  { matchLabels: { "io.cilium.k8s.policy.serviceaccount": "sa1" } },
);
const ciliumToPortsArb = fc.constantFrom<unknown[]>(
  [{ ports: [{ port: "80", protocol: "TCP" }] }],
  [{ ports: [{ port: "53", protocol: "ANY" }, { port: "8080" }] }],
  [{ ports: [{ port: "50", endPort: 90, protocol: "TCP" }] }],
  [{ ports: [{ port: "http", protocol: "TCP" }] }],
  [{ ports: [{ port: "80", protocol: "TCP" }], rules: { http: [{ method: "GET" }] } }],
);
const ciliumRuleArb = (dir: "from" | "to") =>
  fc
    .record(
      {
        endpoints: fc.array(ciliumSelectorArb, { minLength: 1, maxLength: 2 }),
        entities: fc.array(fc.constantFrom("world", "cluster", "host", "remote-node", "all", "world-ipv6"), { minLength: 1, maxLength: 2 }),
        cidr: fc.constantFrom<unknown[]>(["10.0.0.0/8"], ["192.168.1.0/24"], ["0.0.0.0/0"], ["2001:db8::/32"], ["::/0"], ["fd00:250::/64", "192.168.1.0/24"]),
        cidrSet: fc.constantFrom<unknown[]>([{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }], [{ cidr: "192.168.0.0/16" }], [{ cidr: "::/0", except: ["2001:db8::/32"] }]),
        toPorts: ciliumToPortsArb,
        icmps: fc.constantFrom<unknown[]>([{ fields: [{ type: 8 }] }], [{ fields: [{ family: "IPv6", type: 128 }] }], [{ fields: [{ family: "IPv6", type: "EchoRequest" }, { family: "IPv4", type: "DestinationUnreachable" }] }]),
      },
      { requiredKeys: [] },
    )
    .map((r) => {
      const cap = dir === "from" ? "from" : "to";
      const out: Record<string, unknown> = {};
      if (r.endpoints) out[`${cap}Endpoints`] = r.endpoints;
      if (r.entities) out[`${cap}Entities`] = r.entities;
      if (r.cidr) out[`${cap}CIDR`] = r.cidr;
      if (r.cidrSet) out[`${cap}CIDRSet`] = r.cidrSet;
      if (r.toPorts) out["toPorts"] = r.toPorts;
      if (r.icmps) out["icmps"] = r.icmps;
      return out;
    });
const stripL7 = (rules: Record<string, unknown>[]): Record<string, unknown>[] =>
  rules.map((r) => (Array.isArray(r["toPorts"]) ? { ...r, toPorts: (r["toPorts"] as Record<string, unknown>[]).map(({ ports }) => ({ ports })) } : r));

const ciliumPolicyArb = fc.record({
  clusterwide: fc.boolean(),
  ns: fc.constantFrom(...NS),
  subject: ciliumSelectorArb,
  ingress: fc.array(ciliumRuleArb("from"), { maxLength: 2 }),
  egress: fc.array(ciliumRuleArb("to"), { maxLength: 2 }),
  ingressDeny: fc.array(ciliumRuleArb("from"), { maxLength: 1 }),
  egressDeny: fc.array(ciliumRuleArb("to"), { maxLength: 1 }),
  defaultDeny: fc.constantFrom(undefined, { ingress: false }, { egress: false }),
});

export const ciliumClusterArb = fc
  .record({ base: clusterArb, extras: podExtrasArb, policies: fc.array(ciliumPolicyArb, { maxLength: 4 }) })
  .map(({ base, extras, policies }) => {
    const manifests = [...withExtras(base.manifests, extras), ...nodes()];
    policies.forEach((p, i) => {
      const spec: Record<string, unknown> = { endpointSelector: p.subject };
      if (p.ingress.length) spec["ingress"] = p.ingress;
      if (p.egress.length) spec["egress"] = p.egress;
      if (p.ingressDeny.length) spec["ingressDeny"] = stripL7(p.ingressDeny);
      if (p.egressDeny.length) spec["egressDeny"] = stripL7(p.egressDeny);
      if (p.defaultDeny) spec["enableDefaultDeny"] = p.defaultDeny;
      manifests.push(
        p.clusterwide
          ? { apiVersion: "cilium.io/v2", kind: "CiliumClusterwideNetworkPolicy", metadata: { name: `ccnp${i}` }, spec }
          : { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: `cnp${i}`, namespace: p.ns }, spec },
      );
    });
    return { manifests };
  });
