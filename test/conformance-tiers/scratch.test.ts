import { it } from "vitest";
import { loadCluster } from "../../src/parse/index.js";
import { fastAnalysis, referenceAnalysis, buildTopology } from "../../src/engine/index.js";
import { containsPort } from "../../src/model/index.js";
import { clusterYaml } from "./topology.js";

const POL = process.env.POL ?? "";
it("scratch", () => {
  const load = loadCluster([{ path: "cluster.yaml", text: clusterYaml() }, { path: "p.yaml", text: POL }]);
  for (const d of load.diagnostics) console.log(d.severity, d.code, d.message, d.source?.line);
  console.log("cluster policies", load.cluster.clusterPolicies.length, "np", load.cluster.networkPolicies.length, "pods", load.cluster.pods.length);
  const topo = buildTopology(load.cluster);
  console.log(topo.subjects.map((s) => s.id).join(" "));
  const a = fastAnalysis(load.cluster, topo);
  const r = referenceAnalysis(load.cluster, topo);
  const idx = (id: string) => topo.subjects.findIndex((s) => s.id.endsWith("/" + id));
  for (const [s, d] of (process.env.PAIRS ?? "").split(",").filter(Boolean).map((x) => x.split(">"))) {
    const e = a.explain(idx(s!), idx(d!)); const e2 = r.explain(idx(s!), idx(d!));
    console.log(s, "->", d, "TCP80", containsPort(e.ports, "TCP", 80), containsPort(e2.ports, "TCP", 80), "TCP8080", containsPort(e.ports, "TCP", 8080));
  }
});
