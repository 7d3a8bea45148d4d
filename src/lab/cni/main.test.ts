import { describe, expect, it } from "vitest";
import { parseCniArgs, runCni } from "./main.js";
import { baseConfig, deps, fakeNode, NETNS } from "./testing/fixtures.js";

const env = (over: Record<string, string | undefined> = {}) => ({
  CNI_COMMAND: "ADD", CNI_CONTAINERID: "ctr1", CNI_NETNS: NETNS, CNI_IFNAME: "eth0", CNI_PATH: "/usr/lib/cni", ...over,
});
const stdin = (over: Record<string, unknown> = {}) => JSON.stringify(baseConfig(over));
const errorOf = async (e: Record<string, string | undefined>, s: string) => {
  const out = await runCni(e, s, deps(fakeNode()));
  expect(out.exitCode).toBe(1);
  return JSON.parse(out.stdout) as unknown;
};

describe("skeleton | VERSION", () => {
  it("lists supported versions", async () => {
    const out = await runCni({ CNI_COMMAND: "VERSION" }, '{"cniVersion":"1.1.0"}');
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ cniVersion: "1.1.0", supportedVersions: ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] });
  });
});

describe("skeleton | spec error JSON", () => {
  it.each([
    [{ CNI_COMMAND: undefined }, stdin(), { cniVersion: "1.1.0", code: 4, msg: "required env variables [CNI_COMMAND] missing" }],
    [{ CNI_COMMAND: "FROB" }, stdin(), { cniVersion: "1.1.0", code: 4, msg: "unknown CNI_COMMAND: FROB" }],
    [{ CNI_NETNS: undefined, CNI_IFNAME: "" }, stdin(), { cniVersion: "1.1.0", code: 4, msg: "required env variables [CNI_NETNS,CNI_IFNAME] missing" }],
    [{ CNI_IFNAME: "eth0/x" }, stdin(), { cniVersion: "1.1.0", code: 4, msg: 'invalid CNI_IFNAME "eth0/x" (at most 15 characters, no \'/\', \':\' or whitespace)' }],
    [{ CNI_ARGS: "IgnoreUnknown=1;oops" }, stdin(), { cniVersion: "1.1.0", code: 4, msg: 'invalid CNI_ARGS pair "oops" (want KEY=VALUE)' }],
    [{}, "{not json", { cniVersion: "1.1.0", code: 6, msg: expect.stringMatching(/^failed to decode content: /) }],
    [{}, stdin({ cniVersion: "0.1.0" }), { cniVersion: "1.1.0", code: 1, msg: expect.stringContaining('config is "0.1.0"') }],
    [{ CNI_COMMAND: "CHECK" }, stdin({ cniVersion: "0.3.1" }), { cniVersion: "0.3.1", code: 1, msg: "config version 0.3.1 does not allow CHECK (needs 0.4.0 or later)" }],
    [{ CNI_COMMAND: "GC" }, stdin({ cniVersion: "1.0.0" }), { cniVersion: "1.0.0", code: 1, msg: "config version 1.0.0 does not allow GC (needs 1.1.0 or later)" }],
    [{ CNI_NETNS: "/var/run/netns/nope" }, stdin(), { cniVersion: "1.1.0", code: 3, msg: 'container netns "/var/run/netns/nope" does not exist', details: "/var/run/netns/nope" }],
  ])("%j", async (e, s, want) => {
    expect(await errorOf(env(e), s)).toEqual(want);
  });
});

describe("skeleton | success", () => {
  it("prints the ADD result; DEL prints nothing; DEL without CNI_NETNS is fine", async () => {
    const d = deps(fakeNode());
    const add = await runCni(env(), stdin(), d);
    expect(add.exitCode).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ cniVersion: "1.1.0", ips: [{ address: "10.9.0.2/29" }, { address: "fd09::2/120" }] });
    expect(await runCni(env({ CNI_COMMAND: "DEL", CNI_NETNS: undefined }), stdin(), d)).toEqual({ stdout: "", exitCode: 0 });
  });
  it("honours CNI_ARGS IP=", async () => {
    const out = await runCni(env({ CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.9.0.5" }), stdin(), deps(fakeNode()));
    expect(JSON.parse(out.stdout)).toMatchObject({ ips: [{ address: "10.9.0.5/29" }, { address: "fd09::2/120" }] });
  });
  it("parses CNI_ARGS", () => {
    expect(parseCniArgs("A=1;B=x=y;;")).toEqual({ A: "1", B: "x=y" });
  });
});
