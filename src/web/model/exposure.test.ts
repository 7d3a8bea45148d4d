/**
 * North-south exposure in the web UI (issue 13, "The web UI draws the same edges"): the graph's
 * proxy node and dashed edges, the heat map's `ingress-controller` row, the namespace filter, and
 * the findings list — on the demo (an Ingress whose controller is not in the input) and on
 * fixtures/scenarios/ns-exposure (an ingress-nginx Deployment, one backend closed by policy).
 * The edges are the ones `kwire matrix --level workload` prints (test/cli/exposure-matrix.test.ts).
 */
import { describe, expect, it } from "vitest";
import nsExposureText from "../../../fixtures/scenarios/ns-exposure/cluster.yaml?raw";
import hostPortText from "../../../fixtures/scenarios/hostport/cluster.yaml?raw";
import { API, DEMO_FILES, WEB, matrixOf } from "../testing/demo.js";
import { Session } from "../worker/session.js";
import { filterMatrix } from "./filters.js";
import { exposureUrl, graphModel, groupNodeId, PROXY_NODE, proxyNode } from "./graph.js";
import { CELL, cellAt, heatmapModel, NORTH_SOUTH_GROUP } from "./heatmap.js";

const NS_FILES = [{ path: "fixtures/scenarios/ns-exposure/cluster.yaml", text: nsExposureText }];
const CONTROLLER = "ingress-nginx/ingress-nginx-controller[Deployment]";
const demo = matrixOf(DEMO_FILES);
const shop = matrixOf(NS_FILES);

describe("graph: north-south exposure", () => {
  it("demo: one ingress-controller node (no controller pod in the input) with dashed, not-evaluated edges to web and api-server", () => {
    const g = graphModel(demo, { maxEdges: 1000 });
    expect(g.nodes.filter((n) => n.data.kind === "proxy").map((n) => n.data)).toEqual([{ id: PROXY_NODE, label: "ingress-controller", kind: "proxy", ref: "ingress-controller" }]);
    const ex = g.edges.filter((e) => e.data.exposure).map((e) => e.data);
    expect(ex.map((e) => `${e.source} -> ${e.target} ${e.label} ${e.url ?? ""}`).sort()).toEqual([
      `${PROXY_NODE} -> ${API} north-south TCP 8080 (not evaluated) http://shop.example.com/api`,
      `${PROXY_NODE} -> ${WEB} north-south TCP 80 (not evaluated) http://shop.example.com/`,
    ]);
    expect(ex.every((e) => e.evaluated === false)).toBe(true);
  });

  it("a controller of the input is the edge's source; no virtual node; the backend it may not reach has no edge", () => {
    const g = graphModel(shop, { maxEdges: 1000 });
    expect(g.nodes.some((n) => n.data.kind === "proxy")).toBe(false);
    const ex = g.edges.filter((e) => e.data.exposure).map((e) => `${e.data.source} -> ${e.data.target}`);
    expect(ex).toEqual([`${CONTROLLER} -> shop/api[Deployment]`, `${CONTROLLER} -> shop/web[Deployment]`]);
  });

  it("hostPorts: one node per node/NAME source, a dashed edge to the pod", () => {
    const g = graphModel(matrixOf([{ path: "fixtures/scenarios/hostport/cluster.yaml", text: hostPortText }]), { maxEdges: 1000 });
    expect(g.nodes.filter((n) => n.data.kind === "proxy").map((n) => n.data.id)).toEqual([proxyNode("node/n1"), proxyNode("node/n2")]);
    expect(g.edges.filter((e) => e.data.exposure).map((e) => `${e.data.source} -> ${e.data.target}`)).toEqual([`${proxyNode("node/n1")} -> web/edge[Pod]`, `${proxyNode("node/n2")} -> web/bound[Pod]`]);
  });

  it("folded into namespaces, the exposure edges go to the backend's namespace", () => {
    const g = graphModel(demo, { maxEdges: 1 });
    const ex = g.edges.filter((e) => e.data.exposure);
    expect(ex.map((e) => `${e.data.source} -> ${e.data.target} ${e.data.count}`)).toEqual([`${PROXY_NODE} -> ${groupNodeId("production")} 2`]);
  });

  it("URLs for the trace: Ingress and Route paths with a concrete host; none for a wildcard or a Gateway rule", () => {
    expect(exposureUrl({ via: "Ingress", host: "shop.example.com", path: "Exact /api/v1" })).toBe("http://shop.example.com/api/v1");
    expect(exposureUrl({ via: "Route", host: "ledger.apps.example.org", path: "/api" })).toBe("http://ledger.apps.example.org/api");
    expect(exposureUrl({ via: "Ingress", host: "*", path: "Prefix /" })).toBeUndefined();
    expect(exposureUrl({ via: "HTTPRoute", host: "match.example.com", path: "rule 1" })).toBeUndefined();
    expect(exposureUrl({ via: "hostPort", host: "192.168.1.11,198.51.100.12", path: "hostPort 8080/TCP" })).toBe("192.168.1.11:8080");
    expect(exposureUrl({ via: "hostPort", host: "*", path: "hostPort 8080/TCP" })).toBeUndefined();
  });
});

describe("heat map and filters: north-south exposure", () => {
  it("demo: an ingress-controller row in the (north-south) band, exposed cells at web and api-server only", () => {
    const h = heatmapModel(demo);
    expect(h.ids[0]).toBe("ingress-controller");
    expect(h.bands[0]).toEqual({ name: NORTH_SOUTH_GROUP, start: 0, end: 1 });
    const exposed = h.ids.filter((_, d) => cellAt(h, 0, d) === CELL.exposed);
    expect(exposed.sort()).toEqual([API, WEB]);
  });

  it("a controller of the input adds no row: its edges are connections of the matrix", () => {
    const h = heatmapModel(shop);
    expect(h.size).toBe(shop.endpoints.length);
    expect(cellAt(h, h.ids.indexOf(CONTROLLER), h.ids.indexOf("shop/web[Deployment]"))).toBe(CELL.some);
  });

  it("the namespace filter keeps exposures with an end in focus, and a port filter applies to them", () => {
    expect(filterMatrix(demo, { namespaces: ["production"] }).exposures).toHaveLength(2);
    expect(filterMatrix(demo, { namespaces: ["monitoring"] }).exposures).toBeUndefined();
    expect(filterMatrix(demo, { protocol: "TCP", port: 80 }).exposures?.map((e) => e.dst)).toEqual([WEB]);
    expect(filterMatrix(shop, { namespaces: ["ingress-nginx"] }).exposures).toHaveLength(2);
  });
});

describe("Session: north-south findings and traces from the internet", () => {
  it("lists each exposure edge as an info finding at its Ingress (the document start, line 77)", () => {
    const r = new Session().load(NS_FILES);
    expect(r.northSouth.map((f) => `${f.severity} ${f.code} ${f.file}:${f.line}`)).toEqual([
      "info north-south-exposure fixtures/scenarios/ns-exposure/cluster.yaml:77",
      "info north-south-exposure fixtures/scenarios/ns-exposure/cluster.yaml:77",
    ]);
    expect(r.northSouth[1]?.message).toBe(`${CONTROLLER} => shop/web[Deployment] : TCP:8080 via Ingress shop/shop (shop.example.com Prefix / → shop/web:80); the policies allow it`);
  });

  it("a hostPort edge traces internet → NODE:hostPort (the URL the graph and heat map open)", () => {
    const s = new Session();
    const r = s.load([{ path: "fixtures/scenarios/hostport/cluster.yaml", text: hostPortText }]);
    const e = r.matrix.exposures?.find((x) => x.dst === "web/edge[Pod]");
    const target = e?.via.map(exposureUrl).find((u) => u !== undefined);
    expect(target).toBe("192.168.1.11:8080");
    expect(s.trace({ scenario: "base", src: "internet", dst: target ?? "" }).trace.steps.some((x) => x.stage === "hostport")).toBe(true);
  });

  it("traces `internet` → the edge's URL as kwire trace --from internet does", () => {
    const s = new Session();
    s.load(NS_FILES);
    expect(s.trace({ scenario: "base", src: "internet", dst: "http://shop.example.com/api" }).trace.verdict).toBe("allowed");
    // /admin: the controller may not reach admin (NetworkPolicy admin-from-web).
    expect(s.trace({ scenario: "base", src: "internet", dst: "http://shop.example.com/admin" }).trace.verdict).toBe("denied");
  });
});
