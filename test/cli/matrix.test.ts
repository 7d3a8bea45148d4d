/**
 * Golden tests of `kwire matrix`: every output format, every level, --include-self, -n, and
 * the reference engine (which must print the same bytes as the fast engine). Goldens live in
 * fixtures/scenarios/<name>/expected/ and change only with `vitest -u`; review their diff.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { golden, run, scenario } from "./harness.js";

interface MatrixCase {
  /** Golden file name, without `.txt`. */
  readonly name: string;
  readonly args: readonly string[];
}

interface Scenario {
  readonly name: string;
  /** `-f` arguments (relative to the repository root) or stdin text. */
  readonly input: readonly string[];
  readonly stdin?: string;
  readonly cases: readonly MatrixCase[];
  /** What stderr must say (default: nothing). */
  readonly stderr?: RegExp;
}

const FORMATS = ["table", "wide", "json", "yaml", "csv", "md", "dot", "mermaid", "summary"] as const;
const LEVELS = ["pod", "workload", "namespace"] as const;

const c = (name: string, ...args: string[]): MatrixCase => ({ name, args });

const SCENARIOS: readonly Scenario[] = [
  {
    name: "demo",
    input: ["fixtures/demo/cluster.yaml"],
    cases: [
      // Every format at every level.
      ...LEVELS.flatMap((l) => [
        ...FORMATS.map((f) => c(`matrix.${l}.${f}`, "--level", l, "-o", f)),
        c(`matrix.${l}.summary-json`, "--level", l, "-o", "summary", "--json"),
      ]),
      c("matrix.workload.include-self.table", "--include-self"),
      c("matrix.pod.include-self.wide", "--level", "pod", "--include-self", "-o", "wide"),
      c("matrix.n-production.table", "-n", "production"),
      c("matrix.n-production.json", "-n", "production", "-o", "json"),
      c("matrix.n-production.summary-json", "-n", "production", "-o", "summary", "--json"),
    ],
  },
  {
    name: "kubectl-list",
    input: [scenario("kubectl-list", "cluster.yaml")],
    cases: [
      c("matrix.workload.table"),
      c("matrix.workload.wide", "-o", "wide"),
      c("matrix.workload.json", "-o", "json"),
      c("matrix.pod.table", "--level", "pod"),
      c("matrix.pod.wide", "--level", "pod", "-o", "wide"),
      c("matrix.pod.json", "--level", "pod", "-o", "json"),
      c("matrix.pod.include-self.table", "--level", "pod", "--include-self"),
      c("matrix.pod.include-self.wide", "--level", "pod", "--include-self", "-o", "wide"),
      c("matrix.namespace.table", "--level", "namespace"),
      c("matrix.workload.summary", "-o", "summary"),
    ],
  },
  {
    name: "json-input",
    input: [scenario("json-input", "cluster.json")],
    // Its dual-stack uploader is admitted by an IPv6 ipBlock only (src/policy/family-dependence.ts).
    stderr: /^kwire: note: 1 policy matches a dual-stack pod by the address of one family only: verdicts there depend on the connection's family and are marked uncertain/,
    cases: [
      c("matrix.pod.table", "--level", "pod"),
      c("matrix.pod.wide", "--level", "pod", "-o", "wide"),
      c("matrix.pod.json", "--level", "pod", "-o", "json"),
      c("matrix.namespace.md", "--level", "namespace", "-o", "md"),
      c("matrix.n-media.pod.table", "--level", "pod", "-n", "media"),
    ],
  },
  {
    name: "directory",
    input: [scenario("directory", "manifests")],
    cases: [
      c("matrix.workload.table"),
      c("matrix.workload.wide", "-o", "wide"),
      c("matrix.workload.json", "-o", "json"),
      c("matrix.workload.csv", "-o", "csv"),
      c("matrix.workload.include-self.table", "--include-self"),
      c("matrix.workload.include-self.wide", "--include-self", "-o", "wide"),
      c("matrix.namespace.table", "--level", "namespace"),
      c("matrix.workload.summary-json", "-o", "summary", "--json"),
    ],
  },
  {
    name: "stdin",
    input: ["-"],
    stdin: readFileSync(new URL("../../fixtures/scenarios/stdin/helm-template.yaml", import.meta.url), "utf8"),
    cases: [
      c("matrix.workload.table"),
      c("matrix.workload.json", "-o", "json"),
      c("matrix.workload.include-self.table", "--include-self"),
      c("matrix.workload.include-self.wide", "--include-self", "-o", "wide"),
    ],
  },
  {
    name: "multi-doc",
    input: [scenario("multi-doc", "cluster.yaml")],
    cases: [
      c("matrix.pod.table", "--level", "pod"),
      c("matrix.pod.wide", "--level", "pod", "-o", "wide"),
      c("matrix.pod.json", "--level", "pod", "-o", "json"),
      c("matrix.pod.yaml", "--level", "pod", "-o", "yaml"),
      c("matrix.pod.dot", "--level", "pod", "-o", "dot"),
      c("matrix.pod.mermaid", "--level", "pod", "-o", "mermaid"),
      c("matrix.pod.summary", "--level", "pod", "-o", "summary"),
    ],
  },
];

function argvOf(s: Scenario, mc: MatrixCase, engine: "fast" | "reference"): string[] {
  const input = s.input.flatMap((f) => ["-f", f]);
  return ["matrix", ...input, ...mc.args, ...(engine === "reference" ? ["--engine", "reference"] : [])];
}

/** The summary names its engine and counts the engine's classes; everything else must agree. */
function withoutEngineLines(out: string): string {
  if (out.startsWith("{")) {
    const j = JSON.parse(out) as Record<string, unknown>;
    delete j["engine"];
    delete j["classes"];
    return JSON.stringify(j);
  }
  return out.replace(/^(Engine|Equivalence classes):.*$/gm, "");
}

for (const s of SCENARIOS) {
  describe(`kwire matrix: scenario ${s.name}`, () => {
    for (const mc of s.cases) {
      it(`${mc.args.join(" ") || "(defaults)"} matches expected/${mc.name}.txt`, async () => {
        const r = await run(argvOf(s, mc, "fast"), s.stdin);
        if (s.stderr === undefined) expect(r.stderr).toBe("");
        else expect(r.stderr).toMatch(s.stderr);
        expect(r.code).toBe(0);
        await expect(r.stdout).toMatchFileSnapshot(golden(s.name, `${mc.name}.txt`));
      });

      it(`${mc.args.join(" ") || "(defaults)"} --engine reference prints the same bytes`, async () => {
        const fast = await run(argvOf(s, mc, "fast"), s.stdin);
        const ref = await run(argvOf(s, mc, "reference"), s.stdin);
        expect(ref.code).toBe(0);
        if (mc.args.includes("summary")) {
          expect(withoutEngineLines(ref.stdout)).toBe(withoutEngineLines(fast.stdout));
          expect(ref.stdout).toMatch(/reference/);
        } else {
          expect(ref.stdout).toBe(fast.stdout);
        }
      });
    }
  });
}

describe("kwire matrix: inputs that must agree", () => {
  it("`-f -` (stdin) prints what `-f FILE` prints for the same manifests", async () => {
    const file = scenario("stdin", "helm-template.yaml");
    const text = readFileSync(file, "utf8");
    for (const args of [[], ["-o", "json"], ["--level", "pod", "-o", "wide"]]) {
      const viaFile = await run(["matrix", "-f", file, ...args]);
      const viaStdin = await run(["matrix", "-f", "-", ...args], text);
      expect(viaStdin.stdout).toBe(viaFile.stdout);
    }
  });

  it("a directory is the union of its files: `-f DIR` equals `-f` of each manifest in it", async () => {
    const dir = await run(["matrix", "-f", scenario("directory", "manifests"), "-o", "json"]);
    const files = ["namespaces.yaml", "apps/frontend.yml", "apps/postgres.yaml", "policies/data.json", "policies/web.yaml"];
    const each = await run(["matrix", ...files.flatMap((f) => ["-f", scenario("directory", `manifests/${f}`)]), "-o", "json"]);
    expect(each.code).toBe(0);
    expect(dir.stdout).toBe(each.stdout);
  });

  it("input order does not matter (STYLE §3.9): the files in reverse give the same bytes", async () => {
    const files = ["namespaces.yaml", "apps/frontend.yml", "apps/postgres.yaml", "policies/data.json", "policies/web.yaml"].map((f) => scenario("directory", `manifests/${f}`));
    for (const args of [["-o", "json"], ["--level", "pod", "-o", "wide"], ["--level", "namespace", "-o", "dot"]]) {
      const forward = await run(["matrix", ...files.flatMap((f) => ["-f", f]), ...args]);
      const backward = await run(["matrix", ...[...files].reverse().flatMap((f) => ["-f", f]), ...args]);
      expect(backward.stdout).toBe(forward.stdout);
    }
  });

  it("-o yaml is -o json in YAML", async () => {
    const { parse } = await import("yaml");
    const input = ["-f", scenario("kubectl-list", "cluster.yaml"), "--level", "pod"];
    const json = await run(["matrix", ...input, "-o", "json"]);
    const yaml = await run(["matrix", ...input, "-o", "yaml"]);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it("-n NS keeps the connections with at least one end in NS (issue 12: prometheus → api-server:9100 and DNS stay), the rows are the same", async () => {
    const all = await run(["matrix", "-f", "fixtures/demo/cluster.yaml", "--level", "pod"]);
    const prod = await run(["matrix", "-f", "fixtures/demo/cluster.yaml", "--level", "pod", "-n", "production"]);
    // The matrix rows only: the north-south exposure section follows after a blank line.
    const rows = (t: string): string[] => (t.split("\n\n")[0] ?? "").trim().split("\n").slice(1).map((l) => l.split(/\s+/).join(" "));
    const inProd = (id: string): boolean => id.startsWith("production/");
    const expected = rows(all.stdout).filter((r) => {
      const [src = "", dst = ""] = r.split(" ");
      return inProd(src) || inProd(dst);
    });
    expect(rows(prod.stdout)).toEqual(expected);
    expect(expected.some((r) => r.startsWith("monitoring/prometheus") && r.includes("production/api-server") && r.endsWith("TCP:9100"))).toBe(true);
    expect(expected.some((r) => r.startsWith("production/") && r.includes("kube-system/coredns") && r.includes("UDP:53"))).toBe(true);
  });
});

describe("kwire matrix: usage errors exit 2", () => {
  it.each([
    [["-o", "html"], /-o must be one of table, wide, json, yaml, csv, md, dot, mermaid, summary, not "html"/],
    [["--level", "cluster"], /--level must be one of namespace, workload, pod, not "cluster"/],
    [["--engine", "turbo"], /--engine must be fast or reference, not "turbo"/],
    [["--no-such-flag"], /unknown option '--no-such-flag'/],
  ])("matrix %j", async (args, message) => {
    const r = await run(["matrix", "-f", "fixtures/demo/cluster.yaml", ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });

  it("-n with a namespace the input does not have: a warning, exit 0", async () => {
    const r = await run(["matrix", "-f", "fixtures/demo/cluster.yaml", "-n", "prod"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('kwire: warning: namespace "prod" is not in the input; only addresses outside the cluster are left to report\n');
    expect(r.stdout).toBe("No allowed connections among 3 endpoints.\n");
  });

  it("kwire --version exits 0; an unknown command exits 2", async () => {
    const v = await run(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe("0.1.0\n");
    const u = await run(["matricks"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown command 'matricks'/);
  });

  it("no -f at all: exit 2 and a pointer to `kwire demo`", async () => {
    const r = await run(["matrix"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no input: give -f FILE\|DIR\|-/);
    expect(r.stderr).toMatch(/kwire demo/);
  });
});
