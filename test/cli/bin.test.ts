/**
 * The built executable, end to end: `node dist/cli/kwire.js` (the bundle package.json's `bin`
 * names, rolldown.config.mjs) runs, reads stdin, prints, and sets the process exit code
 * (0 allowed, 1 denied, 2 bad input). Builds dist/ (tsc, then the bundle) first when it is
 * missing or older than src/.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, ensureBundle } from "./bundle.js";
import { ROOT, run, scenario, STACK_LINE } from "./harness.js";

const BIN = BUNDLE;

function kwire(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input: input ?? "", encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ensureBundle();
});

describe("node dist/cli/kwire.js", () => {
  it("runs, reads stdin, writes all of its output and sets the exit code (0 allowed, 1 denied, 2 bad input)", async () => {
    // kwire demo: exit 0, the same bytes as in-process.
    const demo = kwire(["demo"]);
    expect(demo.status).toBe(0);
    expect(demo.stdout).toBe((await run(["demo"])).stdout);

    // -f - reads manifests from stdin.
    const text = readFileSync(join(ROOT, scenario("stdin", "helm-template.yaml")), "utf8");
    const fromStdin = kwire(["matrix", "-f", "-"], text);
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stderr).toBe("");
    expect(fromStdin.stdout).toMatch(/^streaming\/release-kafka-producer\[Deployment\]\s+streaming\/release-kafka\[StatefulSet\]\s+TCP:9092$/m);
    expect(fromStdin.stdout).toBe((await run(["matrix", "-f", "-"], text)).stdout);

    // trace: allowed 0, denied 1.
    const f = ["-f", "fixtures/demo/cluster.yaml"];
    expect(kwire(["trace", "production/frontend", "production/api-server:8080", ...f]).status).toBe(0);
    const denied = kwire(["trace", "production/frontend", "production/database:5432", ...f]);
    expect(denied.status).toBe(1);
    expect(denied.stdout).toMatch(/: DENIED\n/);

    // Bad input: 2, the diagnostic on stderr, no stack trace.
    const bad = kwire(["matrix", "-f", scenario("bad-input", "cidr-banana.yaml")]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/cidr-banana\.yaml:12:19: error\[invalid-cidr\]/);
    expect(bad.stderr).not.toMatch(STACK_LINE);

    // A larger output is written completely before the process exits.
    const args = ["matrix", "-f", scenario("kubectl-list", "cluster.yaml"), "--level", "pod", "-o", "json"];
    const big = kwire(args);
    expect(big.status).toBe(0);
    expect(big.stdout).toBe((await run(args)).stdout);
  });

  it("is one module: its own code bundled, packages from node_modules, the files it spawns or reads found from its place", () => {
    const code = readFileSync(BIN, "utf8");
    expect(code.startsWith("#!/usr/bin/env node\n")).toBe(true);
    // No relative import is left (each one would be a file the ES module loader resolves at start).
    expect(code).not.toMatch(/^\s*(import|export)\b[^;]*\bfrom\s*["']\.{1,2}\//m);
    expect(code).not.toMatch(/\bimport\(\s*["']\.{1,2}\//);
    // package.json (--version) through src/cli/assets.ts, two levels up from dist/cli.
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(kwire(["--version"]).stdout.trim()).toBe(version);
    // The lab's DNS server entry, which src/lab/dns-process.ts looks for in ../lab from the bundle.
    expect(statSync(join(ROOT, "dist/lab/dns-main.js")).isFile()).toBe(true);
  });
});
