/**
 * Replicas are never materialised one object per replica (issue 15): `replicas: 2147483647` is a
 * legal int32 (apps/v1 DeploymentSpec.replicas, https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/),
 * and a Service selecting such a workload made lint, trace and `matrix --level service` build one
 * pod instance per replica (≈4 GB, heap exhaustion). N identical replicas are now one example
 * per node with a count; every command still answers with the full count.
 */
import { describe, expect, it } from "vitest";
import { run, scenario } from "./harness.js";

const INPUT = scenario("replicas-max", "cluster.yaml");
const N = 2147483647;
// Round-robin over the two nodes (services/instances.ts): replicas 0, 2, 4, … on n1, the rest on n2.
const ON_N1 = Math.ceil(N / 2);
const ON_N2 = Math.floor(N / 2);

describe("a workload with replicas: 2147483647 behind a Service", () => {
  it("trace counts every replica and lists one example per node", async () => {
    const r = await run(["trace", "big/client", "svc/web:80", "-n", "big", "-f", INPUT, "-o", "json"]);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as { steps: { stage: string; detail: string; endpoints?: { name: string; node: string; replicas?: number }[] }[] };
    const eps = t.steps.find((s) => s.stage === "endpoints");
    expect(eps?.detail).toContain(`${N} ready endpoint(s)`);
    expect(eps?.endpoints?.map((e) => [e.name, e.node, e.replicas])).toEqual([["web-0", "n1", ON_N1], ["web-1", "n2", ON_N2]]);
  });

  it("matrix --level service reports the full endpoint count", async () => {
    const r = await run(["matrix", "--level", "service", "-f", INPUT, "-o", "json"]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as { services: { id: string; endpoints: number }[]; connections: { src: string; dst: string }[] };
    expect(m.services).toEqual([expect.objectContaining({ id: "big/web[Service]:80/TCP", endpoints: N })]);
    expect(m.connections).toContainEqual({ src: "big/client[Deployment]", dst: "big/web[Service]:80/TCP" });
  });

  it("matrix -o summary counts the pods", async () => {
    const r = await run(["matrix", "-o", "summary", "--json", "-f", INPUT]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { pods: number }).pods).toBe(N + 1);
  });

  it("lint finishes with no findings (the Service selects pods)", async () => {
    const r = await run(["lint", "-f", INPUT, "-o", "json"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { findings: unknown[] }).findings).toEqual([]);
  });

  it("proxy-rules lists one example endpoint per node and says so", async () => {
    const r = await run(["proxy-rules", "-f", INPUT, "-o", "ipvs", "--node", "n1"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`big/web[Deployment] runs ${N} replicas; its endpoints are listed as one example per node`);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("  -> 10.244."))).toHaveLength(2);
  });
});
