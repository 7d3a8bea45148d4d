/**
 * @module nft/compile-policy.test
 * The policy compiler, checked three ways: a golden ruleset (what a person reviews), packets traced
 * through the emitted table ("10.0.1.2 → 10.0.1.1 TCP/80 is dropped"), and a differential over every
 * conformance case: for each pair and probe, the tables of the source and destination nodes accept
 * exactly when the engine's `explain` allows the port (as the kernel would: one forward traversal on
 * the shared node, one per node across nodes); a pod to itself (a hairpin through a Service) is
 * always accepted when no cluster policy selects it, as `kwire trace` says.
 */
import { describe, expect, it } from "vitest";
import { buildTopology } from "../engine/index.js";
import type { Cluster } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { CASE_GROUPS } from "../../test/conformance/cases.js";
import { caseTitle } from "../../test/conformance/dsl.js";
import { ALL_PODS, modelYaml, podIP } from "../../test/conformance/model.js";
import { policy } from "../../test/conformance/dsl.js";
import { compilePolicyTable, compilePolicyTables, policyTableNames } from "./compile-policy.js";
import type { NftPod } from "./rule-matches.js";
import { printTable, replaceAllScript, replaceScript } from "./print.js";
import { traceForward, type Packet } from "./tracer.js";
import { admitted as admittedBy, disagreements, nodeTables } from "./testing/differential.js";
import type { L4Proto, Table } from "./ast.js";

/** The model with each namespace on its own node (`node-x`, …). */
function load(policies: readonly string[], model?: Parameters<typeof modelYaml>[0]): { cluster: Cluster; pods: NftPod[] } {
  const cluster = loadCluster([{ path: "model.yaml", text: modelYaml(model) }, { path: "policies.yaml", text: policies.join("---\n") }]).cluster;
  const pods = buildTopology(cluster).subjects.map((s) => ({ ...s, node: `node-${s.namespace}` }));
  return { cluster, pods };
}

const tables = (c: Cluster, pods: NftPod[]): Map<string, Table> =>
  new Map(["x", "y", "z"].map((ns) => [`node-${ns}`, compilePolicyTable({ policies: c.networkPolicies, clusterPolicies: c.clusterPolicies, pods }, `node-${ns}`)]));

/** Accepted by the source node's table and, across nodes, the destination node's (testing/differential.ts). */
const admitted = (t: Map<string, Table>, src: string, dst: string, pkt: Packet): boolean =>
  admittedBy(new Map([...t].map(([n, table]) => [n, [table]])), `node-${src.split("/")[0]}`, `node-${dst.split("/")[0]}`, pkt);

const EXCEPT = policy("x", "allow-egress-except", `
  podSelector: {matchLabels: {pod: a}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {cidr: 10.0.2.0/24, except: [10.0.2.2/32]}
    ports: [{port: serve-80-tcp, protocol: TCP}, {port: 81, endPort: 90, protocol: UDP}]`);
const INGRESS = policy("y", "allow-from-x", `
  podSelector: {matchLabels: {pod: b}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {ns: x}}
    ports: [{port: serve-81-udp, protocol: UDP}]`);

describe("compilePolicyTable", () => {
  const { cluster, pods } = load([EXCEPT, INGRESS]);
  const t = tables(cluster, pods);

  it("renders the golden ruleset of each node (fixtures/scenarios/lab-nft-policy)", async () => {
    for (const [node, table] of t) await expect(printTable(table)).toMatchFileSnapshot(`../../fixtures/scenarios/lab-nft-policy/expected/${node}.nft`);
  });

  it("wraps the table in one add/delete/define transaction", () => {
    expect(replaceScript(t.get("node-x") as Table).split("\n").slice(0, 3)).toEqual(["add table inet kwire", "delete table inet kwire", "table inet kwire {"]);
  });

  const x_a = podIP("x/a");
  const y_a = podIP("y/a");
  const y_b = podIP("y/b");
  const pkt = (saddr: string, daddr: string, protocol: L4Proto | "icmp", dport?: number): Packet => ({ saddr, daddr, protocol, ...(dport === undefined ? {} : { dport }) });
  const cases: [string, Packet, boolean][] = [
    [`${x_a} → ${y_a} TCP/80 (named port serve-80-tcp, in the ipBlock) is accepted`, pkt(x_a, y_a, "tcp", 80), true],
    [`${x_a} → ${y_b} TCP/80 (10.0.2.2 is in except) is dropped`, pkt(x_a, y_b, "tcp", 80), false],
    [`${x_a} → ${y_a} UDP/85 (endPort range 81-90) is accepted`, pkt(x_a, y_a, "udp", 85), true],
    [`${x_a} → ${y_a} TCP/81 (no rule) is dropped`, pkt(x_a, y_a, "tcp", 81), false],
    [`${x_a} → ${y_a} ICMP is dropped (x/a is isolated for egress)`, pkt(x_a, y_a, "icmp"), false],
    [`${y_a} → ${y_b} UDP/81 (y/b admits only namespace x) is dropped`, pkt(y_a, y_b, "udp", 81), false],
    [`${podIP("x/b")} → ${y_b} UDP/81 is accepted`, pkt(podIP("x/b"), y_b, "udp", 81), true],
    [`${podIP("x/b")} → ${y_b} TCP/81 is dropped`, pkt(podIP("x/b"), y_b, "tcp", 81), false],
  ];
  for (const [title, p, want] of cases) {
    it(title, () => {
      const src = ALL_PODS.find((q) => podIP(q) === p.saddr) ?? "";
      const dst = ALL_PODS.find((q) => podIP(q) === p.daddr) ?? "";
      expect(admitted(t, src, dst, p)).toBe(want);
    });
  }

  it("accepts replies of admitted connections (ct state established) even toward isolated pods", () => {
    expect(traceForward(t.get("node-y") as Table, { ...pkt(y_b, x_a, "tcp", 40000), ct: "established" }).verdict).toBe("accept");
  });

  it("names the deciding rule in the trace", () => {
    const r = traceForward(t.get("node-x") as Table, pkt(x_a, y_b, "tcp", 80));
    expect(r.path.at(-1)).toMatch(/drop comment "egress isolated by x\/allow-egress-except"/);
  });
});

describe("the compiled tables agree with the engine on every conformance case", () => {
  for (const c of CASE_GROUPS.flatMap((g) => g.cases)) {
    it(caseTitle(c), () => {
      for (const step of c.steps) {
        const { cluster, pods } = load(step.policies, step.model);
        expect(disagreements(cluster, pods, step.probes, nodeTables(cluster, pods), { hairpin: true })).toEqual([]);
      }
    });
  }
});

describe("namespace shards (several tables on one node) agree with the engine on every conformance case", () => {
  for (const c of CASE_GROUPS.flatMap((g) => g.cases)) {
    it(caseTitle(c), () => {
      for (const step of c.steps) {
        const { cluster, pods } = load(step.policies, step.model);
        const onOneNode = pods.map((p) => ({ ...p, node: "node-all" }));
        expect(disagreements(cluster, onOneNode, step.probes, nodeTables(cluster, onOneNode, 3), { hairpin: true })).toEqual([]);
      }
    });
  }
});

describe("compilePolicyTables", () => {
  const { cluster, pods } = load([EXCEPT, INGRESS, policy("z", "deny-all", "\n  podSelector: {}\n  policyTypes: [Ingress, Egress]")]);
  const onOneNode = pods.map((p) => ({ ...p, node: "node-all" }));
  const input = { policies: cluster.networkPolicies, clusterPolicies: cluster.clusterPolicies, pods: onOneNode };

  it("keeps one table named kwire when small, identical to compilePolicyTable", () => {
    const [only, ...rest] = compilePolicyTables(input, "node-all");
    expect(rest).toEqual([]);
    expect(only).toEqual(compilePolicyTable(input, "node-all"));
  });

  it("splits by namespace: each namespace's chains and dispatch live in exactly one shard, with only the sets they use", () => {
    const shards = compilePolicyTables(input, "node-all", { shards: 3 });
    expect(shards.map((t) => t.name)).toEqual(["kwire", "kwire-1", "kwire-2"]);
    const owner = new Map<string, string>();
    for (const t of shards) {
      for (const m of t.sets) for (const e of m.kind === "vmap" ? m.elements : []) {
        const prev = owner.get(e.key);
        expect(prev === undefined || prev === t.name).toBe(true);
        owner.set(e.key, t.name);
      }
      const used = new Set(t.chains.flatMap((c) => c.statements.flatMap((s) => (s.type === "rule" ? s.matches.flatMap((m) => (m.type === "addr" || m.type === "dport-set" ? [m.set] : [])) : []))));
      for (const s of t.sets) if (s.name !== "hairpin" && s.kind === "set") expect(used.has(s.name)).toBe(true);
      for (const u of used) expect(t.sets.some((s) => s.name === u)).toBe(true);
    }
    expect(owner.size).toBeGreaterThan(0);
  });

  it("replaces every shard name in one transaction", () => {
    const script = replaceAllScript(compilePolicyTables(input, "node-all", { shards: 2 }), policyTableNames());
    expect(script).toContain("delete table inet kwire\n");
    expect(script).toContain("delete table inet kwire-15\n");
    expect(script.match(/^table inet /gm)?.length).toBe(2);
  });

  it("uses named port sets, never anonymous ones", () => {
    const text = compilePolicyTables(input, "node-all").map(printTable).join("");
    expect(text).not.toMatch(/dport \{/);
  });
});

