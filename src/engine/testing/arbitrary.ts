/**
 * @module arbitrary
 * fast-check generators of small random clusters (as raw manifests, so they go through the
 * parser exactly as a user's files do), for the engine differential tests.
 */
import fc from "fast-check";

const NS = ["x", "y", "z"] as const;
const APPS = ["a", "b", "c"] as const;

const labelsArb = fc.record(
  { app: fc.constantFrom(...APPS), tier: fc.constantFrom("fe", "be"), env: fc.constantFrom("prod", "dev") },
  { requiredKeys: [] },
);

const containerPortArb = fc.constantFrom(
  { name: "http", containerPort: 80 },
  { name: "http", containerPort: 8080 },
  { name: "dns", containerPort: 53, protocol: "UDP" },
  { name: "dns", containerPort: 5353, protocol: "TCP" },
  { containerPort: 81 },
  { name: "sctp", containerPort: 90, protocol: "SCTP" },
);

const ipArb = fc.constantFrom("10.0.0.1", "10.0.0.2", "10.0.1.5", "192.168.1.10", "172.16.0.3", "fd00::5");

const podArb = fc.record({
  ns: fc.constantFrom(...NS),
  labels: labelsArb,
  ports: fc.uniqueArray(containerPortArb, { maxLength: 3, selector: (p) => `${p.containerPort}/${p.protocol ?? "TCP"}` }),
  ip: fc.option(ipArb, { nil: undefined }),
  /** 0 ⇒ hostNetwork (rare). */
  hostNet: fc.integer({ min: 0, max: 9 }),
  template: fc.integer({ min: 0, max: 4 }),
  replicas: fc.constantFrom(1, 2),
});

const selectorArb = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: labelsArb }),
  fc.record({
    matchExpressions: fc.array(
      fc.oneof(
        fc.record({ key: fc.constantFrom("app", "tier", "env"), operator: fc.constantFrom("In", "NotIn"), values: fc.uniqueArray(fc.constantFrom("a", "b", "fe", "prod", "x", "y"), { minLength: 1, maxLength: 2 }) }),
        fc.record({ key: fc.constantFrom("app", "tier", "env"), operator: fc.constantFrom("Exists", "DoesNotExist") }),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  }),
);

const nsSelectorArb = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.record({ "kubernetes.io/metadata.name": fc.constantFrom(...NS) }) }),
  fc.record({ matchLabels: fc.record({ team: fc.constantFrom("red", "blue") }) }),
  fc.record({ matchExpressions: fc.constant([{ key: "team", operator: "DoesNotExist" }]) }),
);

const ipBlockArb = fc.oneof(
  fc.constant({ cidr: "10.0.0.0/16", except: ["10.0.1.0/24"] }),
  fc.constant({ cidr: "10.0.0.0/8" }),
  fc.constant({ cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "192.168.0.0/16"] }),
  fc.constant({ cidr: "192.168.1.0/24" }),
  fc.constant({ cidr: "10.0.0.1/32" }),
  fc.constant({ cidr: "fd00::/8" }),
  fc.constant({ cidr: "::/0", except: ["fd00::/8"] }),
);

const peerArb = fc.oneof(
  fc.record({ podSelector: selectorArb }),
  fc.record({ namespaceSelector: nsSelectorArb }),
  fc.record({ podSelector: selectorArb, namespaceSelector: nsSelectorArb }),
  fc.record({ ipBlock: ipBlockArb }),
);

const portArb = fc.oneof(
  fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP"), port: fc.constantFrom(53, 80, 81, 8080, 90) }, { requiredKeys: ["port"] }),
  fc.record({ protocol: fc.constantFrom("TCP", "UDP"), port: fc.constantFrom("http", "dns", "sctp", "nope") }, { requiredKeys: ["port"] }),
  fc.record({ port: fc.constantFrom(50, 80), endPort: fc.constantFrom(81, 90, 8080) }),
  fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP") }),
);

const ruleArb = (peerKey: "from" | "to") =>
  fc.record(
    {
      [peerKey]: fc.oneof(fc.constant([]), fc.array(peerArb, { minLength: 1, maxLength: 3 })),
      ports: fc.oneof(fc.constant([]), fc.array(portArb, { minLength: 1, maxLength: 3 })),
    },
    { requiredKeys: [] },
  );

const policyArb = fc.record({
  ns: fc.constantFrom(...NS),
  podSelector: selectorArb,
  policyTypes: fc.constantFrom(undefined, ["Ingress"], ["Egress"], ["Ingress", "Egress"]),
  ingress: fc.option(fc.array(ruleArb("from"), { maxLength: 3 }), { nil: undefined }),
  egress: fc.option(fc.array(ruleArb("to"), { maxLength: 3 }), { nil: undefined }),
});

// Cluster-scoped tiered policies (network-policy-api): AdminNetworkPolicy and
// BaselineAdminNetworkPolicy v1alpha1, ClusterNetworkPolicy v1alpha2 in either tier.
const nsOnlyArb = fc.oneof(fc.constant({}), fc.record({ matchLabels: fc.record({ "kubernetes.io/metadata.name": fc.constantFrom(...NS) }) }), fc.record({ matchLabels: fc.record({ team: fc.constantFrom("red", "blue") }) }));
const cpSubjectArb = fc.oneof(fc.record({ namespaces: nsOnlyArb }), fc.record({ pods: fc.record({ namespaceSelector: nsOnlyArb, podSelector: selectorArb }) }));
const cpPeerArb = (dir: "from" | "to") =>
  dir === "from"
    ? fc.oneof(fc.record({ namespaces: nsOnlyArb }), fc.record({ pods: fc.record({ namespaceSelector: nsOnlyArb, podSelector: selectorArb }) }))
    : fc.oneof(
        fc.record({ namespaces: nsOnlyArb }),
        fc.record({ pods: fc.record({ namespaceSelector: nsOnlyArb, podSelector: selectorArb }) }),
        fc.record({ networks: fc.constantFrom(["10.0.0.0/16"], ["0.0.0.0/0"], ["10.0.0.1/32", "192.168.0.0/16"]) }),
      );
const anpPortArb = fc.oneof(
  fc.record({ portNumber: fc.record({ protocol: fc.constantFrom("TCP", "UDP", "SCTP"), port: fc.constantFrom(53, 80, 81, 8080, 90) }) }),
  fc.record({ namedPort: fc.constantFrom("http", "dns", "nope") }),
  fc.record({ portRange: fc.record({ protocol: fc.constantFrom("TCP", "UDP"), start: fc.constantFrom(50, 80), end: fc.constantFrom(81, 90, 8080) }) }),
);
const cnpProtoArb = fc.oneof(
  fc.record({ tcp: fc.record({ destinationPort: fc.oneof(fc.record({ number: fc.constantFrom(53, 80, 81, 8080) }), fc.record({ range: fc.record({ start: fc.constant(50), end: fc.constantFrom(81, 8080) }) })) }) }),
  fc.record({ udp: fc.record({ destinationPort: fc.record({ number: fc.constantFrom(53, 5353) }) }) }),
  fc.record({ destinationNamedPort: fc.constantFrom("http", "dns") }),
);
const cpRuleArb = (kind: "anp" | "banp" | "cnp", dir: "from" | "to"): fc.Arbitrary<Record<string, unknown>> => {
  const action = kind === "banp" ? fc.constantFrom("Allow", "Deny") : kind === "cnp" ? fc.constantFrom("Accept", "Deny", "Pass") : fc.constantFrom("Allow", "Deny", "Pass");
  const peers = fc.array(cpPeerArb(dir), { minLength: 1, maxLength: 2 });
  const ports: fc.Arbitrary<unknown[]> = kind === "cnp" ? fc.array(cnpProtoArb, { minLength: 1, maxLength: 2 }) : fc.array(anpPortArb, { minLength: 1, maxLength: 2 });
  return fc
    .record({ action, peers, ports: fc.option(ports, { nil: undefined }) })
    .filter((r) => !(r.peers.some((p) => "networks" in p) && JSON.stringify(r.ports ?? []).includes("amedPort")))
    .map((r) => ({ action: r.action, [dir]: r.peers, ...(r.ports ? { [kind === "cnp" ? "protocols" : "ports"]: r.ports } : {}) }));
};
const clusterPolicyArb = fc.oneof(
  fc.record({ kind: fc.constant("anp" as const), priority: fc.constantFrom(1, 5, 5, 10), subject: cpSubjectArb, ingress: fc.array(cpRuleArb("anp", "from"), { maxLength: 2 }), egress: fc.array(cpRuleArb("anp", "to"), { maxLength: 2 }) }),
  fc.record({ kind: fc.constant("cnp" as const), tier: fc.constantFrom("Admin", "Baseline"), priority: fc.constantFrom(1, 5, 10), subject: cpSubjectArb, ingress: fc.array(cpRuleArb("cnp", "from"), { maxLength: 2 }), egress: fc.array(cpRuleArb("cnp", "to"), { maxLength: 2 }) }),
  fc.record({ kind: fc.constant("banp" as const), priority: fc.constant(0), subject: cpSubjectArb, ingress: fc.array(cpRuleArb("banp", "from"), { maxLength: 2 }), egress: fc.array(cpRuleArb("banp", "to"), { maxLength: 2 }) }),
);

export interface GeneratedCluster {
  readonly manifests: unknown[];
}

/** Random clusters of up to `pods` pods, `policies` NetworkPolicies and `clusterPolicies` cluster policies. */
function clusterArbOf(max: { readonly pods: number; readonly policies: number; readonly clusterPolicies: number }): fc.Arbitrary<GeneratedCluster> {
  return fc
    .record({
      nsLabels: fc.array(fc.constantFrom("red", "blue", undefined), { minLength: 3, maxLength: 3 }),
      pods: fc.array(podArb, { minLength: 1, maxLength: max.pods }),
      policies: fc.array(policyArb, { maxLength: max.policies }),
      clusterPolicies: fc.array(clusterPolicyArb, { maxLength: max.clusterPolicies }),
    })
    .map(({ nsLabels, pods, policies, clusterPolicies }) => {
      const manifests: unknown[] = NS.map((ns, i) => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: ns, labels: nsLabels[i] ? { team: nsLabels[i] } : {} },
      }));
      pods.forEach((p, i) => {
        const spec = { hostNetwork: p.hostNet === 0, containers: [{ name: "c", image: "i", ports: p.ports }] };
        if (p.template === 0) {
          manifests.push({
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: `w${i}`, namespace: p.ns },
            spec: { replicas: p.replicas, template: { metadata: { labels: p.labels }, spec } },
          });
        } else {
          manifests.push({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: `p${i}`, namespace: p.ns, labels: p.labels },
            spec,
            status: p.ip ? { podIP: p.ip } : {},
          });
        }
      });
      policies.forEach((p, i) => {
        const spec: Record<string, unknown> = { podSelector: p.podSelector };
        if (p.policyTypes) spec["policyTypes"] = p.policyTypes;
        if (p.ingress) spec["ingress"] = p.ingress;
        if (p.egress) spec["egress"] = p.egress;
        manifests.push({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: `np${i}`, namespace: p.ns }, spec });
      });
      let banp = false;
      clusterPolicies.forEach((p, i) => {
        if (p.kind === "banp") {
          if (banp) return;
          banp = true;
          manifests.push({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: { subject: p.subject, ingress: p.ingress, egress: p.egress } });
        } else if (p.kind === "anp") {
          manifests.push({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "AdminNetworkPolicy", metadata: { name: `anp${i}` }, spec: { priority: p.priority, subject: p.subject, ingress: p.ingress, egress: p.egress } });
        } else {
          manifests.push({ apiVersion: "policy.networking.k8s.io/v1alpha2", kind: "ClusterNetworkPolicy", metadata: { name: `cnp${i}` }, spec: { tier: p.tier, priority: p.priority, subject: p.subject, ingress: p.ingress, egress: p.egress } });
        }
      });
      return { manifests };
    });
}

export const clusterArb: fc.Arbitrary<GeneratedCluster> = clusterArbOf({ pods: 7, policies: 5, clusterPolicies: 3 });

/**
 * Tiers-heavy clusters: many AdminNetworkPolicies (Allow, Deny, Pass, at shared priorities),
 * ClusterNetworkPolicies in both tiers and a BaselineAdminNetworkPolicy, over NetworkPolicies:
 * what the fast engine folds per Admin program and per slot (fast.ts).
 */
export const tieredClusterArb: fc.Arbitrary<GeneratedCluster> = clusterArbOf({ pods: 9, policies: 4, clusterPolicies: 8 });
