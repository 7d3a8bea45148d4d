/**
 * CLI habits (issue 12), each driven through the CLI as a user types it: `kwire version`,
 * `kwire completion bash|zsh|fish` (bash completions exercised in a real bash), an Examples
 * section in every command's help, `-n` help texts, no `-f` ⇒ the current kubeconfig context
 * (kubectl's rule: $KUBECONFIG, then ~/.kube/config — https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/),
 * the TTY-only progress line, `-o md` under GitHub's 65,536-character comment limit, and one
 * short ipBlock id in every format.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, NAMESPACE_HELP } from "../../src/cli/help.js";
import { progressFor } from "../../src/cli/progress.js";
import { GITHUB_COMMENT_LIMIT } from "../../src/report/index.js";
import { tempDirs } from "../web/temp-dirs.js";
import { ROOT, run } from "./harness.js";

const temp = tempDirs();

/** Command paths listed by `kwire [path] --help` (its "Commands:" section), recursively. */
async function commandPaths(path: readonly string[] = []): Promise<string[]> {
  const r = await run([...path, "--help"]);
  const section = (r.stdout.split("\nCommands:\n")[1] ?? "").split("\n\n")[0] ?? "";
  const names = [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1] ?? "").filter((n) => n !== "help");
  const out: string[] = [];
  for (const n of names) out.push([...path, n].join(" "), ...(await commandPaths([...path, n])));
  return out;
}

describe("kwire version", () => {
  it("prints the package.json version, the Kubernetes minor and Node.js", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await run(["version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`kwire ${pkg.version} (Kubernetes 1.31 semantics, Node.js ${process.versions.node})\n`);
    expect(JSON.parse((await run(["version", "-o", "json"])).stdout)).toEqual({ kwire: pkg.version, kubernetesSemantics: "1.31", node: process.versions.node });
    expect((await run(["--version"])).stdout).toBe(`${pkg.version}\n`);
  });
});

describe("help: an Examples section in every command, -n said exactly", () => {
  it("every command and subcommand has examples, and they name real commands", async () => {
    const paths = await commandPaths();
    expect(paths).toEqual(expect.arrayContaining(["matrix", "trace", "dns", "diff", "test", "demo", "serve", "proxy-rules", "lint", "lab", "lab up", "lab probe", "cni", "cni agent", "version", "completion"]));
    for (const p of paths) {
      const r = await run([...p.split(" "), "--help"]);
      expect(r.stdout, p).toMatch(/\nExamples:\n {2}\S/);
      for (const ex of EXAMPLES[p] ?? []) expect(ex.replace(/^(sudo |source <\(|CNI_COMMAND=\S+ )/, ""), p).toMatch(new RegExp(`^kwire ${p}\\b`));
    }
  });

  it("-n: connections with one end in NS for matrix/diff, name resolution for trace/dns", async () => {
    const oneLine = (s: string): string => s.replace(/\s+/g, " ");
    for (const c of ["matrix", "diff"]) expect(oneLine((await run([c, "--help"])).stdout)).toContain(oneLine(NAMESPACE_HELP.report));
    for (const c of ["trace", "dns"]) expect(oneLine((await run([c, "--help"])).stdout)).toContain(oneLine(NAMESPACE_HELP.resolve));
    expect(oneLine((await run(["test", "--help"])).stdout)).toContain(oneLine(NAMESPACE_HELP.test));
    expect((await run(["lint", "-f", "fixtures/demo", "-n", "production"])).stderr).toContain("kwire: note: -n does not narrow lint: every namespace is checked");
  });

  it("test -n checks the expectations with an end in the namespace and says how many it left out", async () => {
    const expect1 = join(temp("kwire-expect-"), "e.yaml");
    writeFileSync(expect1, [
      "apiVersion: kwire/v1alpha1",
      "kind: ConnectivityTest",
      "spec:",
      "  expectations:",
      "    - { from: monitoring/prometheus, to: production/api-server, port: 9100, expect: allowed }",
      "    - { from: monitoring/prometheus, to: kube-system/coredns, port: 53, protocol: UDP, expect: allowed }",
      "",
    ].join("\n"));
    const r = await run(["test", "-f", "fixtures/demo", "--expect", expect1, "-n", "production", "-o", "json"]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { results: { from: string; to: string }[] }).results.map((x) => `${x.from} ${x.to}`)).toEqual(["monitoring/prometheus production/api-server"]);
    expect(r.stderr).toContain("-n production: 1 of 2 expectation(s) have no end in the namespace and were not checked");
  });
});

describe("kwire completion", () => {
  it("bash: completes commands, subcommands and options in a real bash", async () => {
    const r = await run(["completion", "bash"]);
    expect(r.code).toBe(0);
    const file = join(temp("kwire-comp-"), "kwire.bash");
    writeFileSync(file, r.stdout);
    const complete = (words: string[]): string[] => {
      const script = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")}); COMP_CWORD=${words.length - 1}; _kwire; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const b = spawnSync("bash", ["--norc", "-c", script], { encoding: "utf8" });
      expect(b.stderr).toBe("");
      return b.stdout.split("\n").filter((l) => l !== "");
    };
    expect(complete(["kwire", "ma"])).toEqual(["matrix"]);
    expect(complete(["kwire", "lab", "pr"])).toEqual(["probe"]);
    expect(complete(["kwire", "matrix", "--lev"])).toEqual(["--level"]);
    expect(complete(["kwire", "proxy-rules", "--n"])).toEqual(expect.arrayContaining(["--namespace", "--node"]));
    expect(complete(["kwire", "trace", "-f", "fixtures/de"])).toEqual(["fixtures/demo"]);
  });

  it("zsh loads the same function through bashcompinit; fish lists commands and options", async () => {
    const zsh = await run(["completion", "zsh"]);
    expect(zsh.stdout.split("\n")[0]).toBe("#compdef kwire kubectl-kwire");
    expect(zsh.stdout).toContain("autoload -U +X bashcompinit && bashcompinit");
    expect(zsh.stdout).toContain("complete -o default -F _kwire kwire kubectl-kwire");
    const fish = await run(["completion", "fish"]);
    expect(fish.stdout).toContain("complete -c kwire -n '__fish_use_subcommand' -a matrix -d 'who can reach whom, on which ports'");
    expect(fish.stdout).toContain("complete -c kwire -n '__fish_seen_subcommand_from matrix' -s f -l filename -r -F");
    expect(fish.stdout).toMatch(/complete -c kwire -n '__fish_seen_subcommand_from lab; and not __fish_seen_subcommand_from up status probe exec down clean' -a up/);
    const bad = await run(["completion", "powershell"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the shell must be one of bash, zsh, fish, not "powershell"');
  });
});

describe("no -f: the current kubeconfig context, as kubectl does", () => {
  let server: Server;
  let dir: string;
  const saved = process.env["KUBECONFIG"];
  beforeAll(async () => {
    // A fake API server: discovery for v1 and the pods list; everything else is not served.
    server = createServer((req, res) => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      res.setHeader("content-type", "application/json");
      if (path === "/api/v1") {
        res.end(JSON.stringify({ kind: "APIResourceList", groupVersion: "v1", resources: [{ name: "pods", kind: "Pod", namespaced: true, singularName: "", verbs: ["list"] }, { name: "namespaces", kind: "Namespace", namespaced: false, singularName: "", verbs: ["list"] }] }));
      } else if (path === "/api/v1/pods") {
        res.end(JSON.stringify({ kind: "List", apiVersion: "v1", metadata: {}, items: [{ metadata: { name: "web-1", namespace: "shop", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "i" }] }, status: { podIP: "10.244.0.5", phase: "Running" } }] }));
      } else if (path === "/api/v1/namespaces") {
        res.end(JSON.stringify({ kind: "List", apiVersion: "v1", metadata: {}, items: [] }));
      } else res.writeHead(404).end(JSON.stringify({ kind: "Status", status: "Failure", message: "not found", code: 404 }));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const { port } = server.address() as AddressInfo;
    dir = temp("kwire-kubeconfig-");
    writeFileSync(join(dir, "config"), `apiVersion: v1\nkind: Config\nclusters: [{ name: fake, cluster: { server: 'http://127.0.0.1:${port}', insecure-skip-tls-verify: true } }]\nusers: [{ name: me, user: { token: t } }]\ncontexts: [{ name: dev, context: { cluster: fake, user: me } }]\ncurrent-context: dev\n`);
  });
  afterAll(() => {
    server.close();
    if (saved === undefined) delete process.env["KUBECONFIG"];
    else process.env["KUBECONFIG"] = saved;
  });

  it("reads $KUBECONFIG's current context, read-only, and says so on stderr", async () => {
    process.env["KUBECONFIG"] = `${join(dir, "missing")}:${join(dir, "config")}`;
    const r = await run(["matrix", "--level", "pod", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^kwire: no -f given: read the live cluster of kubeconfig context "dev" \(http:\/\/127\.0\.0\.1:\d+, from \$KUBECONFIG: .*config\), read-only\n/);
    expect((JSON.parse(r.stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id)).toContain("shop/web-1");
  });

  it("without $KUBECONFIG or ~/.kube/config it is a usage error that says where it looked", async () => {
    process.env["KUBECONFIG"] = join(dir, "missing");
    const r = await run(["matrix"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no input: give -f FILE|DIR|- (repeatable) or --kubeconfig PATH (no $KUBECONFIG and no ~/.kube/config to read)");
  });
});

describe("progress line: stderr, TTY only, after about 2 s", () => {
  const fake = (isTTY: boolean): { isTTY: boolean; text: string; write(s: string): void } => ({ isTTY, text: "", write(s) { this.text += s; } });
  it("draws nothing before 2 s, then the stage and the elapsed seconds; erases itself at the end", () => {
    let t = 0;
    const s = fake(true);
    const p = progressFor(s, {}, () => t);
    p.stage("decoding 3 file(s)");
    t = 1999;
    p.stage("analysing");
    expect(s.text).toBe("");
    t = 2500;
    p.stage("computing the workload-level matrix");
    expect(s.text).toBe("\r\x1b[2Kkwire: computing the workload-level matrix… 2s");
    p.done();
    expect(s.text.endsWith("\r\x1b[2K")).toBe(true);
  });
  it("is silent when stderr is not a terminal, or under CI", () => {
    let t = 0;
    for (const [s, env] of [[fake(false), {}], [fake(true), { CI: "true" }]] as const) {
      const p = progressFor(s, env, () => t);
      t = 10_000;
      p.stage("analysing");
      p.done();
      expect(s.text).toBe("");
    }
  });
});

/** A namespace of `n` pods without policies: n·(n−1) allowed pod pairs. */
function bigCluster(n: number): string {
  const pods = Array.from({ length: n }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: { name: pod-with-a-long-name-${String(i).padStart(4, "0")}, namespace: big, labels: { app: a${i} } }\nspec: { containers: [{ name: c, image: i }] }\n`);
  return `apiVersion: v1\nkind: Namespace\nmetadata: { name: big }\n${pods.join("")}`;
}

describe("-o md stays under GitHub's 65,536-character comment limit", () => {
  it("matrix: summary, as many rows as fit, and a truncation note", async () => {
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "md"], bigCluster(60));
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    // 60 pods (60·59 pairs) and the two address families' "everything else" blocks, both ways.
    const total = 60 * 59 + 2 * 60 * 2;
    expect(r.stdout.startsWith(`**${total} allowed connections** among 62 endpoints (level: pod).`)).toBe(true);
    const rows = r.stdout.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(100);
    expect(r.stdout).toContain(`> **Truncated:** ${total - rows.length} of ${total} connections are not shown`);
  });

  it("diff: the same for a pull-request comment", async () => {
    const dir = temp("kwire-md-");
    writeFileSync(join(dir, "old.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: { name: big }\n");
    writeFileSync(join(dir, "new.yaml"), bigCluster(60));
    const r = await run(["diff", join(dir, "old.yaml"), join(dir, "new.yaml"), "--level", "pod", "-o", "md"]);
    expect(r.stdout.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(r.stdout).toMatch(/^### kwire: \d+ connections opened/);
    expect(r.stdout).toMatch(/> \*\*Truncated:\*\* \d+ of \d+ changes are not shown/);
  });

  it("a small table is printed whole, without a note", async () => {
    const r = await run(["matrix", "-f", "fixtures/demo", "-o", "md"]);
    expect(r.stdout).not.toContain("Truncated");
  });
});

describe("ipBlock ids: short, and the same in every format", () => {
  // ipBlock except entries must be strict subsets of cidr (networking.k8s.io/v1 IPBlock).
  const excepts = Array.from({ length: 12 }, (_, i) => `${10 + i * 8}.0.0.0/8`);
  const input = `apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: x, labels: { app: a } }\nspec: { containers: [{ name: c, image: i }] }\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: x }\nspec:\n  podSelector: {}\n  ingress: [{ from: [{ ipBlock: { cidr: 0.0.0.0/0, except: [${excepts.join(", ")}] } }] }]\n`;
  it("table, json, csv, md and dot name the long block by one id of bounded length", async () => {
    const json = JSON.parse((await run(["matrix", "-f", "-", "-o", "json"], input)).stdout) as { endpoints: { id: string; kind: string; cidrs?: string[] }[] };
    const blocks = json.endpoints.filter((e) => e.kind === "IPBlock");
    const long = blocks.find((e) => (e.cidrs ?? []).length > 10);
    expect(long?.id).toMatch(/^ipblock:0\.0\.0\.0\/0\(except:[^…]*…\+\d+cidrs~[0-9a-f]{8}$/);
    expect(long?.id.length).toBeLessThanOrEqual(8 + 48);
    for (const o of ["table", "csv", "md", "dot", "wide"]) {
      const out = (await run(["matrix", "-f", "-", "-o", o], input)).stdout;
      expect(out, o).toContain(long?.id ?? "?");
    }
  });
});
