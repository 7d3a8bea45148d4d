/**
 * hostPort (core/v1 ContainerPort.hostPort / hostIP) through the CNI portmap plugin, driven
 * through `kwire trace` and `kwire lint` on fixtures/scenarios/hostport.
 *
 * Sources of each rule:
 * - portmap DNATs NODE:hostPort to POD:containerPort on the pod's node, for destination addresses
 *   local to the node (`--dst-type LOCAL`), restricted to hostIP when given; its SNAT only covers
 *   hairpin and localhost traffic (`snat` default true, `masqAll` default false), so the pod sees
 *   the client's address: https://www.cni.dev/plugins/current/meta/portmap/ (containernetworking/
 *   plugins plugins/meta/portmap/README.md, "Rule structure").
 * - hostPort needs the portMappings capability in the CNI configuration:
 *   https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/#support-hostport
 * - "If specified, this must be a valid port number, 0 < x < 65536" (ContainerPort.hostPort,
 *   https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports).
 */
import { describe, expect, it } from "vitest";
import { run, scenario } from "./harness.js";

const F = ["-f", scenario("hostport", "cluster.yaml")];
const WITH_PORTMAP = ["-f", "fixtures/scenarios/hostport/net.d-portmap"];
const WITHOUT_PORTMAP = ["-f", "fixtures/scenarios/hostport/net.d-no-portmap"];

interface Step { stage: string; result: string; detail: string }
async function trace(args: readonly string[]): Promise<{ code: number; verdict: string; steps: Step[]; stderr: string }> {
  const r = await run(["trace", ...args, "-o", "json"]);
  if (r.code === 2) return { code: 2, verdict: "", steps: [], stderr: r.stderr };
  const j = JSON.parse(r.stdout) as { verdict: string; steps: Step[] };
  return { code: r.code, verdict: j.verdict, steps: j.steps, stderr: r.stderr };
}
const step = (steps: readonly Step[], stage: string): Step | undefined => steps.find((s) => s.stage === stage);

describe("kwire trace to NODE:hostPort reaches the pod (CNI portmap DNAT)", () => {
  it("from the internet: DNAT to the pod's containerPort; the pod's ingress policy sees the client address (allowed: 203.0.113.0/24)", async () => {
    const t = await trace(["--from", "internet", "192.168.1.11:8080", ...F]);
    expect(t).toMatchObject({ code: 0, verdict: "allowed" });
    expect(step(t.steps, "hostport")?.detail).toMatch(/hostPort 8080\/TCP of pod web\/edge on node n1: the CNI portmap plugin DNATs it to 10\.244\.1\.10:80/);
    expect(step(t.steps, "ingress-policy")?.result).toBe("allowed");
  });

  it("a client outside the ipBlock is denied by the same ingress policy: no SNAT hides its address", async () => {
    const t = await trace(["--from-ip", "198.51.100.9", "192.168.1.11:8080", ...F]);
    expect(t).toMatchObject({ code: 1, verdict: "denied" });
    expect(step(t.steps, "ingress-policy")?.detail).toMatch(/ipBlock 203\.0\.113\.0\/24 does not contain 198\.51\.100\.9/);
  });

  it("a pod on another node sends to the node address: its egress sees 192.168.1.11 (allowed by the ipBlock rule)", async () => {
    const t = await trace(["client/far", "192.168.1.11:8080", ...F]);
    expect(t).toMatchObject({ code: 0, verdict: "allowed" });
    expect(step(t.steps, "route")?.detail).toMatch(/from node n2 to node n1, which translates it/);
  });

  it("a pod on the same node is translated before it is forwarded: its egress sees the pod address (denied)", async () => {
    const t = await trace(["client/near", "192.168.1.11:8080", ...F]);
    expect(t).toMatchObject({ code: 1, verdict: "denied" });
    expect(step(t.steps, "egress-policy")?.detail).toMatch(/ipBlock 192\.168\.1\.0\/24 does not contain IP 10\.244\.1\.10/);
  });

  it("hostIP binds the port to one node address: the node's other address refuses it", async () => {
    expect(await trace(["--from", "internet", "192.168.1.12:8081", ...F])).toMatchObject({ code: 0, verdict: "allowed" });
    const other = await trace(["--from", "internet", "198.51.100.12:8081", ...F]);
    expect(other).toMatchObject({ code: 1, verdict: "denied" });
    expect(step(other.steps, "service")?.detail).toMatch(/no pod with hostPort 8081 on this address/);
  });

  it("another node, or another port, has no such hostPort", async () => {
    expect(await trace(["--from", "internet", "192.168.1.12:8080", ...F])).toMatchObject({ code: 1, verdict: "denied" });
    expect(await trace(["--from", "internet", "192.168.1.11:8081", ...F])).toMatchObject({ code: 1, verdict: "denied" });
  });

  it("without a CNI configuration the step says portmap is assumed; with one that lacks portmap the connection is refused", async () => {
    const assumed = await trace(["--from", "internet", "192.168.1.11:8080", ...F]);
    expect(step(assumed.steps, "hostport")?.detail).toMatch(/no CNI configuration in the input: kwire assumes the CNI chains portmap/);
    const mapped = await trace(["--from", "internet", "192.168.1.11:8080", ...F, ...WITH_PORTMAP]);
    expect(mapped.verdict).toBe("allowed");
    expect(step(mapped.steps, "hostport")?.detail).not.toMatch(/assumes/);
    const none = await trace(["--from", "internet", "192.168.1.11:8080", ...F, ...WITHOUT_PORTMAP]);
    expect(none).toMatchObject({ code: 1, verdict: "denied" });
    expect(step(none.steps, "hostport")?.detail).toMatch(/no plugin with the portMappings capability \(portmap\): nothing on node n1 forwards the port/);
  });
});

describe("kwire lint: missing-portmap-with-hostport", () => {
  it("fires for each pod with a hostPort when the CNI configuration has no portmap, at the pod", async () => {
    const r = await run(["lint", ...F, ...WITHOUT_PORTMAP, "--check", "missing-portmap-with-hostport", "-o", "json"]);
    const f = (JSON.parse(r.stdout) as { findings: { object: string; line: number; severity: string }[] }).findings;
    expect(f.map((x) => `${x.object}:${x.line}:${x.severity}`)).toEqual(["Pod web/edge:26:warning", "Pod web/bound:34:warning"]);
  });

  it("is silent with portmap in the chain, and without any CNI configuration (kwire cannot tell)", async () => {
    for (const extra of [WITH_PORTMAP, []]) {
      const r = await run(["lint", ...F, ...extra, "--check", "missing-portmap-with-hostport", "-o", "json"]);
      expect((JSON.parse(r.stdout) as { findings: unknown[] }).findings).toEqual([]);
    }
  });
});

describe("hostPort decoding", () => {
  it("a hostPort outside 1-65535 is an error on that field; the containerPort stays", async () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata: { name: p, namespace: x }
spec: { containers: [{ name: c, image: i, ports: [{ containerPort: 80, hostPort: 70000 }] }] }
`;
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], yaml);
    expect(r.stderr).toMatch(/<stdin>:4:.*hostPort 70000 is outside 1-65535/);
    expect(r.code).toBe(0);
  });
});

describe("kwire matrix: hostPorts are north-south exposure from the node", () => {
  it("workload level: node/NAME => pod : containerPort, not evaluated (the verdict depends on the client), in table and JSON", async () => {
    const t = await run(["matrix", ...F]);
    expect(t.stdout).toMatch(/^node\/n1\s+web\/edge\[Pod\]\s+TCP:80\s+not evaluated\s+hostPort web\/edge \(192\.168\.1\.11 hostPort 8080\/TCP\)$/m);
    expect(t.stdout).toMatch(/^node\/n2\s+web\/bound\[Pod\]\s+TCP:81\s+not evaluated\s+hostPort web\/bound \(192\.168\.1\.12 hostPort 8081\/TCP\)$/m);
    const j = JSON.parse((await run(["matrix", ...F, "-o", "json"])).stdout) as { exposures: { src: string; dst: string; evaluated: boolean; via: { via: string; host: string }[] }[] };
    expect(j.exposures.map((e) => `${e.src} ${e.dst} ${e.evaluated} ${e.via[0]?.via} ${e.via[0]?.host}`)).toEqual([
      "node/n1 web/edge[Pod] false hostPort 192.168.1.11",
      // hostIP binds the port to that address only.
      "node/n2 web/bound[Pod] false hostPort 192.168.1.12",
    ]);
  });

  it("a CNI configuration without portmap exposes no hostPort, and says so", async () => {
    const r = await run(["matrix", ...F, ...WITHOUT_PORTMAP, "-o", "json"]);
    expect("exposures" in (JSON.parse(r.stdout) as object)).toBe(false);
    expect(r.stderr).toContain("2 hostPort(s) are not exposed: the CNI configuration in the input has no portmap plugin");
  });

  it("--level service lists the hostPort rows (HOST = the node address, PATH = hostPort N/PROTO)", async () => {
    const r = await run(["matrix", "--level", "service", ...F]);
    expect(r.stdout).toMatch(/^192\.168\.1\.11\s+hostPort 8080\/TCP\s+hostPort web\/edge\s+node\/n1\s+web\/edge:80\s+web\/edge:80$/m);
  });
});
