/**
 * The bin/kwire-cni shell shim against the standalone Node plugin it falls back to, on the same
 * bytes (no root, no netns: the invocations fail in decoding, before anything is created; no agent
 * answers at the name used, so the shim runs the plugin itself). The shim must pass stdin through
 * unchanged — NUL bytes and invalid UTF-8 included — and in linear time (a 10 MB config: the old
 * line-by-line `conf=$conf$line` took over 120 s, issue 15 item 4; the vitest timeout catches a
 * relapse, the bench measures it). Every answer is well-formed CNI error JSON
 * (https://github.com/containernetworking/cni/blob/main/SPEC.md#error: cniVersion, code, msg).
 */
import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileCni, REPO_ROOT } from "./testing/build.js";

const tmp = mkdtempSync(join(tmpdir(), "kw-shim-"));
const spoolDir = join(tmp, "spool");
let shim = "";
let plugin = "";

interface Run { readonly code: number; readonly stdout: Buffer }

function run(argv: readonly string[], input: Buffer, env: Readonly<Record<string, string>>): Promise<Run> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    const child = execFile(file ?? "", args, { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", TMPDIR: spoolDir, ...env }, encoding: "buffer", maxBuffer: 64 << 20 }, (err, stdout) => {
      const c: unknown = err !== null && "code" in err ? err.code : 0;
      resolve({ code: typeof c === "number" ? c : -1, stdout });
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
  });
}

/** An ADD that fails while decoding stdin (the netns is never opened). */
const ADD = { CNI_COMMAND: "ADD", CNI_CONTAINERID: "shim-test", CNI_NETNS: "/var/run/netns/kw-shim-test-none", CNI_IFNAME: "eth0", CNI_PATH: "/usr/lib/cni" };

async function both(input: Buffer, env: Readonly<Record<string, string>> = ADD): Promise<{ shim: Run; plugin: Run }> {
  return {
    shim: await run(["sh", shim], input, { ...env, KWIRE_CNI_AGENT: `kw-shim-test-${process.pid}-nobody` }),
    plugin: await run([process.execPath, plugin], input, env),
  };
}

function cniError(out: Buffer): { cniVersion: string; code: number; msg: string } {
  const v: unknown = JSON.parse(out.toString("utf8"));
  if (typeof v !== "object" || v === null || !("cniVersion" in v) || !("code" in v) || !("msg" in v)) throw new Error(`not a CNI error: ${out.toString("utf8").slice(0, 200)}`);
  const { cniVersion, code, msg } = v;
  if (typeof cniVersion !== "string" || typeof code !== "number" || typeof msg !== "string") throw new Error(`badly typed CNI error: ${out.toString("utf8").slice(0, 200)}`);
  return { cniVersion, code, msg };
}

const config = (extra: Record<string, unknown> = {}): string => JSON.stringify({ cniVersion: "1.0.0", name: "shim", type: "kwire", ...extra });

/** A deterministic pseudo-random byte string (xorshift), every byte value present. */
function binary(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    b[i] = i < 256 ? i : x & 0xff;
  }
  return b;
}

describe("bin/kwire-cni shim: stdin passed through unchanged, in linear time", () => {
  beforeAll(() => {
    plugin = compileCni(join(tmp, "pkg", "dist"));
    mkdirSync(join(tmp, "pkg", "bin"), { recursive: true });
    mkdirSync(spoolDir);
    shim = join(tmp, "pkg", "bin", "kwire-cni");
    copyFileSync(join(REPO_ROOT, "bin/kwire-cni"), shim);
    chmodSync(shim, 0o755);
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("a NUL after the config reaches the plugin: a decoding error, as the plugin alone says (the old shim dropped it and succeeded)", async () => {
    const r = await both(Buffer.concat([Buffer.from(config({ cniVersion: "9.9.9" })), Buffer.from([0])]));
    expect(r.shim).toEqual(r.plugin);
    expect(cniError(r.shim.stdout)).toMatchObject({ code: 6 }); // SPEC.md: 6 = failed to decode content
    expect(r.shim.code).toBe(1);
  });

  it("1 MiB of binary garbage (every byte value, invalid UTF-8): byte-identical answers", async () => {
    const r = await both(binary(1 << 20));
    expect(r.shim).toEqual(r.plugin);
    expect(cniError(r.shim.stdout).code).toBe(6);
  });

  it("a 10 MB config is read whole: the same answer as the plugin (unsupported cniVersion, found after the 10 MB field)", async () => {
    const big = Buffer.from(JSON.stringify({ name: "shim", type: "kwire", pad: "x".repeat(10_000_000), cniVersion: "0.2.0" }));
    const r = await both(big);
    expect(r.shim).toEqual(r.plugin);
    expect(cniError(r.shim.stdout)).toMatchObject({ code: 1 }); // SPEC.md: 1 = incompatible CNI version
  }, 60_000);

  it("a 10 MB config without a trailing newline and with CRLF lines: byte-identical answers", async () => {
    const crlf = Buffer.from(`${config({ cniVersion: "0.2.0" }).slice(0, -1)},\r\n"pad": "${"y\\r\\n".repeat(2_500_000)}"}`);
    const r = await both(crlf);
    expect(r.shim).toEqual(r.plugin);
    expect(cniError(r.shim.stdout).code).toBe(1);
  }, 60_000);

  it("empty stdin and a lone newline: the plugin's own errors", async () => {
    for (const input of [Buffer.alloc(0), Buffer.from("\n")]) {
      const r = await both(input);
      expect(r.shim).toEqual(r.plugin);
      expect(cniError(r.shim.stdout).code).toBe(6);
    }
  });

  it("an unwritable spool directory: a well-formed CNI error 11 with the config's cniVersion unknown (1.1.0), and nothing is left", async () => {
    const r = await run(["sh", shim], Buffer.from(config()), { ...ADD, TMPDIR: join(tmp, "no-such-dir") });
    expect(r.code).toBe(1);
    expect(cniError(r.stdout)).toMatchObject({ cniVersion: "1.1.0", code: 11 });
  });

  it("the shim's own errors take cniVersion from the config, wherever it is (dist missing: code 11)", async () => {
    const lone = join(tmp, "lone");
    mkdirSync(lone, { recursive: true });
    copyFileSync(shim, join(lone, "kwire-cni"));
    const input = Buffer.concat([Buffer.from(`{"name":"a\\"b","pad":"${"z".repeat(100_000)}", "cniVersion" :  "0.4.0"}`), Buffer.from([0, 0xff])]);
    const r = await run(["sh", join(lone, "kwire-cni")], input, { ...ADD, KWIRE_CNI_NO_AGENT: "1" });
    expect(r.code).toBe(1);
    expect(cniError(r.stdout)).toMatchObject({ cniVersion: "0.4.0", code: 11 });
  });

  it("leaves no spool file behind", () => {
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
