import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileCni } from "../cni/testing/build.js";
import { DiskStore } from "./disk-store.js";
import { acquireLock } from "./lock.js";

const root = mkdtempSync(join(tmpdir(), "kw-ipam-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const a = { containerID: "ctr-a", ifname: "eth0" };
const b = { containerID: "ctr-b", ifname: "net1" };

describe("disk store | files", () => {
  it("writes a file per address holding containerID\\nifname", async () => {
    const s = new DiskStore(root, "files");
    expect(await s.withLock(() => s.reserve(a, "10.0.0.2", 0))).toBe(true);
    expect(await s.withLock(() => s.reserve(b, "10.0.0.2", 0))).toBe(false);
    expect(await s.withLock(() => s.reserve(b, "fd00::2", 1))).toBe(true);
    expect(readFileSync(join(s.dir, "10.0.0.2"), "utf8")).toBe("ctr-a\neth0");
    expect(await s.lastReserved(0)).toBe("10.0.0.2");
    expect(await s.lastReserved(1)).toBe("fd00::2");
    expect(await s.list()).toEqual([{ ip: "10.0.0.2", ...a }, { ip: "fd00::2", ...b }]);
    expect(readdirSync(s.dir)).not.toContain(".kwire.lock");
  });
  it("reads host-local's CRLF files and releases by owner, idempotently", async () => {
    const s = new DiskStore(root, "crlf");
    await s.withLock(async () => undefined);
    writeFileSync(join(s.dir, "10.9.0.5"), "ctr-a\r\neth0");
    expect(await s.getByOwner(a)).toEqual(["10.9.0.5"]);
    expect(await s.releaseByOwner(a)).toEqual(["10.9.0.5"]);
    expect(await s.releaseByOwner(a)).toEqual([]);
  });
  it("GC frees what is not in the valid list", async () => {
    const s = new DiskStore(root, "gc");
    await s.withLock(async () => { await s.reserve(a, "10.0.0.2", 0); await s.reserve(b, "10.0.0.3", 0); });
    expect((await s.withLock(() => s.gc([a]))).map((r) => r.ip)).toEqual(["10.0.0.3"]);
    expect((await s.list()).map((r) => r.ip)).toEqual(["10.0.0.2"]);
  });
  it("on a missing network directory, list and release are empty", async () => {
    const s = new DiskStore(root, "never-created");
    expect(await s.list()).toEqual([]);
    expect(await s.releaseByOwner(a)).toEqual([]);
  });
});

describe("lock", () => {
  it("breaks a stale lock whose pid is dead", async () => {
    const path = join(root, "stale.lock");
    writeFileSync(path, `999999999 deadbeef ${Date.now()}`);
    const release = await acquireLock(path, { timeoutMs: 2000 });
    expect(readFileSync(path, "utf8")).toContain(`${process.pid} `);
    release();
    expect(readdirSync(root)).not.toContain("stale.lock");
  });
  it("times out on a live, fresh lock", async () => {
    const path = join(root, "live.lock");
    writeFileSync(path, `${process.pid} other ${Date.now()}`);
    await expect(acquireLock(path, { timeoutMs: 50 })).rejects.toThrow(/timed out/);
    rmSync(path);
  });
  it("serialises in-process holders", async () => {
    const path = join(root, "inproc.lock");
    let inside = 0;
    let max = 0;
    await Promise.all(Array.from({ length: 20 }, async () => {
      const release = await acquireLock(path);
      inside++; max = Math.max(max, inside);
      await new Promise((r) => setTimeout(r, 1));
      inside--; release();
    }));
    expect(max).toBe(1);
  });
});

describe("disk store | 100 concurrent ADDs from separate processes", () => {
  it("never hands out one address twice", async () => {
    const out = join(root, "build");
    compileCni(out, ["lab/ipam/testing/alloc-worker.ts"]);
    const worker = join(out, "lab/ipam/testing/alloc-worker.js");
    const run = (i: number) => new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [worker, root, "stress", `ctr-${i}`, "10.77.0.0/24"], (err, stdout) => (err ? reject(err) : resolve(stdout.trim())));
    });
    const got = await Promise.all(Array.from({ length: 100 }, (_, i) => run(i)));
    expect(got.filter((g) => g.startsWith("ERR"))).toEqual([]);
    expect(new Set(got).size).toBe(100);
    const files = readdirSync(join(root, "stress")).filter((f) => f.startsWith("10."));
    expect(files.length).toBe(100);
  }, 120_000);
});
