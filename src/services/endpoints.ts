/**
 * @module endpoints
 * The endpoints behind one Service port. EndpointSlices (and Endpoints folded into slices) are
 * used as given: the slices labelled `kubernetes.io/service-name`, matched to the Service port
 * by port name and protocol as kube-proxy does; when real EndpointSlices exist, slices folded
 * from v1 Endpoints are ignored (kube-proxy reads EndpointSlices only). Without any slice for
 * a Service with a selector, endpoints are derived as the EndpointSlice controller does:
 * pods in the Service's namespace whose labels match the selector, with an address, not
 * Succeeded or Failed; `ready = publishNotReadyAddresses || (Ready && !terminating)`,
 * `serving = Ready`; a named targetPort resolved per pod by `FindPort`; hostname set when the
 * pod's `hostname` is set and its `subdomain` is the Service's name.
 */
import { formatIp, type EndpointSlice, type Ip, type Service, type ServicePort, type SourceRef } from "../model/index.js";
import { findPort } from "./find-port.js";
import type { PodInstance } from "./instances.js";

export type EndpointOrigin = "EndpointSlice" | "Endpoints" | "selector";

export interface ServiceEndpoint {
  /** Pod name, or the address when the slice does not name a pod. */
  readonly name: string;
  readonly address: Ip;
  /** The port traffic is sent to on the endpoint (after DNAT). */
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  readonly hostname?: string;
  /** The pod instance behind the endpoint, when known (targetRef, derived, or by address). */
  readonly instance?: PodInstance;
  /** Identical pods the endpoint stands for (a grouped workload's example, instances.ts); 1 when absent. */
  readonly replicas?: number;
  readonly origin: EndpointOrigin;
  readonly source: SourceRef;
}

export interface PortEndpoints {
  readonly port: ServicePort;
  readonly origin: EndpointOrigin | "none";
  readonly endpoints: readonly ServiceEndpoint[];
  /** Selected pods left out for this port, with the reason (no such named port, no address, phase). */
  readonly skipped: readonly { readonly pod: string; readonly reason: string }[];
}

/** The slices kube-proxy would read for this Service. */
export function slicesOf(svc: Service, slices: readonly EndpointSlice[]): EndpointSlice[] {
  const mine = slices.filter((s) => s.namespace === svc.namespace && s.serviceName === svc.name && s.addressType !== "FQDN");
  const real = mine.filter((s) => !s.fromEndpoints);
  return real.length > 0 ? real : mine;
}

/**
 * `family`: the endpoints of that address family only, as the family's proxier sees them
 * (kube-proxy runs one per family; the EndpointSlice controller writes one slice per family):
 * the slices of that addressType, or each selected pod's address of that family. A pod kwire
 * gave an address itself (none in the input, or a hostNetwork pod on its node's first address)
 * keeps it whatever the family. Without `family`: every slice, each pod's first address.
 */
export function endpointsOf(svc: Service, port: ServicePort, slices: readonly EndpointSlice[], instances: readonly PodInstance[], family?: 4 | 6): PortEndpoints {
  if (svc.type === "ExternalName") return { port, origin: "none", endpoints: [], skipped: [] };
  const given = slicesOf(svc, slices);
  if (given.length > 0) return fromSlices(port, family === undefined ? given : given.filter((s) => s.addressType === (family === 4 ? "IPv4" : "IPv6")), instances, given);
  if (!svc.selector) return { port, origin: "none", endpoints: [], skipped: [] };
  return fromSelector(svc, port, instances, family);
}

/** A pod instance's address of `family` (its first without one); see endpointsOf. */
function addressOf(i: PodInstance, family: 4 | 6 | undefined): Ip | undefined {
  if (family === undefined) return i.ips[0];
  return i.ips.find((ip) => ip.family === family) ?? (i.synthesizedIP || i.hostNetwork ? i.ips[0] : undefined);
}

interface InstanceIndex {
  readonly byPod: ReadonlyMap<string, PodInstance>;
  readonly byIp: ReadonlyMap<string, PodInstance>;
  readonly byNamespace: ReadonlyMap<string, readonly PodInstance[]>;
}

const indexes = new WeakMap<readonly PodInstance[], InstanceIndex>();

/** Instances by pod id and by address, built once per instance list. */
function indexOf(instances: readonly PodInstance[]): InstanceIndex {
  let ix = indexes.get(instances);
  if (!ix) {
    const byPod = new Map<string, PodInstance>();
    const byIp = new Map<string, PodInstance>();
    const byNamespace = new Map<string, PodInstance[]>();
    for (const i of instances) {
      const list = byNamespace.get(i.namespace);
      if (list) list.push(i);
      else byNamespace.set(i.namespace, [i]);
      if (i.origin.type === "Pod") byPod.set(i.origin.id, i);
      for (const ip of i.ips) if (!byIp.has(`${ip.family}:${ip.value}`)) byIp.set(`${ip.family}:${ip.value}`, i);
    }
    ix = { byPod, byIp, byNamespace };
    indexes.set(instances, ix);
  }
  return ix;
}

/** `all`: every slice of the Service (`slices` may be one family's), which names the origin. */
function fromSlices(port: ServicePort, slices: readonly EndpointSlice[], instances: readonly PodInstance[], all: readonly EndpointSlice[]): PortEndpoints {
  const ix = indexOf(instances);
  const out: ServiceEndpoint[] = [];
  const origin: EndpointOrigin = all.every((s) => s.fromEndpoints) ? "Endpoints" : "EndpointSlice";
  for (const slice of slices) {
    const sp = slice.ports.find((p) => (p.name ?? "") === (port.name ?? "") && p.protocol === port.protocol);
    if (!sp) continue;
    for (const e of slice.endpoints) {
      const address = e.addresses[0];
      if (!address) continue;
      const instance = (e.targetPod !== undefined ? ix.byPod.get(e.targetPod) : undefined) ?? ix.byIp.get(`${address.family}:${address.value}`);
      out.push({
        name: e.targetPod?.split("/")[1] ?? instance?.name ?? formatIp(address),
        address,
        port: sp.port,
        ready: e.ready,
        serving: e.serving,
        terminating: e.terminating,
        origin: slice.fromEndpoints ? "Endpoints" : "EndpointSlice",
        source: slice.source,
        ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : instance?.nodeName !== undefined ? { nodeName: instance.nodeName } : {}),
        ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
        ...(instance ? { instance } : {}),
      });
    }
  }
  return { port, origin, endpoints: sortEndpoints(out), skipped: [] };
}

function matches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function fromSelector(svc: Service, port: ServicePort, instances: readonly PodInstance[], family: 4 | 6 | undefined): PortEndpoints {
  const out: ServiceEndpoint[] = [];
  const skipped: { pod: string; reason: string }[] = [];
  for (const i of indexOf(instances).byNamespace.get(svc.namespace) ?? []) {
    if (!matches(svc.selector ?? {}, i.labels)) continue;
    const address = addressOf(i, family);
    if (i.phase === "Succeeded" || i.phase === "Failed") {
      skipped.push({ pod: i.name, reason: `phase ${i.phase}` });
      continue;
    }
    if (!address) {
      skipped.push({ pod: i.name, reason: i.ips.length === 0 || family === undefined ? "no pod IP" : `no IPv${family} pod IP (the pod is single-stack)` });
      continue;
    }
    const target = findPort(i.ports, port);
    if (!target.ok) {
      skipped.push({ pod: i.name, reason: target.reason });
      continue;
    }
    const hostname = i.hostname !== undefined && i.hostname !== "" && i.subdomain === svc.name ? i.hostname : undefined;
    out.push({
      name: i.name,
      address,
      port: target.port,
      ready: svc.publishNotReadyAddresses || (i.ready && !i.terminating),
      serving: i.ready,
      terminating: i.terminating,
      instance: i,
      ...(i.replicas !== 1 ? { replicas: i.replicas } : {}),
      origin: "selector",
      source: i.source,
      ...(i.nodeName !== undefined ? { nodeName: i.nodeName } : {}),
      ...(hostname !== undefined ? { hostname } : {}),
    });
  }
  return { port, origin: "selector", endpoints: sortEndpoints(out), skipped };
}

function sortEndpoints(eps: ServiceEndpoint[]): ServiceEndpoint[] {
  return eps.sort((a, b) => a.name.localeCompare(b.name) || (a.address.value < b.address.value ? -1 : a.address.value > b.address.value ? 1 : 0));
}
