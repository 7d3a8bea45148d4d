/**
 * North-south exposure in `kwire matrix` at the workload, pod and namespace levels (issue 13,
 * "Exposure in the matrix"): each Ingress / Gateway / Route data plane is an endpoint — the real
 * controller pods when the input has them, otherwise one `ingress-controller` — with an edge to
 * each backend it can reach on the target port, under the policies. The output shape follows
 * np-guard netpol-analyzer's `{ingress-controller} => ns/kind/name : ports`
 * (https://github.com/np-guard/netpol-analyzer/blob/main/docs/ingress_analysis.md), but kwire
 * uses the controller pods of the input instead of assuming a namespace.
 *
 * Fixture: fixtures/scenarios/ns-exposure (ingress-nginx Deployment, one Ingress, three paths,
 * admin closed to the controller by policy). The policy side is the same `traceConnection` the
 * matrix uses, so an evaluated exposure edge must also be a connection of the matrix.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { ROOT, run, scenario } from "./harness.js";

const F = ["-f", scenario("ns-exposure", "cluster.yaml")];
const CONTROLLER = "ingress-nginx/ingress-nginx-controller[Deployment]";

interface Ports { protocol: string; from: number; to: number }
interface Exposure { src: string; dst: string; ports: "all" | Ports[]; evaluated: boolean; via: { via: string; object: string; host: string; path: string; service: string }[] }
interface Doc { endpoints: { id: string }[]; connections: { src: string; dst: string; ports: "all" | Ports[] }[]; exposures?: Exposure[] }

async function json(args: readonly string[]): Promise<{ doc: Doc; stderr: string }> {
  const r = await run(["matrix", ...args, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return { doc: JSON.parse(r.stdout) as Doc, stderr: r.stderr };
}

const covers = (outer: "all" | Ports[], inner: "all" | Ports[]): boolean =>
  outer === "all" || (inner !== "all" && inner.every((p) => outer.some((o) => o.protocol === p.protocol && o.from <= p.from && p.to <= o.to)));

describe("kwire matrix --level workload: north-south exposure", () => {
  it("the controller Deployment reaches web and api on their target ports; admin, closed by policy, is left out and counted", async () => {
    const { doc, stderr } = await json(F);
    expect(doc.exposures?.map((e) => `${e.src} => ${e.dst} : ${JSON.stringify(e.ports)} ${e.evaluated}`)).toEqual([
      `${CONTROLLER} => shop/api[Deployment] : [{"protocol":"TCP","from":9000,"to":9000}] true`,
      `${CONTROLLER} => shop/web[Deployment] : [{"protocol":"TCP","from":8080,"to":8080}] true`,
    ]);
    // Ingress path → Service port → named targetPort `http` = 8080 (Service.spec.ports[].targetPort).
    expect(doc.exposures?.[1]?.via).toEqual([{ via: "Ingress", object: "shop/shop", host: "shop.example.com", path: "Prefix /", service: "shop/web:80" }]);
    expect(stderr).toContain("1 exposed backend(s) are denied to their proxy by policy");
  });

  it("every evaluated exposure edge is also an allowed connection of the same matrix (one policy engine)", async () => {
    const { doc } = await json(F);
    for (const e of doc.exposures ?? []) {
      const c = doc.connections.find((x) => x.src === e.src && x.dst === e.dst);
      expect(c && covers(c.ports, e.ports), `${e.src} -> ${e.dst}`).toBe(true);
    }
    // …and the denied one is not: admin admits only web (NetworkPolicy admin-from-web).
    expect(doc.connections.some((x) => x.src === CONTROLLER && x.dst === "shop/admin[Deployment]")).toBe(false);
  });

  it("the table prints the section under the matrix: proxy => backend : ports, with the route", async () => {
    const r = await run(["matrix", ...F]);
    expect(r.stdout).toContain("Exposed to north-south traffic (proxy => backend : target ports):");
    expect(r.stdout).toMatch(/^ingress-nginx\/ingress-nginx-controller\[Deployment\]\s+shop\/web\[Deployment\]\s+TCP:8080\s+allowed\s+Ingress shop\/shop \(shop\.example\.com Prefix \/\)$/m);
    expect(r.stdout).not.toMatch(/shop\/admin\[Deployment\]\s+TCP:7000/);
  });

  it("-n keeps the edges with an end in the namespace (the backend's or the proxy's)", async () => {
    expect((await json([...F, "-n", "shop"])).doc.exposures).toHaveLength(2);
    expect((await json([...F, "-n", "ingress-nginx"])).doc.exposures).toHaveLength(2);
    expect((await json([...F, "-n", "default"])).doc.exposures).toBeUndefined();
  });

  it("without a controller pod the source is one `ingress-controller` endpoint, marked not evaluated (demo)", async () => {
    const { doc, stderr } = await json(["-f", "fixtures/demo/cluster.yaml"]);
    expect(doc.exposures?.map((e) => `${e.src} => ${e.dst} ${e.evaluated}`)).toEqual([
      "ingress-controller => production/api-server[Deployment] false",
      "ingress-controller => production/web[Deployment] false",
    ]);
    expect(stderr).toBe("");
    const t = await run(["matrix", "-f", "fixtures/demo/cluster.yaml"]);
    expect(t.stdout).toMatch(/^ingress-controller\s+production\/web\[Deployment\]\s+TCP:80\s+not evaluated\s+Ingress production\/shop/m);
  });

  it("the streamed -o json and -o yaml (built in memory) carry the same exposures, at every level", async () => {
    const { parse } = await import("yaml");
    for (const level of ["pod", "workload", "namespace"]) {
      const j = JSON.parse((await run(["matrix", ...F, "--level", level, "-o", "json"])).stdout) as Doc;
      const y = parse((await run(["matrix", ...F, "--level", level, "-o", "yaml"])).stdout) as Doc;
      expect(j.exposures?.length, level).toBeGreaterThan(0);
      expect(j).toEqual(y);
    }
  });

  it("an input without Ingress, Gateway routes or Routes has no exposures key (the document is unchanged)", async () => {
    const { doc } = await json(["-f", scenario("kubectl-list", "cluster.yaml")]);
    expect("exposures" in doc).toBe(false);
  });
});

describe("kwire matrix --level pod|namespace: north-south exposure", () => {
  it("pod level: Gateway data-plane pod → backend pods; a rule whose backends the data plane's egress policy denies is left out", async () => {
    // fixtures/scenarios/north-south: gw/envoy-gw-1 may not reach backend-v3 (its egress policy),
    // and apps/shop's ledger backendRef has no ReferenceGrant (a 500: nothing is exposed).
    const { doc } = await json(["-f", scenario("north-south", "cluster.yaml"), "--level", "pod"]);
    const pairs = (doc.exposures ?? []).map((e) => `${e.src} => ${e.dst}`);
    expect(pairs).toContain("gw/envoy-gw-1 => gw/backend-v2");
    expect(pairs).not.toContain("gw/envoy-gw-1 => gw/backend-v3");
    expect(pairs).not.toContain("gw/envoy-gw-1 => other/ledger");
    expect(pairs).toContain("openshift-ingress/router-default-1 => other/ledger");
    // An Ingress whose class nobody serves exposes nothing.
    expect(pairs.some((p) => p.endsWith("legacy/old"))).toBe(false);
  });

  it("namespace level: edges between namespaces", async () => {
    const { doc } = await json([...F, "--level", "namespace"]);
    expect(doc.exposures?.map((e) => `${e.src} => ${e.dst}`)).toEqual(["ingress-nginx => shop"]);
    expect(doc.exposures?.[0]?.ports).toEqual([{ protocol: "TCP", from: 8080, to: 8080 }, { protocol: "TCP", from: 9000, to: 9000 }]);
  });

  it("dot and mermaid draw the exposure edges dashed, with the virtual controller node when needed", async () => {
    const dot = (await run(["matrix", "-f", "fixtures/demo/cluster.yaml", "-o", "dot"])).stdout;
    expect(dot).toContain('"ingress-controller" [label="ingress-controller", shape=hexagon');
    expect(dot).toContain('"ingress-controller" -> "production/web[Deployment]" [label="TCP:80 (north-south, not evaluated)", style=dashed];');
    const mm = (await run(["matrix", ...F, "-o", "mermaid"])).stdout;
    expect(mm).toMatch(/ -\.->\|"TCP:8080 north-south"\| /);
  });
});

describe("docs/schemas/matrix.schema.json describes exposures (Ajv, strict)", () => {
  const dir = join(ROOT, "docs", "schemas");
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".schema.json"))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")) as object);
  const v = ajv.getSchema("https://schemas.kwire.invalid/matrix.schema.json");

  it("validates the CLI's documents with exposures at every level", async () => {
    for (const args of [F, [...F, "--level", "pod"], [...F, "--level", "namespace"], ["-f", "fixtures/demo/cluster.yaml"], ["-f", scenario("north-south", "cluster.yaml")], ["-f", scenario("hostport", "cluster.yaml")]]) {
      const { doc } = await json(args);
      expect(doc.exposures?.length, args.join(" ")).toBeGreaterThanOrEqual(1);
      expect(v?.(doc) ? [] : v?.errors, args.join(" ")).toEqual([]);
    }
  });

  it("rejects an exposure without `evaluated` or with an unknown route kind", async () => {
    const { doc } = await json(F);
    const e = doc.exposures?.[0] as Exposure;
    const { evaluated: _drop, ...noEvaluated } = e;
    expect(v?.({ ...doc, exposures: [noEvaluated] })).toBe(false);
    expect(v?.({ ...doc, exposures: [{ ...e, via: [{ ...e.via[0], via: "TCPRoute" }] }] })).toBe(false);
  });
});

describe("docs/schemas/service-matrix.schema.json describes exposures (Ajv, strict)", () => {
  const dir = join(ROOT, "docs", "schemas");
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".schema.json"))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")) as object);
  const v = ajv.getSchema("https://schemas.kwire.invalid/service-matrix.schema.json");

  it("validates matrix --level service -o json with exposures (north-south, ns-exposure, demo)", async () => {
    for (const file of [scenario("north-south", "cluster.yaml"), scenario("ns-exposure", "cluster.yaml"), "fixtures/demo/cluster.yaml", scenario("hostport", "cluster.yaml")]) {
      const r = await run(["matrix", "--level", "service", "-f", file, "-o", "json"]);
      const doc = JSON.parse(r.stdout) as { exposures?: unknown[] };
      expect(doc.exposures?.length, file).toBeGreaterThanOrEqual(1);
      expect(v?.(doc) ? [] : v?.errors, file).toEqual([]);
    }
  });

  it("rejects a backend whose port is not a number", async () => {
    const r = await run(["matrix", "--level", "service", ...F, "-o", "json"]);
    const doc = JSON.parse(r.stdout) as { exposures: { backends: { port: unknown }[] }[] };
    const first = doc.exposures[0];
    if (first?.backends[0]) first.backends[0].port = "http";
    expect(v?.(doc)).toBe(false);
  });
});

describe("kwire diff compares north-south exposure", () => {
  // fixtures/scenarios/ns-exposure/after.yaml: the Ingress drops /api, and admin admits ingress-nginx.
  const A = scenario("ns-exposure", "cluster.yaml");
  const B = scenario("ns-exposure", "after.yaml");

  it("lists exposure edges added and removed, in table, md and json (schema-valid), and --exit-code sees them", async () => {
    const t = await run(["diff", A, B]);
    expect(t.stdout).toMatch(/^\+\s+ingress-nginx\/ingress-nginx-controller\[Deployment\]\s+shop\/admin\[Deployment\]\s+TCP:7000\s+allowed\s+Ingress shop\/shop \(shop\.example\.com Prefix \/admin\)$/m);
    expect(t.stdout).toMatch(/^-\s+ingress-nginx\/ingress-nginx-controller\[Deployment\]\s+shop\/api\[Deployment\]\s+TCP:9000\s+allowed\s+Ingress shop\/shop \(shop\.example\.com Prefix \/api\)$/m);
    expect((await run(["diff", A, B, "-o", "md"])).stdout).toContain("1 north-south exposure added, 1 removed");
    const j = JSON.parse((await run(["diff", A, B, "-o", "json"])).stdout) as { exposuresAdded?: { dst: string }[]; exposuresRemoved?: { dst: string }[] };
    expect(j.exposuresAdded?.map((e) => e.dst)).toEqual(["shop/admin[Deployment]"]);
    expect(j.exposuresRemoved?.map((e) => e.dst)).toEqual(["shop/api[Deployment]"]);
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const dir = join(ROOT, "docs", "schemas");
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".schema.json"))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")) as object);
    const v = ajv.getSchema("https://schemas.kwire.invalid/diff.schema.json");
    expect(v?.(j) ? [] : v?.errors).toEqual([]);
  });

  it("an Ingress-only change (no connection changes) is still a change", async () => {
    const onlyIngress = (await import("node:fs")).readFileSync(A, "utf8").replace("          - { path: /api, pathType: Prefix, backend: { service: { name: api, port: { number: 80 } } } }\n", "");
    const r = await run(["diff", A, "-", "--exit-code", "-o", "json"], onlyIngress);
    const d = JSON.parse(r.stdout) as { added: unknown[]; removed: unknown[]; changed: unknown[]; exposuresRemoved?: unknown[] };
    expect([d.added.length, d.removed.length, d.changed.length, d.exposuresRemoved?.length]).toEqual([0, 0, 0, 1]);
    expect(r.code).toBe(1);
    expect((await run(["diff", A, A, "--exit-code"])).code).toBe(0);
  });
});
