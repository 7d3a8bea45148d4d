/**
 * Incremental ≡ full recompute: on random clusters, one change (a policy removed or edited, a pod's,
 * workload's or namespace's labels changed) gives the same changed connections at every level as
 * diffing the two full matrices (report/diff.ts `diffMatrices`, what `kwire diff` printed before).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAllPorts, portSetToList } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { diffMatrices, matrixJson } from "../report/index.js";
import { buildTopology, computeMatrix, fastAnalysis, type Level } from "./index.js";
import { incrementalChanges } from "./incremental.js";
import { incrementalMatrixChanges } from "./incremental-matrix.js";
import { clusterArb, tieredClusterArb } from "./testing/arbitrary.js";

type Manifest = { kind: string; metadata: { labels?: Record<string, string> }; spec?: Record<string, unknown> };

function load(manifests: unknown[]) {
  return loadCluster([{ path: "gen.yaml", text: manifests.map((m) => JSON.stringify(m)).join("\n---\n") }]).cluster;
}

const POLICY_KINDS = ["NetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"];
const LABELS = [{}, { app: "a" }, { app: "b", tier: "fe" }, { tier: "be", env: "prod" }, { app: "c", env: "dev" }];

/** One change to manifest `i` (chosen by `how`); undefined when it does not apply to that kind. */
function mutate(manifests: unknown[], i: number, how: number): unknown[] | undefined {
  const m = structuredClone(manifests[i]) as Manifest;
  const out = [...manifests];
  if (POLICY_KINDS.includes(m.kind)) {
    if (how % 3 === 0) return out.filter((_, j) => j !== i); // removed
    const spec = m.spec ?? {};
    if (how % 3 === 1) spec["ingress"] = [];
    else spec["podSelector"] = m.kind === "NetworkPolicy" ? { matchLabels: LABELS[how % LABELS.length] } : spec["podSelector"];
    if (m.kind === "NetworkPolicy" && how % 3 === 1) spec["policyTypes"] = ["Ingress", "Egress"];
    out[i] = m;
    return out;
  }
  const labels = LABELS[how % LABELS.length] as Record<string, string>;
  if (m.kind === "Pod") m.metadata.labels = labels;
  else if (m.kind === "Namespace") m.metadata.labels = how % 2 ? { team: "red" } : {};
  else if (m.kind === "Deployment") ((m.spec?.["template"] as { metadata: { labels: unknown } }).metadata.labels = labels);
  else return undefined;
  out[i] = m;
  return out;
}

describe("incremental changes ≡ diff of full matrices (property, fast-check)", () => {
  it.each([
    ["random clusters", clusterArb, 400],
    ["tiers-heavy clusters", tieredClusterArb, 200],
  ] as const)("same added, removed and changed connections at every level, with and without self pairs (%s)", (_, arb, numRuns) => {
    let incremental = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        arb,
        fc.nat(),
        fc.nat(),
        fc.constantFrom<Level>("pod", "workload", "namespace"),
        fc.boolean(),
        ({ manifests }, at, how, level, includeSelf) => {
          const changed = mutate(manifests, at % manifests.length, how);
          if (!changed) return;
          runs++;
          const c0 = load(manifests);
          const c1 = load(changed);
          const t0 = buildTopology(c0);
          const t1 = buildTopology(c1);
          const a0 = fastAnalysis(c0, t0);
          const opts = { level, includeSelf };
          const full = diffMatrices(matrixJson(computeMatrix(a0, opts)), matrixJson(computeMatrix(fastAnalysis(c1, t1), opts)));
          const inc = incrementalChanges(a0, c0, { cluster: c1, topology: t1 });
          if (!inc) return; // the ipBlock partition changed: recomputed in full
          incremental++;
          const json = (id: number) => {
            const p = inc.ports.get(id);
            return isAllPorts(p) ? "all" : portSetToList(p);
          };
          const got = incrementalMatrixChanges(inc, t1, opts);
          expect(got.filter((c) => c.before === 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.after) }))).toEqual(full.added.map(({ src, dst, ports }) => ({ src, dst, ports })));
          expect(got.filter((c) => c.after === 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.before) }))).toEqual(full.removed.map(({ src, dst, ports }) => ({ src, dst, ports })));
          expect(got.filter((c) => c.before !== 0 && c.after !== 0).map((c) => ({ src: c.src, dst: c.dst, ports: json(c.after), previousPorts: json(c.before) }))).toEqual(
            full.changed.map(({ src, dst, ports, previousPorts }) => ({ src, dst, ports, previousPorts })),
          );
        },
      ),
      { numRuns },
    );
    // Most changes keep the ipBlock partition: the incremental path is what ran.
    expect(incremental).toBeGreaterThan(runs / 2);
  });
});
