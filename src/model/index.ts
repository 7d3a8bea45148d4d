/**
 * @module model
 * Pure domain types and value helpers. Imports nothing outside this folder.
 */
export * from "./source-ref.js";
export * from "./diagnostic.js";
export * from "./ip.js";
export * from "./cidr.js";
export * from "./ip-set.js";
export * from "./protocol.js";
export * from "./port-set.js";
export * from "./label-selector.js";
export * from "./network-policy.js";
export * from "./cluster-policy.js";
export * from "./calico-selector.js";
export * from "./calico.js";
export * from "./cilium.js";
export * from "./workload.js";
export * from "./cluster.js";
export * from "./assert-never.js";
export * from "./cni.js";
export * from "./service.js";
export * from "./gateway.js";
export * from "./collections.js";
export * from "./ipblock-label.js";
