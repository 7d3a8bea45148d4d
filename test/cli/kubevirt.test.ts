/**
 * KubeVirt VirtualMachine / VirtualMachineInstance (kubevirt.io/v1) as workloads, through
 * `kwire matrix` and `kwire trace` on fixtures/scenarios/kubevirt.
 *
 * Sources:
 * - virt-launcher pod labels: kubevirt/kubevirt pkg/virt-controller/services/template.go
 *   `podLabels` (the VMI's labels, plus `kubevirt.io: virt-launcher`, `kubevirt.io/created-by:
 *   <VMI uid>`, `vm.kubevirt.io/name: <hostname>`), asserted in template_test.go; the launcher pod
 *   is owned by its VMI (`metav1.NewControllerRef(vmi, …)`).
 * - A VM's VMI carries `spec.template.metadata.labels` and the VM's name
 *   (https://kubevirt.io/user-guide/user_workloads/lifecycle/); `runStrategy` / `running`
 *   (https://kubevirt.io/user-guide/user_workloads/vm_run_strategies/).
 * - Services and policies select VMs by those labels (https://kubevirt.io/user-guide/network/service_objects/).
 */
import { describe, expect, it } from "vitest";
import { run, scenario } from "./harness.js";

const F = ["-f", scenario("kubevirt", "cluster.yaml")];

interface Endpoint { id: string; kind: string; labels: Record<string, string> }
interface Doc { endpoints: Endpoint[]; connections: { src: string; dst: string; ports: unknown }[] }

async function matrix(level: string): Promise<Doc> {
  const r = await run(["matrix", ...F, "--level", level, "-o", "json"]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Doc;
}

async function verdict(args: readonly string[]): Promise<string> {
  const r = await run(["trace", ...args, ...F, "-o", "json"]);
  expect([0, 1], r.stderr).toContain(r.code);
  return (JSON.parse(r.stdout) as { verdict: string }).verdict;
}

describe("KubeVirt VMs are workloads with their launcher pod's labels", () => {
  it("a VM without a listed pod is a VirtualMachine endpoint with the template labels plus virt-controller's", async () => {
    const d = await matrix("workload");
    const vm = d.endpoints.find((e) => e.id === "vms/batch-vm[VirtualMachine]");
    expect(vm?.kind).toBe("VirtualMachine");
    expect(vm?.labels).toEqual({ app: "batch", "kubevirt.io": "virt-launcher", "vm.kubevirt.io/name": "batch-vm" });
  });

  it("a VMI on its own carries its metadata labels, created-by its uid, and vm.kubevirt.io/name", async () => {
    const d = await matrix("workload");
    expect(d.endpoints.find((e) => e.id === "vms/ephemeral[VirtualMachineInstance]")?.labels).toEqual({
      special: "key", "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "9a0e-eph", "vm.kubevirt.io/name": "ephemeral",
    });
  });

  it("a launcher pod owned by the VMI of a declared VM folds into the VM (kubectl get pods output)", async () => {
    const d = await matrix("workload");
    expect(d.endpoints.map((e) => e.id)).toContain("vms/db-vm[VirtualMachine]");
    expect(d.endpoints.some((e) => e.id.includes("virt-launcher-db-vm"))).toBe(false);
    const pods = await matrix("pod");
    expect(pods.endpoints.map((e) => e.id)).toContain("vms/virt-launcher-db-vm-x7k2p");
  });

  it("policies select VMs: by template labels on the interface's named port, by vm.kubevirt.io/name, and kubevirt.io=virt-launcher isolates every launcher's egress", async () => {
    const d = await matrix("workload");
    const pairs = d.connections.map((c) => `${c.src} -> ${c.dst} ${JSON.stringify(c.ports)}`);
    expect(pairs).toContain('vms/app[Deployment] -> vms/db-vm[VirtualMachine] [{"protocol":"TCP","from":5432,"to":5432}]');
    expect(pairs).toContain('vms/app[Deployment] -> vms/ephemeral[VirtualMachineInstance] [{"protocol":"TCP","from":22,"to":22}]');
    expect(pairs.some((p) => p.startsWith("vms/other[Deployment] -> vms/db-vm"))).toBe(false);
    expect(d.connections.some((c) => c.src.endsWith("[VirtualMachine]") || c.src.endsWith("[VirtualMachineInstance]"))).toBe(false);
  });

  it("kwire trace names VMs as vm/NAME and vmi/NAME (-n), and a Service selects the VM's launcher pod", async () => {
    expect(await verdict(["vms/app", "vm/db-vm:pg", "-n", "vms"])).toBe("allowed");
    expect(await verdict(["vms/other", "vm/db-vm:5432", "-n", "vms"])).toBe("denied");
    expect(await verdict(["vms/app", "vmi/ephemeral:22", "-n", "vms"])).toBe("allowed");
    expect(await verdict(["vms/app", "svc/db:5432", "-n", "vms"])).toBe("allowed");
  });

  it("a VM that does not run (runStrategy Halted) gives the Service no endpoint", async () => {
    const r = await run(["trace", "vms/app", "svc/db:5432", "-n", "vms", ...F, "-o", "json"]);
    const ep = (JSON.parse(r.stdout) as { steps: { stage: string; endpoints?: { name: string }[] }[] }).steps.find((s) => s.stage === "endpoints");
    expect(ep?.endpoints?.map((e) => e.name)).toEqual(["virt-launcher-db-vm-x7k2p"]);
  });

  it("another group's VirtualMachine kind is not taken for KubeVirt's: kept and reported as not modelled", async () => {
    const r = await run(["matrix", ...F]);
    expect(r.stderr).toContain("read but not modelled (kept, not analysed): 1 VirtualMachine");
  });
});

describe("docs/schemas/matrix.schema.json accepts VirtualMachine and VirtualMachineInstance endpoints (Ajv, strict)", () => {
  it("validates the workload matrix of the KubeVirt fixture", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    const { ROOT } = await import("./harness.js");
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const dir = join(ROOT, "docs", "schemas");
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".schema.json"))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")) as object);
    const v = ajv.getSchema("https://schemas.kwire.invalid/matrix.schema.json");
    const doc = await matrix("workload");
    expect(doc.endpoints.some((e) => e.kind === "VirtualMachineInstance")).toBe(true);
    expect(v?.(doc) ? [] : v?.errors).toEqual([]);
    expect(v?.({ ...doc, endpoints: [{ ...doc.endpoints[0], kind: "VirtualMachineSnapshot" }] })).toBe(false);
  });
});
