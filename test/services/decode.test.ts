/**
 * The Service layer's decoders through the CLI: the API server's validation as diagnostics with
 * file:line (goldens under fixtures/scenarios/services-bad/expected), and its defaulting.
 */
import { describe, expect, it } from "vitest";
import { golden, run, scenario, STACK_LINE } from "../cli/harness.js";

const BAD: readonly { file: string; rule: string; says: string }[] = [
  { file: "externalname-missing", rule: "ExternalName needs externalName", says: 'needs "externalName"' },
  { file: "ports-unnamed", rule: "with more than one port, every port must be named", says: "must name each port" },
  { file: "nodeport-on-clusterip", rule: "nodePort may not be used when type is ClusterIP", says: "may not be used when type is 'ClusterIP'" },
  { file: "headless-loadbalancer", rule: 'clusterIP may not be "None" for LoadBalancer', says: 'may not be "None"' },
  { file: "target-port-quoted", rule: 'a quoted number ("8080") is a port name, and not a valid one', says: "not a valid port name" },
  { file: "ingress-path-type-missing", rule: "Ingress pathType is required", says: "pathType must be specified" },
  { file: "ingress-path-relative", rule: "Prefix/Exact paths must be absolute", says: "must be an absolute path" },
  { file: "ingress-port-both", rule: "a service backend port sets exactly one of number and name", says: "exactly one of number and name" },
  { file: "endpoint-slice-address-type", rule: "EndpointSlice addresses must match addressType", says: "does not match addressType IPv4" },
  { file: "external-traffic-policy-clusterip", rule: "externalTrafficPolicy only on externally-accessible Services", says: "externally-accessible" },
];

describe("Service layer input errors (file:line, exit 2 when nothing loads)", () => {
  for (const c of BAD) {
    it(`${c.rule} (expected/${c.file}.stderr.txt)`, async () => {
      const r = await run(["trace", "x/a", "y/b", "-f", scenario("services-bad", `${c.file}.yaml`)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(c.says);
      expect(r.stderr).toMatch(new RegExp(`services-bad/${c.file}\\.yaml:\\d+:\\d+: error\\[`));
      expect(r.stderr).not.toMatch(STACK_LINE);
      await expect(r.stderr).toMatchFileSnapshot(golden("services-bad", `${c.file}.stderr.txt`));
    });
  }
});

describe("Service defaulting, seen through kwire trace", () => {
  const svc = (spec: string): string => `apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: c, namespace: x, labels: { app: c } }\nspec: { containers: [{ name: c, image: c }] }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: s, namespace: x, labels: { app: s } }\nspec: { containers: [{ name: s, image: s, ports: [{ name: web, containerPort: 8000 }] }] }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: x }\nspec:\n${spec}`;

  it('"targetPort defaults to the value of port"; protocol defaults to TCP; type defaults to ClusterIP', async () => {
    const r = await run(["trace", "x/c", "svc/s:80", "-n", "x", "-f", "-"], svc("  selector: { app: s }\n  ports: [{ port: 80 }]\n"));
    expect(r.stdout).toContain("port TCP/80 → targetPort 80");
    expect(r.stdout).toMatch(/ClusterIP 10\.96\.100\.0 \(allocated by kwire/);
  });

  it('"If empty or not present, the service is assumed to have an external process managing its endpoints": selector {} selects nothing', async () => {
    const r = await run(["trace", "x/c", "svc/s:80", "-n", "x", "-f", "-"], svc("  selector: {}\n  ports: [{ port: 80 }]\n"));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("no endpoints");
  });

  it("a pod listed without status is assumed Running and Ready and gets an address from 10.244.0.0/16", async () => {
    const r = await run(["trace", "x/c", "svc/s:80", "-n", "x", "-f", "-"], svc("  selector: { app: s }\n  ports: [{ port: 80, targetPort: web }]\n"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/s 10\.244\.0\.1\d:8000 \(ready\): allowed/);
  });

  it("a Deployment with replicas 3 and no listed pods gives 3 endpoints <name>-<i>", async () => {
    const r = await run(["trace", "production/web", "svc/frontend:80", "-n", "production", "-f", "fixtures/demo/cluster.yaml"]);
    expect(r.stdout).toMatch(/frontend-0 [\d.]+:3000 .*frontend-1 [\d.]+:3000 .*frontend-2 [\d.]+:3000/);
  });
});
