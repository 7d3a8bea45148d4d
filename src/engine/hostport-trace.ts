/**
 * @module hostport-trace
 * A connection to a node address on a pod's `hostPort` (core/v1 ContainerPort.hostPort), as the
 * CNI portmap plugin implements it (https://www.cni.dev/plugins/current/meta/portmap/,
 * containernetworking/plugins plugins/meta/portmap): on the pod's node, a DNAT rule
 * (`CNI-HOSTPORT-DNAT`, matching `--dst-type LOCAL`, and `hostIP` when given) rewrites
 * NODE:hostPort to POD-IP:containerPort. Its SNAT chain (`snat`, default true) masquerades only
 * hairpin and localhost traffic (`masqAll` false), so the pod sees the client's own address.
 *
 * Policies, as the packet meets them: the destination pod's ingress is evaluated from the
 * client's address. A source pod on the same node is translated before it is forwarded, so its
 * egress sees the pod; a source pod on another node sends to the node address (its egress is
 * evaluated toward that address, an ipBlock peer). A source outside the cluster has no egress
 * policy. `hostNetwork` pods are not translated (their ports are the node's own) and are not
 * handled here.
 *
 * The port reaches the pod only when the CNI maps hostPorts: a CNI configuration read from the
 * input whose chain has no plugin with the `portMappings` capability (portmap declares it)
 * means nothing forwards the port — the connection is refused (lint: missing-portmap-with-hostport).
 */
import { formatIp, parseIp, type ContainerPort, type Ip, type Node, type Protocol } from "../model/index.js";
import { nodeAddresses, type PodInstance, type ServiceEndpoint } from "../services/index.js";
import type { ServiceContext } from "./service-context.js";
import { throughEndpoints, type Hop } from "./service-path.js";
import { denied, finish, type ServiceTraceRequest, type ServiceTraceResult } from "./trace-kit.js";
import type { TraceStep } from "./trace.js";

export interface HostPortTarget {
  readonly node: Node;
  readonly instance: PodInstance;
  readonly port: ContainerPort & { readonly hostPort: number };
  /** Other pods on the node that claim the same hostPort (the scheduler would not place them). */
  readonly conflicts: readonly PodInstance[];
}

const sameIp = (a: Ip, b: Ip): boolean => a.family === b.family && a.value === b.value;

/** Whether a hostIP binding takes connections to `ip` (absent, 0.0.0.0 and :: bind every address). */
function bindsTo(hostIP: string | undefined, ip: Ip): boolean {
  if (hostIP === undefined) return true;
  const h = parseIp(hostIP);
  if (!h) return true;
  return h.value === 0n ? h.family === ip.family : sameIp(h, ip);
}

/** The pod whose hostPort a node address and port reach, if any. */
export function hostPortAt(ctx: ServiceContext, ip: Ip, port: number, protocol: Protocol): HostPortTarget | undefined {
  const node = ctx.layer.nodes.find((n) => nodeAddresses(n).some((x) => sameIp(x, ip)));
  if (!node) return undefined;
  const hits: { instance: PodInstance; port: ContainerPort & { hostPort: number } }[] = [];
  for (const i of ctx.layer.instances) {
    if (i.hostNetwork || i.nodeName !== node.name || i.terminating) continue;
    for (const p of i.ports) {
      if (p.hostPort === port && p.protocol === protocol && bindsTo(p.hostIP, ip)) hits.push({ instance: i, port: { ...p, hostPort: p.hostPort } });
    }
  }
  const first = hits[0];
  return first ? { node, ...first, conflicts: hits.slice(1).map((h) => h.instance) } : undefined;
}

/** `portMappings`: whether the CNI maps hostPorts — true / false from a configuration read, undefined when none was. */
export function viaHostPort(ctx: ServiceContext, req: ServiceTraceRequest, stepsIn: readonly TraceStep[], ip: Ip, target: HostPortTarget, portMappings: boolean | undefined): ServiceTraceResult {
  const { node, instance: i, port: p } = target;
  const at = `${formatIp(ip)}:${p.hostPort}`;
  const pod = `${i.namespace}/${i.name}`;
  const where = { file: i.source.file, line: i.source.line };
  const steps: TraceStep[] = [...stepsIn];
  if (portMappings === false) {
    return { ok: true, trace: denied(req, steps, "hostport", `${at}: pod ${pod} declares hostPort ${p.hostPort}, but the CNI configuration in the input has no plugin with the portMappings capability (portmap): nothing on node ${node.name} forwards the port, the connection is refused`, p.hostPort) };
  }
  const conflict = target.conflicts.length ? `; ${target.conflicts.map((c) => `${c.namespace}/${c.name}`).join(", ")} claim${target.conflicts.length === 1 ? "s" : ""} the same hostPort on this node (the scheduler would not place both): evaluated for ${pod}` : "";
  const cni = portMappings === undefined ? " (no CNI configuration in the input: kwire assumes the CNI chains portmap, as flannel's, Calico's and kindnet's default configurations do)" : "";
  steps.push({ stage: "hostport", result: "info", detail: `${at} is hostPort ${p.hostPort}/${p.protocol}${p.hostIP !== undefined ? ` on hostIP ${p.hostIP}` : ""} of pod ${pod} on node ${node.name}: the CNI portmap plugin DNATs it to ${formatIp(i.ips[0] ?? ip)}:${p.containerPort}; the pod sees the client's address (portmap masquerades only hairpin and localhost traffic)${cni}${conflict}`, source: where });
  const address = i.ips[0];
  if (!address) return { ok: false, error: `pod ${pod} has no address` };
  const e: ServiceEndpoint = { name: pod, address, port: p.containerPort, ready: true, serving: true, terminating: false, nodeName: node.name, instance: i, origin: "selector", source: i.source };
  const srcNode = ctx.nodeOf(req.src);
  // A source pod on another node sends to the node address: its egress policy sees that address.
  const crossNode = req.src.type === "node" && !req.outside && srcNode !== node.name;
  const nodeParty = { type: "address" as const, ip, label: `${formatIp(ip)} (node ${node.name})` };
  const hop: Hop = {
    policySrc: req.src,
    trafficPolicy: "Cluster",
    node: node.name,
    ...(srcNode !== undefined ? { srcNode } : {}),
    ...(crossNode ? { legs: () => ({ egressTo: { party: nodeParty, port: p.hostPort } }) } : {}),
  };
  return { ok: true, trace: finish(req, steps, throughEndpoints(ctx, [e], hop, req.protocol, `hostPort ${p.hostPort} of ${pod}`), p.hostPort) };
}
