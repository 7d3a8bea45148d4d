/**
 * `--kubeconfig`: kwire reads a live cluster, read-only, through @kubernetes/client-node. A fake
 * API server on loopback answers discovery and list requests (GET only), so the whole path —
 * kubeconfig, discovery, lists, decoding — runs as it would against a real cluster.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./harness.js";

const RESOURCES: Record<string, { name: string; kind: string; namespaced: boolean }[]> = {
  "/api/v1": [
    { name: "namespaces", kind: "Namespace", namespaced: false },
    { name: "pods", kind: "Pod", namespaced: true },
    { name: "services", kind: "Service", namespaced: true },
    { name: "endpoints", kind: "Endpoints", namespaced: true },
    { name: "nodes", kind: "Node", namespaced: false },
    { name: "replicationcontrollers", kind: "ReplicationController", namespaced: true },
  ],
  "/apis/apps/v1": [
    { name: "deployments", kind: "Deployment", namespaced: true },
    { name: "replicasets", kind: "ReplicaSet", namespaced: true },
    { name: "statefulsets", kind: "StatefulSet", namespaced: true },
    { name: "daemonsets", kind: "DaemonSet", namespaced: true },
  ],
  "/apis/batch/v1": [
    { name: "jobs", kind: "Job", namespaced: true },
    { name: "cronjobs", kind: "CronJob", namespaced: true },
  ],
  "/apis/networking.k8s.io/v1": [
    { name: "networkpolicies", kind: "NetworkPolicy", namespaced: true },
    { name: "ingresses", kind: "Ingress", namespaced: true },
  ],
  // discovery.k8s.io and ingressclasses are deliberately not served: kwire must skip them.
};

const pod = (ns: string, name: string, app: string, ip: string) => ({
  metadata: { name, namespace: ns, labels: { app } },
  spec: { containers: [{ name: "c", image: "i", ports: [{ name: "http", containerPort: 8080 }] }] },
  status: { podIP: ip, phase: "Running" },
});

const ITEMS: Record<string, unknown[]> = {
  "/api/v1/namespaces": [{ metadata: { name: "shop", labels: { team: "shop" } } }],
  "/api/v1/pods": [pod("shop", "web-1", "web", "10.244.0.5"), pod("shop", "db-1", "db", "10.244.0.6")],
  "/apis/networking.k8s.io/v1/networkpolicies": [
    {
      metadata: { name: "db", namespace: "shop" },
      spec: { podSelector: { matchLabels: { app: "db" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: "http" }] }] },
    },
  ],
};

let server: Server;
let dir: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    requests.push(`${req.method} ${path}`);
    res.setHeader("content-type", "application/json");
    if (req.method !== "GET") {
      res.writeHead(405).end("{}");
      return;
    }
    const resources = RESOURCES[path];
    if (resources) {
      res.end(JSON.stringify({ kind: "APIResourceList", groupVersion: path.replace(/^\/apis?\//, ""), resources: resources.map((r) => ({ ...r, singularName: "", verbs: ["get", "list"] })) }));
      return;
    }
    const items = ITEMS[path];
    if (items || Object.keys(RESOURCES).some((g) => path.startsWith(`${g}/`))) {
      res.end(JSON.stringify({ kind: "List", apiVersion: "v1", metadata: {}, items: items ?? [] }));
      return;
    }
    res.writeHead(404).end(JSON.stringify({ kind: "Status", status: "Failure", message: "not found", code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  dir = mkdtempSync(join(tmpdir(), "kwire-live-"));
  writeFileSync(
    join(dir, "kubeconfig"),
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: fake, cluster: { server: 'http://127.0.0.1:" + port + "', insecure-skip-tls-verify: true } }]",
      "users: [{ name: me, user: { token: t0ken } }]",
      "contexts: [{ name: fake, context: { cluster: fake, user: me } }, { name: other, context: { cluster: fake, user: me } }]",
      "current-context: fake",
    ].join("\n"),
  );
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("--kubeconfig: a live cluster, read-only", () => {
  it("lists the modelled kinds with GET only and analyses them like files", async () => {
    const r = await run(["matrix", "--kubeconfig", join(dir, "kubeconfig"), "--level", "pod", "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as { endpoints: { id: string }[]; connections: { src: string; dst: string; ports: unknown }[] };
    expect(m.endpoints.map((e) => e.id).filter((id) => !id.startsWith("ipblock:"))).toEqual(["shop/db-1", "shop/web-1"]);
    expect(m.connections.filter((c) => c.dst === "shop/db-1")).toEqual([{ src: "shop/web-1", dst: "shop/db-1", ports: [{ protocol: "TCP", from: 8080, to: 8080 }] }]);
    expect(requests.every((q) => q.startsWith("GET "))).toBe(true);
    expect(requests).toContain("GET /api/v1/pods");
  });

  it("traces through the live input with --context, and names the input cluster:<context>", async () => {
    const r = await run(["trace", "shop/web-1", "shop/db-1:8080", "--kubeconfig", join(dir, "kubeconfig"), "--context", "other", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("cluster:other");
  });

  it("an unreachable API server is a clear error (exit 2), not a stack trace", async () => {
    const bad = join(dir, "bad-kubeconfig");
    writeFileSync(bad, "apiVersion: v1\nkind: Config\nclusters: [{ name: x, cluster: { server: 'http://127.0.0.1:9', insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: x, context: { cluster: x, user: u } }]\ncurrent-context: x\n");
    const r = await run(["matrix", "--kubeconfig", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kwire: error: cannot list Namespace from http:\/\/127\.0\.0\.1:9/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("a missing kubeconfig file is a clear error (exit 2)", async () => {
    const r = await run(["matrix", "--kubeconfig", join(dir, "nope")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cannot load kubeconfig");
  });
});
