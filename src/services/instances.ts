/**
 * @module instances
 * Pod instances as the Service layer sees them: every listed pod, plus one instance per
 * replica of a workload whose pods the input does not list (`<name>-<i>`, i from 0, as a
 * StatefulSet names them). Addresses the input does not give are synthesized from a
 * documented pool, deterministically:
 *
 * - with Nodes that declare podCIDRs, replicas are spread round-robin over the nodes (sorted by
 *   name; a DaemonSet gets one per node) and take addresses from the node's podCIDR, from the
 *   10th address upward;
 * - without them, from 10.244.0.0/16 (the common kubeadm/flannel pod network), from 10.244.0.10.
 *
 * Addresses already used by the input are skipped. A listed pod without a status keeps no
 * condition, so it counts as Running and Ready (hand-written manifests rarely carry status).
 *
 * Replicas are never materialised one object per replica beyond what an answer needs: up to
 * `MAX_EXPANDED_REPLICAS` per workload each get their own instance; above that (`replicas:
 * 2147483647` is a legal int32), the workload is represented once per node it would run on —
 * one named example (`<name>-<k>`, the first replica on that node, with one address) whose
 * `replicas` says how many identical pods it stands for. Every consumer counts pods with
 * `replicas` (see `podCount`), and `proxy-rules` says on stderr that it lists examples.
 */
import { parseCidr, type Cidr, type ContainerPort, type Ip, type Labels, type Node, type Pod, type SourceRef, type Workload } from "../model/index.js";

export const FALLBACK_POD_POOL = "10.244.0.0/16";
/** Replicas of one workload materialised one instance each; more are grouped per node. */
export const MAX_EXPANDED_REPLICAS = 64;
const FIRST_HOST = 10n;

export type InstanceOrigin =
  | { readonly type: "Pod"; readonly id: string }
  | { readonly type: "Replica"; readonly workloadId: string; readonly index: number };

export interface PodInstance {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly ips: readonly Ip[];
  /** The address was synthesized by kwire (see the module comment). */
  readonly synthesizedIP: boolean;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  readonly nodeName?: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly phase?: string;
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly origin: InstanceOrigin;
  readonly source: SourceRef;
  /** Identical pods this instance stands for: 1, or (a grouped workload) its replicas on this node. */
  readonly replicas: number;
}

const ipKey = (ip: Ip): string => `${ip.family}:${ip.value}`;

/** Hands out addresses from node podCIDRs or the fallback pool, skipping used ones. */
class Pool {
  private readonly next = new Map<string, bigint>();
  constructor(private readonly used: Set<string>) {}
  take(cidr: Cidr, key: string): Ip | undefined {
    let v = this.next.get(key) ?? cidr.base + FIRST_HOST;
    const size = cidr.family === 4 ? 1n << BigInt(32 - cidr.prefix) : 1n << BigInt(128 - cidr.prefix);
    while (v < cidr.base + size - 1n) {
      const ip: Ip = { family: cidr.family, value: v };
      v++;
      if (!this.used.has(ipKey(ip))) {
        this.used.add(ipKey(ip));
        this.next.set(key, v);
        return ip;
      }
    }
    this.next.set(key, v); // exhausted: later calls return at once instead of rescanning
    return undefined;
  }
}

function podCidrOf(node: Node | undefined): Cidr | undefined {
  for (const text of node?.podCIDRs ?? []) {
    const p = parseCidr(text);
    if (p.ok && p.cidr.family === 4) return p.cidr;
  }
  return undefined;
}

/**
 * @param templates workloads that stand for pods the input does not list (the engine's
 *   template subjects), each with the id its pods are reported under.
 */
export function podInstances(pods: readonly Pod[], templates: readonly { readonly workload: Workload; readonly id: string }[], nodes: readonly Node[]): PodInstance[] {
  const used = new Set<string>(pods.flatMap((p) => p.ips.map(ipKey)));
  const pool = new Pool(used);
  const fallback = (parseCidr(FALLBACK_POD_POOL) as { ok: true; cidr: Cidr }).cidr;
  const withCidr = [...nodes].sort((a, b) => a.name.localeCompare(b.name)).filter((n) => podCidrOf(n));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const allocate = (nodeName: string | undefined): Ip | undefined => {
    const cidr = podCidrOf(nodeName === undefined ? undefined : byName.get(nodeName));
    return cidr ? pool.take(cidr, nodeName ?? "") : pool.take(fallback, "");
  };
  const out: PodInstance[] = pods.map((p) => listedInstance(p, byName, allocate));
  for (const { workload: w, id } of templates) {
    const count = w.kind === "DaemonSet" && withCidr.length > 0 ? withCidr.length : Math.max(0, w.replicas);
    const slots = withCidr.length > 0 ? withCidr.length : 1;
    const grouped = count > MAX_EXPANDED_REPLICAS;
    for (let i = 0; i < (grouped ? Math.min(slots, count) : count); i++) {
      const node = withCidr.length > 0 ? withCidr[i % withCidr.length] : undefined;
      const ip = w.hostNetwork ? undefined : allocate(node?.name);
      // Replicas i, i + slots, i + 2·slots, … run on this node (round-robin).
      const replicas = grouped ? Math.floor((count - 1 - i) / slots) + 1 : 1;
      out.push(replicaInstance(w, id, i, ip, node, replicas));
    }
  }
  return out;
}

function listedInstance(p: Pod, nodes: ReadonlyMap<string, Node>, allocate: (node: string | undefined) => Ip | undefined): PodInstance {
  let ips = p.ips;
  let synthesized = false;
  if (ips.length === 0) {
    const hostIP = p.hostNetwork && p.nodeName !== undefined ? nodes.get(p.nodeName)?.internalIPs[0] : undefined;
    const ip = hostIP ?? (p.hostNetwork ? undefined : allocate(p.nodeName));
    if (ip) {
      ips = [ip];
      synthesized = hostIP === undefined;
    }
  }
  return {
    namespace: p.namespace,
    name: p.name,
    labels: p.labels,
    ips,
    synthesizedIP: synthesized,
    ports: p.ports,
    hostNetwork: p.hostNetwork,
    ready: p.ready ?? true,
    terminating: p.terminating ?? false,
    origin: { type: "Pod", id: `${p.namespace}/${p.name}` },
    source: p.source,
    replicas: 1,
    ...(p.nodeName !== undefined ? { nodeName: p.nodeName } : {}),
    ...(p.phase !== undefined ? { phase: p.phase } : {}),
    ...(p.hostname !== undefined ? { hostname: p.hostname } : {}),
    ...(p.subdomain !== undefined ? { subdomain: p.subdomain } : {}),
  };
}

/** A StatefulSet's pods get hostname = pod name and subdomain = spec.serviceName. */
function replicaInstance(w: Workload, id: string, index: number, ip: Ip | undefined, node: Node | undefined, replicas: number): PodInstance {
  const name = `${w.name}-${index}`;
  const hostIP = w.hostNetwork ? node?.internalIPs[0] : undefined;
  const addr = hostIP ?? (w.hostNetwork ? undefined : ip);
  return {
    namespace: w.namespace,
    name,
    labels: w.labels,
    ips: addr ? [addr] : [],
    synthesizedIP: hostIP === undefined && addr !== undefined,
    ports: w.ports,
    hostNetwork: w.hostNetwork,
    ready: true,
    terminating: false,
    origin: { type: "Replica", workloadId: id, index },
    source: w.source,
    replicas,
    ...(node ? { nodeName: node.name } : {}),
    ...(w.kind === "StatefulSet" && w.serviceName !== undefined ? { hostname: name, subdomain: w.serviceName } : {}),
  };
}
