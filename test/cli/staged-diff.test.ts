/**
 * `kwire diff --staged`: what enforcing Calico's staged policies would change.
 *
 * Semantics (Calico docs, "Stage, preview impacts, and enforce policy",
 * docs.tigera.io/calico-cloud/network-policy/staged-network-policies, and the
 * StagedNetworkPolicy / StagedGlobalNetworkPolicy / StagedKubernetesNetworkPolicy references
 * under docs.tigera.io/calico/latest/reference/resources/): a staged policy is never enforced;
 * enforcing it creates or updates the same-named NetworkPolicy / GlobalNetworkPolicy /
 * Kubernetes NetworkPolicy (stagedAction Set, the default) or removes it (Delete).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { analyzeCluster } from "../../src/analyze/index.js";
import { computeMatrix, stagedPairChanges, withStagedEnforced } from "../../src/engine/index.js";
import { formatPortSet } from "../../src/model/index.js";
import { loadCluster } from "../../src/parse/index.js";
import { stagedDiff } from "../../src/policy/index.js";
import { dialectFixture } from "../../src/policy/testing/dialect-fixture.js";
import { golden, ROOT, run, scenario } from "./harness.js";

const DIR = "fixtures/scenarios/staged-calico";
const FILE = scenario("staged-calico", "cluster.yaml");

interface Change { src: string; dst: string; gained: unknown; lost: unknown; before: unknown; after: unknown }

async function json(...args: string[]): Promise<{ staged: { kind: string; name: string; stagedAction: string; line: number }[]; changes: Change[] }> {
  const r = await run(["diff", "--staged", ...args, "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { staged: { kind: string; name: string; stagedAction: string; line: number }[]; changes: Change[] };
}

describe("kwire diff --staged", () => {
  it("table, md and json goldens", async () => {
    for (const [fmt, ext] of [["table", "txt"], ["md", "md"], ["json", "json"]] as const) {
      const r = await run(["diff", "--staged", "-f", DIR, "-o", fmt]);
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(golden("staged-calico", `diff-staged.${ext}`));
    }
  });

  it("each staged kind changes exactly what enforcing it would (pod level)", async () => {
    const doc = await json("-f", DIR, "--level", "pod");
    expect(doc.staged.map((s) => `${s.kind} ${s.name} ${s.stagedAction}`)).toEqual([
      "StagedGlobalNetworkPolicy deny-batch-egress Delete",
      "StagedKubernetesNetworkPolicy batch-ingress Set",
      "StagedNetworkPolicy db-ingress Set",
    ]);
    const at = (src: string, dst: string): Change | undefined => doc.changes.find((c) => c.src === src && c.dst === dst);
    // StagedNetworkPolicy db-ingress (Set) replaces the enforced allow-all: only the frontend, only TCP 5432.
    expect(at("app/fe", "app/db")).toMatchObject({ gained: [], before: "all", after: [{ protocol: "TCP", from: 5432, to: 5432 }] });
    // StagedGlobalNetworkPolicy deny-batch-egress (Delete): batch's egress is no longer denied…
    expect(at("app/batch", "app/fe")).toMatchObject({ gained: "all", lost: [], before: [], after: "all" });
    // …but the staged db-ingress admits only the frontend, so batch → db stays closed (no change).
    expect(at("app/batch", "app/db")).toBeUndefined();
    // StagedKubernetesNetworkPolicy batch-ingress (Set): batch admits the frontend on TCP 8080 only.
    expect(at("app/fe", "app/batch")).toMatchObject({ gained: [], before: "all", after: [{ protocol: "TCP", from: 8080, to: 8080 }] });
    expect(at("app/db", "app/batch")).toMatchObject({ gained: [], lost: "all" });
    // db → fe: neither side changes.
    expect(at("app/db", "app/fe")).toBeUndefined();
  });

  it("the engines' answer equals the naive per-pair evaluation of policy/staged-diff.ts", () => {
    const text = readFileSync(join(ROOT, FILE), "utf8");
    const load = loadCluster([{ path: FILE, text }]);
    const side = (cluster: typeof load.cluster): ReturnType<typeof computeMatrix> => {
      const a = analyzeCluster({ ...load, cluster }, { cni: "calico" });
      if ("error" in a) throw new Error(a.error);
      return computeMatrix(a.analysis, { level: "pod" });
    };
    const engine = stagedPairChanges(side(load.cluster), side(withStagedEnforced(load.cluster)))
      .filter((c) => !c.src.startsWith("ipblock") && !c.dst.startsWith("ipblock"))
      .map((c) => [c.src.replace("[Pod]", ""), c.dst.replace("[Pod]", ""), formatPortSet(c.gained), formatPortSet(c.lost)]);
    const f = dialectFixture(text, FILE);
    const naive = stagedDiff(f.calico, f.stagedK8s, [...f.pods.values()], f.ctx)
      .map((c) => [c.from, c.to, formatPortSet(c.gained.ports), formatPortSet(c.lost.ports)])
      .filter(([, , g, l]) => g !== "none" || l !== "none");
    expect(engine).toEqual(naive);
    expect(engine.length).toBe(4);
  });

  it("validates against docs/schemas/staged-diff.schema.json (Ajv, strict)", async () => {
    const dir = join(ROOT, "docs", "schemas");
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".schema.json"))) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")) as object);
    const v = ajv.getSchema("https://schemas.kwire.invalid/staged-diff.schema.json");
    if (!v) throw new Error("no staged-diff schema");
    for (const level of ["pod", "workload", "namespace"]) {
      const doc = await json("-f", DIR, "--level", level);
      expect(v(doc) ? [] : v.errors, level).toEqual([]);
    }
    expect(v({ apiVersion: "kwire/v1alpha1", kind: "StagedPolicyDiff", level: "pod", staged: [], changes: [{ src: "a", dst: "b", gained: "some" }] })).toBe(false);
  });

  it("--exit-code: 1 when enforcing would change something, 0 when not", async () => {
    expect((await run(["diff", "--staged", "-f", DIR, "--exit-code"])).code).toBe(1);
    const none = await run(["diff", "--staged", "-f", "fixtures/examples/calico-database.yaml", "--exit-code"]);
    expect(none).toMatchObject({ code: 0, stdout: "No staged policies in the input (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy).\n" });
    expect(none.stderr).toMatch(/no StagedNetworkPolicy, StagedGlobalNetworkPolicy or StagedKubernetesNetworkPolicy: nothing to preview/);
  });

  it("the input can also be positional, and the note says Calico is assumed when no CNI is named", async () => {
    const r = await run(["diff", "--staged", DIR]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Enforcing 3 staged policies");
    expect(r.stderr).toMatch(/input names no CNI: both sides are analysed as Calico enforces them/);
    expect((await run(["diff", "--staged", DIR, "--cni", "calico"])).stderr).not.toMatch(/input names no CNI/);
  });

  it("-n keeps the pairs with an end in the namespace", async () => {
    const doc = await json("-f", DIR, "-n", "other");
    expect(doc.changes).toEqual([]);
  });

  it.each([
    [["diff", "--staged", "-f", DIR, "--cni", "cilium"], /staged policies are a Calico feature, but the cluster's CNI is cilium \(--cni\)/],
    [["diff", "--staged", "-f", DIR, "--level", "service"], /--level must be namespace, workload or pod/],
    [["diff", "--staged", "-f", DIR, "-o", "csv"], /-o must be table, md, json or yaml/],
    [["diff", "--staged"], /diff --staged needs an input/],
    [["diff", FILE], /diff needs two inputs, OLD and NEW/],
    [["diff", "--staged", "-f", "no/such/dir"], /cannot read no\/such\/dir/],
  ])("usage error %j exits 2", async (args, msg) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });

  it("a staged rule with an unmodelled part (http match) is called out as uncertain", async () => {
    const text = readFileSync(join(ROOT, FILE), "utf8") + "---\napiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata:\n  name: web-get\n  namespace: app\nspec:\n  selector: role == 'frontend'\n  ingress:\n    - action: Allow\n      protocol: TCP\n      http:\n        methods: [GET]\n";
    const r = await run(["diff", "--staged", "-f", "-"], text);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: StagedNetworkPolicy app\/web-get <stdin>:\d+: the staged rule's change is uncertain: http match \(L7\)/);
  });

  it("a staged ICMP rule is called out: the diff lists ports only", async () => {
    const text = readFileSync(join(ROOT, FILE), "utf8") + "---\napiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata:\n  name: ping\n  namespace: app\nspec:\n  selector: role == 'frontend'\n  ingress:\n    - action: Allow\n      protocol: ICMP\n";
    const r = await run(["diff", "--staged", "-f", "-"], text);
    expect(r.stderr).toMatch(/StagedNetworkPolicy app\/ping <stdin>:\d+: a staged rule names ICMP; the diff lists TCP, UDP and SCTP ports only/);
  });
});
