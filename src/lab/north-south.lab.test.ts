/**
 * @module lab/north-south.lab.test
 * North-south traffic on the kernel (root + nft; skipped with the reason otherwise): HTTP requests
 * from the `internet` netns (203.0.113.1) through the lab's L7 proxies must behave as `kwire trace
 * --from internet URL` predicts — 0 mismatches — on the Gateway API scenario
 * (fixtures/scenarios/north-south: Gateway API spec and conformance cases, cited there), on the
 * demo (an Ingress without a controller pod: the lab adds one), and on a small Ingress whose
 * backends' policies admit and refuse the controller. After every test nothing is left: no kw-
 * netns (kw-inet included), no proxy, pod or DNS servers, no state.
 * Run it alone, under the machine-wide lock: `flock /work/lab.lock npx vitest run src/lab/north-south.lab.test.ts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { labSkipReason } from "./cni/testing/lab.js";
import { createHost, isMismatch, labClean, labUp, LAB_NETNS, loadLabCluster, readState, runProbe, type CellResult, type LabBackend, type LabProxy, type ProbeRun } from "./index.js";
import { statusText } from "../cli/commands/lab-report.js";

const skip = labSkipReason();
const DIR = join(tmpdir(), `kwire-nslab-test-${process.pid}`);
const REPO = join(import.meta.dirname, "..", "..");
const host = createHost();

function leftovers(): string[] {
  const netns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout.split("\n").map((l) => l.split(" ")[0] ?? "").filter((n) => LAB_NETNS.test(n));
  const procs = ["pod-server.mjs", "ingress-proxy.mjs", "dns-js/dns-main.js"].flatMap((s) => {
    const r = spawnSync("pgrep", ["-f", `${DIR}/${s}`], { encoding: "utf8" }).stdout.trim();
    return r === "" ? [] : [`${s} ${r}`];
  });
  return [...netns, ...procs, ...(existsSync(join(DIR, "state.json")) ? ["state.json"] : [])];
}

async function up(files: { path: string; text: string }[], nodes?: number, more: { proxy?: LabProxy; backend?: LabBackend } = {}): Promise<void> {
  const { cluster } = loadLabCluster(files);
  await labUp(cluster, { host, dir: DIR, files, log: () => undefined, ...(nodes === undefined ? {} : { nodes }), ...more });
}

const fixture = (p: string): { path: string; text: string } => ({ path: p, text: readFileSync(join(REPO, p), "utf8") });
const describe1 = (r: CellResult): string => `${r.kind} ${r.src} -> ${r.dst} ${r.dstIp}:${r.port}: predicted ${r.predicted}, observed ${r.observed} (${r.verdict} ${r.reply ?? ""})`;
const ns = (run: ProbeRun, dst: string): CellResult | undefined => run.results.find((r) => r.kind === "north-south" && r.dst === dst);

/** An Ingress with two backends: `open` admits the controller's namespace, `closed` admits nobody. */
const TWO_BACKENDS = `
apiVersion: v1
kind: Namespace
metadata: { name: apps }
---
apiVersion: v1
kind: Namespace
metadata: { name: ingress-nginx }
---
apiVersion: v1
kind: Pod
metadata: { name: controller, namespace: ingress-nginx, labels: { app.kubernetes.io/name: ingress-nginx } }
spec: { containers: [{ name: c, image: nginx, ports: [{ containerPort: 80 }, { containerPort: 10254 }] }] }
---
apiVersion: v1
kind: Pod
metadata: { name: open, namespace: apps, labels: { app: open } }
spec: { containers: [{ name: c, image: app, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: v1
kind: Pod
metadata: { name: closed, namespace: apps, labels: { app: closed } }
spec: { containers: [{ name: c, image: app, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: open, namespace: apps }
spec: { clusterIP: 10.96.5.1, selector: { app: open }, ports: [{ port: 80, targetPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: closed, namespace: apps }
spec: { clusterIP: 10.96.5.2, selector: { app: closed }, ports: [{ port: 80, targetPort: 8080 }] }
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: nginx }
spec: { controller: k8s.io/ingress-nginx }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop, namespace: apps }
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - { path: /open, pathType: Prefix, backend: { service: { name: open, port: { number: 80 } } } }
          - { path: /closed, pathType: Exact, backend: { service: { name: closed, port: { number: 80 } } } }
---
# The backends' ingress: only the controller's namespace, and only to open.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-controller, namespace: apps }
spec:
  podSelector: { matchLabels: { app: open } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } } }]
      ports: [{ port: 8080 }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: closed-deny, namespace: apps }
spec:
  podSelector: { matchLabels: { app: closed } }
  policyTypes: [Ingress]
`;

describe.skipIf(skip !== undefined)(`north-south in the lab${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  beforeAll(async () => {
    await labClean(host, DIR);
  });
  afterEach(async () => {
    await labClean(host, DIR);
    expect(leftovers()).toEqual([]);
  });

  it("Gateway API scenario: every north-south cell (listener hostname, route precedence, ReferenceGrant, weight 0, the data plane's egress policy) as predicted", async () => {
    await up([fixture("fixtures/scenarios/north-south/cluster.yaml")]);
    const run = await runProbe({ dir: DIR });
    expect(run.results.filter(isMismatch).map(describe1)).toEqual([]);
    expect(run.byKind["north-south"].probed).toBeGreaterThanOrEqual(18);
    // conformance HTTPRouteMatching / HTTPRouteListenerHostnameMatching: the backend that answered is the one the spec names.
    expect(ns(run, "gw/envoy-gw-1 GET http://match.example.com/v2")?.reply).toBe("HTTP 200: gw/backend-v2");
    expect(ns(run, "gw/envoy-gw-1 GET http://match.example.com/")?.reply).toBe("HTTP 200: gw/backend-v1");
    expect(ns(run, "gw/hostnames-proxy GET http://foo.bar.com/")?.reply).toBe("HTTP 200: gw/backend-v2");
    expect(ns(run, "gw/hostnames-proxy GET http://kwire-lab.bar.com/")?.reply).toBe("HTTP 200: gw/backend-v3");
    // Cross-namespace backendRef with a ReferenceGrant (billing) reaches it; without one (ledger) the Gateway answers 500 — the lab's proxy has no route: 404.
    expect(ns(run, "gw/envoy-gw-1 GET http://shop.example.com/billing")?.reply).toBe("HTTP 200: other/billing");
    expect(ns(run, "gw/envoy-gw-1 GET http://shop.example.com/ledger")?.observed).toBe(false);
    // The data plane's egress policy (envoy-egress) leaves out backend-v3: the kernel drops the proxy's connection, the proxy answers 502.
    const exact = ns(run, "gw/envoy-gw-1 GET http://match.example.com/v2/exact");
    expect([exact?.predicted, exact?.observed, exact?.accept]).toEqual([false, false, ["gw/backend-v3"]]);
    expect(exact?.reply).toMatch(/^HTTP 502: no backend answered: .*timeout/);
    expect(ns(run, "gw/envoy-gw-1 GET http://kwire-unknown.invalid/")?.reply).toMatch(/^HTTP 404/);
    expect(run.results.find((r) => r.kind === "north-south" && r.skipReason?.includes("GRPCRoute") === true)).toBeDefined();
    const state = readState(DIR);
    expect(state?.northSouth?.proxies.map((p) => p.pod)).toEqual(["gw/envoy-gw-1", "gw/hostnames-proxy", "ingress-nginx/kwire-ingress-controller"]);
    expect(statusText(state ?? (undefined as never))).toContain("north-south: internet netns kw-inet");
    // The internet netns reaches the lab only: no default route.
    const routes = spawnSync("ip", ["netns", "exec", "kw-inet", "ip", "-4", "route"], { encoding: "utf8" }).stdout;
    expect(routes).not.toMatch(/^default/m);
  });

  it("an Ingress: the controller reaches the backend its policy admits (200 from that pod) and not the one that refuses it (502)", async () => {
    await up([{ path: "two-backends.yaml", text: TWO_BACKENDS }], 2);
    const run = await runProbe({ dir: DIR });
    expect(run.results.filter(isMismatch).map(describe1)).toEqual([]);
    const open = ns(run, "ingress-nginx/controller GET http://shop.example.com/open");
    expect([open?.predicted, open?.observed, open?.reply]).toEqual([true, true, "HTTP 200: apps/open"]);
    const closed = ns(run, "ingress-nginx/controller GET http://shop.example.com/closed");
    expect([closed?.predicted, closed?.observed]).toEqual([false, false]);
    expect(closed?.reply).toMatch(/^HTTP 502/);
    expect(ns(run, "ingress-nginx/controller GET http://kwire-unknown.invalid/")?.reply).toMatch(/^HTTP 404/);
    // The controller's other port is still its pod server's; its HTTP port answers a plain TCP probe with the pod's greeting.
    expect([...new Set(run.results.filter((r) => r.kind === "pod" && r.dst === "ingress-nginx/controller" && r.observed === true).map((r) => r.port))].sort((a, b) => a - b)).toEqual([80, 10254]);
  });

  it("the demo: the lab adds the Ingress controller the input lacks (noted); web refuses it (ipBlock except 10.0.0.0/8), 0 mismatches", async () => {
    await up([fixture("fixtures/demo/cluster.yaml")], 2);
    const state = readState(DIR);
    expect(state?.notes.some((n) => n.includes("the lab adds ingress-nginx/kwire-ingress-controller"))).toBe(true);
    const run = await runProbe({ dir: DIR });
    expect(run.results.filter(isMismatch).map(describe1)).toEqual([]);
    const web = ns(run, "ingress-nginx/kwire-ingress-controller GET http://shop.example.com/");
    expect([web?.predicted, web?.observed]).toEqual([false, false]);
    expect(web?.reply).toMatch(/^HTTP 502/);
  });

  it("an Ingress on two nodes with kube-proxy's own nftables rules and the vxlan backend: the same answers", async () => {
    await up([{ path: "two-backends.yaml", text: TWO_BACKENDS }], 2, { proxy: "kube-proxy", backend: "vxlan" });
    const run = await runProbe({ dir: DIR, kinds: ["north-south"] });
    expect(run.results.filter(isMismatch).map(describe1)).toEqual([]);
    expect(run.results.map((r) => [r.dst, r.reply?.split("\n")[0]?.replace(/: no backend answered.*$/, "")])).toEqual([
      ["ingress-nginx/controller GET http://kwire-unknown.invalid/", "HTTP 404: no route for GET kwire-unknown.invalid/"],
      ["ingress-nginx/controller GET http://shop.example.com/closed", "HTTP 502"],
      ["ingress-nginx/controller GET http://shop.example.com/open", "HTTP 200: apps/open"],
    ]);
  });
});
