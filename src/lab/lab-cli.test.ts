/**
 * @module lab/lab-cli.test
 * `kwire lab up` option checking, run in-process as a user would (test/cli/harness.ts): bad
 * --backend, --bgp-topology and --pod-mtu values are usage errors (exit 2) that name the value and
 * the choices, before anything touches the kernel (no root needed). `lab status` with no lab.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../test/cli/harness.js";

const dir = mkdtempSync(join(tmpdir(), "kw-lab-cli-"));
const saved = process.env["KWIRE_LAB_DIR"];

describe("kwire lab up: options", () => {
  beforeAll(() => { process.env["KWIRE_LAB_DIR"] = join(dir, "lab"); });
  afterAll(() => {
    if (saved === undefined) delete process.env["KWIRE_LAB_DIR"];
    else process.env["KWIRE_LAB_DIR"] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it("--backend must be routes, host-gw, vxlan or bgp", async () => {
    const r = await run(["lab", "up", "-f", "fixtures/demo/cluster.yaml", "--backend", "calico"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--backend must be one of routes, host-gw, vxlan, bgp, not "calico"');
  });

  it("--bgp-topology must be mesh or rr", async () => {
    const r = await run(["lab", "up", "-f", "fixtures/demo/cluster.yaml", "--backend", "bgp", "--bgp-topology", "star"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bgp-topology must be one of mesh, rr, not "star"');
  });

  it("--pod-mtu must be between 576 and 9000", async () => {
    const r = await run(["lab", "up", "-f", "fixtures/demo/cluster.yaml", "--pod-mtu", "100"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--pod-mtu must be between 576 and 9000, not 100");
  });

  // docs/lab-calico-cilium.md: the lab analyses the input as kwire matrix does (analyzeCluster).
  it("--cni must name a known CNI; Calico and Cilium policies together need --cni (exit 2, before the kernel)", async () => {
    const bad = await run(["lab", "up", "-f", "fixtures/examples/calico-database.yaml", "--cni", "nosuch"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown CNI "nosuch"');
    const both = await run(["lab", "up", "-f", "fixtures/examples/calico-database.yaml", "-f", "fixtures/examples/cilium-l3-l4-entities.yaml"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("give --cni calico or --cni cilium");
  });

  it("--ip-family must be ipv4, ipv6 or dual", async () => {
    const r = await run(["lab", "up", "-f", "fixtures/demo/cluster.yaml", "--ip-family", "ipv5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ip-family must be one of ipv4, ipv6, dual, not "ipv5"');
  });

  it("lab status and lab probe --mtu without a lab: exit 1, saying so", async () => {
    const s = await run(["lab", "status"]);
    expect([s.code, s.stdout]).toEqual([1, `no lab is up (no state in ${join(dir, "lab")})\n`]);
    const m = await run(["lab", "probe", "--mtu"]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain("no lab is up");
  });
});
