/**
 * Dual-stack pods through the CLI (fixtures/scenarios/dual-stack): an IPv4 ipBlock admits the
 * monitoring pod over IPv4 only (KEP-563; the kernel matches the packet's family — the lab's
 * per-family probe, src/lab/dual-stack.test.ts). kwire's one verdict per pair is then uncertain:
 * trace exits 3 and names the rule and addresses, the matrix JSON marks it, lint explains it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run, scenario } from "./harness.js";

const DUAL = scenario("dual-stack", "cluster.yaml");
const TMP = mkdtempSync(join(tmpdir(), "kw-ds-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("dual-stack: verdicts that depend on the address family are uncertain, never a silent ALLOWED", () => {
  it("trace: exit 3, the uncertainty names the rule, the pod and both addresses", async () => {
    const r = await run(["trace", "-f", DUAL, "shop/prometheus", "shop/api:9100", "-o", "json"]);
    expect(r.code).toBe(3);
    const t = JSON.parse(r.stdout) as { verdict: string; uncertain?: { reason: string }[] };
    expect(t.verdict).toBe("allowed");
    expect(t.uncertain?.map((u) => u.reason).join("\n")).toMatch(/shop\/api-metrics ingress\[0\] matches shop\/prometheus \(as peer\) by 10\.244\.2\.20 but not by fd00:10:244:2::20/);
    expect(r.stderr).toMatch(/1 policy matches a dual-stack pod by the address of one family only/);
  });
  it("matrix -o json: the policy is listed as uncertain with its detail; its connections are marked", async () => {
    const r = await run(["matrix", "-f", DUAL, "-o", "json"]);
    const m = JSON.parse(r.stdout) as { connections: { src: string; dst: string; uncertain?: true }[]; uncertain?: { kind: string; name: string; reason: string; detail?: string }[] };
    expect(m.uncertain?.map((u) => [u.kind, u.name, u.reason])).toEqual([["NetworkPolicy", "api-metrics", "family-dependent"]]);
    expect(m.uncertain?.[0]?.detail).toMatch(/depends on its address family/);
    const c = m.connections.find((x) => x.src.startsWith("shop/prometheus") && x.dst.startsWith("shop/api"));
    expect(c?.uncertain).toBe(true);
  });
  it("the same cluster single-stack: no uncertainty (a certain ALLOWED, exit 0)", async () => {
    const file = join(TMP, "single.yaml");
    writeFileSync(file, readFileSync(DUAL, "utf8").replace(/\n    - ip: fd00:[0-9a-f:]+/g, ""));
    const r = await run(["trace", "-f", file, "shop/prometheus", "shop/api:9100"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
  });

  // kube-proxy runs one proxier per family (pkg/proxy/nftables/proxier.go NewDualStackProxier),
  // each fed the EndpointSlices of its addressType; the EndpointSlice controller writes one slice
  // per family of the Service, with each pod's address of that family (pkg/controller/
  // endpointslice/reconciler.go, one addressType per slice). So a dual-stack Service's IPv6
  // ClusterIP leads to the pods' IPv6 addresses, and a single-stack IPv4 pod is no endpoint there.
  it("trace to a dual-stack Service: each ClusterIP leads to its family's endpoints", async () => {
    const file = join(TMP, "svc.yaml");
    writeFileSync(file, `${readFileSync(DUAL, "utf8")}
---
apiVersion: v1
kind: Pod
metadata: {name: api-v4only, namespace: shop, labels: {app: api}}
spec:
  containers: [{name: api, image: api, ports: [{containerPort: 9100}]}]
status: {podIP: 10.244.1.11}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  clusterIP: 10.96.0.50
  clusterIPs: [10.96.0.50, "fd00:10:96::50"]
  ports: [{port: 9100}]
`);
    const endpoints = async (dst: string): Promise<string[]> => {
      const r = await run(["trace", "-f", file, "shop/web", dst, "-n", "shop", "-o", "json"]);
      const t = JSON.parse(r.stdout) as { steps: { stage: string; endpoints?: { name: string; address: string }[] }[] };
      return (t.steps.find((s) => s.stage === "endpoints")?.endpoints ?? []).map((e) => `${e.name} ${e.address}`);
    };
    expect(await endpoints("[fd00:10:96::50]:9100")).toEqual(["api fd00:10:244:1::10"]);
    expect(await endpoints("10.96.0.50:9100")).toEqual(["api 10.244.1.10", "api-v4only 10.244.1.11"]);
    // svc/NAME names no family: each pod's first address (IPv4 first here).
    expect(await endpoints("svc/api:9100")).toEqual(["api 10.244.1.10", "api-v4only 10.244.1.11"]);
  });

  // A client resolving a name for an address asks A and AAAA (getaddrinfo AF_UNSPEC, RFC 3493
  // §6.1): an IPv6 single-stack Service's name gives its IPv6 ClusterIP. Asking A alone, kwire
  // found NODATA, searched on, and said DENIED: "the name is not in the cluster".
  it("trace by DNS name to an IPv6-only Service: its AAAA record, its IPv6 ClusterIP and endpoints", async () => {
    const file = join(TMP, "svc6.yaml");
    writeFileSync(file, `${readFileSync(DUAL, "utf8")}
---
apiVersion: v1
kind: Service
metadata: {name: api6, namespace: shop}
spec:
  selector: {app: api}
  ipFamilyPolicy: SingleStack
  ipFamilies: [IPv6]
  clusterIP: "fd00:10:96::60"
  clusterIPs: ["fd00:10:96::60"]
  ports: [{port: 9100}]
`);
    const r = await run(["trace", "-f", file, "shop/web", "api6:9100", "-o", "json"]);
    const t = JSON.parse(r.stdout) as { verdict: string; steps: { stage: string; detail: string; endpoints?: { name: string; address: string }[] }[] };
    expect(t.verdict).toBe("allowed");
    expect(t.steps.find((s) => s.stage === "dns")?.detail).toMatch(/api6\.shop\.svc\.cluster\.local\. A NODATA; api6\.shop\.svc\.cluster\.local\. AAAA fd00:10:96::60$/);
    expect(t.steps.find((s) => s.stage === "service")?.detail).toMatch(/ClusterIP fd00:10:96::60/);
    expect((t.steps.find((s) => s.stage === "endpoints")?.endpoints ?? []).map((e) => `${e.name} ${e.address}`)).toEqual(["api fd00:10:244:1::10"]);
  });
});
