/**
 * @module lab/services
 * The Service data plane of a lab node, rendered from the lab cluster (the pods' real addresses,
 * so endpoints are the lab's pods) for that node (local endpoints, NodePort on its addresses via
 * `fib daddr type local`). Two renderings, chosen by `lab up --proxy` and kept in the lab state:
 *
 * - `compact` (default): kwire's layout of kube-proxy's semantics, table `ip kwire-services`
 *   (`src/services/kube-proxy/compact.ts`): a constant skeleton of chains and maps, the Services
 *   in map elements, so 10k Services load in about a second.
 * - `kube-proxy`: kube-proxy's exact nftables mode, table `ip kube-proxy`
 *   (`src/services/kube-proxy/nftables.ts`, what `kwire proxy-rules -o nftables` prints), proving
 *   that output on a real kernel; per-Service and per-endpoint chains load quadratically (1k
 *   Services ≈ 0.8 s, 3k ≈ 10 s on nft 1.0.6).
 *
 * Both with `--cluster-cidr` = the nodes' podCIDRs (`labClusterCidr`: pods keep their address
 * toward ClusterIPs, and pod traffic to externalTrafficPolicy Local frontends short-circuits to
 * every endpoint, as kube-proxy's local-traffic detector does); hairpin (a pod
 * reaching itself through its Service) is masqueraded to the bridge address: kube-proxy's
 * per-endpoint `ip saddr <endpoint> jump mark-for-masquerade`, the compact table's `hairpin` set.
 *
 * One table per IP family the lab's Services use, as kube-proxy runs one proxier per family
 * (`ip …` and, under `--ip-family ipv6|dual`, `ip6 …`): each rendered on the lab cluster's view of
 * that family (`familyView`: endpoints are the pods' addresses of the family), with the node's
 * uplink address of the family as NodePort address and the family's `--cluster-cidr`.
 *
 * Ordering with the policy table (`src/nft/README.md`): DNAT happens in `nat-prerouting` /
 * `nat-output` (dstnat, -100), the policy's forward hook runs at 0, so policy sees the endpoint
 * pod's address and targetPort, as Kubernetes specifies. Both tables go into one `nft -f`
 * transaction per node (`nodeScript`), each replaced atomically (add + delete + define).
 */
import type { Cidr, Cluster, Ip } from "../model/index.js";
import { formatIp, lastOf, parseCidr, parseIp } from "../model/index.js";
import { buildServiceLayer, clusterFrontends, serviceFrontends } from "../services/index.js";
import { buildSnapshot, COMPACT_TABLE, familyParts, proxierOptions, renderCompactNftables, renderNftables, snapshotFamilies } from "../services/kube-proxy/index.js";
import { deleteScript, policyTableNames, replaceAllScript, type Table } from "../nft/index.js";
import { familyView } from "./model.js";
import type { LabNode } from "./plan.js";

/** How the lab renders Services (`lab up --proxy`). */
export const LAB_PROXIES = ["compact", "kube-proxy"] as const;
export type LabProxy = (typeof LAB_PROXIES)[number];
export const DEFAULT_LAB_PROXY: LabProxy = "compact";

/** The table each rendering owns (family `ip`, and `ip6` for IPv6 Services). */
export const PROXY_TABLES: Readonly<Record<LabProxy, string>> = { compact: COMPACT_TABLE, "kube-proxy": "kube-proxy" };

export const isLabProxy = (v: string): v is LabProxy => (LAB_PROXIES as readonly string[]).includes(v);

const replaceTable = (name: string, family: 4 | 6 = 4): string => deleteScript(familyParts(family).table, name);

/**
 * kube-proxy's `--cluster-cidr` for the lab, per family: the smallest CIDR covering every node's
 * podCIDR of that family (kubeadm sets it from the pod subnet; dual-stack: one per family). It
 * turns on the local-traffic detector, so pod traffic to an externalTrafficPolicy Local frontend
 * short-circuits to all endpoints, as the engine predicts (`service-trace.ts`, `viaExternalFrontend`).
 */
export function labClusterCidr(nodes: readonly LabNode[], family: 4 | 6 = 4): Cidr | undefined {
  const cidrs = nodes.flatMap((n) => {
    const text = family === 4 ? n.podCidr : n.podCidr6;
    const c = text === undefined ? undefined : parseCidr(text);
    return c?.ok === true && c.cidr.family === family ? [c.cidr] : [];
  });
  if (cidrs.length === 0) return undefined;
  const bits = family === 4 ? 32 : 128;
  const lo = cidrs.reduce((m, c) => (c.base < m ? c.base : m), cidrs[0]?.base ?? 0n);
  const hi = cidrs.reduce((m, c) => (lastOf(c) > m ? lastOf(c) : m), 0n);
  let prefix = bits;
  while (prefix > 0 && (lo >> BigInt(bits - prefix)) !== (hi >> BigInt(bits - prefix))) prefix--;
  const base = prefix === 0 ? 0n : (lo >> BigInt(bits - prefix)) << BigInt(bits - prefix);
  return { family, base, prefix };
}

/**
 * Notes for Services the lab cannot serve: every ClusterIP they declare is of a family the lab does
 * not run (`--ip-family ipv6` and a manifest's IPv4 clusterIP, or the reverse); they get no rules
 * and no cells (the API server would not accept them on such a cluster).
 */
export function unservedServiceNotes(cluster: Cluster, families: readonly (4 | 6)[]): string[] {
  return serviceFrontends(cluster.services, families).flatMap((f) => {
    if (f.service.type === "ExternalName" || f.service.headless || f.clusterIPs.some((ip) => families.includes(ip.family))) return [];
    const fams = families.map((x) => `IPv${x}`).join(" and ");
    const asks = f.service.clusterIPs.length > 0 ? `its clusterIPs (${f.service.clusterIPs.map(formatIp).join(", ")}) are` : `its ipFamilies (${(f.service.ipFamilies ?? []).map((x) => `IPv${x}`).join(", ")}) are`;
    return [`Service ${f.id}: ${asks} not ${fams}, which the lab runs: no Service rules, no probe cells${f.id === "kube-system/kube-dns" ? ", no cluster DNS" : ""}`];
  });
}

/**
 * The IP families whose Service table a lab node gets: those the lab runs with Services (when none,
 * the lab's first family, so the table exists).
 */
export function labProxyFamilies(lab: Cluster): (4 | 6)[] {
  // The frontends alone decide (no endpoint work): the same allocation the Service layer makes.
  const byId = new Map(clusterFrontends(lab).map((f) => [f.id, f]));
  const runs = lab.serviceIpFamilies ?? [4, 6];
  const families = snapshotFamilies(lab, { frontend: (namespace, name) => byId.get(`${namespace}/${name}`) }).filter((f) => runs.includes(f));
  return families.length === 0 ? [runs[0] ?? 4] : families;
}

/**
 * The node's Service tables as `nft -f` text (replacing any previous ones): one per family of
 * `labProxyFamilies`, each on the family's view of the lab cluster, with the node's uplink
 * address of that family and `--cluster-cidr` per family from `nodes` (absent: none).
 */
export function proxyScript(lab: Cluster, node: LabNode, proxy: LabProxy = DEFAULT_LAB_PROXY, nodes?: readonly LabNode[]): string {
  const nodeIPs: Ip[] = [node.transitIp, node.transitIp6].flatMap((t) => (t === undefined ? [] : (parseIp(t) ?? [])));
  const clusterCIDRs = nodes === undefined ? [] : ([4, 6] as const).flatMap((f) => labClusterCidr(nodes, f) ?? []);
  const render = proxy === "compact" ? renderCompactNftables : renderNftables;
  return labSnapshots(lab).map(({ family, snapshot }) =>
    `${replaceTable(PROXY_TABLES[proxy], family)}${render(snapshot, proxierOptions({ nodeName: node.name, nodeIPs, clusterCIDRs, masqueradeAll: false }, family))}`,
  ).join("");
}

/** Per family the lab runs, the Service snapshot of that family's view: the same for every node, built once per lab cluster. */
const snapshots = new WeakMap<Cluster, readonly { readonly family: 4 | 6; readonly snapshot: ReturnType<typeof buildSnapshot> }[]>();
function labSnapshots(lab: Cluster): readonly { readonly family: 4 | 6; readonly snapshot: ReturnType<typeof buildSnapshot> }[] {
  let out = snapshots.get(lab);
  if (!out) {
    out = labProxyFamilies(lab).map((family) => {
      const view = familyView(lab, family);
      return { family, snapshot: buildSnapshot(view, buildServiceLayer(view, []), family) };
    });
    snapshots.set(lab, out);
  }
  return out;
}

/** The node's whole ruleset transaction: policy tables, then the Service tables. */
export function nodeScript(lab: Cluster, node: LabNode, policy: readonly Table[], proxy: LabProxy = DEFAULT_LAB_PROXY, nodes?: readonly LabNode[]): string {
  return `${replaceAllScript(policy, policyTableNames())}\n${proxyScript(lab, node, proxy, nodes)}`;
}

/** Removes whichever Service tables a lab node has (both renderings, both families; a missing one is fine). */
export const deleteProxyScript = ([4, 6] as const).flatMap((f) => LAB_PROXIES.map((p) => replaceTable(PROXY_TABLES[p], f))).join("");
