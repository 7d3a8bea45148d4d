/**
 * The agent server without root: a filesystem socket in a temp dir, handlers on a FakeHost. The shim
 * (bin/kwire-cni, needs `nc` with -U/-N) is checked against runCni in-process for answers that do not
 * touch a data plane.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Host } from "../host.js";
import { decodeReply, encodeRequest, printedStdout } from "./agent-protocol.js";
import { startAgent, type Agent } from "./agent.js";
import { runCni } from "./main.js";
import { REPO_ROOT } from "./testing/build.js";
import { baseConfig, deps, fakeNode, NETNS } from "./testing/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "kw-c-agent-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const sockPath = (): string => join(dir, `a${n++}.sock`);

/** Send raw bytes, half-close, collect everything until the agent closes. */
function ask(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let got = "";
    s.setEncoding("utf8");
    s.on("data", (c: string) => { got += c; });
    s.on("end", () => resolve(got));
    s.on("error", reject);
    s.end(text);
  });
}

const env = { CNI_COMMAND: "ADD", CNI_CONTAINERID: "ctr1", CNI_NETNS: NETNS, CNI_IFNAME: "eth0", CNI_PATH: "/usr/lib/cni" };
const stdin = JSON.stringify(baseConfig());

async function withAgent<T>(fn: (path: string, agent: Agent) => Promise<T>, d = deps(fakeNode())): Promise<T> {
  const path = sockPath();
  const agent = await startAgent({ socket: path, deps: d });
  try {
    return await fn(path, agent);
  } finally {
    await agent.close();
  }
}

describe("agent | serving runCni over a unix socket", () => {
  it("answers a request with exactly what runCni prints", async () => {
    await withAgent(async (path) => {
      const reply = decodeReply(await ask(path, encodeRequest(env, stdin)));
      const direct = await runCni(env, stdin, deps(fakeNode()));
      expect(reply).toEqual({ kind: "result", exitCode: direct.exitCode, stdout: printedStdout(direct.stdout) });
      expect(reply).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('"address": "10.9.0.2/29"') });
    });
  });

  it("passes only the request's variables (not its own environment) and stdin byte for byte", async () => {
    await withAgent(async (path) => {
      const e = { CNI_COMMAND: "ADD", CNI_PATH: "/x" };
      for (const s of [stdin, "{not json\n\n", ""]) {
        const want = await runCni(e, s, deps(fakeNode()));
        expect(decodeReply(await ask(path, encodeRequest(e, s)))).toEqual({ kind: "result", exitCode: want.exitCode, stdout: printedStdout(want.stdout) });
      }
    });
  });

  it("refuses a request it cannot read, before running anything", async () => {
    const host = fakeNode();
    await withAgent(async (path) => {
      expect(decodeReply(await ask(path, "KWIRE-CNI/9\n\n{}"))).toEqual({ kind: "refused", reason: 'unsupported protocol "KWIRE-CNI/9" (want KWIRE-CNI/1)' });
      expect(decodeReply(await ask(path, "KWIRE-CNI/1\nFOO=1\n\n{}"))).toMatchObject({ kind: "refused" });
    }, deps(host));
    expect(host.calls).toEqual([]);
  });

  it("serves concurrent requests and close() waits for the ones in flight", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    const host = fakeNode();
    const gated: Host = {
      exec: async (argv, o) => { await gate; return host.exec(argv, o); },
      readFile: (p) => host.readFile(p), writeFile: (p, data) => host.writeFile(p, data), exists: (p) => host.exists(p),
    };
    const d = { ...deps(host), host: gated };
    const path = sockPath();
    const agent = await startAgent({ socket: path, deps: d });
    const replies = Array.from({ length: 5 }, (_, i) => ask(path, encodeRequest({ ...env, CNI_CONTAINERID: `c${i}` }, stdin)));
    // Wait until all five are in flight (held at the gate); a fixed sleep was flaky on a loaded machine.
    for (let t0 = Date.now(); agent.inFlight() < 5 && Date.now() - t0 < 10_000;) await new Promise((r) => setTimeout(r, 10));
    expect(agent.inFlight()).toBe(5);
    const closed = agent.close();
    release();
    await closed;
    const ips = (await Promise.all(replies)).map((r) => {
      const d2 = decodeReply(r);
      return d2.kind === "result" ? (JSON.parse(d2.stdout) as { ips: { address: string }[] }).ips[0]?.address : d2.kind;
    });
    expect(new Set(ips).size).toBe(5);
    await expect(ask(path, encodeRequest(env, stdin))).rejects.toThrow();
  });

  it("close() does not wait for a client that never finishes its request (nothing ran for it)", async () => {
    const path = sockPath();
    const host = fakeNode();
    const agent = await startAgent({ socket: path, deps: deps(host) });
    const got = new Promise<string>((resolve) => {
      const s = connect(path);
      let text = "";
      s.setEncoding("utf8").on("data", (c: string) => { text += c; }).on("close", () => resolve(text));
      s.write("KWIRE-CNI/1\nCNI_COMMAND=ADD\n");
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(agent.inFlight()).toBe(0);
    await agent.close();
    expect(decodeReply(await got)).toEqual({ kind: "broken" });
    expect(host.calls).toEqual([]);
  });

  it("will not share a socket with a live agent, and replaces a stale socket file", async () => {
    await withAgent(async (path) => {
      await expect(startAgent({ socket: path, deps: deps(fakeNode()) })).rejects.toThrow(/another agent is already listening/);
    });
    const stale = sockPath();
    execFileSync(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
    expect(existsSync(stale)).toBe(true);
    const agent = await startAgent({ socket: stale, deps: deps(fakeNode()) });
    expect(agent.name).toBe(stale);
    await agent.close();
  });
});

const haveNc = ((): boolean => {
  try {
    execFileSync("nc", ["-h"], { stdio: "pipe" });
    return true;
  } catch (e) {
    return e instanceof Error && "status" in e && typeof e.status === "number";
  }
})();

/** Run the shim with `vars` (plus KWIRE_CNI_AGENT=path) and stdin. */
function shim(path: string, vars: Record<string, string>, input: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = execFile("sh", [join(REPO_ROOT, "bin/kwire-cni")], { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", KWIRE_CNI_AGENT: path, ...vars } }, (err, stdout) => {
      const c: unknown = err !== null && "code" in err ? err.code : 0;
      resolve({ code: typeof c === "number" ? c : -1, stdout });
    });
    child.stdin?.end(input);
  });
}

describe.skipIf(!haveNc)(`bin/kwire-cni shim against the agent${haveNc ? "" : " (skipped: needs nc from netcat-openbsd)"}`, () => {
  it.each([
    ["VERSION", { CNI_COMMAND: "VERSION" }, "{}"],
    ["no CNI_COMMAND", {}, stdin],
    ["unknown verb", { CNI_COMMAND: "FROB" }, stdin],
    ["stdin that is not JSON (message quotes the position)", { ...env }, "{not json\n\n\n"],
    ["stdin with no trailing newline, odd bytes", { ...env }, '{"cniVersion":"0.9.9","x":"\\\\ \t ü"}'],
    ["empty stdin", { ...env }, ""],
    ["bad CNI_IFNAME", { ...env, CNI_IFNAME: "a/b" }, stdin],
    ["ADD on the fake data plane", { ...env }, stdin],
  ])("%s: same bytes and exit code as the plugin", async (_what, vars, input) => {
    await withAgent(async (path) => {
      const want = await runCni(vars, input, deps(fakeNode()));
      expect(await shim(path, vars, input)).toEqual({ code: want.exitCode, stdout: printedStdout(want.stdout) });
    });
  });
});
