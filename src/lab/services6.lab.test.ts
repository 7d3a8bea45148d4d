/**
 * @module lab/services6.lab.test
 * Services over IPv6 on the kernel (root + nft; skipped with the reason otherwise). kube-proxy runs
 * one proxier per IP family, the IPv6 one in its own `ip6` table (pkg/proxy/nftables/proxier.go
 * NewDualStackProxier); the lab loads an `ip6` Service table per node beside the `ip` one.
 *
 * - Dual-stack lab: a PreferDualStack NodePort Service without clusterIP (the lab's dual Service
 *   ranges give it an IPv4 and an IPv6 ClusterIP: ServiceSpec ipFamilyPolicy, "PreferDualStack:
 *   Allocates both IPv4 and IPv6 cluster IPs for the Service when dual-stack is enabled"), a
 *   single-stack IPv6 NodePort Service (ipFamilies [IPv6]) with externalTrafficPolicy Local, and a
 *   policy admitting only the IPv6 pod network: IPv6 ClusterIP and NodePort connections reach the
 *   echo pods on the kernel, `lab probe` covers both families and reports 0 mismatches.
 * - IPv6-only lab: kube-dns and a Service without clusterIP get IPv6 ClusterIPs; a pod resolves the
 *   Service's name to its IPv6 ClusterIP through the DNS server behind kube-dns's IPv6 ClusterIP.
 * - Removal: the `ip6` Service table goes with `removeTable` (lab down), and after the lab is down
 *   no kw- netns, table or server is left.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { labSkipReason } from "./cni/testing/lab.js";
import { createHost, isMismatch, labClean, labUp, LAB_NETNS, loadLabCluster, readState, removeTable, runProbe, type LabIpFamily, type LabProxy, type ProbeRun } from "./index.js";

const skip = labSkipReason();
const DIR = join(tmpdir(), `kwire-lab6-test-${process.pid}`);
const host = createHost();

const sh = (argv: string[]): string => spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" }).stdout;
const inNs = (netns: string, argv: string[]): string => sh(["ip", "netns", "exec", netns, ...argv]);
const tablesIn = (netns?: string): string[] =>
  (netns === undefined ? sh(["nft", "list", "tables"]) : inNs(netns, ["nft", "list", "tables"])).split("\n").map((l) => l.trim()).filter((l) => l !== "");
const ourNetns = (): string[] => sh(["ip", "netns", "list"]).split("\n").map((l) => l.split(" ")[0] ?? "").filter((n) => LAB_NETNS.test(n));

async function up(text: string, ipFamily: LabIpFamily, proxy: LabProxy = "compact"): Promise<void> {
  const files = [{ path: "services6.yaml", text }];
  const { cluster } = loadLabCluster(files);
  await labUp(cluster, { host, dir: DIR, files, log: () => undefined, ipFamily, nodes: 2, proxy });
}

/** A generous timeout: the machine is shared, and a single-try cell that times out under load would be a false mismatch. */
const probe = (): Promise<ProbeRun> => runProbe({ dir: DIR, timeoutMs: 2000, concurrency: 64 });
const describe1 = (r: ProbeRun["results"][number]): string => `${r.kind} ${r.src} -> ${r.dst} ${r.dstIp} ${r.protocol}/${r.port}: predicted ${r.predicted}, observed ${r.observed} (${r.verdict} ${r.reply ?? ""})`;

/** The echo and client Deployments every case runs, with `replicas` each. */
const echoAndClient = (replicas: number): string => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: echo, namespace: s }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: echo } }
  template:
    metadata: { labels: { app: echo } }
    spec: { containers: [{ name: echo, image: echo, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: client, namespace: s }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: client } }
  template:
    metadata: { labels: { app: client } }
    spec: { containers: [{ name: client, image: client }] }
`;

const DUAL = `
apiVersion: v1
kind: Namespace
metadata: { name: s }
${echoAndClient(2)}---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: s }
spec:
  type: NodePort
  ipFamilyPolicy: PreferDualStack
  selector: { app: echo }
  ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }]
---
apiVersion: v1
kind: Service
metadata: { name: local6, namespace: s }
spec:
  type: NodePort
  ipFamilies: [IPv6]
  externalTrafficPolicy: Local
  selector: { app: echo }
  ports: [{ port: 81, targetPort: 8080, nodePort: 30081 }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: echo-from-ipv6-pods, namespace: s }
spec:
  podSelector: { matchLabels: { app: echo } }
  policyTypes: [Ingress]
  ingress: [{ from: [{ ipBlock: { cidr: "fd00:10:244::/48" } }] }]
`;

const IPV6_DNS = `
apiVersion: v1
kind: Namespace
metadata: { name: s }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-system }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: coredns, namespace: kube-system }
spec:
  replicas: 1
  selector: { matchLabels: { k8s-app: kube-dns } }
  template:
    metadata: { labels: { k8s-app: kube-dns } }
    spec: { containers: [{ name: coredns, image: coredns, ports: [{ containerPort: 53, protocol: UDP }, { containerPort: 53, protocol: TCP }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system }
spec:
  selector: { k8s-app: kube-dns }
  ports: [{ name: dns, port: 53, protocol: UDP }, { name: dns-tcp, port: 53, protocol: TCP }]
${echoAndClient(1)}---
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: s }
spec:
  selector: { app: echo }
  ports: [{ port: 80, targetPort: 8080 }]
`;

describe.skipIf(skip !== undefined)(`Services over IPv6 in the lab${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  beforeAll(async () => {
    await labClean(host, DIR);
  });
  afterEach(async () => {
    await labClean(host, DIR);
    expect(ourNetns()).toEqual([]);
    expect(tablesIn().filter((t) => /kwire|kube-proxy/.test(t))).toEqual([]);
    expect(existsSync(join(DIR, "state.json"))).toBe(false);
  });

  it("dual-stack: ip and ip6 Service tables on every node; IPv6 ClusterIP, NodePort (node's IPv6 address) and externalTrafficPolicy Local work on the kernel; lab probe: both families, 0 mismatches; the ip6 table goes on removal", async () => {
    await up(DUAL, "dual");
    const state = readState(DIR);
    const nodes = state?.nodes ?? [];
    expect(nodes.length).toBe(2);
    for (const n of nodes) expect(tablesIn(n.netns)).toEqual(expect.arrayContaining(["table inet kwire", "table ip kwire-services", "table ip6 kwire-services"]));
    const run = await probe();
    expect(run.results.filter(isMismatch).map(describe1)).toEqual([]);
    const svc = run.results.filter((r) => r.kind === "service");
    const six = svc.filter((r) => r.dstIp.includes(":"));
    const four = svc.filter((r) => !r.dstIp.includes(":"));
    // web: PreferDualStack ⇒ a ClusterIP in fd00:10:96::/112 (the lab's IPv6 Service range), after
    // s/local6's (allocation in namespace/name order); local6: IPv6 only.
    expect(new Set(six.filter((r) => r.dst === "s/local6").map((r) => r.dstIp))).toEqual(new Set(["fd00:10:96::100"]));
    expect(new Set(six.filter((r) => r.dst === "s/web").map((r) => r.dstIp))).toEqual(new Set(["fd00:10:96::101"]));
    expect(new Set(four.filter((r) => r.dst === "s/web").map((r) => r.dstIp))).toEqual(new Set(["10.96.100.0"]));
    expect(four.filter((r) => r.dst.startsWith("s/local6"))).toEqual([]);
    // The policy admits only the IPv6 pod network: IPv4 ClusterIP traffic from the clients is
    // refused, IPv6 ClusterIP traffic lands on an echo pod (it answers with its pod id).
    const clients = ["s/client-0", "s/client-1"];
    for (const c of clients) {
      const v6 = six.find((r) => r.src === c && r.dst === "s/web" && r.protocol === "TCP");
      expect(v6?.observed, describe1(v6 ?? svc[0] ?? run.results[0] as ProbeRun["results"][number])).toBe(true);
      expect(v6?.reply).toMatch(/^s\/echo-\d$/);
      expect(four.find((r) => r.src === c && r.dst === "s/web" && r.protocol === "TCP")?.observed).toBe(false);
    }
    // NodePort on the node's IPv6 uplink address: its own node's for each pod.
    const np6 = six.filter((r) => r.dst === "s/web[nodePort]" && r.protocol === "TCP");
    expect(new Set(np6.map((r) => r.dstIp))).toEqual(new Set(nodes.flatMap((n) => (n.transitIp6 === undefined ? [] : [n.transitIp6]))));
    expect(np6.length).toBeGreaterThan(0);
    // externalTrafficPolicy Local NodePort: pods short-circuit to every endpoint (--cluster-cidr), allowed from IPv6 pods.
    const local = six.filter((r) => r.dst === "s/local6[nodePort]" && r.protocol === "TCP" && clients.includes(r.src));
    expect(local.map((r) => r.observed)).toEqual(clients.map(() => true));
    // On the kernel, outside the prober: the IPv6 ClusterIP from a client pod's netns.
    const client = state?.pods.find((p) => p.pod.id === "s/client-0")?.pod.netns ?? "";
    const nc = spawnSync("ip", ["netns", "exec", client, "nc", "-6", "-w", "5", "fd00:10:96::101", "80"], { input: "hello\n", encoding: "utf8" });
    expect(nc.stdout).toMatch(/s\/echo-\d/);
    // Removal (what lab down does per node) drops the ip6 Service table too.
    const n0 = nodes[0]?.netns ?? "";
    await removeTable(host, n0);
    expect(tablesIn(n0).filter((t) => /kwire|kube-proxy/.test(t))).toEqual([]);
  });

  it("dual-stack with kube-proxy's own nftables rendering (--proxy kube-proxy): `ip kube-proxy` and `ip6 kube-proxy` per node, the text `kwire proxy-rules -o nftables` prints; lab probe: both families, 0 mismatches", async () => {
    await up(DUAL, "dual", "kube-proxy");
    for (const n of readState(DIR)?.nodes ?? []) expect(tablesIn(n.netns)).toEqual(expect.arrayContaining(["table ip kube-proxy", "table ip6 kube-proxy"]));
    const run = await probe();
    expect(run.results.filter(isMismatch).map(describe1)).toEqual([]);
    const six = run.results.filter((r) => r.kind === "service" && r.dstIp.includes(":") && r.observed === true);
    expect(new Set(six.map((r) => r.dst))).toEqual(new Set(["s/web", "s/web[nodePort]", "s/local6", "s/local6[nodePort]"]));
  });

  it("IPv6-only: kube-dns gets an IPv6 ClusterIP, a pod resolves a Service name (AAAA) to its IPv6 ClusterIP, and connects to it; lab probe: 0 mismatches", async () => {
    await up(IPV6_DNS, "ipv6");
    const state = readState(DIR);
    expect(state?.dns?.nameserver).toMatch(/^fd00:10:96::1[0-9a-f]{2}$/);
    for (const n of state?.nodes ?? []) {
      const t = tablesIn(n.netns);
      expect(t).toContain("table ip6 kwire-services");
      expect(t).not.toContain("table ip kwire-services");
    }
    const client = state?.pods.find((p) => p.pod.id === "s/client-0")?.pod.netns ?? "";
    const got = inNs(client, ["getent", "ahostsv6", "echo.s.svc.cluster.local"]).split("\n")[0]?.split(/\s+/)[0] ?? "";
    expect(got).toMatch(/^fd00:10:96::1[0-9a-f]{2}$/);
    const short = inNs(client, ["getent", "ahostsv6", "echo"]).split("\n")[0]?.split(/\s+/)[0] ?? "";
    expect(short).toBe(got);
    const run = await probe();
    expect(run.results.filter(isMismatch).map(describe1)).toEqual([]);
    const aaaa = run.results.find((r) => r.kind === "dns" && r.src === "s/client-0" && r.name === "echo.s.svc.cluster.local.");
    expect([aaaa?.observed, aaaa?.reply]).toEqual([true, got]);
    const svc = run.results.find((r) => r.kind === "service" && r.src === "s/client-0" && r.dst === "s/echo" && r.protocol === "TCP");
    expect([svc?.dstIp, svc?.observed, svc?.reply]).toEqual([got, true, "s/echo-0"]);
  });
});
