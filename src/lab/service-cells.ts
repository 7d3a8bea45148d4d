/**
 * @module lab/service-cells
 * Which Service and DNS cells `lab probe` checks, and what the model predicts for each. Pure.
 *
 * - **ClusterIP**: every (source pod, Service port) of a Service with a virtual IP, predicted by
 *   the engine's service-aware `traceService` (policy evaluated at each endpoint after DNAT;
 *   allowed when any usable endpoint admits it).
 * - **NodePort** (NodePort/LoadBalancer Services): from each pod to its own node's address,
 *   predicted by the engine's `traceService` toward that address (`viaExternalFrontend`):
 *   kube-proxy masquerades NodePort traffic (externalTrafficPolicy Cluster) in postrouting, after
 *   the node's policy hook, so an endpoint on the same node sees the pod, one on another node
 *   sees the node's address. The context must carry the lab's nodes (`labServiceContext`).
 * - **LoadBalancer IPs and externalIPs**: from each pod, caught and translated in its own node's
 *   prerouting (masqueraded for externalTrafficPolicy Cluster, short-circuited for Local), also
 *   predicted by `traceService`. Lab nodes have no default route, so these addresses never leave
 *   the lab.
 * - **IP families**: one set of cells per family the lab runs (`serviceCells(…, family)`), predicted
 *   on the lab cluster's view of that family (`familyView`): the Service's ClusterIP, externalIPs
 *   and LoadBalancer IPs of the family, the NodePort on the node's uplink address of the family —
 *   what the node's `ip` / `ip6` Service table serves.
 * - **Random endpoint choice** (`numgen random mod N`): when the model judges every usable
 *   endpoint the same, one try decides; when it judges them differently, the prober tries up to
 *   10·N times and stops at the first answer (a miss when the model allows has probability
 *   ≤ (1-1/N)^(10N) < e^-10 ≈ 5e-5). An answer must come from an endpoint pod (`accept`).
 * - **DNS**: per source pod and Service (not ExternalName): `svc.ns`, `svc.ns.svc.<domain>` and,
 *   in the Service's namespace, `svc`; predicted by the engine's `dns` stage (kube-dns reachable
 *   under the pod's egress policy, then the resolver's search list over `src/dns` records).
 */
import { buildTopology, serviceContext, traceService, type Party, type ServiceContext, type ServiceTraceRequest } from "../engine/index.js";
import { dnsStage } from "../engine/service-dns.js";
import { lookup } from "../dns/index.js";
import { formatIp, parseIp, type Cluster, type Ip, type Node, type Protocol } from "../model/index.js";
import type { Cell } from "./compare.js";
import type { PlacedPod } from "./model.js";
import { DEFAULT_LAB_BACKEND, snatSource, snatSource6, type LabBackend } from "./backends.js";
import type { LabNode } from "./plan.js";

export interface LabView {
  readonly lab: Cluster;
  readonly pods: readonly PlacedPod[];
  readonly nodes: readonly LabNode[];
}

const RETRY_FACTOR = 10;
const probed = (p: Protocol): boolean => p === "TCP" || p === "UDP";

/**
 * The engine's Service context for the lab cluster. With `nodes`, the input's Node objects are
 * replaced by the lab's nodes (their transit addresses are the node addresses kube-proxy
 * translates nodePorts on and masquerades to), so the engine predicts what the lab does. The
 * first address is the one a node's masquerade gives traffic toward pods on other nodes: the
 * route's source, which on `vxlan` is the VXLAN device's address (Flannel's flannel.1 10.244.X.0),
 * not the uplink's.
 */
export function labServiceContext(lab: Cluster, nodes?: readonly LabNode[], backend: LabBackend = DEFAULT_LAB_BACKEND): ServiceContext {
  const cluster: Cluster = nodes === undefined ? lab : { ...lab, nodes: nodes.map((n) => labNodeObject(n, backend)) };
  return serviceContext(cluster, buildTopology(cluster));
}

const LAB_NODE_SOURCE = { file: "<lab>", line: 0, column: 0, path: "" } as const;

/** A lab node as a Node object: its masquerade source and uplink addresses, IPv4 then IPv6 (what the model calls the node). */
export function labNodeObject(n: LabNode, backend: LabBackend): Node {
  const texts = [snatSource(backend, n), n.transitIp, snatSource6(backend, n), n.transitIp6].flatMap((t) => (t === undefined ? [] : [t]));
  const ips = [...new Set(texts)].flatMap((t) => parseIp(t) ?? []);
  return { kind: "Node", name: n.name, labels: { "kubernetes.io/hostname": n.name }, internalIPs: ips, externalIPs: [], podCIDRs: [n.podCidr], source: LAB_NODE_SOURCE };
}

function partyOf(ctx: ServiceContext, id: string): Party | undefined {
  const node = ctx.topology.subjects.findIndex((s) => s.id === id);
  return node < 0 ? undefined : { type: "node", node, label: id };
}

/** Accept set and tries from per-endpoint verdicts. */
function choice(verdicts: readonly { id: string | undefined; allowed: boolean }[]): Pick<Cell, "predicted" | "accept" | "attempts"> {
  const ids = verdicts.flatMap((v) => (v.id === undefined ? [] : [v.id]));
  const allowed = verdicts.filter((v) => v.allowed).length;
  const mixed = allowed > 0 && allowed < verdicts.length;
  return { predicted: allowed > 0, accept: ids, attempts: mixed ? RETRY_FACTOR * verdicts.length : 1 };
}

/** One Service cell from the engine's trace toward `dst`: the endpoints it may land on, and the verdict. */
function tracedCell(ctx: ServiceContext, src: PlacedPod, party: Party, dst: ServiceTraceRequest["dst"], cell: { dst: string; dstIp: string; port: number }, protocol: Protocol, idOf: (a: string) => string | undefined): Cell | undefined {
  const r = traceService(ctx, { src: party, outside: false, dst, dstLabel: `${cell.dstIp}:${cell.port}`, protocol });
  if (!r.ok) return undefined;
  const eps = (r.trace.steps.find((s) => s.stage === "endpoints")?.endpoints ?? []).filter((e) => e.verdict !== "unused");
  const c = choice(eps.map((e) => ({ id: idOf(e.address), allowed: e.verdict === "allowed" })));
  return { kind: "service", src: src.pod.id, ...cell, protocol, ...c, predicted: r.trace.verdict === "allowed" };
}

/**
 * A pod to its own node's nodePort, predicted by the engine's trace (kube-proxy's masquerade
 * rules), or to a LoadBalancer IP / externalIP, which kube-proxy catches in the source node's
 * prerouting (lab nodes have no default route, so such an address never leaves the lab).
 */
function addressCell(ctx: ServiceContext, src: PlacedPod, party: Party, ip: string, port: number, protocol: Protocol, dst: string, idOf: (a: string) => string | undefined): Cell | undefined {
  const addr = parseIp(ip);
  return addr === undefined ? undefined : tracedCell(ctx, src, party, { type: "address", ip: addr, port }, { dst, dstIp: ip, port }, protocol, idOf);
}

/**
 * ClusterIP, NodePort, LoadBalancer-IP and externalIP cells of one IP family for every lab pod and
 * Service port (`ctx` and `view` are the lab's view of that family).
 */
export function serviceCells(ctx: ServiceContext, view: LabView, family: 4 | 6 = 4): Cell[] {
  const byIp = new Map(view.pods.map((p) => [p.ip, p.pod.id]));
  const idOf = (a: string): string | undefined => byIp.get(a);
  const cells: Cell[] = [];
  for (const src of view.pods) {
    const party = partyOf(ctx, src.pod.id);
    if (party === undefined) continue;
    for (const f of ctx.layer.frontends) {
      const s = f.service;
      const ip = f.clusterIPs.find((x) => x.family === family);
      if (s.headless || s.type === "ExternalName" || ip === undefined) continue;
      for (const sp of s.ports) {
        if (!probed(sp.protocol)) continue;
        const service = { type: "service", namespace: s.namespace, name: s.name, port: sp.port } as const;
        const c = tracedCell(ctx, src, party, service, { dst: `${s.namespace}/${s.name}`, dstIp: formatIp(ip), port: sp.port }, sp.protocol, idOf);
        if (c !== undefined) cells.push(c);
        const node = view.nodes.find((n) => n.name === src.pod.node);
        const nodeIp = family === 4 ? node?.transitIp : node?.transitIp6;
        if ((s.type === "NodePort" || s.type === "LoadBalancer") && sp.nodePort !== undefined && nodeIp !== undefined) {
          const n = addressCell(ctx, src, party, nodeIp, sp.nodePort, sp.protocol, `${f.id}[nodePort]`, idOf);
          if (n !== undefined) cells.push(n);
        }
        const external: [Ip, string][] = [...(s.type === "LoadBalancer" ? s.loadBalancerIPs.map((a): [Ip, string] => [a, "loadBalancer"]) : []), ...s.externalIPs.map((a): [Ip, string] => [a, "externalIP"])];
        for (const [a, kind] of external) {
          if (a.family !== family) continue;
          const e = addressCell(ctx, src, party, formatIp(a), sp.port, sp.protocol, `${f.id}[${kind}]`, idOf);
          if (e !== undefined) cells.push(e);
        }
      }
    }
  }
  return cells;
}

/**
 * DNS cells: every lab pod looks up every Service's names through `nameserver` (A records, when
 * the lab runs IPv4: `a`); with IPv6 pods (`aaaa`) also each Service's absolute name for AAAA — absolute (trailing dot), so no
 * search list walk: predicted when kube-dns is reachable under the pod's egress policy and the
 * zone has AAAA records for it (a Service with an IPv6 ClusterIP).
 */
export function dnsCells(ctx: ServiceContext, view: LabView, nameserver: string, aaaa = false, a = true): Cell[] {
  const cells: Cell[] = [];
  const d = ctx.zone.clusterDomain;
  for (const src of view.pods) {
    const party = partyOf(ctx, src.pod.id);
    if (party === undefined) continue;
    for (const f of ctx.layer.frontends) {
      const s = f.service;
      if (s.type === "ExternalName") continue;
      const names = a ? [`${s.name}.${s.namespace}`, `${s.name}.${s.namespace}.svc.${d}`, ...(s.namespace === src.pod.namespace ? [s.name] : [])] : [];
      for (const name of names) {
        const st = dnsStage(ctx, party, name);
        const answered = st.ok ? st.resolution?.answered : undefined;
        const expect = answered !== undefined && answered.answer.rcode === "NOERROR" ? answered.answer.records.filter((r) => r.type === "A").map((r) => r.data).sort() : [];
        cells.push({ kind: "dns", src: src.pod.id, dst: name, dstIp: nameserver, port: 53, protocol: "UDP", predicted: st.ok && expect.length > 0, name, expect });
      }
      if (aaaa) {
        const fqdn = `${s.name}.${s.namespace}.svc.${d}.`;
        const st = dnsStage(ctx, party, fqdn);
        // Reached kube-dns (an answer or not); without a resolution the query never got there.
        const reached = st.ok || st.resolution !== undefined;
        const six = lookup(ctx.zone, fqdn.slice(0, -1), "AAAA");
        const expect = six.rcode === "NOERROR" ? six.records.filter((r) => r.type === "AAAA").map((r) => r.data).sort() : [];
        cells.push({ kind: "dns", src: src.pod.id, dst: fqdn, dstIp: nameserver, port: 53, protocol: "UDP", predicted: reached && expect.length > 0, name: fqdn, expect, qtype: "AAAA" });
      }
    }
  }
  return cells;
}
