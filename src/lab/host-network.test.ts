/**
 * @module lab/host-network.test
 * hostNetwork pods without a kernel: the plan runs them in their node's netns, the compiler adds
 * input/output chains on their nodes, and for every pair (pods and hostNetwork pods) the tables,
 * traced on the hooks the kernel uses, agree with the engine; testing/host-pods.ts pins the truths.
 * Hooks: pod → pod: forward on the source node, then on the destination node; node (hostNetwork
 * pod) → pod: output on its node, then forward on the pod's node if another; pod → node: forward
 * on the pod's node if another, then input on the node.
 */
import { describe, expect, it } from "vitest";
import { fastAnalysis } from "../engine/index.js";
import { containsPort, formatIp, type Protocol } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { printTable, traceForwardAll, type Packet, type Table } from "../nft/index.js";
import { L4, nodeTables } from "../nft/testing/differential.js";
import { modelYaml } from "../../test/conformance/model.js";
import { labCluster, nftPods } from "./model.js";
import { planLab } from "./plan.js";
import { HOST_PODS_YAML, HOST_POLICIES, HOST_TRUTHS } from "./testing/host-pods.js";
import type { NftPod } from "../nft/rule-matches.js";

function lab() {
  const cluster = loadCluster([{ path: "model.yaml", text: modelYaml() }, { path: "host.yaml", text: HOST_PODS_YAML }, { path: "policies.yaml", text: HOST_POLICIES.join("---\n") }]).cluster;
  const plan = planLab(cluster);
  const placed = plan.pods.map((pod) => {
    const node = plan.nodes.find((n) => n.name === pod.node);
    const ip = pod.hostNetwork === true ? node?.transitIp ?? "" : pod.requestedIp ?? "";
    return { pod, ip, ips: [ip] };
  });
  return { plan, lab: labCluster(cluster, placed) };
}

/** Accepted on every hook the packet passes (see the module comment). */
function passes(tables: ReadonlyMap<string, readonly Table[]>, src: NftPod, dst: NftPod, pkt: Packet): boolean {
  const at = (node: string, hook: "forward" | "input" | "output"): boolean => traceForwardAll(tables.get(node) ?? [], pkt, hook).verdict === "accept";
  const hops: [string, "forward" | "input" | "output"][] = [];
  hops.push([src.node, src.hostNetwork ? "output" : "forward"]);
  if (dst.node !== src.node && !dst.hostNetwork) hops.push([dst.node, "forward"]);
  if (dst.hostNetwork) hops.push([dst.node, "input"]);
  return hops.every(([n, h]) => at(n, h));
}

describe("hostNetwork pods", () => {
  const { plan, lab: l } = lab();
  const pods = nftPods(l);
  const tables = nodeTables(l, pods);

  it("run in their node's netns with no addresses of their own; the plan says so", () => {
    const hosts = plan.pods.filter((p) => p.hostNetwork === true);
    expect(hosts.map((p) => [p.id, p.node, p.netns])).toEqual([["h/agent-0", "node-0", "kw-n0"], ["h/agent-1", "node-1", "kw-n1"]]);
    expect(plan.notes.join("\n")).toContain("2 hostNetwork pod(s) run in their node's netns");
  });

  it("nodes with hostNetwork pods get input (egress of local pods) and output (ingress of local pods) chains; others do not", () => {
    const text = (n: string): string => (tables.get(n) ?? []).map(printTable).join("");
    expect(text("node-0")).toContain("type filter hook output priority filter; policy accept;");
    expect(text("node-0")).toContain("ip daddr vmap @ingress-pods comment");
    expect(text("node-0")).toContain("type filter hook input priority filter; policy accept;");
    expect(text("node-2")).not.toContain("hook output");
  });

  it("two hostNetwork pods binding one port on one node are refused; on vxlan they are left out with a note", () => {
    const twice = HOST_PODS_YAML.replace("nodeName: node-1", "nodeName: node-0");
    const c = loadCluster([{ path: "model.yaml", text: modelYaml() }, { path: "host.yaml", text: twice }]).cluster;
    expect(() => planLab(c)).toThrow("hostNetwork pods h/agent-0 and h/agent-1 both bind TCP/9100 on node-0");
    const vx = planLab(c, { backend: "vxlan" });
    expect(vx.pods.some((p) => p.hostNetwork === true)).toBe(false);
    expect(vx.notes.join("\n")).toContain("h/agent-0 uses hostNetwork; left out on the vxlan backend");
  });

  it("every pair and port: the tables on the kernel's hooks agree with the engine", () => {
    const a = fastAnalysis(l);
    const index = new Map(a.topology.subjects.map((s, i) => [s.id, i]));
    const wrong: string[] = [];
    for (const src of pods) {
      for (const dst of pods) {
        if (src === dst || (src.hostNetwork && dst.hostNetwork && src.node === dst.node)) continue;
        for (const cp of dst.ports) {
          if (cp.protocol === "SCTP") continue;
          const want = containsPort(a.explain(index.get(src.id) ?? -1, index.get(dst.id) ?? -1).ports, cp.protocol, cp.containerPort);
          const got = passes(tables, src, dst, { saddr: formatIp(src.ips[0] ?? { family: 4, value: 0n }), daddr: formatIp(dst.ips[0] ?? { family: 4, value: 0n }), protocol: L4[cp.protocol], dport: cp.containerPort });
          if (want !== got) wrong.push(`${src.id} -> ${dst.id} ${cp.protocol}/${cp.containerPort}: engine ${want}, nft ${got}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(HOST_TRUTHS)("%s -> %s %s: allowed %s", (src, dst, port, allowed) => {
    const [protocol, num] = port.split("/") as [Protocol, string];
    const s = pods.find((p) => p.id === src);
    const d = pods.find((p) => p.id === dst);
    if (s === undefined || d === undefined) throw new Error("pod missing");
    expect(passes(tables, s, d, { saddr: formatIp(s.ips[0] ?? { family: 4, value: 0n }), daddr: formatIp(d.ips[0] ?? { family: 4, value: 0n }), protocol: L4[protocol], dport: Number(num) })).toBe(allowed);
    const a = fastAnalysis(l);
    const ids = a.topology.subjects.map((x) => x.id);
    expect(containsPort(a.explain(ids.indexOf(src), ids.indexOf(dst)).ports, protocol, Number(num))).toBe(allowed);
  });
});
