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
  endpoints(svc: Service, port: ServicePort): PortEndpoints;
}

export function buildServiceLayer(cluster: Cluster, templates: readonly { readonly workload: Workload; readonly id: string }[]): ServiceLayer {
  const instances = podInstances(cluster.pods, templates, cluster.nodes);
  const frontends = clusterFrontends(cluster);
  const byId = new Map(frontends.map((f) => [f.id, f]));
  const memo = new Map<ServicePort, PortEndpoints>();
  return {
    cluster,
    instances,
    frontends,
    nodes: cluster.nodes,
    frontend: (namespace, name) => byId.get(`${namespace}/${name}`),
    endpoints(svc, port) {
      let e = memo.get(port);
      if (!e) {
        e = endpointsOf(svc, port, cluster.endpointSlices, instances);
        memo.set(port, e);
      }
      return e;
    },
  };
}
