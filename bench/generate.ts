/**
 * @module generate
 * A synthetic cluster, deterministic from a seed: namespaces with team/env labels, Deployments
 * with realistic label sets (app, tier, team, version) and named ports, their pods as
 * `kubectl get -o yaml` lists them (ownerReferences to a ReplicaSet, podIP, nodeName), and
 * NetworkPolicies mixing default-deny, DNS egress, pod and namespace selectors, matchExpressions,
 * ipBlocks with except, named ports and endPort ranges.
 */
export interface GenerateOptions {
  readonly pods: number;
  readonly policies: number;
  readonly seed?: number;
}

export interface Generated {
  readonly text: string;
  readonly pods: number;
  readonly policies: number;
  readonly workloads: number;
  readonly namespaces: number;
  /** A few (src, dst) pod ids for trace timing. */
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

export function generateCluster(opts: GenerateOptions): Generated {
  const rnd = prng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
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
  const samplePods: string[] = [];
  for (let w = 0; w < workloadCount; w++) {
    const ns = namespaces[w % nsCount] as string;
    const tier = pick(TIERS);
    const name = `${tier}-${w}`;
    const labels = { app: name, tier, team: pick(TEAMS), version: `v${1 + Math.floor(rnd() * 3)}` };
    workloads.push({ ns, name, tier, app: name });
    const replicas = podsPerWorkload;
    docs.push(JSON.stringify({
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: { containers: [{ name: "main", image: "example", ports: PORTS[tier] }] } } },
    }));
    for (let r = 0; r < replicas && podIndex < opts.pods; r++, podIndex++) {
      const ip = `10.${(podIndex >> 16) & 255}.${(podIndex >> 8) & 255}.${podIndex & 255}`;
      const podName = `${name}-7d9f8-${r}`;
      if (podIndex % 997 === 0) samplePods.push(`${ns}/${podName}`);
      docs.push(JSON.stringify({
        apiVersion: "v1", kind: "Pod",
        metadata: { name: podName, namespace: ns, labels: { ...labels, "pod-template-hash": "7d9f8" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-7d9f8`, uid: "u", controller: true }] },
        spec: { nodeName: `node-${podIndex % 50}`, containers: [{ name: "main", image: "example", ports: PORTS[tier] }] },
        status: { podIP: ip, podIPs: [{ ip }], hostIP: `192.168.0.${podIndex % 50}` },
      }));
    }
  }
  let policies = 0;
  const policy = (ns: string, name: string, spec: unknown): void => {
    if (policies >= opts.policies) return;
    policies++;
    docs.push(JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec }));
  };
  for (const ns of namespaces) {
    policy(ns, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    policy(ns, "allow-dns", {
      podSelector: {}, policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }],
    });
  }
  let k = 0;
  while (policies < opts.policies && workloads.length > 0) {
    const w = workloads[k % workloads.length] as (typeof workloads)[number];
    const variant = Math.floor(k / workloads.length);
    k++;
    const peerApp = (workloads[Math.floor(rnd() * workloads.length)] as (typeof workloads)[number]);
    switch ((k + variant) % 5) {
      case 0:
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
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "169.254.169.254/32"] } }], ports: [{ port: 443 }] },
          ],
        });
        break;
      case 2:
        policy(w.ns, `${w.name}-from-${peerApp.name}-${variant}`, {
          podSelector: { matchExpressions: [{ key: "app", operator: "In", values: [w.app] }] },
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": peerApp.ns } }, podSelector: { matchLabels: { app: peerApp.app } } }] }],
        });
        break;
      case 3:
        policy(w.ns, `${w.name}-partners-${variant}`, {
          podSelector: { matchLabels: { app: w.app } },
          ingress: [{ from: [{ ipBlock: { cidr: `203.0.${k % 250}.0/24`, except: [`203.0.${k % 250}.128/25`] } }, { ipBlock: { cidr: `10.${k % 2}.0.0/16`, except: [`10.${k % 2}.${k % 250}.0/24`] } }], ports: [{ protocol: "TCP", port: 8000, endPort: 8100 }] }],
        });
        break;
      default:
        policy(w.ns, `${w.name}-team-${variant}`, {
          podSelector: { matchLabels: { tier: w.tier } },
          ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: [pick(TEAMS)] }, { key: "tier", operator: "Exists" }] } }], ports: [{ port: "grpc" }, { protocol: "UDP", port: "stats" }] }],
        });
    }
  }
  const samplePairs = samplePods.map((s, i) => [s, samplePods[(i * 7 + 3) % samplePods.length] as string] as const);
  return { text: docs.join("\n---\n"), pods: podIndex, policies, workloads: workloadCount, namespaces: nsCount + 2, samplePairs };
}
