/**
 * Real data-plane tests (root): the built kwire-cni binary driven like a runtime, in a throwaway
 * node netns `kw-t-cl<pid>-node` with pods `kw-t-cl<pid>-p*`, plus runCni in-process with a real Host.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createHost, hostInNetns } from "../host.js";
import { DiskStore } from "../ipam/index.js";
import { runCni } from "./main.js";
import { hostVethName } from "./names.js";
import { builtPluginOnNetns } from "./testing/suite.js";
import { inNetns, json, labSkipReason, runPlugin, type Invocation } from "./testing/lab.js";

/** Per-process netns prefix, so two concurrent test runs never share a netns. */
const NS = `kw-t-cl${process.pid}`;
const skip = labSkipReason();
const NODE = `${NS}-node`;
const PODS = [`${NS}-p1`, `${NS}-p2`, `${NS}-p3`];
const tmp = mkdtempSync(join(tmpdir(), "kw-cl-"));
let bin: string[] = [];

const config = (over: Record<string, unknown> = {}) => ({
  cniVersion: "1.1.0", name: "kwcl", type: "kwire", bridge: "kw-t-cl0", isGateway: true, isDefaultGateway: true,
  hairpinMode: true, ipMasq: true, mtu: 1400,
  ipam: { type: "host-local", dataDir: join(tmp, "ipam"), ranges: [[{ subnet: "10.201.0.0/24" }], [{ subnet: "fd20:1::/64" }]] },
  ...over,
});
const kw = (inv: Invocation, conf: unknown = config()) => runPlugin(bin, NODE, inv, conf);
const add = (id: string, pod: string) => kw({ command: "ADD", containerID: id, netns: pod, ifname: "eth0" });

describe.skipIf(skip !== undefined)(`kwire-cni binary on a real netns data plane${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  builtPluginOnNetns(tmp, [NODE, ...PODS], (b) => {
    bin = b;
  });

  it("VERSION answers with the supported versions", async () => {
    const r = await kw({ command: "VERSION" }, { cniVersion: "1.1.0" });
    expect([r.code, json(r)["supportedVersions"]]).toEqual([0, ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]]);
  });

  it("ADD wires two pods that can ping each other and their gateway", async () => {
    const [r1, r2] = await Promise.all([add("ctr-1", `${NS}-p1`), add("ctr-2", `${NS}-p2`)]);
    expect([r1?.code, r1?.stderr, r2?.code]).toEqual([0, "", 0]);
    const res = json(r1 ?? { stdout: "", stderr: "", code: 1, ms: 0 });
    expect(res["interfaces"]).toMatchObject([{ name: "kw-t-cl0" }, { name: hostVethName("ctr-1", "eth0") }, { name: "eth0", sandbox: `/var/run/netns/${NS}-p1` }]);
    const other = json(r2 ?? { stdout: "", stderr: "", code: 1, ms: 0 });
    const ips = (other["ips"] as { address: string }[]).map((i) => i.address.split("/")[0] ?? "");
    for (const ip of [...ips, "10.201.0.1"]) {
      expect(inNetns(`${NS}-p1`, ["ping", "-c", "1", "-W", "2", ip])).toContain("1 received");
    }
    expect(inNetns(`${NS}-p1`, ["ip", "link", "show", "eth0"])).toContain("mtu 1400");
    expect(inNetns(NODE, ["cat", "/proc/sys/net/ipv4/ip_forward"]).trim()).toBe("1");
    expect(inNetns(NODE, ["nft", "list", "table", "inet", "kwire-cni"])).toContain("masquerade");
  });

  it("CHECK passes against prevResult and fails (code 104) once a route is gone", async () => {
    const r = await add("ctr-3", `${NS}-p3`);
    const prevResult = json(r);
    const check = () => kw({ command: "CHECK", containerID: "ctr-3", netns: `${NS}-p3`, ifname: "eth0" }, config({ prevResult }));
    expect((await check()).code).toBe(0);
    inNetns(`${NS}-p3`, ["ip", "route", "del", "default"]);
    const bad = await check();
    expect(json(bad)).toMatchObject({ code: 104, msg: expect.stringContaining("route 0.0.0.0/0 via 10.201.0.1 is missing") });
  });

  it("STATUS succeeds while addresses remain", async () => {
    expect(await kw({ command: "STATUS" })).toMatchObject({ code: 0, stdout: "" });
  });

  it("GC frees what is not in cni.dev/valid-attachments; DEL is idempotent and tolerates a missing netns", async () => {
    const valid = [{ containerID: "ctr-1", ifname: "eth0" }, { containerID: "ctr-3", ifname: "eth0" }];
    expect((await kw({ command: "GC" }, config({ "cni.dev/valid-attachments": valid }))).code).toBe(0);
    expect(inNetns(NODE, ["ip", "link"])).not.toContain(hostVethName("ctr-2", "eth0"));
    expect((await new DiskStore(join(tmp, "ipam"), "kwcl").list()).map((r) => r.containerID)).toEqual(["ctr-1", "ctr-3", "ctr-1", "ctr-3"]);
    for (let i = 0; i < 2; i++) {
      expect((await kw({ command: "DEL", containerID: "ctr-1", netns: `${NS}-p1`, ifname: "eth0" })).code).toBe(0);
      expect((await kw({ command: "DEL", containerID: "ctr-3", netns: `${NS}-gone`, ifname: "eth0" })).code).toBe(0);
    }
    expect(readdirSync(join(tmp, "ipam", "kwcl")).filter((f) => /^[0-9a-f]/.test(f) && !f.startsWith("last"))).toEqual([]);
    expect(inNetns(NODE, ["ip", "-o", "link"])).not.toMatch(/kwv/);
    expect(inNetns(NODE, ["nft", "list", "map", "inet", "kwire-cni", "masq4"])).not.toContain("10.201.");
  });

  it("runCni in-process with a real Host (node netns via hostInNetns) does ADD and DEL", async () => {
    const deps = { host: hostInNetns(createHost(), NODE), openStore: (d: string, n: string) => new DiskStore(d, n) };
    const env = { CNI_COMMAND: "ADD", CNI_CONTAINERID: "inproc", CNI_NETNS: `/var/run/netns/${NS}-p2`, CNI_IFNAME: "net1", CNI_PATH: "/usr/lib/cni" };
    const out = await runCni(env, JSON.stringify(config({ ipMasq: false })), deps);
    expect(out.exitCode).toBe(0);
    expect(inNetns(`${NS}-p2`, ["ip", "-o", "addr", "show", "net1"])).toContain("10.201.0.");
    expect(await runCni({ ...env, CNI_COMMAND: "DEL" }, JSON.stringify(config({ ipMasq: false })), deps)).toEqual({ stdout: "", exitCode: 0 });
    expect(inNetns(`${NS}-p2`, ["ip", "-o", "link"])).not.toContain("net1");
  });
});
