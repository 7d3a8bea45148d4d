/**
 * @module zone
 * The DNS view of a cluster's Service layer: for each Service its ClusterIPs, named ports and
 * the endpoint addresses CoreDNS publishes for headless Services (ready ones, across all
 * ports, once per address). Endpoints of other Services are not computed: DNS never shows them.
 */
import type { ServiceLayer } from "../services/index.js";
import { DEFAULT_CLUSTER_DOMAIN, makeZone, type DnsServiceView, type DnsZone } from "./records.js";

export function zoneOf(layer: ServiceLayer, namespaces: Iterable<string>, clusterDomain = DEFAULT_CLUSTER_DOMAIN): DnsZone {
  const views: DnsServiceView[] = layer.frontends.map((f) => {
    const s = f.service;
    const seen = new Set<string>();
    const endpoints: { address: DnsServiceView["endpoints"][number]["address"]; hostname?: string }[] = [];
    for (const p of s.headless ? s.ports : []) {
      for (const e of layer.endpoints(s, p).endpoints) {
        const key = `${e.address.family}:${e.address.value}`;
        if (!e.ready || seen.has(key)) continue;
        seen.add(key);
        endpoints.push(e.hostname !== undefined ? { address: e.address, hostname: e.hostname } : { address: e.address });
      }
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
