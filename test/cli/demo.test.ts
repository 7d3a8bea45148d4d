/**
 * `kwire demo`: the embedded example — summary, matrix, one allowed and one denied trace.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { golden, ROOT, run } from "./harness.js";

describe("kwire demo", () => {
  it("prints the example analysis (expected/demo.txt) and exits 0", async () => {
    const r = await run(["demo"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    await expect(r.stdout).toMatchFileSnapshot(golden("demo", "demo.txt"));
  });

  it("agrees with `kwire matrix` and `kwire trace` on the same file", async () => {
    const demo = (await run(["demo"])).stdout;
    const f = ["-f", "fixtures/demo/cluster.yaml"];
    const summary = (await run(["matrix", ...f, "-o", "summary"])).stdout;
    const table = (await run(["matrix", ...f])).stdout;
    const allowed = (await run(["trace", "production/frontend", "production/api-server:8080", ...f])).stdout;
    const denied = (await run(["trace", "production/frontend", "production/database:5432", ...f])).stdout;
    expect(demo).toContain(summary);
    expect(demo).toContain(table);
    expect(demo).toContain(allowed);
    expect(demo).toContain(denied);
  });

  it("does not depend on the working directory (the demo cluster ships with the package)", async () => {
    const before = process.cwd();
    let out = "";
    try {
      process.chdir("/");
      const code = await runCli(["demo"], { out: (s) => void (out += s), err: () => undefined });
      expect(code).toBe(0);
    } finally {
      process.chdir(before);
    }
    expect(out).toBe((await run(["demo"])).stdout);
    expect(out).not.toContain(ROOT);
  });
});
