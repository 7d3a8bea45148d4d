/**
 * @module lab/plan.test
 * Placement and addressing of lab pods, without a kernel.
 */
import { describe, expect, it } from "vitest";
import { loadCluster } from "../parse/index.js";
import { planCells, summarize, type CellResult } from "./compare.js";
import { labCluster } from "./model.js";
import { planLab, podNetns } from "./plan.js";
import { fastAnalysis } from "../engine/index.js";
import { LabError } from "./errors.js";
import { ALL_PODS, modelYaml, podIP } from "../../test/conformance/model.js";

const SMALL = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}, {containerPort: 53, protocol: UDP}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: prod, labels: {app: client}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: http}]}]
`;
const demo = loadCluster([{ path: "small.yaml", text: SMALL }]).cluster;

describe("planLab", () => {
  it("expands workloads without listed pods into `replicas` pods, placed round-robin", () => {
    const plan = planLab(demo, { nodes: 2 });
    expect(plan.pods.map((p) => [p.id, p.node])).toEqual([["prod/client", "node-0"], ["prod/web-0", "node-1"], ["prod/web-1", "node-0"], ["prod/web-2", "node-1"]]);
    expect(new Set(plan.pods.map((p) => p.node))).toEqual(new Set(["node-0", "node-1"]));
    expect(plan.nodes.map((n) => [n.netns, n.podCidr, n.gateway])).toEqual([["kw-n0", "10.244.0.0/24", "10.244.0.254"], ["kw-n1", "10.244.1.0/24", "10.244.1.254"]]);
    expect(plan.pods[0]?.netns).toMatch(/^kw-p-[0-9a-f]{10}$/);
    expect(podNetns("x/a")).toBe(podNetns("x/a"));
  });

  it("places a pod by spec.nodeName, else by the podCIDR holding its declared IP (and requests that IP)", () => {
    const text = `apiVersion: v1
kind: Node
metadata: {name: w2}
spec: {podCIDR: 10.9.2.0/24}
---
apiVersion: v1
kind: Node
metadata: {name: w1}
spec: {podCIDR: 10.9.1.0/24}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: default}
spec: {nodeName: w2, containers: [{name: c, image: i}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: default}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.9.1.7}
`;
    const plan = planLab(loadCluster([{ path: "n.yaml", text }]).cluster, { nodes: 5 });
    expect(plan.nodes.map((n) => n.name)).toEqual(["w1", "w2"]);
    expect(plan.pods.map((p) => [p.id, p.node, p.requestedIp ?? "-"])).toEqual([["default/a", "w2", "-"], ["default/b", "w1", "10.9.1.7"]]);
    expect(plan.notes).toContain("the input declares 2 Node object(s); --nodes 5 is ignored");
  });

  it("without Node objects, the upstream x/y/z model's declared addresses decide the nodes: one per /24, every pod keeps its IP", () => {
    // test/conformance/model.ts: pods 10.0.<ns>.<pod> (x=1, y=2, z=3), as upstream's ipBlock cases name them.
    const model = loadCluster([{ path: "model.yaml", text: modelYaml() }]).cluster;
    const plan = planLab(model);
    expect(plan.nodes.map((n) => [n.name, n.podCidr, n.gateway])).toEqual([
      ["node-0", "10.0.1.0/24", "10.0.1.254"], ["node-1", "10.0.2.0/24", "10.0.2.254"], ["node-2", "10.0.3.0/24", "10.0.3.254"],
    ]);
    expect(plan.pods.map((p) => [p.id, p.requestedIp])).toEqual(ALL_PODS.map((p) => [p, podIP(p)]));
    expect(plan.pods.map((p) => p.node)).toEqual(ALL_PODS.map((p) => `node-${p.startsWith("x") ? 0 : p.startsWith("y") ? 1 : 2}`));
    // --nodes adds nodes (free 10.244.<k>.0/24) for pods without addresses; it never moves a declared one.
    expect(planLab(model, { nodes: 4 }).nodes.map((n) => n.podCidr)).toEqual(["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.244.0.0/24"]);
  });

  it("the gateway is never a declared address; derived nodes take the pods' nodeName when they agree", () => {
    const text = [254, 1, 253].map((last, i) => `apiVersion: v1
kind: Pod
metadata: {name: p${i}, namespace: default}
spec: {nodeName: worker-a, containers: [{name: c, image: i}]}
status: {podIP: 10.7.0.${last}}`).join("\n---\n");
    const plan = planLab(loadCluster([{ path: "p.yaml", text }]).cluster);
    expect(plan.nodes.map((n) => [n.name, n.podCidr, n.gateway])).toEqual([["worker-a", "10.7.0.0/24", "10.7.0.252"]]);
    expect(plan.pods.map((p) => p.requestedIp)).toEqual(["10.7.0.254", "10.7.0.1", "10.7.0.253"]);
  });

  it("a declared address that cannot be honoured is refused with every reason, unless --renumber", () => {
    const text = `apiVersion: v1
kind: Node
metadata: {name: w1}
spec: {podCIDR: 10.9.1.0/24}
---
apiVersion: v1
kind: Pod
metadata: {name: outside, namespace: default}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.8.0.5}
---
apiVersion: v1
kind: Pod
metadata: {name: net, namespace: default}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.9.1.0}
---
apiVersion: v1
kind: Pod
metadata: {name: one, namespace: default}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.9.1.9}
---
apiVersion: v1
kind: Pod
metadata: {name: two, namespace: default}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.9.1.9}
`;
    const cluster = loadCluster([{ path: "bad.yaml", text }]).cluster;
    let err: unknown;
    try { planLab(cluster); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe("declared-address");
    expect((err as LabError).message).toContain("default/net: declared IP 10.9.1.0 is the network address of 10.9.1.0/24");
    expect((err as LabError).message).toContain("default/outside: declared IP 10.8.0.5 is not in w1's podCIDR 10.9.1.0/24");
    expect((err as LabError).message).toContain("default/two: declared IP 10.9.1.9 is declared by another pod too");
    expect((err as LabError).message).toContain("--renumber");
    const plan = planLab(cluster, { renumber: true });
    expect(plan.pods.map((p) => [p.id, p.requestedIp ?? "-"])).toEqual([["default/net", "-"], ["default/one", "10.9.1.9"], ["default/outside", "-"], ["default/two", "-"]]);
    expect(plan.notes.filter((n) => n.includes("renumbered"))).toHaveLength(3);
  });

  it("rejects overlapping podCIDRs, quoting both", () => {
    expect(() => planLab(demo, { nodes: 2, podCidrs: ["10.1.0.0/16", "10.1.2.0/24"] })).toThrow(new LabError("bad-plan", "podCIDRs 10.1.0.0/16 (node-0) and 10.1.2.0/24 (node-1) overlap"));
  });
});

describe("planCells + summarize", () => {
  it("predicts every served port between distinct lab pods, and counts mismatches", () => {
    const plan = planLab(demo, { nodes: 2 });
    const lab = labCluster(demo, plan.pods.map((pod, i) => ({ pod, ip: `10.244.${i % 2}.${i + 1}` })));
    const cells = planCells(fastAnalysis(lab));
    // 3 sources × 2 ports into each web pod, 3 sources × 1 port into client.
    expect(cells.length).toBe(3 * 2 * 3 + 3);
    expect(cells.filter((c) => c.predicted).map((c) => `${c.src}>${c.dst}:${c.protocol}/${c.port}`)).toEqual([
      "prod/client>prod/web-0:TCP/80", "prod/client>prod/web-1:TCP/80", "prod/client>prod/web-2:TCP/80",
      "prod/web-0>prod/client:TCP/8080", "prod/web-1>prod/client:TCP/8080", "prod/web-2>prod/client:TCP/8080",
    ]);
    const results: CellResult[] = cells.map((c, i) => ({ ...c, observed: i === 0 ? !c.predicted : c.predicted, verdict: "connected", latencyMs: i }));
    const s = summarize(results);
    expect(s.mismatches).toBe(1);
    expect(s.probed).toBe(21);
  });
});

describe("one expansion of workloads (issue 12 item 6)", () => {
  it("the lab runs exactly the model's pod instances (serviceLayerOf: what trace, proxy-rules and the service matrix use), on the demo and the fixtures", async () => {
    const { readdirSync, readFileSync, statSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { buildTopology, serviceLayerOf } = await import("../engine/index.js");
    const root = join(import.meta.dirname, "..", "..", "fixtures");
    const yamls = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? yamls(p) : /\.ya?ml$/.test(f) && !f.startsWith("expect") ? [p] : [];
    });
    let checked = 0;
    for (const dir of ["demo", ...readdirSync(join(root, "scenarios")).map((d) => join("scenarios", d))]) {
      const files = yamls(join(root, dir)).map((p) => ({ path: p, text: readFileSync(p, "utf8") }));
      if (files.length === 0) continue;
      const cluster = loadCluster(files).cluster;
      let plan;
      try {
        plan = planLab(cluster, { renumber: true });
      } catch (e) {
        if (e instanceof LabError) continue; // inputs the lab refuses (bad podCIDRs, …) are not about expansion
        throw e;
      }
      const instances = serviceLayerOf(cluster, buildTopology(cluster)).instances.map((i) => `${i.namespace}/${i.name}`).sort();
      expect(plan.pods.map((p) => p.id).sort(), dir).toEqual(instances);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("replicas above the model's grouping threshold run as the model groups them (one per node), with a note; a DaemonSet gets one pod per Node", () => {
    const yaml = `apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {podCIDR: 10.9.1.0/24}
---
apiVersion: v1
kind: Node
metadata: {name: n2}
spec: {podCIDR: 10.9.2.0/24}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: big, namespace: d}
spec:
  replicas: 100
  selector: {matchLabels: {app: big}}
  template:
    metadata: {labels: {app: big}}
    spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: d}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: i, ports: [{containerPort: 9100}]}]}
`;
    const plan = planLab(loadCluster([{ path: "big.yaml", text: yaml }]).cluster);
    expect(plan.pods.map((p) => `${p.id} on ${p.node}`).sort()).toEqual(["d/agent-0 on n1", "d/agent-1 on n2", "d/big-0 on n1", "d/big-1 on n2"]);
    expect(plan.notes.join("\n")).toContain("d/big[Deployment]: 100 replicas, run as one pod per node");
  });
});
