/**
 * Concurrency on the real data plane (root): 20 kwire-cni processes ADD at once into one fresh
 * node netns (racing to create the bridge and for IPAM), then DEL at once. Names: `kw-t-pa<pid>-*`.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { builtPluginOnNetns } from "./testing/suite.js";
import { inNetns, json, labSkipReason, runPlugin } from "./testing/lab.js";

/** Per-process netns prefix, so two concurrent test runs never share a netns. */
const NS = `kw-t-pa${process.pid}`;
const skip = labSkipReason();
const N = 20;
const NODE = `${NS}-node`;
const PODS = Array.from({ length: N }, (_, i) => `${NS}-p${i}`);
const tmp = mkdtempSync(join(tmpdir(), "kw-pa-"));
let bin: string[] = [];
const conf = {
  cniVersion: "1.0.0", name: "kwpa", type: "kwire", bridge: "kw-t-pa0", isDefaultGateway: true,
  ipam: { type: "host-local", dataDir: join(tmp, "ipam"), ranges: [[{ subnet: "10.221.0.0/24" }]] },
};

describe.skipIf(skip !== undefined)(`parallel ADD/DEL through the binary${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  builtPluginOnNetns(tmp, [NODE, ...PODS], (b) => {
    bin = b;
  });

  it(`${N} concurrent ADDs get distinct addresses and one bridge; concurrent DELs clean up`, async () => {
    const adds = await Promise.all(PODS.map((p, i) => runPlugin(bin, NODE, { command: "ADD", containerID: `c${i}`, netns: p, ifname: "eth0" }, conf)));
    expect(adds.filter((r) => r.code !== 0).map((r) => r.stdout)).toEqual([]);
    const ips = adds.map((r) => (json(r)["ips"] as { address: string }[])[0]?.address);
    expect(new Set(ips).size).toBe(N);
    expect(inNetns(NODE, ["ip", "-o", "link", "show", "master", "kw-t-pa0"]).trim().split("\n").length).toBe(N);
    expect(inNetns(`${NS}-p0`, ["ping", "-c", "1", "-W", "2", String(ips[N - 1]).split("/")[0] ?? ""])).toContain("1 received");
    const dels = await Promise.all(PODS.map((p, i) => runPlugin(bin, NODE, { command: "DEL", containerID: `c${i}`, netns: p, ifname: "eth0" }, conf)));
    expect(dels.map((r) => r.code)).toEqual(new Array<number>(N).fill(0));
    expect(readdirSync(join(tmp, "ipam", "kwpa")).filter((f) => f.startsWith("10."))).toEqual([]);
    expect(inNetns(NODE, ["ip", "-o", "link"])).not.toMatch(/kwv/);
  }, 120_000);
});
