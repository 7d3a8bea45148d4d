/**
 * @module layer
 * The Service layer of one cluster, computed once: pod instances, frontends, and (on demand,
 * memoized) the endpoints of each Service port.
 */
import type { Cluster, Node, Service, ServicePort, Workload } from "../model/index.js";
import { endpointsOf, type PortEndpoints } from "./endpoints.js";
import { clusterFrontends, type ServiceFrontend } from "./frontends.js";
import { podInstances, type PodInstance } from "./instances.js";

export interface ServiceLayer {
  readonly cluster: Cluster;
  readonly instances: readonly PodInstance[];
  readonly frontends: readonly ServiceFrontend[];
  readonly nodes: readonly Node[];
  frontend(namespace: string, name: string): ServiceFrontend | undefined;
  /** The endpoints of a Service port; with `family`, of that family's proxier (endpointsOf). */
  endpoints(svc: Service, port: ServicePort, family?: 4 | 6): PortEndpoints;
}

export function buildServiceLayer(cluster: Cluster, templates: readonly { readonly workload: Workload; readonly id: string }[]): ServiceLayer {
  const instances = podInstances(cluster.pods, templates, cluster.nodes);
  const frontends = clusterFrontends(cluster);
  const byId = new Map(frontends.map((f) => [f.id, f]));
  const memo = [new Map<ServicePort, PortEndpoints>(), new Map<ServicePort, PortEndpoints>(), new Map<ServicePort, PortEndpoints>()];
  return {
    cluster,
    instances,
    frontends,
    nodes: cluster.nodes,
    frontend: (namespace, name) => byId.get(`${namespace}/${name}`),
    endpoints(svc, port, family) {
      const m = memo[family === undefined ? 0 : family === 4 ? 1 : 2] as Map<ServicePort, PortEndpoints>;
      let e = m.get(port);
      if (!e) {
        e = endpointsOf(svc, port, cluster.endpointSlices, instances, family);
        m.set(port, e);
      }
      return e;
    },
  };
}
