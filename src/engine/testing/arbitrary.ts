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

export interface GeneratedCluster {
  readonly manifests: unknown[];
}

export const clusterArb: fc.Arbitrary<GeneratedCluster> = fc
  .record({
    nsLabels: fc.array(fc.constantFrom("red", "blue", undefined), { minLength: 3, maxLength: 3 }),
    pods: fc.array(podArb, { minLength: 1, maxLength: 7 }),
    policies: fc.array(policyArb, { maxLength: 5 }),
  })
  .map(({ nsLabels, pods, policies }) => {
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
    return { manifests };
  });
