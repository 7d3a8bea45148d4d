/**
 * `kwire diff OLD NEW` (paths and git:REV:PATH; table, md, json; --exit-code) and
 * `kwire test -f CLUSTER --expect FILE` (table, JUnit, exit codes), through the CLI.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { golden, ROOT, run, scenario, STACK_LINE, type RunResult } from "./harness.js";

/** Runs the CLI in another working directory (the harness pins the repository root). */
async function runIn(cwd: string, argv: readonly string[]): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  process.chdir(cwd);
  try {
    const code = await runCli(argv, { out: (s) => void (stdout += s), err: (s) => void (stderr += s) });
    return { code, stdout, stderr };
  } finally {
    process.chdir(ROOT);
  }
}

const DEMO = "fixtures/demo/cluster.yaml";
const AFTER = scenario("diff", "after.yaml");

describe("kwire diff", () => {
  it("lists opened and changed connections as a table (exit 0 without --exit-code)", async () => {
    const r = await run(["diff", DEMO, AFTER]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("diff", "table.txt"));
  });

  it("renders a pull-request comment with -o md and exits 1 with --exit-code", async () => {
    const r = await run(["diff", DEMO, AFTER, "-o", "md", "--exit-code"]);
    expect(r.code).toBe(1);
    await expect(r.stdout).toMatchFileSnapshot(golden("diff", "comment.md.txt"));
  });

  it("gives { added, removed, changed } in the matrix's connection shape with -o json", async () => {
    const r = await run(["diff", AFTER, DEMO, "-o", "json"]);
    const d = JSON.parse(r.stdout) as { added: unknown[]; removed: { src: string; dst: string; ports: unknown }[]; changed: { previousPorts: unknown; ports: unknown }[] };
    expect(d.added).toEqual([]);
    expect(d.removed.map((c) => `${c.src} -> ${c.dst}`)).toEqual([
      "monitoring/prometheus[Deployment] -> production/database[StatefulSet]",
      "monitoring/prometheus[Deployment] -> production/frontend[Deployment]",
      "monitoring/prometheus[Deployment] -> production/web[Deployment]",
    ]);
    expect(d.removed[0]?.ports).toEqual([{ protocol: "TCP", from: 9090, to: 9090 }]);
    expect(d.changed).toEqual([
      expect.objectContaining({ src: "monitoring/prometheus[Deployment]", dst: "production/api-server[Deployment]", ports: [{ protocol: "TCP", from: 9100, to: 9100 }] }),
    ]);
  });

  it("says so when nothing changed, and --exit-code then exits 0", async () => {
    const r = await run(["diff", DEMO, DEMO, "--exit-code"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("No connectivity changes.\n");
  });

  it("reads git:REV:PATH for files and directories", async () => {
    const repo = mkdtempSync(join(tmpdir(), "kwire-diff-"));
    try {
      const git = (...args: string[]): string => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
      git("init", "-q");
      git("config", "user.email", "t@example.com");
      git("config", "user.name", "t");
      execFileSync("mkdir", ["-p", join(repo, "k8s")]);
      writeFileSync(join(repo, "k8s/cluster.yaml"), execFileSync("cat", [DEMO], { encoding: "utf8" }));
      git("add", ".");
      git("commit", "-qm", "before");
      writeFileSync(join(repo, "k8s/cluster.yaml"), execFileSync("cat", [AFTER], { encoding: "utf8" }));
      const viaFile = await runIn(repo, ["diff", "git:HEAD:k8s/cluster.yaml", "k8s/cluster.yaml", "-o", "json"]);
      const viaDir = await runIn(repo, ["diff", "git:HEAD:k8s", "k8s", "-o", "json"]);
      expect(viaFile.stderr).toBe("");
      expect(viaFile.code).toBe(0);
      expect(JSON.parse(viaFile.stdout).added).toHaveLength(3);
      expect(viaDir.stdout).toBe(viaFile.stdout);
      const bad = await runIn(repo, ["diff", "git:NOPE:k8s", "k8s"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/kwire: error: git /);
      expect(bad.stderr).not.toMatch(STACK_LINE);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("kwire test", () => {
  it("passes the demo's guardrails (exit 0) and prints one row per expectation", async () => {
    const r = await run(["test", "-f", DEMO, "--expect", "fixtures/demo/expectations.yaml"]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("diff", "test-pass.txt"));
  });

  it("fails (exit 1) with the reason and the expectation's file:line; bad entries are reported", async () => {
    const r = await run(["test", "-f", DEMO, "--expect", scenario("diff", "failing-expectations.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("fixtures/scenarios/diff/failing-expectations.yaml:12:71:");
    expect(r.stderr).toContain('expect must be "allowed" or "denied", not "maybe"');
    await expect(r.stdout).toMatchFileSnapshot(golden("diff", "test-fail.txt"));
  });

  it("writes JUnit XML for CI with -o junit", async () => {
    const r = await run(["test", "-f", DEMO, "--expect", scenario("diff", "failing-expectations.yaml"), "-o", "junit"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites tests="3" failures="2">/);
    await expect(r.stdout).toMatchFileSnapshot(golden("diff", "test-fail.junit.xml.txt"));
  });

  it("needs --expect (exit 2)", async () => {
    const r = await run(["test", "-f", DEMO]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--expect");
  });
});
