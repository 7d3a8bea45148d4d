/**
 * @module services
 * Service frontends (ClusterIP, NodePort, LoadBalancer, externalIPs, ExternalName, headless)
 * and the endpoints behind each Service port. Pure: data in, data out.
 */
export * from "./instances.js";
export * from "./frontends.js";
export * from "./endpoints.js";
export * from "./find-port.js";
export * from "./traffic-policy.js";
export * from "./layer.js";
