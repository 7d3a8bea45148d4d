/**
 * `kwire matrix --level service`: which workloads reach which Service ports.
 */
import { describe, expect, it } from "vitest";
import { golden, run, scenario } from "../cli/harness.js";

describe("kwire matrix --level service", () => {
  it("demo: workloads → Service ports (expected/matrix.service.table.txt)", async () => {
    const r = await run(["matrix", "--level", "service", "-f", "fixtures/demo/cluster.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("production/frontend[Deployment]    production/api-server[Service]:8080/TCP");
    expect(r.stdout).not.toMatch(/production\/frontend\[Deployment\]\s+production\/database/);
    await expect(r.stdout).toMatchFileSnapshot(golden("demo", "matrix.service.table.txt"));
  });

  it("allowed when some ready endpoint admits the source on its targetPort (api-2 on 9090 does not, api-1 on 8080 does)", async () => {
    const r = await run(["matrix", "--level", "service", "-o", "json", "-f", scenario("services-basic", "cluster.yaml")]);
    const doc = JSON.parse(r.stdout) as { kind: string; connections: { src: string; dst: string }[] };
    expect(doc.kind).toBe("ServiceConnectivityMatrix");
    const pairs = doc.connections.map((c) => `${c.src} → ${c.dst}`);
    expect(pairs).toContain("shop/client[Pod] → shop/api[Service]:80/TCP");
    // The ExternalName Service has no ports to reach; the empty Service has no endpoints.
    expect(pairs.some((p) => p.includes("shop/empty[Service]"))).toBe(false);
    await expect(r.stdout).toMatchFileSnapshot(golden("services-basic", "matrix.service.json.txt"));
  });

  it("-o csv is not offered at service level (exit 2)", async () => {
    const r = await run(["matrix", "--level", "service", "-o", "csv", "-f", "fixtures/demo/cluster.yaml"]);
    expect(r.code).toBe(2);
  });
});
