/**
 * @module lab/north-south.test
 * The north-south plan without a kernel: which proxy pods the lab adds, the proxies' ports and
 * routing tables, and the cells with their predictions — each the model's answer (`traceAny
 * --from internet`) on fixtures/scenarios/north-south (Gateway API spec and conformance cases,
 * cited in that file and in test/north-south/trace.test.ts) and the demo.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildTopology } from "../engine/index.js";
import { formatIp, type Cluster } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { FakeHost } from "./host.js";
import { internetPlan, nsResult, probeNorthSouth } from "./north-south-lab.js";
import { planNorthSouth, withLabProxies, type NorthSouthCell } from "./north-south.js";
import { labServiceContext } from "./service-cells.js";
import type { LabNode } from "./plan.js";

const REPO = join(import.meta.dirname, "..", "..");
const load = (p: string): Cluster => loadCluster([{ path: p, text: readFileSync(join(REPO, p), "utf8") }]).cluster;

function plan(p: string): ReturnType<typeof planNorthSouth> & { notes: string[] } {
  const input = load(p);
  const { cluster, notes } = withLabProxies(input, labServiceContext(input));
  const pods = buildTopology(cluster).subjects.map((s, i) => ({ id: s.id, ip: s.ips[0] === undefined ? `10.99.0.${i + 1}` : formatIp(s.ips[0]) }));
  return { ...planNorthSouth(labServiceContext(cluster), pods), notes };
}

const cell = (cells: readonly NorthSouthCell[], dst: string): NorthSouthCell | undefined => cells.find((c) => c.dst === dst);

describe("north-south plan", () => {
  const gw = plan("fixtures/scenarios/north-south/cluster.yaml");

  it("runs the proxy in the Gateway's data-plane pods the input declares, on the pod port a Service maps the listener to (80 → 10080)", () => {
    expect(gw.proxies.map((p) => [p.pod, p.ports])).toEqual([
      ["gw/envoy-gw-1", [8080, 10080]],
      ["gw/hostnames-proxy", [80]],
      ["ingress-nginx/kwire-ingress-controller", [80]],
    ]);
  });

  it("compiles each routed request to the endpoint addresses the model picks (HTTPRoute precedence: PathPrefix /v2 over /)", () => {
    const envoy = gw.proxies.find((p) => p.pod === "gw/envoy-gw-1");
    const v2 = envoy?.routes.find((r) => r.host === "match.example.com" && r.path === "/v2" && r.method === "GET");
    expect(v2?.backends).toEqual([{ ip: "10.244.1.14", port: 8080 }]);
    expect(cell(gw.cells, "gw/envoy-gw-1 GET http://match.example.com/v2")).toMatchObject({ predicted: true, accept: ["gw/backend-v2"], dstIp: "10.244.1.11", port: 10080 });
  });

  it("predicts the data plane's egress policy (envoy-egress leaves out backend-v3) as denied, with backend-v3 as the only acceptable answer", () => {
    expect(cell(gw.cells, "gw/envoy-gw-1 GET http://match.example.com/v2/exact")).toMatchObject({ predicted: false, accept: ["gw/backend-v3"] });
  });

  it("a host no listener takes is a 404: denied, no route in the proxy", () => {
    const c = cell(gw.cells, "gw/envoy-gw-1 GET http://kwire-unknown.invalid/");
    expect([c?.predicted, c?.accept]).toEqual([false, []]);
    expect(gw.proxies.flatMap((p) => p.routes).some((r) => r.host === "kwire-unknown.invalid")).toBe(false);
  });

  it("skips GRPCRoute (the proxy speaks HTTP/1.1) with that reason, and notes OpenShift Routes as not run", () => {
    expect(gw.cells.find((c) => c.name === "grpc.example.com")?.skip).toMatch(/GRPCRoute/);
    expect(gw.notes.some((n) => n.includes("OpenShift Routes are not run in the lab"))).toBe(true);
  });

  it("the demo: adds an Ingress controller pod labelled app.kubernetes.io/name=ingress-nginx, and says so", () => {
    const demo = plan("fixtures/demo/cluster.yaml");
    expect(demo.notes[0]).toMatch(/^no Ingress controller pod in the input: the lab adds ingress-nginx\/kwire-ingress-controller/);
    expect(demo.proxies.map((p) => p.pod)).toEqual(["ingress-nginx/kwire-ingress-controller"]);
    expect(demo.cells.map((c) => c.dst)).toEqual([
      "ingress-nginx/kwire-ingress-controller GET http://kwire-unknown.invalid/",
      "ingress-nginx/kwire-ingress-controller GET http://shop.example.com/",
      "ingress-nginx/kwire-ingress-controller GET http://shop.example.com/api",
    ]);
  });
});

describe("north-south on the host (fake)", () => {
  it("the internet netns: 203.0.113.1/32, the uplinks' /24 on the link, each podCIDR via its node — no default route", () => {
    const nodes: LabNode[] = [{ name: "n1", index: 0, netns: "kw-n0", podCidr: "10.244.1.0/24", gateway: "10.244.1.254", transitIp: "172.30.0.1" }];
    const p = internetPlan(nodes);
    expect(p.internet).toEqual(["link set lo up", "addr add 203.0.113.1/32 dev eth0", "link set eth0 up", "route add 172.30.0.0/24 dev eth0 scope link", "route add 10.244.1.0/24 via 172.30.0.1 dev eth0"]);
    expect(p.node(nodes[0] as LabNode)).toEqual(["route add 203.0.113.1/32 dev kw-up scope link"]);
  });

  const base: NorthSouthCell = { kind: "north-south", src: "internet", dst: "x/p GET http://h/", dstIp: "10.0.0.1", port: 80, protocol: "TCP", predicted: true, accept: ["a/b"], request: { method: "GET", host: "h", authority: "h", path: "/", headers: {} } };

  it("observed allowed only for HTTP 200 from a pod the model names", () => {
    expect(nsResult(base, { i: 0, status: 200, body: "a/b\n", ms: 1 }).observed).toBe(true);
    expect(nsResult(base, { i: 0, status: 200, body: "a/other\n", ms: 1 }).observed).toBe(false);
    expect(nsResult(base, { i: 0, status: 502, body: "no backend answered", ms: 1 })).toMatchObject({ observed: false, verdict: "refused", reply: "HTTP 502: no backend answered" });
    expect(nsResult(base, { i: 0, status: 0, body: "", ms: 1, error: "timeout" })).toMatchObject({ observed: false, verdict: "timeout" });
  });

  it("sends runnable cells in one client run inside kw-inet; skipped cells keep their reason", async () => {
    const host = new FakeHost().on((c) => (c.netns === "kw-inet" ? { stdout: JSON.stringify([{ i: 0, status: 200, body: "a/b\n", ms: 2 }]) } : undefined));
    const out = await probeNorthSouth(host, [base, { ...base, skip: "GRPCRoute: not HTTP/1.1" }], 1000);
    expect(host.calls).toHaveLength(1);
    expect(JSON.parse(host.calls[0]?.input ?? "[]")).toEqual([{ i: 0, ip: "10.0.0.1", port: 80, method: "GET", path: "/", authority: "h", headers: {}, timeoutMs: 1500 }]);
    expect(out.map((r) => [r.observed, r.verdict, r.skipReason])).toEqual([[true, "connected", undefined], [undefined, "skipped", "north-south: GRPCRoute: not HTTP/1.1"]]);
  });
});
