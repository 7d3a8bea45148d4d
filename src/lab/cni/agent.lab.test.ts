/**
 * Agent mode on the real data plane (root): `kwire cni agent` (agent-bin.js) in a throwaway node
 * netns `kw-c-ag<pid>-node`, the bin/kwire-cni shim reached through a symlink (as a runtime's
 * CNI_PATH would), compared with the standalone plugin. Pods `kw-c-ag<pid>-p*`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileCni, REPO_ROOT } from "./testing/build.js";
import { inNetns, json, labSkipReason, netnsAdd, netnsDel, runPlugin, stopAgent, waitForAgent, type Invocation, type PluginRun } from "./testing/lab.js";

const NS = `kw-c-ag${process.pid}`;
const skip = labSkipReason() ?? (existsSync("/usr/bin/nc") || existsSync("/bin/nc") ? undefined : "needs nc (apt-get install netcat-openbsd)");
const NODE = `${NS}-node`;
const N = 20;
const PODS = Array.from({ length: N }, (_, i) => `${NS}-p${i}`);
const SOCK = `kw-c-ag${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), "kw-c-ag-"));
const pkg = join(tmp, "pkg");
const shimLink = join(tmp, "cni-bin", "kwire");
const pidFile = join(tmp, "agent.pid");
let standaloneJs = "";
let agentJs = "";
let agent: ChildProcess | undefined;
const agentLog: string[] = [];

const config = (over: Record<string, unknown> = {}) => ({
  cniVersion: "1.1.0", name: "kwag", type: "kwire", bridge: "kw-c-ag0", isGateway: true, isDefaultGateway: true, mtu: 1400,
  ipam: { type: "host-local", dataDir: join(tmp, "ipam"), ranges: [[{ subnet: "10.226.0.0/24" }]] },
  ...over,
});
const viaShim = (inv: Invocation, conf: unknown = config(), env: Record<string, string> = { KWIRE_CNI_AGENT: SOCK }) => runPlugin([shimLink], NODE, inv, conf, env);
const standalone = (inv: Invocation, conf: unknown = config()) => runPlugin([process.execPath, standaloneJs], NODE, inv, conf);
const same = (r: PluginRun) => ({ code: r.code, stdout: r.stdout });
const ipamFiles = () => (existsSync(join(tmp, "ipam", "kwag")) ? readdirSync(join(tmp, "ipam", "kwag")).filter((f) => f.startsWith("10.")) : []);

function startAgent(socket: string, extra: string[] = []): ChildProcess {
  const child = spawn("nsenter", [`--net=/var/run/netns/${NODE}`, "--", process.execPath, agentJs, "--socket", socket, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  return child;
}

describe.skipIf(skip !== undefined)(`kwire-cni agent mode on a real netns data plane${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  beforeAll(async () => {
    standaloneJs = compileCni(join(pkg, "dist"), ["lab/cni/agent-bin.ts"]);
    agentJs = join(pkg, "dist/lab/cni/agent-bin.js");
    mkdirSync(join(pkg, "bin"), { recursive: true });
    copyFileSync(join(REPO_ROOT, "bin/kwire-cni"), join(pkg, "bin/kwire-cni"));
    chmodSync(join(pkg, "bin/kwire-cni"), 0o755);
    mkdirSync(join(tmp, "cni-bin"));
    symlinkSync(join(pkg, "bin/kwire-cni"), shimLink);
    netnsDel(NODE, ...PODS);
    for (const n of [NODE, ...PODS]) netnsAdd(n);
    agent = startAgent(SOCK, ["--verbose", "--pid-file", pidFile]);
    await waitForAgent(agent);
    agent.stderr?.on("data", (c: Buffer) => agentLog.push(...c.toString("utf8").split("\n").filter((l) => l !== "")));
  });
  afterAll(async () => {
    if (agent !== undefined) await stopAgent(agent);
    netnsDel(NODE, ...PODS);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("VERSION and every error answer byte for byte like the standalone plugin", async () => {
    const cases: [Invocation, unknown][] = [
      [{ command: "VERSION" }, { cniVersion: "1.0.0" }],
      [{ command: "" }, config()],
      [{ command: "FROB" }, config()],
      [{ command: "ADD", containerID: "e1", netns: PODS[0] ?? "", ifname: "eth0" }, "{not json\n\n"],
      [{ command: "ADD", containerID: "e1", netns: PODS[0] ?? "", ifname: "eth0" }, config({ cniVersion: "0.2.0" })],
      [{ command: "ADD", containerID: "e1", netns: PODS[0] ?? "", ifname: "a/b" }, config()],
      [{ command: "ADD", containerID: "e1", netns: `${NS}-gone`, ifname: "eth0" }, config()],
      [{ command: "ADD", containerID: "e1", netns: PODS[0] ?? "", ifname: "eth0", args: "IP=10.9.9.9" }, config()],
      [{ command: "CHECK", containerID: "e1", netns: PODS[0] ?? "", ifname: "eth0" }, config()],
      [{ command: "DEL", containerID: "e1", ifname: "eth0" }, config({ ipam: { type: "dhcp" } })],
    ];
    for (const [inv, conf] of cases) {
      const [a, b] = [await viaShim(inv, conf), await standalone(inv, conf)];
      expect({ inv, ...same(a), stderr: a.stderr }).toEqual({ inv, ...same(b), stderr: "" });
    }
    expect(ipamFiles()).toEqual([]);
  });

  it("ADD, CHECK and DEL through the agent match the standalone plugin; the pod is wired", async () => {
    const inv = (command: string): Invocation => ({ command, containerID: "same", netns: PODS[1] ?? "", ifname: "eth0", args: "IP=10.226.0.50" });
    const a = await viaShim(inv("ADD"));
    expect([a.code, a.stderr]).toEqual([0, ""]);
    expect(inNetns(PODS[1] ?? "", ["ping", "-c", "1", "-W", "2", "10.226.0.1"])).toContain("1 received");
    const prevResult = json(a);
    const check = config({ prevResult });
    expect(same(await viaShim(inv("CHECK"), check))).toEqual({ code: 0, stdout: "" });
    expect(same(await standalone(inv("CHECK"), check))).toEqual({ code: 0, stdout: "" });
    const again = [await viaShim(inv("ADD")), await standalone(inv("ADD"))];
    expect(same(again[0] as PluginRun)).toEqual(same(again[1] as PluginRun));
    expect(json(again[0] as PluginRun)).toMatchObject({ code: 103 });
    expect(same(await viaShim(inv("DEL")))).toEqual({ code: 0, stdout: "" });
    const b = await standalone(inv("ADD"));
    expect(same(b)).toEqual(same(a));
    expect(same(await standalone(inv("DEL")))).toEqual({ code: 0, stdout: "" });
    expect(same(await viaShim(inv("DEL")))).toEqual({ code: 0, stdout: "" });
    expect(inNetns(NODE, ["ip", "-o", "link"])).not.toMatch(/kwv/);
    expect(ipamFiles()).toEqual([]);
    expect(agentLog.filter((l) => l.includes(" same eth0 ")).length).toBe(5);
  });

  it(`${N} parallel ADDs through the agent get distinct addresses; parallel DELs clean up`, async () => {
    const inv = (command: string, i: number): Invocation => ({ command, containerID: `c${i}`, netns: PODS[i] ?? "", ifname: "eth0" });
    const adds = await Promise.all(PODS.map((_, i) => viaShim(inv("ADD", i))));
    expect(adds.filter((r) => r.code !== 0).map((r) => r.stdout)).toEqual([]);
    const ips = adds.map((r) => (json(r)["ips"] as { address: string }[])[0]?.address);
    expect(new Set(ips).size).toBe(N);
    expect(inNetns(NODE, ["ip", "-o", "link", "show", "master", "kw-c-ag0"]).trim().split("\n").length).toBe(N);
    expect(inNetns(PODS[0] ?? "", ["ping", "-c", "1", "-W", "2", String(ips[N - 1]).split("/")[0] ?? ""])).toContain("1 received");
    const dels = await Promise.all(PODS.map((_, i) => viaShim(inv("DEL", i))));
    expect(dels.map((r) => r.code)).toEqual(new Array<number>(N).fill(0));
    expect(ipamFiles()).toEqual([]);
    expect(inNetns(NODE, ["ip", "-o", "link"])).not.toMatch(/kwv/);
  }, 120_000);

  it("without a reachable agent (or with KWIRE_CNI_NO_AGENT=1) the shim runs the standalone plugin", async () => {
    const before = agentLog.length;
    const none = { KWIRE_CNI_AGENT: `${SOCK}-none` };
    const inv = (command: string): Invocation => ({ command, containerID: "fb", netns: PODS[2] ?? "", ifname: "eth0" });
    expect(same(await viaShim({ command: "VERSION" }, {}, none))).toEqual(same(await standalone({ command: "VERSION" }, {})));
    const a = await viaShim(inv("ADD"), config(), none);
    expect([a.code, a.stderr]).toEqual([0, ""]);
    expect(inNetns(PODS[2] ?? "", ["ip", "-o", "addr", "show", "eth0"])).toContain("10.226.0.");
    expect(same(await viaShim(inv("DEL"), config(), { KWIRE_CNI_AGENT: SOCK, KWIRE_CNI_NO_AGENT: "1" }))).toEqual({ code: 0, stdout: "" });
    expect(agentLog.length).toBe(before);
    expect(ipamFiles()).toEqual([]);
  });

  it("through the agent, stdin arrives byte for byte: a NUL after the config and a 10 MB config answer as the standalone plugin does", async () => {
    const inv: Invocation = { command: "ADD", containerID: "nul", netns: PODS[3] ?? "", ifname: "eth0" };
    // The NUL makes the config invalid JSON (code 6); a shim that dropped it would wire the pod.
    const nul = `${JSON.stringify(config())}\u0000`;
    const a = await viaShim(inv, nul);
    expect(same(a)).toEqual(same(await standalone(inv, nul)));
    expect(json(a)["code"]).toBe(6);
    // Past the agent's request limit (4 MiB) the agent refuses before acting and the shim runs the plugin on the same bytes.
    const big = JSON.stringify({ ...config(), cniVersion: "0.2.0", pad: "x".repeat(10_000_000) });
    const b = await viaShim(inv, big);
    expect(same(b)).toEqual(same(await standalone(inv, big)));
    expect(json(b)["code"]).toBe(1);
    expect(ipamFiles()).toEqual([]);
  }, 60_000);

  it("an agent killed mid-request: the shim answers code 11 and does not retry", async () => {
    const sock2 = `${SOCK}-k`;
    const doomed = startAgent(sock2);
    await waitForAgent(doomed);
    // Hold the IPAM lock (a live pid, fresh) so the agent's ADD waits inside the request.
    mkdirSync(join(tmp, "ipam", "kwag"), { recursive: true });
    const lock = join(tmp, "ipam", "kwag", ".kwire.lock");
    writeFileSync(lock, `${process.pid} test ${Date.now()}`);
    try {
      const t0 = Date.now();
      const pending = viaShim({ command: "ADD", containerID: "killed", netns: PODS[3] ?? "", ifname: "eth0" }, config(), { KWIRE_CNI_AGENT: sock2 });
      await new Promise((r) => setTimeout(r, 500));
      doomed.kill("SIGKILL");
      const r = await pending;
      expect(r.code).toBe(1);
      expect(json(r)).toEqual({ cniVersion: "1.1.0", code: 11, msg: `kwire-cni: the agent at @${sock2} took the request but closed the connection without an answer; not retried` });
      expect(Date.now() - t0).toBeLessThan(8_000);
    } finally {
      await stopAgent(doomed);
      rmSync(lock, { force: true });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(ipamFiles()).toEqual([]);
    expect(inNetns(NODE, ["ip", "-o", "link"])).not.toMatch(/kwv/);
  });

  it("SIGTERM stops the agent cleanly and removes its pid file", async () => {
    expect(existsSync(pidFile)).toBe(true);
    const a = agent;
    if (a === undefined) throw new Error("no agent");
    await stopAgent(a);
    expect([a.exitCode, existsSync(pidFile)]).toEqual([0, false]);
    expect(agentLog.at(-1)).toMatch(/SIGTERM: finishing 0 request/);
  });
});
