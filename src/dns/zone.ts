/**
 * @module zone
 * The DNS view of a cluster's Service layer: for each Service its ClusterIPs, named ports and
 * the endpoint addresses CoreDNS publishes for headless Services (ready ones, across all
 * ports, once per address). Endpoints of other Services are not computed: DNS never shows them.
 */
import type { Service, ServicePort } from "../model/index.js";
import type { ServiceEndpoint, ServiceLayer } from "../services/index.js";
import { DEFAULT_CLUSTER_DOMAIN, makeZone, type DnsServiceView, type DnsZone } from "./records.js";

export function zoneOf(layer: ServiceLayer, namespaces: Iterable<string>, clusterDomain = DEFAULT_CLUSTER_DOMAIN): DnsZone {
  const views: DnsServiceView[] = layer.frontends.map((f) => {
    const s = f.service;
    const seen = new Set<string>();
    const endpoints: { address: DnsServiceView["endpoints"][number]["address"]; hostname?: string }[] = [];
    for (const e of s.headless ? headlessEndpoints(layer, s) : []) {
      const key = `${e.address.family}:${e.address.value}`;
      if (!e.ready || seen.has(key)) continue;
      seen.add(key);
      endpoints.push(e.hostname !== undefined ? { address: e.address, hostname: e.hostname } : { address: e.address });
    }
    return {
      namespace: s.namespace,
      name: s.name,
      type: s.type,
      clusterIPs: f.clusterIPs,
      headless: s.headless,
      ...(s.externalName !== undefined ? { externalName: s.externalName } : {}),
      ports: s.ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), protocol: p.protocol, port: p.port })),
      endpoints,
    };
  });
  return makeZone(clusterDomain, namespaces, views);
}

/** A portless stand-in: "a headless Service ... without ports" still has endpoints (and A records). */
const noPorts = new WeakMap<Service, ServicePort>();

/**
 * The endpoints of a headless Service across its ports; a headless Service may declare no ports
 * at all (ServiceSpec.ports: "if this is a headless service, the ports list may be empty") and
 * still publishes its ready endpoints' addresses in DNS.
 */
export function headlessEndpoints(layer: ServiceLayer, svc: Service): ServiceEndpoint[] {
  let ports: readonly ServicePort[] = svc.ports;
  if (ports.length === 0) {
    let p = noPorts.get(svc);
    if (!p) noPorts.set(svc, (p = { protocol: "TCP", port: 0, targetPort: { type: "Number", port: 0 }, source: svc.source }));
    ports = [p];
  }
  return ports.flatMap((p) => layer.endpoints(svc, p).endpoints);
}
