/**
 * @module nft/general.lab.test
 * Calico's tiers compiled by compile-general.ts in a real kernel (root + nft; skipped with the
 * reason otherwise). A throwaway plane (test/nft/plane.ts: node netns `kw-t-ng<pid>-n<i>`, pod
 * netns routed through them, nothing shared with `kwire lab`) runs three pods on two nodes; the
 * compiled `inet kwire` table of each node is loaded with one `nft -f`. Real connections and
 * pings then show what `lab probe` cannot: ICMP type matching (Calico `icmp: {type: 8}`), a Pass
 * handed to the next tier, a Deny, and a tier's default Deny — each also as the model predicts
 * it (engine for TCP, the general fold for ICMP). Without the tables everything connects.
 * Semantics: docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy and
 * .../reference/resources/networkpolicy (ICMP type/code).
 */
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeCluster } from "../analyze/index.js";
import { buildTopology, fastAnalysis } from "../engine/index.js";
import { generalPolicyInput } from "../lab/general-policy.js";
import { labCluster } from "../lab/model.js";
import { labSkipReason } from "../lab/cni/testing/lab.js";
import { containsPort, type Cluster } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { enforcedTiers, evaluateDirection } from "../policy/index.js";
import { compileGeneralTable } from "./compile-general.js";
import { replaceScript } from "./print.js";
import { Plane, type NetPod } from "../../test/nft/plane.js";

const skip = labSkipReason();

const POD = {
  db: { id: "prod/db", ip: "10.0.1.10", node: "node-a", tcp: [6379, 80], udp: [] },
  fe: { id: "prod/fe", ip: "10.0.2.20", node: "node-b", tcp: [80], udp: [] },
  batch: { id: "prod/batch", ip: "10.0.1.30", node: "node-a", tcp: [80], udp: [] },
} as const satisfies Record<string, NetPod>;
type PodKey = keyof typeof POD;

const pod = (k: PodKey, role: string): string => `apiVersion: v1
kind: Pod
metadata: { name: ${POD[k].id.split("/")[1] ?? ""}, namespace: prod, labels: { role: ${role} } }
spec: { nodeName: ${POD[k].node}, containers: [ { name: c, image: i, ports: [${POD[k].tcp.map((p) => `{ containerPort: ${p} }`).join(", ")}] } ] }
status: { podIP: ${POD[k].ip} }
---
`;

const YAML = `apiVersion: v1
kind: Namespace
metadata: { name: prod }
---
${pod("db", "database")}${pod("fe", "frontend")}${pod("batch", "batch")}apiVersion: projectcalico.org/v3
kind: Tier
metadata: { name: security }
spec: { order: 100 }
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: security.db }
spec:
  tier: security
  selector: role == 'database'
  types: [Ingress]
  ingress:
    - { action: Allow, protocol: ICMP, icmp: { type: 8 }, source: { selector: role == 'frontend' } }
    - { action: Pass, protocol: TCP, source: { selector: role == 'frontend' } }
    - { action: Deny, protocol: TCP, destination: { ports: [6379] } }
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: default.db, namespace: prod }
spec:
  selector: role == 'database'
  types: [Ingress]
  ingress:
    - { action: Allow, protocol: TCP, source: { selector: role == 'frontend' }, destination: { ports: [6379] } }
`;

function labOf(text: string): Cluster {
  const a = analyzeCluster(loadCluster([{ path: "calico.yaml", text }]), { cni: "calico" });
  if ("error" in a) throw new Error(a.error);
  const placed = Object.values(POD).map((p) => ({ ip: p.ip, pod: { id: p.id, namespace: "prod", name: p.id.split("/")[1] ?? "", netns: "", node: p.node, labels: {}, ports: p.tcp.map((x) => ({ containerPort: x, protocol: "TCP" as const })), subject: p.id } }));
  // Labels come from the model's pods (labCluster keeps the LabPod's labels): take them from the input.
  const labels = new Map(a.cluster.pods.map((p) => [`${p.namespace}/${p.name}`, p.labels]));
  return labCluster(a.cluster, placed.map((x) => ({ ...x, pod: { ...x.pod, labels: labels.get(x.pod.id) ?? {} } })));
}

const lab = labOf(YAML);
const plane = new Plane(`kw-t-ng${process.pid}`);
const analysis = fastAnalysis(lab, buildTopology(lab));
const index = new Map(analysis.topology.subjects.map((s, i) => [s.id, i]));

function predictedTcp(src: PodKey, dst: PodKey, port: number): boolean {
  return containsPort(analysis.explain(index.get(POD[src].id) ?? -1, index.get(POD[dst].id) ?? -1).ports, "TCP", port);
}

function predictedPing(src: PodKey, dst: PodKey): boolean {
  const e = enforcedTiers(lab);
  const s = analysis.topology.subjects[index.get(POD[src].id) ?? -1];
  const d = analysis.topology.subjects[index.get(POD[dst].id) ?? -1];
  if (e === undefined || s === undefined || d === undefined) throw new Error("no dialect");
  const echo = (r: readonly { from: number; to: number }[]): boolean => r.some((x) => 8 * 256 >= x.from && 8 * 256 <= x.to);
  return echo(evaluateDirection(e.tiers, "Egress", s, { type: "Pod", endpoint: d }, e.context).allowed.icmp) && echo(evaluateDirection(e.tiers, "Ingress", d, { type: "Pod", endpoint: s }, e.context).allowed.icmp);
}

function ping(src: PodKey, dst: PodKey): Promise<boolean> {
  return new Promise((resolve) => execFile("nsenter", [`--net=/var/run/netns/${plane.podNetns.get(POD[src].id) ?? ""}`, "--", "ping", "-c1", "-W1", POD[dst].ip], (err) => resolve(err === null)));
}

const TCP: readonly [string, PodKey, PodKey, number, boolean][] = [
  ["Pass → default tier Allow: fe → db TCP/6379 connects", "fe", "db", 6379, true],
  ["Pass → default tier's default Deny: fe → db TCP/80 is dropped", "fe", "db", 80, false],
  ["Deny in the security tier: batch → db TCP/6379 is dropped", "batch", "db", 6379, false],
  ["the security tier's default Deny: batch → db TCP/80 is dropped", "batch", "db", 80, false],
  ["no policy selects fe: db → fe TCP/80 connects", "db", "fe", 80, true],
];
const PING: readonly [string, PodKey, PodKey, boolean][] = [
  ["ICMP echo-request allowed by type (icmp: {type: 8}): fe pings db", "fe", "db", true],
  ["ICMP from batch meets the security tier's default Deny: batch cannot ping db", "batch", "db", false],
];

describe.skipIf(skip !== undefined)(`Calico tiers in a real kernel${skip === undefined ? "" : ` (skipped: ${skip})`}`, () => {
  beforeAll(async () => {
    plane.up(["node-a", "node-b"], Object.values(POD));
    await plane.ready(Object.values(POD));
  });

  afterAll(async () => {
    const { running } = await plane.teardown();
    expect(running, "servers left running").toEqual([]);
  });

  it("without the tables everything connects and pings (the drops are the tables')", async () => {
    expect(await Promise.all(TCP.map(([, s, d, port]) => plane.probe(POD[s].id, POD[d], "TCP", port)))).toEqual(TCP.map(() => "connected"));
    expect(await Promise.all(PING.map(([, s, d]) => ping(s, d)))).toEqual(PING.map(() => true));
  });

  it("loads each node's compiled table with one nft -f", () => {
    const input = generalPolicyInput(lab);
    if (input === undefined) throw new Error("no dialect");
    for (const node of ["node-a", "node-b"]) plane.load(node, replaceScript(compileGeneralTable(input, node, "Calico")));
  });

  for (const [title, src, dst, port, want] of TCP) {
    it(title, async () => {
      expect(predictedTcp(src, dst, port), "model").toBe(want);
      expect(await plane.probe(POD[src].id, POD[dst], "TCP", port), "kernel").toBe(want ? "connected" : "timeout");
    });
  }
  for (const [title, src, dst, want] of PING) {
    it(title, async () => {
      expect(predictedPing(src, dst), "model").toBe(want);
      expect(await ping(src, dst), "kernel").toBe(want);
    });
  }
});
