/**
 * Calico decoders: the seeds' examples, defaults and validation with file:line:column errors.
 * Sources: Calico API reference (docs.tigera.io/calico/latest/reference/resources/networkpolicy,
 * globalnetworkpolicy, tier, networkset, globalnetworkset, stagednetworkpolicy), apiv3
 * PolicySpec.Types doc comment, api/pkg/apis/projectcalico/v3/tier.go (built-in tiers),
 * libcalico-go lib/validator/v3 (ports need TCP/UDP/SCTP/UDPLite, ICMP type/code ranges).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CalicoNetworkSet, CalicoPolicy, CalicoTier, Diagnostic, StagedKubernetesNetworkPolicy } from "../../model/index.js";
import { formatCalicoSelector } from "../../policy/calico-selector.js";
import { objectCursors } from "../documents.js";
import { decodeCalicoObject, isCalicoKind, type CalicoObject } from "./calico.js";

function decodeAll(text: string, path = "in.yaml"): { objects: CalicoObject[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const objects: CalicoObject[] = [];
  for (const c of objectCursors({ path, text }, { diagnostics, skipped: [] })) {
    const apiVersion = c.get("apiVersion").optString() ?? "";
    const kind = c.get("kind").optString() ?? "";
    if (!isCalicoKind(apiVersion, kind)) continue;
    const o = decodeCalicoObject(c, apiVersion, kind);
    if (o) objects.push(o);
  }
  return { objects, diagnostics };
}

function one<T extends CalicoObject>(text: string): { obj: T | undefined; diagnostics: Diagnostic[] } {
  const r = decodeAll(text);
  return { obj: r.objects[0] as T | undefined, diagnostics: r.diagnostics };
}

const at = (d: Diagnostic): string => `${d.source.file}:${d.source.line}:${d.source.column} ${d.severity}[${d.code}] ${d.source.path}`;

describe("Calico decoders: the seeds' examples", () => {
  it("calico-database.yaml: selector role == 'database', types as written, Allow TCP 6379 from role == 'frontend'", () => {
    const text = readFileSync("fixtures/examples/calico-database.yaml", "utf8");
    const { objects, diagnostics } = decodeAll(text, "calico-database.yaml");
    expect(diagnostics).toEqual([]);
    const p = objects[0] as CalicoPolicy;
    expect(p).toMatchObject({ kind: "NetworkPolicy", name: "allow-tcp-6379", namespace: "production", tier: "default", order: undefined, types: ["Ingress", "Egress"] });
    expect(p.selector && formatCalicoSelector(p.selector.selector)).toBe(`role == "database"`);
    expect(p.ingress).toHaveLength(1);
    const r = p.ingress[0];
    expect(r?.action).toBe("Allow");
    expect(r?.protocol).toEqual({ type: "Name", name: "TCP" });
    expect(r?.source.selector?.text).toBe("role == 'frontend'");
    expect(r?.destination.ports).toEqual([{ type: "Range", from: 6379, to: 6379 }]);
    expect(p.egress.map((e) => e.action)).toEqual(["Allow"]);
  });

  it("calico-default-deny-dns.yaml: a GlobalNetworkPolicy with `not in` and two DNS allows", () => {
    const text = readFileSync("fixtures/examples/calico-default-deny-dns.yaml", "utf8");
    const { objects, diagnostics } = decodeAll(text, "calico-default-deny-dns.yaml");
    expect(diagnostics).toEqual([]);
    const p = objects[0] as CalicoPolicy;
    expect(p).toMatchObject({ kind: "GlobalNetworkPolicy", name: "default-deny", namespace: undefined, types: ["Ingress", "Egress"], ingress: [] });
    expect(p.selector && formatCalicoSelector(p.selector.selector)).toBe(`projectcalico.org/namespace not in {"calico-apiserver", "calico-system", "kube-system"}`);
    expect(p.egress.map((r) => [r.action, r.protocol, r.destination.selector?.text, r.destination.ports])).toEqual([
      ["Allow", { type: "Name", name: "UDP" }, 'k8s-app == "kube-dns"', [{ type: "Range", from: 53, to: 53 }]],
      ["Allow", { type: "Name", name: "TCP" }, 'k8s-app == "kube-dns"', [{ type: "Range", from: 53, to: 53 }]],
    ]);
  });
});

describe("Calico decoders: defaults", () => {
  const policy = (spec: string, kind = "NetworkPolicy", api = "projectcalico.org/v3"): CalicoPolicy | undefined =>
    one<CalicoPolicy>(`apiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: p\n  namespace: ns\nspec:\n${spec}`).obj;

  // apiv3 PolicySpec.Types: "[ PolicyTypeIngress ], if there are no EgressRules (including the case
  // where there are also no IngressRules); [ PolicyTypeEgress ], if there are EgressRules but no
  // IngressRules; [ PolicyTypeIngress, PolicyTypeEgress ], if there are both".
  it("types default from the rules present", () => {
    expect(policy("  selector: all()\n")?.types).toEqual(["Ingress"]);
    expect(policy("  ingress:\n  - action: Allow\n")?.types).toEqual(["Ingress"]);
    expect(policy("  egress:\n  - action: Allow\n")?.types).toEqual(["Egress"]);
    expect(policy("  ingress:\n  - action: Deny\n  egress:\n  - action: Allow\n")?.types).toEqual(["Ingress", "Egress"]);
    expect(policy("  types: []\n  egress:\n  - action: Allow\n")?.types).toEqual(["Egress"]);
  });

  it("tier defaults to default, order to +Inf (undefined), selector to all() (undefined)", () => {
    expect(policy("  ingress: []\n")).toMatchObject({ tier: "default", order: undefined, selector: undefined, stagedAction: undefined });
  });

  it("the CRD form crd.projectcalico.org/v1 decodes the same spec", () => {
    const p = policy("  order: 10.5\n  selector: app == 'x'\n", "GlobalNetworkPolicy", "crd.projectcalico.org/v1");
    expect(p).toMatchObject({ kind: "GlobalNetworkPolicy", apiVersion: "crd.projectcalico.org/v1", order: 10.5, namespace: undefined });
  });

  it("staged kinds default stagedAction to Set; StagedKubernetesNetworkPolicy wraps a NetworkPolicy", () => {
    expect(policy("  selector: all()\n", "StagedNetworkPolicy")?.stagedAction).toBe("Set");
    expect(policy("  stagedAction: Delete\n", "StagedGlobalNetworkPolicy")?.stagedAction).toBe("Delete");
    const { obj, diagnostics } = one<StagedKubernetesNetworkPolicy>("apiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata:\n  name: k\n  namespace: ns\nspec:\n  stagedAction: Set\n  podSelector: {}\n  policyTypes: [Ingress]\n");
    expect(diagnostics).toEqual([]);
    expect(obj).toMatchObject({ kind: "StagedKubernetesNetworkPolicy", stagedAction: "Set", policy: { kind: "NetworkPolicy", namespace: "ns", name: "k", policyTypes: ["Ingress"] } });
  });

  it("Tier: defaultAction defaults to Deny; order is optional", () => {
    const { obj } = one<CalicoTier>("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n");
    expect(obj).toMatchObject({ kind: "Tier", name: "security", order: 100, defaultAction: "Deny" });
    const { obj: none } = one<CalicoTier>("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: last\n");
    expect(none).toMatchObject({ order: undefined, defaultAction: "Deny" });
  });

  it("NetworkSet and GlobalNetworkSet: labels and nets (a plain IP is a /32)", () => {
    const { obj } = one<CalicoNetworkSet>("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: trusted\n  labels:\n    role: trusted\nspec:\n  nets:\n  - 198.51.100.0/28\n  - 203.0.113.7\n");
    expect(obj).toMatchObject({ kind: "GlobalNetworkSet", namespace: undefined, labels: { role: "trusted" } });
    expect(obj?.nets.map((n) => n.prefix)).toEqual([28, 32]);
  });
});

describe("Calico decoders: validation with file:line:column", () => {
  it("a selector error points at the offending token inside the YAML value", () => {
    const text = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  selector: role == database\n";
    const { obj, diagnostics } = one(text);
    expect(obj).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0] as Diagnostic;
    // "  selector: " is 12 characters; "database" starts at selector column 9 → file column 21.
    expect(at(d)).toBe("in.yaml:7:21 error[invalid-label-selector] spec.selector");
    expect(d.message).toContain("column 9: expected string (at 'database')");
  });

  it("a quoted selector's column skips the quote; a rule selector error names its field", () => {
    const text = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  ingress:\n  - action: Allow\n    source:\n      selector: "a == 'x' && %"\n`;
    const { diagnostics } = one(text);
    expect(diagnostics.map(at)).toEqual(["in.yaml:9:30 error[invalid-label-selector] spec.ingress[0].source.selector"]);
  });

  it("ports need a protocol with ports (validator: TCP, UDP, SCTP, UDPLite)", () => {
    const text = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  ingress:\n  - action: Allow\n    destination:\n      ports: [80]\n";
    const { obj, diagnostics } = one(text);
    expect(obj).toBeUndefined();
    expect(diagnostics.map((d) => d.message)).toEqual(["destination ports need protocol TCP, UDP, SCTP or UDPLite (got none)"]);
  });

  it("port forms: number, \"min:max\", a name; a reversed range is an error", () => {
    const text = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  ingress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [80, "8000:8100", http]\n      notPorts: ["8050"]\n';
    const { obj, diagnostics } = one<CalicoPolicy>(text);
    expect(diagnostics).toEqual([]);
    expect(obj?.ingress[0]?.destination.ports).toEqual([{ type: "Range", from: 80, to: 80 }, { type: "Range", from: 8000, to: 8100 }, { type: "Named", name: "http" }]);
    expect(obj?.ingress[0]?.destination.notPorts).toEqual([{ type: "Range", from: 8050, to: 8050 }]);
    const bad = one(text.replace('"8000:8100"', '"8100:8000"'));
    expect(bad.diagnostics.map(at)).toEqual(["in.yaml:10:19 error[invalid-port] spec.ingress[0].destination.ports[1]"]);
  });

  it("ICMP: type 0-254, code 0-255, code needs type, icmp needs protocol ICMP", () => {
    const base = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  ingress:\n  - action: Allow\n";
    const ok = one<CalicoPolicy>(`${base}    protocol: ICMP\n    icmp:\n      type: 8\n      code: 0\n`);
    expect(ok.diagnostics).toEqual([]);
    expect(ok.obj?.ingress[0]?.icmp).toEqual({ type: 8, code: 0 });
    expect(one(`${base}    protocol: ICMP\n    icmp:\n      type: 255\n`).diagnostics.map((d) => d.message)).toEqual(["ICMP type 255 is outside 0-254"]);
    expect(one(`${base}    protocol: ICMP\n    icmp:\n      code: 1\n`).diagnostics.map((d) => d.message)).toEqual(["an ICMP code needs an ICMP type"]);
    expect(one(`${base}    protocol: TCP\n    icmp:\n      type: 8\n`).diagnostics.map((d) => d.message)).toEqual(["icmp/notICMP need protocol ICMP or ICMPv6"]);
  });

  it("action must be Allow, Deny, Pass or Log; Log is accepted", () => {
    const base = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\nspec:\n  ingress:\n  - action: ";
    expect(one(`${base}Log\n`).diagnostics).toEqual([]);
    expect(one(`${base}Accept\n`).diagnostics.map((d) => d.message)).toEqual(['action "Accept" is not one of Allow, Deny, Pass, Log']);
  });

  it("built-in tiers keep their CEL-pinned order and default action", () => {
    const bad = one("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: default\nspec:\n  order: 5\n");
    expect(bad.obj).toBeUndefined();
    expect(bad.diagnostics.map((d) => d.message)).toEqual(["the built-in tier \"default\" must have order 1000000 and defaultAction Deny (got 5, Deny)"]);
    expect(one("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: kube-admin\nspec:\n  order: 1000\n  defaultAction: Pass\n").diagnostics).toEqual([]);
  });

  it("a policy outside the default tier without the tier prefix loads with a warning", () => {
    const { obj, diagnostics } = one<CalicoPolicy>("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  tier: security\n");
    expect(obj?.tier).toBe("security");
    expect(diagnostics.map((d) => [d.severity, d.source.path])).toEqual([["warning", "metadata.name"]]);
  });

  it("unmodelled parts are warnings, not silence: source ports, http, services, host options", () => {
    const text = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n  preDNAT: true\n  applyOnForward: true\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source:\n      ports: [1234]\n    http:\n      methods: [GET]\n    destination:\n      services:\n        name: api\n        namespace: shop\n";
    const { obj, diagnostics } = one<CalicoPolicy>(text);
    expect(obj?.hostOptions).toEqual(["preDNAT", "applyOnForward"]);
    expect(obj?.ingress[0]?.unmodelled).toEqual(["source ports (a connection's source port is ephemeral)", "services match", "http match (L7)"]);
    expect(diagnostics.every((d) => d.severity === "warning" && d.code === "peer-not-modelled")).toBe(true);
    expect(diagnostics).toHaveLength(4);
  });

  it("a bad rule skips the policy, the next object still loads", () => {
    const text = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: bad\nspec:\n  ingress:\n  - action: Allow\n    destination:\n      nets: [10.0.0.0/33]\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: good\nspec: {}\n";
    const r = decodeAll(text);
    expect(r.objects.map((o) => ("name" in o ? o.name : ""))).toEqual(["good"]);
    expect(r.diagnostics.map(at)).toEqual(["in.yaml:9:14 error[invalid-cidr] spec.ingress[0].destination.nets[0]"]);
  });
});
