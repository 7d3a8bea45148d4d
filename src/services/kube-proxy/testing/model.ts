/**
 * @module model (testing)
 * Tiny constructors for Services, pods, EndpointSlices and Nodes, for unit tests that build
 * the model directly instead of going through YAML.
 */
import { parseIp, type Cluster, type Ip, type Node, type Pod, type Protocol, type Service, type ServicePort, type SourceRef } from "../../../model/index.js";

export const src = (line = 1): SourceRef => ({ file: "test.yaml", line, column: 1, path: "" });

export function ip(text: string): Ip {
  const v = parseIp(text);
  if (!v) throw new Error(`bad ip ${text}`);
  return v;
}

export function port(p: number, target: number | string, extra: Partial<ServicePort> = {}): ServicePort {
  return {
    protocol: "TCP" as Protocol,
    port: p,
    targetPort: typeof target === "number" ? { type: "Number", port: target } : { type: "Name", name: target },
    source: src(),
    ...extra,
  };
}

export function service(ns: string, name: string, clusterIP: string, ports: ServicePort[], extra: Partial<Service> = {}): Service {
  return {
    kind: "Service",
    namespace: ns,
    name,
    labels: {},
    type: "ClusterIP",
    selector: { app: name },
    clusterIPs: clusterIP === "None" ? [] : [ip(clusterIP)],
    headless: clusterIP === "None",
    externalIPs: [],
    loadBalancerIPs: [],
    ports,
    sessionAffinity: "None",
    externalTrafficPolicy: "Cluster",
    internalTrafficPolicy: "Cluster",
    publishNotReadyAddresses: false,
    source: src(),
    ...extra,
  };
}

export function pod(ns: string, name: string, labels: Record<string, string>, podIP: string, nodeName: string, ports: Pod["ports"] = []): Pod {
  return { kind: "Pod", namespace: ns, name, labels, ips: [ip(podIP)], hostNetwork: false, nodeName, ports, owners: [], source: src() };
}

export function node(name: string, internalIP: string): Node {
  return { kind: "Node", name, labels: {}, internalIPs: [ip(internalIP)], externalIPs: [], podCIDRs: [], source: src() };
}

export function cluster(parts: Partial<Cluster>): Cluster {
  return { namespaces: [], pods: [], workloads: [], networkPolicies: [], clusterPolicies: [], services: [], endpointSlices: [], nodes: [], ingresses: [], ingressClasses: [], others: [], policyGaps: [], ...parts };
}
