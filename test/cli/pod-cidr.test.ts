/**
 * Pods without an IP in the input (workload templates, manifests before deployment) live in the
 * cluster's pod CIDR (--pod-cidr, default 10.244.0.0/16): an ipBlock matches them only when it
 * covers that whole range — so `0.0.0.0/0` reaches them and `0.0.0.0/0 except 10.0.0.0/8` does not.
 */
import { describe, expect, it } from "vitest";
import { run, scenario } from "./harness.js";

const CLUSTER = scenario("pod-cidr", "cluster.yaml");

describe("--pod-cidr: ipBlocks and pods with no IP in the input", () => {
  it("0.0.0.0/0 covers the default pod CIDR 10.244.0.0/16: allowed on 8080", async () => {
    const r = await run(["trace", "app/client", "app/server:8080", "-f", CLUSTER]);
    expect(r.code).toBe(0);
  });

  it("0.0.0.0/0 except 10.0.0.0/8 leaves the pod CIDR out: denied on 443, and the trace says why", async () => {
    const r = await run(["trace", "app/client", "app/server:443", "-f", CLUSTER]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("does not cover the whole pod CIDR 10.244.0.0/16 (app/server[Deployment] has no IP in the input)");
  });

  it("with --pod-cidr 192.168.0.0/16 the except no longer applies: allowed on 443", async () => {
    const r = await run(["trace", "app/client", "app/server:443", "-f", CLUSTER, "--pod-cidr", "192.168.0.0/16"]);
    expect(r.code).toBe(0);
  });

  it("an ipBlock covering only part of the pod CIDR does not match a pod whose IP is unknown", async () => {
    const partial = (await run(["matrix", "-f", CLUSTER, "-o", "json", "--pod-cidr", "0.0.0.0/0"])).stdout;
    const conns = (JSON.parse(partial) as { connections: { src: string; dst: string }[] }).connections;
    expect(conns.filter((c) => c.src === "app/client[Deployment]" && c.dst === "app/server[Deployment]")).toHaveLength(1);
  });

  it("rejects a --pod-cidr that is not a CIDR (exit 2)", async () => {
    const r = await run(["matrix", "-f", CLUSTER, "--pod-cidr", "banana"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--pod-cidr: "banana" is not a CIDR');
  });
});
