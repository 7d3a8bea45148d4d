/**
 * @module nft/testing/differential
 * The engine-vs-ruleset differential the compiler tests share: for each (pair, probe), do the
 * compiled tables accept exactly when the engine says the port is allowed? Tables are traced as
 * the kernel runs them: one forward traversal on the node when source and destination share it,
 * the source node's then the destination node's across nodes. A pod to itself is a hairpin through
 * a Service (the only way its packet reaches the forward hook); its oracle is `kwire trace` with
 * `viaService`, where NetworkPolicy does not police it and cluster policies do.
 */
import { buildTopology, fastAnalysis, PolicyIndex, traceConnection } from "../../engine/index.js";
import { containsPort, formatIp, type Cluster, type Protocol } from "../../model/index.js";
import { compilePolicyTables } from "../compile-policy.js";
import type { L4Proto, Table } from "../ast.js";
import type { NftPod } from "../rule-matches.js";
import { traceForwardAll, type Packet } from "../tracer.js";

export interface Probe {
  readonly protocol: Protocol;
  readonly port: number;
}

export const L4: Readonly<Record<Protocol, L4Proto>> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };

/** The cluster's pods as the compiler sees them, each placed by `nodeOf` (pods without an IPv4 address are left out). */
export function nftPodsOf(cluster: Cluster, nodeOf: (id: string, index: number) => string): NftPod[] {
  return buildTopology(cluster).subjects.map((s, i) => ({ ...s, node: nodeOf(s.id, i) }));
}

/** A node → its policy tables (one, or `shards` namespace shards). */
export function nodeTables(cluster: Cluster, pods: readonly NftPod[], shards = 1): Map<string, Table[]> {
  const input = { policies: cluster.networkPolicies, clusterPolicies: cluster.clusterPolicies, pods };
  const nodes = [...new Set(pods.map((p) => p.node))].sort();
  return new Map(nodes.map((n) => [n, compilePolicyTables(input, n, { shards })]));
}

/** Accepted by the forward hook of the source node and, across nodes, of the destination node. */
export function admitted(tables: ReadonlyMap<string, readonly Table[]>, srcNode: string, dstNode: string, pkt: Packet): boolean {
  const nodes = srcNode === dstNode ? [srcNode] : [srcNode, dstNode];
  return nodes.every((n) => traceForwardAll(tables.get(n) ?? [], pkt).verdict === "accept");
}

export const v4Of = (p: NftPod): string | undefined => {
  const ip = p.ips.find((x) => x.family === 4);
  return ip === undefined ? undefined : formatIp(ip);
};

/**
 * Every (pair, probe) where the tables disagree with the engine, as lines (empty: agreement).
 * Pairs of distinct pods are judged by `explain`; a pod to itself (when `hairpin`) by the
 * hairpin trace. Only pods with an IPv4 address take part (lab pods are IPv4).
 */
export function disagreements(cluster: Cluster, pods: readonly NftPod[], probes: readonly Probe[], tables: ReadonlyMap<string, readonly Table[]>, opts: { readonly hairpin?: boolean } = {}): string[] {
  const a = fastAnalysis(cluster);
  const index = new Map(a.topology.subjects.map((s, i) => [s.id, i]));
  const idx = new PolicyIndex(cluster);
  const wrong: string[] = [];
  for (const probe of probes) {
    for (const src of pods) {
      const saddr = v4Of(src);
      if (saddr === undefined) continue;
      for (const dst of pods) {
        const daddr = v4Of(dst);
        if (daddr === undefined || (src === dst && opts.hairpin !== true)) continue;
        const s = index.get(src.id) ?? -1;
        const d = index.get(dst.id) ?? -1;
        const want =
          src === dst
            ? traceConnection(a.topology, idx, { src: { type: "node", node: s, label: src.id }, dst: { type: "node", node: d, label: dst.id }, protocol: probe.protocol, port: probe.port, viaService: true }).verdict === "allowed"
            : containsPort(a.explain(s, d).ports, probe.protocol, probe.port);
        const got = admitted(tables, src.node, dst.node, { saddr, daddr, protocol: L4[probe.protocol], dport: probe.port });
        if (want !== got) wrong.push(`${src.id} -> ${dst.id}${src === dst ? " (hairpin)" : ""} ${probe.protocol}/${probe.port}: engine ${want}, nft ${got}`);
      }
    }
  }
  return wrong;
}
