/**
 * Calico → general tiers: ordering rules and evaluation semantics, driven end to end from YAML.
 * Sources:
 * - felix calc/policy_sorter.go (TierLess: order, none last, name; PolKVLess: order, none = +Inf, name);
 * - api/pkg/apis/projectcalico/v3/tier.go (kube-admin 1000 Pass, default 1,000,000 Deny,
 *   kube-baseline 10,000,000 Pass) and TierSpec.Order doc ("If the order is omitted, it may be
 *   considered to be infinite");
 * - libcalico-go lib/backend/k8s/conversion/conversion.go (K8s NetworkPolicy order 1000, name
 *   knp.default.<name>) and clusternetworkpolicy.go (order = priority, kube-admin/kube-baseline);
 * - docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy (a tier counts only
 *   when a policy in it selects the endpoint; Pass; end-of-tier default action; Log continues);
 * - libcalico-go lib/backend/syncersv1/updateprocessors/rules.go (namespace scoping of rule
 *   selectors, all()/global() in namespaceSelector, serviceAccounts);
 * - docs: reference/resources/networkpolicy (ports/notPorts, named ports, ranges, ICMP),
 *   networkset / globalnetworkset (selectable by labels).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { containsPort, type PolicyType } from "../model/index.js";
import { applyStaged, calicoTiers } from "./calico-tiers.js";
import type { FlowSet } from "./flow-set.js";
import type { PolicyPeer, PolicyEndpoint } from "./party.js";
import { evaluateDirection } from "./tier-eval.js";
import { addressPeer, dialectFixture, pod, podPeer, type DialectFixture } from "./testing/dialect-fixture.js";

function verdict(f: DialectFixture, direction: PolicyType, local: PolicyEndpoint, peer: PolicyPeer, proto: "TCP" | "UDP" | "SCTP", port: number): boolean {
  const { tiers } = calicoTiers(f.calico);
  const fold = evaluateDirection(tiers, direction, local, peer, f.ctx);
  return containsPort(fold.allowed.ports, proto, port);
}

/** Both directions of pod → pod, as a connection needs. */
function connect(f: DialectFixture, from: string, to: string, proto: "TCP" | "UDP" | "SCTP", port: number): boolean {
  return verdict(f, "Egress", pod(f, from), podPeer(f, to), proto, port) && verdict(f, "Ingress", pod(f, to), podPeer(f, from), proto, port);
}

function icmpAllowed(fold: FlowSet, type: number, code: number): boolean {
  const v = type * 256 + code;
  return fold.icmp.some((r) => v >= r.from && v <= r.to);
}

const NS = (name: string, labels = ""): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labels ? `  labels:\n${labels}` : ""}---\n`;
const POD = (ns: string, name: string, ip: string, labels: string, ports = ""): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n${labels}spec:\n  containers:\n  - name: c\n    image: x\n${ports}status:\n  podIP: ${ip}\n---\n`;

describe("Calico ordering (policy_sorter.go, tier.go, conversion.go)", () => {
  const text = [
    NS("a"),
    "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n---\n",
    "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: platform\nspec:\n  order: 100\n  defaultAction: Pass\n---\n",
    "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: zeta\n---\n",
    ...[["security.b", "security", "10"], ["security.a", "security", "10"], ["security.c", "security", "5"], ["security.d", "security", ""], ["platform.x", "platform", ""], ["zeta.z", "zeta", "1"], ["early", "default", "999"], ["late", "default", "1001"], ["unordered", "default", ""]].map(
      ([name, tier, order]) => `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n  tier: ${tier}\n${order ? `  order: ${order}\n` : ""}---\n`,
    ),
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: knp\n  namespace: a\nspec:\n  podSelector: {}\n---\n",
    "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: anp-20\nspec:\n  priority: 20\n  subject:\n    namespaces: {}\n  ingress:\n  - action: Deny\n    from:\n    - namespaces: {}\n---\n",
    "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: anp-3\nspec:\n  priority: 3\n  subject:\n    namespaces: {}\n  egress:\n  - action: Pass\n    to:\n    - namespaces: {}\n---\n",
    "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: default\nspec:\n  subject:\n    namespaces: {}\n  ingress:\n  - action: Deny\n    from:\n    - namespaces: {}\n",
  ].join("");
  const f = dialectFixture(text);
  const { tiers, notes } = calicoTiers(f.calico);

  it("loads without diagnostics", () => {
    expect(f.diagnostics).toEqual([]);
    expect(notes).toEqual([]);
  });

  it("tiers by order, equal orders by name, no order last; built-in tiers at 1000 / 1,000,000 / 10,000,000", () => {
    expect(tiers.map((t) => [t.name, t.order, t.defaultAction])).toEqual([
      ["platform", 100, "Pass"],
      ["security", 100, "Deny"],
      ["kube-admin", 1000, "Pass"],
      ["default", 1_000_000, "Deny"],
      ["kube-baseline", 10_000_000, "Pass"],
      ["zeta", undefined, "Deny"],
    ]);
  });

  it("policies by order (none = +Inf), then name", () => {
    expect(tiers.find((t) => t.name === "security")?.policies.map((p) => p.origin.policy)).toEqual(["security.c", "security.a", "security.b", "security.d"]);
  });

  it("a Kubernetes NetworkPolicy sits in tier default at order 1000, named knp.default.<name>", () => {
    const d = tiers.find((t) => t.name === "default");
    expect(d?.policies.map((p) => [p.origin.policy, p.origin.order, p.origin.sortName])).toEqual([
      ["early", 999, "early"],
      ["a/knp", 1000, "knp.default.knp"],
      ["late", 1001, "late"],
      ["unordered", undefined, "unordered"],
    ]);
  });

  it("ANP in kube-admin and BANP in kube-baseline at order = priority; types = directions with rules", () => {
    const admin = tiers.find((t) => t.name === "kube-admin");
    expect(admin?.policies.map((p) => [p.origin.policy, p.origin.order, p.isolates])).toEqual([
      ["anp-3", 3, { Ingress: false, Egress: true }],
      ["anp-20", 20, { Ingress: true, Egress: false }],
    ]);
    expect(tiers.find((t) => t.name === "kube-baseline")?.policies.map((p) => p.origin.kind)).toEqual(["BaselineAdminNetworkPolicy"]);
  });

  it("a policy in a tier with no Tier object: the tier goes last and kwire says so", () => {
    const g = dialectFixture("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ghost.p\nspec:\n  tier: ghost\n  order: 1\n");
    const r = calicoTiers(g.calico);
    expect(r.tiers.map((t) => t.name)).toEqual(["ghost"]);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toContain('tier "ghost" has policies (ghost.p) but no Tier object');
  });
});

describe("the seeds' examples, evaluated", () => {
  it("calico-database.yaml: only the frontend reaches the database, and only on TCP 6379", () => {
    const f = dialectFixture(readFileSync("fixtures/examples/calico-database.yaml", "utf8"), "calico-database.yaml");
    expect(f.diagnostics).toEqual([]);
    expect(connect(f, "production/frontend", "production/database", "TCP", 6379)).toBe(true);
    expect(connect(f, "production/frontend", "production/database", "TCP", 80)).toBe(false);
    expect(connect(f, "production/frontend", "production/database", "UDP", 6379)).toBe(false);
    expect(connect(f, "production/batch", "production/database", "TCP", 6379)).toBe(false);
    // egress: - action: Allow → the database may open anything.
    expect(connect(f, "production/database", "production/batch", "TCP", 443)).toBe(true);
  });

  it("calico-default-deny-dns.yaml: DNS to kube-dns and nothing else, system namespaces untouched", () => {
    const f = dialectFixture(readFileSync("fixtures/examples/calico-default-deny-dns.yaml", "utf8"), "calico-default-deny-dns.yaml");
    expect(f.diagnostics).toEqual([]);
    expect(connect(f, "shop/web", "kube-system/coredns", "UDP", 53)).toBe(true);
    expect(connect(f, "shop/web", "kube-system/coredns", "TCP", 53)).toBe(true);
    expect(connect(f, "shop/web", "kube-system/coredns", "TCP", 80)).toBe(false);
    expect(connect(f, "shop/client", "shop/web", "TCP", 80)).toBe(false);
    // kube-system is excluded by `projectcalico.org/namespace not in {...}`: its pods stay default-allow.
    expect(verdict(f, "Egress", pod(f, "kube-system/coredns"), podPeer(f, "shop/web"), "TCP", 80)).toBe(true);
    expect(verdict(f, "Ingress", pod(f, "shop/web"), podPeer(f, "kube-system/coredns"), "TCP", 80)).toBe(false);
  });
});

const BASE = [
  NS("app", "    team: app\n"),
  NS("other", "    team: other\n"),
  POD("app", "db", "10.0.0.1", "    role: database\n", "    ports:\n    - containerPort: 5432\n      name: pg\n"),
  POD("app", "fe", "10.0.0.2", "    role: frontend\n"),
  POD("app", "batch", "10.0.0.3", "    role: batch\n    env: prod\n"),
  POD("other", "fe", "10.0.1.2", "    role: frontend\n"),
].join("");

describe("Calico evaluation semantics", () => {
  it("Pass skips the rest of the tier to the next; a non-matching source meets the tier's Deny default", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: security.pass-frontends\nspec:\n  tier: security\n  selector: role == 'database'\n  ingress:\n  - action: Pass\n    source:\n      selector: role == 'frontend'\n  - action: Deny\n    source:\n      selector: role == 'frontend'\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-all-in\n  namespace: app\nspec:\n  podSelector: {}\n  ingress:\n  - {}\n`);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 5432)).toBe(true);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/batch"), "TCP", 5432)).toBe(false);
    const fold = evaluateDirection(calicoTiers(f.calico).tiers, "Ingress", pod(f, "app/db"), podPeer(f, "app/batch"), f.ctx);
    expect(fold.tiers.map((t) => [t.tier, t.decisions.map((d) => `${d.action}:${d.origin?.policy ?? "tier default"}`)])).toEqual([["security", ["Deny:tier default"]]]);
  });

  it("a tier with defaultAction Pass hands unmatched traffic on; a tier no policy selects does not count", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: audit\nspec:\n  order: 50\n  defaultAction: Pass\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: audit.watch\nspec:\n  tier: audit\n  selector: all()\n  ingress:\n  - action: Log\n---\napiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: unused\nspec:\n  order: 60\n---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: unused.nobody\nspec:\n  tier: unused\n  selector: role == 'nobody'\n`);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 1)).toBe(true);
    const fold = evaluateDirection(calicoTiers(f.calico).tiers, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), f.ctx);
    expect(fold.tiers.map((t) => [t.tier, t.decisions.map((d) => d.action)])).toEqual([["audit", ["Log", "Pass"]]]);
  });

  it("Log continues to the next rule; Allow and Deny end evaluation in rule order", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: ordered\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Log\n  - action: Deny\n    protocol: TCP\n    destination:\n      ports: [5432]\n  - action: Allow\n`);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 5432)).toBe(false);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 5433)).toBe(true);
  });

  it("types: an Egress-only policy does not make its tier count for ingress", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: egress-only\n  namespace: app\nspec:\n  selector: all()\n  types: [Egress]\n`);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 1)).toBe(true);
    expect(verdict(f, "Egress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 1)).toBe(false);
  });

  it("a namespaced rule selector stays in the policy's namespace unless namespaceSelector is given", () => {
    const policy = (ns: string): string => `${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    source:\n      selector: role == 'frontend'\n${ns}`;
    const scoped = dialectFixture(policy(""));
    expect(verdict(scoped, "Ingress", pod(scoped, "app/db"), podPeer(scoped, "app/fe"), "TCP", 1)).toBe(true);
    expect(verdict(scoped, "Ingress", pod(scoped, "app/db"), podPeer(scoped, "other/fe"), "TCP", 1)).toBe(false);
    const any = dialectFixture(policy("      namespaceSelector: all()\n"));
    expect(verdict(any, "Ingress", pod(any, "app/db"), podPeer(any, "other/fe"), "TCP", 1)).toBe(true);
    const byName = dialectFixture(policy("      namespaceSelector: projectcalico.org/name == 'other'\n"));
    expect(verdict(byName, "Ingress", pod(byName, "app/db"), podPeer(byName, "other/fe"), "TCP", 1)).toBe(true);
    expect(verdict(byName, "Ingress", pod(byName, "app/db"), podPeer(byName, "app/fe"), "TCP", 1)).toBe(false);
  });

  it("an absent label makes != true (the source pod without env matches env != 'prod')", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    source:\n      selector: env != 'prod'\n`);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 1)).toBe(true);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/batch"), "TCP", 1)).toBe(false);
  });

  it("GlobalNetworkSets are selectable by labels; global() scopes a namespaced rule to them; nets and notNets", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: partners\n  labels:\n    role: partner\nspec:\n  nets: [198.51.100.0/28]\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    source:\n      selector: role == 'partner'\n      namespaceSelector: global()\n  - action: Allow\n    source:\n      nets: [203.0.113.0/24]\n      notNets: [203.0.113.128/25]\n`);
    const db = pod(f, "app/db");
    expect(verdict(f, "Ingress", db, addressPeer("World", "198.51.100.5"), "TCP", 1)).toBe(true);
    expect(verdict(f, "Ingress", db, addressPeer("World", "198.51.100.20"), "TCP", 1)).toBe(false);
    expect(verdict(f, "Ingress", db, addressPeer("World", "203.0.113.9"), "TCP", 1)).toBe(true);
    expect(verdict(f, "Ingress", db, addressPeer("World", "203.0.113.200"), "TCP", 1)).toBe(false);
    expect(verdict(f, "Ingress", db, podPeer(f, "app/fe"), "TCP", 1)).toBe(false);
  });

  it("ports, \"min:max\" ranges, named ports and notPorts", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [pg, "8000:8100"]\n      notPorts: ["8050"]\n`);
    const db = pod(f, "app/db");
    const fe = podPeer(f, "app/fe");
    expect([5432, 8000, 8049, 8050, 8100, 8101].map((p) => verdict(f, "Ingress", db, fe, "TCP", p))).toEqual([true, true, true, false, true, false]);
    expect(verdict(f, "Ingress", db, fe, "UDP", 5432)).toBe(false);
  });

  it("ICMP type and code; the model gains ICMP beside TCP/UDP/SCTP", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    protocol: ICMP\n    icmp:\n      type: 8\n`);
    const fold = evaluateDirection(calicoTiers(f.calico).tiers, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), f.ctx);
    expect(icmpAllowed(fold.allowed, 8, 0)).toBe(true);
    expect(icmpAllowed(fold.allowed, 13, 0)).toBe(false);
    expect(containsPort(fold.allowed.ports, "TCP", 80)).toBe(false);
  });

  it("serviceAccounts.names matches the pod's service account (default when unset)", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    source:\n      serviceAccounts:\n        names: [default]\n`);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 1)).toBe(true);
    const g = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    source:\n      serviceAccounts:\n        names: [api]\n`);
    expect(verdict(g, "Ingress", pod(g, "app/db"), podPeer(g, "app/fe"), "TCP", 1)).toBe(false);
  });

  it("staged policies are not enforced; applyStaged shows what enforcing them would change", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata:\n  name: lock-db\n  namespace: app\nspec:\n  selector: role == 'database'\n  types: [Ingress]\n---\napiVersion: projectcalico.org/v3\nkind: StagedKubernetesNetworkPolicy\nmetadata:\n  name: lock-fe\n  namespace: app\nspec:\n  stagedAction: Set\n  podSelector:\n    matchLabels:\n      role: frontend\n  policyTypes: [Ingress]\n`);
    expect(verdict(f, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), "TCP", 1)).toBe(true);
    const staged = { ...f, calico: applyStaged(f.calico, f.stagedK8s) };
    expect(verdict(staged, "Ingress", pod(staged, "app/db"), podPeer(staged, "app/fe"), "TCP", 1)).toBe(false);
    expect(verdict(staged, "Ingress", pod(staged, "app/fe"), podPeer(staged, "app/db"), "TCP", 1)).toBe(false);
    expect(calicoTiers(staged.calico).tiers.flatMap((t) => t.policies.map((p) => `${p.origin.kind} ${p.origin.policy}`))).toEqual(["NetworkPolicy app/lock-fe", "NetworkPolicy (Calico) app/lock-db"]); // order 1000 before +Inf
  });
});

describe("cluster policies as Calico converts them (conversion/clusternetworkpolicy.go)", () => {
  // combinePortsWithCNPEgressPeers handles namespaces, pods and networks only; a rule with another
  // peer or a named port fails to convert, and k8sClusterNetPolHandleFailedRules replaces a
  // Deny/Pass rule with a deny-all rule and drops an Accept rule.
  const ANP = (rule: string): string => `${BASE}apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: anp\nspec:\n  priority: 5\n  subject:\n    pods:\n      namespaceSelector: {}\n      podSelector:\n        matchLabels:\n          role: frontend\n  egress:\n${rule}`;

  it("a Deny rule to `nodes` becomes deny-all", () => {
    const f = dialectFixture(ANP("  - action: Deny\n    to:\n    - nodes:\n        matchLabels:\n          role: infra\n"));
    expect(verdict(f, "Egress", pod(f, "app/fe"), podPeer(f, "app/db"), "TCP", 5432)).toBe(false);
    const fold = evaluateDirection(calicoTiers(f.calico).tiers, "Egress", pod(f, "app/fe"), podPeer(f, "app/db"), f.ctx);
    expect(fold.tiers[0]?.decisions[0]?.origin?.unmodelled).toContain("fails closed to deny-all");
  });

  it("an Allow rule with a named port is dropped (the traffic falls through to the next tiers)", () => {
    const f = dialectFixture(`${ANP("  - action: Allow\n    to:\n    - pods:\n        namespaceSelector: {}\n        podSelector: {}\n    ports:\n    - namedPort: pg\n")}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-egress\n  namespace: app\nspec:\n  podSelector:\n    matchLabels:\n      role: frontend\n  policyTypes: [Egress]\n`);
    expect(calicoTiers(f.calico).tiers.find((t) => t.name === "kube-admin")?.policies[0]?.egress).toEqual([]);
    expect(verdict(f, "Egress", pod(f, "app/fe"), podPeer(f, "app/db"), "TCP", 5432)).toBe(false);
  });
});
