/**
 * @module lab/up.test
 * `labUp` refuses before it acts when another lab's netns exist on the machine (lab names are
 * machine-wide), so it never builds over another lab nor, unwinding a failed create, deletes
 * another lab's fabric. Runs on a FakeHost (only the preflight needs Linux + root + tools).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCluster } from "../parse/index.js";
import { FakeHost } from "./host.js";
import { preflightProblem } from "./session.js";
import { labUp } from "./up.js";

const dir = mkdtempSync(join(tmpdir(), "kw-up-test-"));
const skip = preflightProblem()?.message;

describe.skipIf(skip !== undefined)(`labUp preflight${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("another lab's netns on the machine: already-up, and nothing is created or deleted", async () => {
    const host = new FakeHost().on((c) => (c.argv.join(" ") === "ip netns list" ? { stdout: "kw-p-0123456789 (id: 7)\nkw-fabric (id: 3)\nkw-n0 (id: 4)\nother\n" } : undefined));
    const cluster = loadCluster([{ path: "p.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: default}\nspec: {containers: [{name: c, image: i}]}\n" }]).cluster;
    const lab = join(dir, "lab");
    await expect(labUp(cluster, { host, dir: lab, files: [], log: () => undefined })).rejects.toThrow(
      "another lab is up on this machine (netns kw-p-0123456789, kw-fabric, kw-n0); run kwire lab down with its KWIRE_LAB_DIR, or kwire lab clean",
    );
    expect(host.calls.map((c) => c.argv.join(" "))).toEqual(["ip netns list"]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
