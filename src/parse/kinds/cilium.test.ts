/**
 * Cilium decoder: the seeds' example, namespace scoping, ports, entities, CIDRs, L7/FQDN flags.
 * Sources: cilium pkg/k8s/apis/cilium.io/utils/utils.go (ParseToCiliumRule, getEndpointSelector),
 * pkg/policy/api (rule.go EnableDefaultDeny doc, entity.go, l4.go PortProtocol),
 * docs.cilium.io/en/stable/security/policy/language and .../deny.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CiliumPolicy, Diagnostic } from "../../model/index.js";
import { objectCursors } from "../documents.js";
import { decodeCiliumPolicy, isCiliumPolicyKind } from "./cilium.js";

function decodeAll(text: string, path = "in.yaml"): { policies: CiliumPolicy[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const policies: CiliumPolicy[] = [];
  for (const c of objectCursors({ path, text }, { diagnostics, skipped: [] })) {
    const apiVersion = c.get("apiVersion").optString() ?? "";
    const kind = c.get("kind").optString() ?? "";
    if (!isCiliumPolicyKind(apiVersion, kind)) continue;
    const p = decodeCiliumPolicy(c, kind, apiVersion);
    if (p) policies.push(p);
  }
  return { policies, diagnostics };
}

const cnp = (spec: string, kind = "CiliumNetworkPolicy"): { policies: CiliumPolicy[]; diagnostics: Diagnostic[] } =>
  decodeAll(`apiVersion: cilium.io/v2\nkind: ${kind}\nmetadata:\n  name: p\n  namespace: shop\nspec:\n${spec}`);

describe("Cilium decoder: the seeds' example (cilium-l3-l4-entities.yaml)", () => {
  const { policies, diagnostics } = decodeAll(readFileSync("fixtures/examples/cilium-l3-l4-entities.yaml", "utf8"), "cilium-l3-l4-entities.yaml");

  it("decodes both policies; the only diagnostic is the DNS L7 rule, flagged as not modelled", () => {
    expect(policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(["shop/l3-l4-backend", "shop/dev-egress"]);
    expect(diagnostics.map((d) => [d.severity, d.code, d.source.path])).toEqual([["warning", "peer-not-modelled", "spec.egress[1].toPorts[0].rules"]]);
  });

  it("endpointSelector and fromEndpoints are scoped to the policy's namespace", () => {
    const s = policies[0]?.specs[0];
    expect(s?.subject).toMatchObject({ type: "Endpoints", selector: { selector: { matchLabels: { role: "backend", "io.kubernetes.pod.namespace": "shop" } } } });
    expect(s?.ingress[0]?.endpoints[0]?.selector.matchLabels).toEqual({ role: "frontend", "io.kubernetes.pod.namespace": "shop" });
    expect(s?.ingress[0]?.toPorts).toEqual([{ ports: [{ protocol: "TCP", port: { type: "Number", port: 80, endPort: 80 } }], l7: [] }]);
  });

  it("fromEntities host is an L3 rule with every port; ingressDeny world is a deny rule", () => {
    const s = policies[0]?.specs[0];
    expect(s?.ingress.map((r) => [r.deny, r.entities, r.anyPeer, r.toPorts])).toEqual([
      [false, [], false, [{ ports: [{ protocol: "TCP", port: { type: "Number", port: 80, endPort: 80 } }], l7: [] }]],
      [false, ["host"], false, "All"],
      [true, ["world"], false, "All"],
    ]);
    expect(s?.defaultDeny).toEqual({ Ingress: true, Egress: false });
  });

  it("a selector naming the namespace (k8s: prefix stripped) is not re-scoped; dns rules are kept", () => {
    const r = policies[1]?.specs[0]?.egress[1];
    expect(r?.endpoints[0]?.selector.matchLabels).toEqual({ "io.kubernetes.pod.namespace": "kube-system", "k8s-app": "kube-dns" });
    expect(r?.toPorts).toMatchObject([{ ports: [{ protocol: "ANY", port: { type: "Number", port: 53, endPort: 53 } }], l7: [{ kind: "dns" }] }]);
    expect(policies[1]?.specs[0]?.egress[0]?.entities).toEqual(["world"]);
  });
});

describe("Cilium decoder: selectors and scoping (utils.go getEndpointSelector)", () => {
  it("a clusterwide policy's peers must be pods: io.kubernetes.pod.namespace exists is added", () => {
    const { policies } = decodeAll("apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata:\n  name: c\nspec:\n  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - {}\n");
    const s = policies[0]?.specs[0];
    expect(policies[0]?.namespace).toBeUndefined();
    expect(s?.subject).toMatchObject({ selector: { selector: { matchLabels: {}, matchExpressions: [] } } });
    expect(s?.ingress[0]?.endpoints[0]?.selector).toEqual({ matchLabels: {}, matchExpressions: [{ key: "io.kubernetes.pod.namespace", operator: "Exists", values: [] }] });
  });

  it("a namespaced peer selector on namespace labels is not re-scoped to the policy's namespace", () => {
    const { policies } = cnp("  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        k8s:io.cilium.k8s.namespace.labels.team: blue\n");
    expect(policies[0]?.specs[0]?.ingress[0]?.endpoints[0]?.selector.matchLabels).toEqual({ "io.cilium.k8s.namespace.labels.team": "blue" });
  });

  it("a reserved: selector names an entity", () => {
    const { policies } = cnp('  endpointSelector: {}\n  ingress:\n  - fromEndpoints:\n    - matchLabels:\n        "reserved:host": ""\n');
    expect(policies[0]?.specs[0]?.ingress[0]).toMatchObject({ endpoints: [], entities: ["host"] });
  });

  it("exactly one of endpointSelector and nodeSelector; nodeSelector only clusterwide", () => {
    expect(cnp("  ingress: []\n").diagnostics.map((d) => d.message)).toEqual(["a rule must set exactly one of endpointSelector, nodeSelector"]);
    expect(cnp("  nodeSelector: {}\n").diagnostics.map((d) => d.severity)).toEqual(["error", "warning"]);
  });

  it("`specs` adds rule sets after `spec`", () => {
    const { policies } = decodeAll("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\nspec:\n  endpointSelector: {}\nspecs:\n- endpointSelector:\n    matchLabels: {a: b}\n  egress:\n  - {}\n");
    expect(policies[0]?.specs.map((s) => [s.index, s.defaultDeny])).toEqual([
      [0, { Ingress: false, Egress: false }],
      [1, { Ingress: false, Egress: true }],
    ]);
  });
});

describe("Cilium decoder: rules", () => {
  it("an empty rule `{}` names no peer (the documented deny-all idiom) but enables default deny", () => {
    const r = cnp("  endpointSelector: {}\n  ingress:\n  - {}\n").policies[0]?.specs[0];
    expect(r?.ingress[0]).toMatchObject({ anyPeer: true, toPorts: "All", endpoints: [], entities: [], cidrs: [] });
    expect(r?.defaultDeny).toEqual({ Ingress: true, Egress: false });
  });

  it("enableDefaultDeny false keeps a direction default-allow", () => {
    const r = cnp("  endpointSelector: {}\n  enableDefaultDeny:\n    ingress: false\n  ingress:\n  - fromEntities: [cluster]\n").policies[0]?.specs[0];
    expect(r?.defaultDeny).toEqual({ Ingress: false, Egress: false });
  });

  it("toPorts: protocol defaults to ANY, port 0 means all, endPort makes a range, named ports", () => {
    const { policies, diagnostics } = cnp('  endpointSelector: {}\n  egress:\n  - toPorts:\n    - ports:\n      - port: "8000"\n        endPort: 8100\n        protocol: TCP\n      - port: "0"\n        protocol: UDP\n      - port: http\n      - port: "53"\n');
    expect(diagnostics).toEqual([]);
    const tp = policies[0]?.specs[0]?.egress[0]?.toPorts;
    expect(tp).toEqual([{ ports: [
      { protocol: "TCP", port: { type: "Number", port: 8000, endPort: 8100 } },
      { protocol: "UDP", port: { type: "AllPorts" } },
      { protocol: "ANY", port: { type: "Named", name: "http" } },
      { protocol: "ANY", port: { type: "Number", port: 53, endPort: 53 } },
    ], l7: [] }]);
  });

  it("toCIDRSet with except; an except outside the CIDR is an error at its line", () => {
    const ok = cnp("  endpointSelector: {}\n  egress:\n  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      except: [10.96.0.0/12]\n    toCIDR: [192.0.2.1]\n");
    expect(ok.diagnostics).toEqual([]);
    expect(ok.policies[0]?.specs[0]?.egress[0]?.cidrs.map((c) => [c.text, c.set.intervals.length])).toEqual([["192.0.2.1", 1], ["10.0.0.0/8 except 1", 2]]);
    const bad = cnp("  endpointSelector: {}\n  egress:\n  - toCIDRSet:\n    - cidr: 10.0.0.0/8\n      except: [172.16.0.0/12]\n");
    expect(bad.diagnostics.map((d) => `${d.source.line}:${d.code}`)).toEqual(["11:except-outside-cidr"]);
  });

  it("toFQDNs and http rules are decoded and flagged, not dropped", () => {
    const { policies, diagnostics } = cnp('  endpointSelector: {}\n  egress:\n  - toFQDNs:\n    - matchName: api.example.com\n    toPorts:\n    - ports:\n      - port: "443"\n        protocol: TCP\n      rules:\n        http:\n        - method: GET\n');
    expect(policies[0]?.specs[0]?.egress[0]?.fqdns).toEqual(["api.example.com"]);
    expect(diagnostics.map((d) => [d.severity, d.source.path])).toEqual([
      ["warning", "spec.egress[0].toFQDNs"],
      ["warning", "spec.egress[0].toPorts[0].rules"],
    ]);
  });

  it("deny rules take no L7 rules and no toFQDNs (PortDenyRule / EgressDenyRule)", () => {
    const { diagnostics } = cnp('  endpointSelector: {}\n  egressDeny:\n  - toFQDNs:\n    - matchName: x.com\n');
    expect(diagnostics.map((d) => [d.code, d.source.path])).toEqual([["unknown-field", "spec.egressDeny[0].toFQDNs"]]);
  });

  it("an unknown entity and an unknown protocol are errors with their place", () => {
    const { diagnostics, policies } = cnp('  endpointSelector: {}\n  ingress:\n  - fromEntities: [wolrd]\n  - toPorts:\n    - ports:\n      - port: "80"\n        protocol: ICMP\n');
    expect(policies).toEqual([]);
    expect(diagnostics.map((d) => `${d.source.line}:${d.source.column} ${d.code}`)).toEqual(["9:20 invalid-value", "13:19 invalid-protocol"]);
  });
});

describe("Cilium decoder: a CNP's endpointSelector is always its own namespace (ParseToCiliumRule)", () => {
  it("a different namespace in endpointSelector is replaced, with a warning", () => {
    const { policies, diagnostics } = cnp("  endpointSelector:\n    matchLabels:\n      io.kubernetes.pod.namespace: other\n      app: x\n");
    expect(policies[0]?.specs[0]?.subject).toMatchObject({ selector: { selector: { matchLabels: { app: "x", "io.kubernetes.pod.namespace": "shop" } } } });
    expect(diagnostics.map((d) => [d.severity, d.source.path])).toEqual([["warning", "spec.endpointSelector"]]);
  });
});
