/**
 * North-south exposure (`northSouthExposure`), the function the matrix's `--level service`
 * and workload level call: each Ingress path, Gateway route rule and OpenShift Route as an
 * edge from its data plane to the Service's pods on their target ports, under the policies
 * (fixtures/scenarios/north-south). Cases follow the trace goldens of the same scenario.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildTopology, northSouthExposure, serviceContext } from "../../src/engine/index.js";
import { loadCluster } from "../../src/parse/index.js";
import { atRoot, scenario } from "../cli/harness.js";

function exposure() {
  atRoot();
  const path = scenario("north-south", "cluster.yaml");
  const { cluster } = loadCluster([{ path, text: readFileSync(path, "utf8") }]);
  return northSouthExposure(serviceContext(cluster, buildTopology(cluster)));
}

describe("north-south exposure", () => {
  it("a Gateway rule exposes its backend through the listener hostname, from the data-plane pod, on the target port", () => {
    const e = exposure().find((x) => x.object === "gw/matching" && x.path === "rule 1");
    expect(e).toMatchObject({ via: "HTTPRoute", proxy: "gw/envoy-gw-1", host: "match.example.com", service: "gw/backend-v2:8080", backends: [{ id: "gw/backend-v2", port: 8080, allowed: true }] });
  });
  it("the data plane's egress policy applies: backend-v3 is exposed by a rule but not reachable", () => {
    const e = exposure().find((x) => x.object === "gw/matching" && x.path === "rule 2");
    expect(e?.backends).toEqual([{ id: "gw/backend-v3", port: 8080, allowed: false }]);
  });
  it("a cross-namespace backendRef with a ReferenceGrant is exposed", () => {
    expect(exposure().some((x) => x.object === "apps/shop" && x.service === "other/billing:8080" && x.backends.some((b) => b.allowed === true))).toBe(true);
  });
  it("an Ingress whose class no IngressClass declares and no controller pod serves exposes nothing, and says so", () => {
    // https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class: controllers
    // program only Ingresses of their class; the trace of the same host is denied the same way.
    const e = exposure().find((x) => x.via === "Ingress" && x.object === "legacy/orphan");
    expect(e).toMatchObject({ proxy: "ingress-controller", host: "legacy.example.org", backends: [] });
    expect(e?.note).toMatch(/nobody serves it/);
  });
  it("a cross-namespace backendRef without a ReferenceGrant exposes nothing (RefNotPermitted: a 500)", () => {
    // gateway-api apis/v1beta1/referencegrant_types.go; conformance HTTPRouteReferenceGrant.
    const e = exposure().find((x) => x.object === "apps/shop" && x.path === "rule 1");
    expect(e?.backends).toEqual([]);
    expect(e?.note).toMatch(/RefNotPermitted/);
  });
  it("OpenShift Routes are exposed from the router pod; weight-0 backends are left out", () => {
    const routes = exposure().filter((x) => x.via === "Route");
    expect(routes.map((r) => `${r.object} ${r.service ?? ""}`).sort()).toEqual(["other/ledger other/billing:8080", "other/ledger other/ledger:8080"]);
    expect(routes.every((r) => r.proxy === "openshift-ingress/router-default-1")).toBe(true);
  });
});

describe("kwire matrix --level service shows north-south exposure (issue: north-south)", () => {
  it("lists each route → Service → backends with the proxy's policy verdict, in the table and in JSON", async () => {
    const { run } = await import("../cli/harness.js");
    const file = scenario("north-south", "cluster.yaml");
    const t = await run(["matrix", "--level", "service", "-f", file]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain("Exposed to north-south traffic:");
    expect(t.stdout).toMatch(/^shop\.example\.com\s+rule 1\s+HTTPRoute apps\/shop\s+gw\/envoy-gw-1\s+-\s+none \(backendRef Service other\/ledger is in another namespace .*RefNotPermitted/m);
    expect(t.stdout).toMatch(/^match\.example\.com\s+rule 2\s+HTTPRoute gw\/matching\s+gw\/envoy-gw-1\s+gw\/backend-v3:8080\s+gw\/backend-v3:8080 \(denied\)$/m);
    const j = JSON.parse((await run(["matrix", "--level", "service", "-f", file, "-o", "json"])).stdout) as { exposures?: { object: string; path: string; service?: string; backends: { allowed?: boolean }[] }[] };
    const v3 = j.exposures?.find((e) => e.object === "gw/matching" && e.path === "rule 2");
    expect(v3?.backends.map((b) => b.allowed)).toEqual([false]);
  });
});
