/**
 * @module generate
 * A synthetic cluster shaped like production ones (issue 11), deterministic from a seed:
 * namespaces with team/env labels; Deployments, each with its own `app` label plus tier, team and
 * version, and named ports; pods as `kubectl get pods -A -o json` lists them (a controller
 * ownerReference to a ReplicaSet `<deployment>-<pod-template-hash>`, the `pod-template-hash`
 * label, a random 5-character suffix, podIP, nodeName); NetworkPolicies mixing default-deny,
 * (ingress everywhere, egress in prod namespaces), DNS egress, pod and namespace selectors, matchExpressions, named ports, endPort ranges, and on
 * 30% of them ipBlocks drawn from a pool of distinct CIDRs, each a /8 with a /16 `except`.
 *
 * Shapes (`shape`):
 * - `pods`: pods only; their ReplicaSets and Deployments are not in the input (shape a);
 * - `deployments`: Deployments only, no pods (shape b);
 * - `both`: Deployments and their pods (shape c; the default).
 *
 * Layouts (`layout`): `documents` (the default) writes one JSON document per object, separated by
 * `---`; `list` writes the whole input as one `kubectl get … -o json` List on a single line, the
 * way a held-out benchmark and `kubectl get pods -A -o json | jq -c` give it.
 */
export type Shape = "pods" | "deployments" | "both";

export type Layout = "documents" | "list";

export interface GenerateOptions {
  readonly layout?: Layout;
  readonly pods: number;
  readonly policies: number;
  readonly seed?: number;
  readonly shape?: Shape;
  /** Distinct ipBlocks (cidr + except) in the pool (default 3000, capped by what the policies can carry when not given). */
  readonly ipBlocks?: number;
  /** Policies made invalid (an `except` outside its `cidr`), spread evenly: the bad-input case. */
  readonly invalidPolicies?: number;
  /**
   * AdminNetworkPolicies added (policy tiers), each selecting one team's namespaces, with an ingress
   * rule (Allow/Deny/Pass by turn) from one env's namespaces on one port and an egress rule to a
   * distinct /16; plus a BaselineAdminNetworkPolicy denying ingress from staging namespaces.
   */
  readonly adminPolicies?: number;
}

export interface Generated {
  readonly text: string;
  /** Pods the cluster runs (listed pods, or Deployment replicas when pods are not listed). */
  readonly pods: number;
  readonly policies: number;
  readonly workloads: number;
  readonly namespaces: number;
  /** Distinct ipBlocks used by the policies. */
  readonly ipBlocks: number;
  /** A few (src, dst) endpoints for trace timing (pod ids, or `ns/name` of workloads without listed pods). */
  readonly samplePairs: readonly (readonly [string, string])[];
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TIERS = ["web", "api", "db", "cache", "worker"] as const;
const TEAMS = ["payments", "search", "identity", "catalog", "growth", "platform"] as const;
const PORTS: Record<(typeof TIERS)[number], { name: string; containerPort: number; protocol?: string }[]> = {
  web: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9090 }],
  api: [{ name: "http", containerPort: 8080 }, { name: "grpc", containerPort: 9000 }, { name: "metrics", containerPort: 9090 }],
  db: [{ name: "postgres", containerPort: 5432 }, { name: "metrics", containerPort: 9187 }],
  cache: [{ name: "redis", containerPort: 6379 }],
  worker: [{ name: "metrics", containerPort: 9090 }, { name: "stats", containerPort: 8125, protocol: "UDP" }],
};

/** Kubernetes' random suffix alphabet (apimachinery `utilrand.String`: no vowels, no 0/1/3). */
const ALNUM = "bcdfghjklmnpqrstvwxz2456789";

/** The i-th ipBlock of the pool: a /8 (first octets 10–223 but 127) with one of its /16s excepted. */
function poolBlock(i: number): { cidr: string; except: string[] } {
  const firsts = 213; // 10..223 without 127
  let a = 10 + (i % firsts);
  if (a >= 127) a++;
  const b = Math.floor(i / firsts) % 256;
  return { cidr: `${a}.0.0.0/8`, except: [`${a}.${b}.0.0/16`] };
}

export function generateCluster(opts: GenerateOptions): Generated {
  const rnd = prng(opts.seed ?? 42);
  const shape = opts.shape ?? "both";
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const chars = (n: number, alphabet: string): string => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
  const docs: string[] = [];
  const podsPerWorkload = 10;
  const workloadCount = Math.max(1, Math.round(opts.pods / podsPerWorkload));
  const nsCount = Math.max(2, Math.round(opts.pods / 200));
  const namespaces = Array.from({ length: nsCount }, (_, i) => `ns-${i}`);
  namespaces.forEach((ns, i) => {
    docs.push(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { team: TEAMS[i % TEAMS.length], env: i % 3 === 0 ? "prod" : "staging" } } }));
  });
  docs.push(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } }));
  docs.push(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring", labels: { team: "platform", purpose: "monitoring" } } }));
  const workloads: { ns: string; name: string; tier: (typeof TIERS)[number]; app: string }[] = [];
  let podIndex = 0;
  let running = 0;
  const samples: string[] = [];
  for (let w = 0; w < workloadCount; w++) {
    const ns = namespaces[w % nsCount] as string;
    const tier = pick(TIERS);
    const name = `${tier}-${w}`;
    const labels = { app: name, tier, team: pick(TEAMS), version: `v${1 + Math.floor(rnd() * 3)}` };
    workloads.push({ ns, name, tier, app: name });
    const replicas = podsPerWorkload;
    if (shape !== "pods") {
      docs.push(JSON.stringify({
        apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns },
        spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: { containers: [{ name: "main", image: "example", ports: PORTS[tier] }] } } },
      }));
    }
    if (shape === "deployments") {
      running += replicas;
      if (w % 97 === 0) samples.push(`${ns}/${name}`);
      continue;
    }
    const hash = chars(9, ALNUM);
    for (let r = 0; r < replicas && podIndex < opts.pods; r++, podIndex++) {
      const ip = `10.${(podIndex >> 16) & 255}.${(podIndex >> 8) & 255}.${podIndex & 255}`;
      const podName = `${name}-${hash}-${chars(5, ALNUM)}`;
      if (podIndex % 997 === 0) samples.push(`${ns}/${podName}`);
      docs.push(JSON.stringify({
        apiVersion: "v1", kind: "Pod",
        // As the API server returns them: timestamps and a tagged image (strings with `:`).
        metadata: { name: podName, namespace: ns, creationTimestamp: "2026-12-01T10:00:00Z", labels: { ...labels, "pod-template-hash": hash }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-${hash}`, uid: `uid-${w}`, controller: true, blockOwnerDeletion: true }] },
        spec: { nodeName: `node-${podIndex % 50}`, containers: [{ name: "main", image: "registry.example.com/app:1.27", ports: PORTS[tier] }] },
        status: { phase: "Running", podIP: ip, podIPs: [{ ip }], hostIP: `192.168.0.${podIndex % 50}`, startTime: "2026-12-01T10:00:05Z" },
      }));
      running++;
    }
  }
  let policies = 0;
  const invalidEvery = opts.invalidPolicies ? Math.max(1, Math.floor(opts.policies / opts.invalidPolicies)) : 0;
  let invalid = 0;
  const policy = (ns: string, name: string, spec: { readonly ingress?: readonly unknown[]; readonly [field: string]: unknown }): void => {
    if (policies >= opts.policies) return;
    if (invalidEvery > 0 && policies % invalidEvery === invalidEvery - 1 && invalid < (opts.invalidPolicies ?? 0)) {
      invalid++;
      // An `except` outside its `cidr`: the API server rejects it, so kwire must too.
      spec = { ...spec, ingress: [...(spec.ingress ?? []), { from: [{ ipBlock: { cidr: "198.51.100.0/24", except: ["192.0.2.0/24"] } }] }] };
    }
    policies++;
    docs.push(JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec }));
  };
  namespaces.forEach((ns, i) => {
    // Every namespace denies ingress by default; the prod ones (every third) egress too.
    policy(ns, "default-deny", { podSelector: {}, policyTypes: i % 3 === 0 ? ["Ingress", "Egress"] : ["Ingress"] });
    policy(ns, "allow-dns", {
      podSelector: {}, policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
    });
  });
  // 3 of every 10 remaining policies carry ipBlocks; the pool is spread over them.
  const ipPolicies = Math.max(1, Math.floor((opts.policies - policies) * 0.3));
  const poolSize = opts.ipBlocks ?? Math.min(3000, Math.ceil(opts.policies * 0.3));
  const perPolicy = Math.max(1, Math.ceil(poolSize / ipPolicies));
  let nextBlock = 0;
  const usedBlocks = new Set<number>();
  const blocks = (): { ipBlock: { cidr: string; except: string[] } }[] => {
    const out: { ipBlock: { cidr: string; except: string[] } }[] = [];
    for (let j = 0; j < perPolicy; j++) {
      const i = nextBlock++ % poolSize;
      usedBlocks.add(i);
      out.push({ ipBlock: poolBlock(i) });
    }
    return out;
  };
  let k = 0;
  while (policies < opts.policies && workloads.length > 0) {
    const w = workloads[k % workloads.length] as (typeof workloads)[number];
    const variant = Math.floor(k / workloads.length);
    k++;
    const peerApp = (workloads[Math.floor(rnd() * workloads.length)] as (typeof workloads)[number]);
    switch ((k + variant) % 10) {
      case 0:
      case 5:
        policy(w.ns, `${w.name}-ingress-${variant}`, {
          podSelector: { matchLabels: { app: w.app } },
          ingress: [
            { from: [{ podSelector: { matchLabels: { tier: w.tier === "db" ? "api" : "web" } } }], ports: [{ port: "http" }, { port: "postgres" }] },
            { from: [{ namespaceSelector: { matchLabels: { purpose: "monitoring" } } }], ports: [{ port: "metrics" }] },
          ],
        });
        break;
      case 1:
        policy(w.ns, `${w.name}-egress-${variant}`, {
          podSelector: { matchLabels: { app: w.app } }, policyTypes: ["Egress"],
          egress: [
            { to: [{ namespaceSelector: { matchLabels: { team: pick(TEAMS) } }, podSelector: { matchLabels: { tier: pick(TIERS) } } }], ports: [{ port: 8080 }, { port: 9000, endPort: 9010 }] },
            { to: blocks(), ports: [{ port: 443 }] },
          ],
        });
        break;
      case 2:
      case 7:
        policy(w.ns, `${w.name}-from-${peerApp.name}-${variant}`, {
          podSelector: { matchExpressions: [{ key: "app", operator: "In", values: [w.app] }] },
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peerApp.ns } }, podSelector: { matchLabels: { app: peerApp.app } } }] }],
        });
        break;
      case 3:
      case 8:
        policy(w.ns, `${w.name}-partners-${variant}`, {
          podSelector: { matchLabels: { app: w.app } },
          ingress: [{ from: blocks(), ports: [{ protocol: "TCP", port: 8000, endPort: 8100 }] }],
        });
        break;
      case 6:
        policy(w.ns, `${w.name}-egress-${variant}`, {
          podSelector: { matchLabels: { app: w.app } }, policyTypes: ["Egress"],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { team: pick(TEAMS) } }, podSelector: { matchLabels: { tier: pick(TIERS) } } }], ports: [{ port: 8080 }, { port: 9000, endPort: 9010 }] }],
        });
        break;
      default:
        policy(w.ns, `${w.name}-team-${variant}`, {
          podSelector: { matchLabels: { tier: w.tier } },
          ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: [pick(TEAMS)] }, { key: "tier", operator: "Exists" }] } }], ports: [{ port: "grpc" }, { protocol: "UDP", port: "stats" }] }],
        });
    }
  }
  const samplePairs = samples.map((s, i) => [s, samples[(i * 7 + 3) % samples.length] as string] as const);
  if (opts.adminPolicies) docs.push(...tieredPolicies(opts.adminPolicies));
  const text = opts.layout === "list" ? `{"apiVersion":"v1","items":[${docs.join(",")}],"kind":"List","metadata":{"resourceVersion":""}}\n` : docs.join("\n---\n");
  return { text, pods: running, policies, workloads: workloadCount, namespaces: nsCount + 2, ipBlocks: usedBlocks.size, samplePairs };
}

/** `n` AdminNetworkPolicies and the BaselineAdminNetworkPolicy (see GenerateOptions.adminPolicies). */
function tieredPolicies(n: number): string[] {
  const out: string[] = [];
  const actions = ["Allow", "Deny", "Pass"] as const;
  for (let i = 0; i < n; i++) {
    out.push(JSON.stringify({
      apiVersion: "policy.networking.k8s.io/v1alpha1",
      kind: "AdminNetworkPolicy",
      metadata: { name: `anp-${i}` },
      spec: {
        priority: i % 50,
        subject: { namespaces: { matchLabels: { team: TEAMS[i % TEAMS.length] } } },
        ingress: [{ action: actions[i % 3], from: [{ namespaces: { matchLabels: { env: i % 2 ? "prod" : "staging" } } }], ports: [{ portNumber: { port: 8000 + i } }] }],
        egress: [{ action: actions[(i + 1) % 3], to: [{ networks: [`10.${i % 256}.0.0/16`] }] }],
      },
    }));
  }
  out.push(JSON.stringify({
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "BaselineAdminNetworkPolicy",
    metadata: { name: "default" },
    spec: { subject: { namespaces: {} }, ingress: [{ action: "Deny", from: [{ namespaces: { matchLabels: { env: "staging" } } }] }] },
  }));
  return out;
}
