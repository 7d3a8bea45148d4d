/**
 * @module dns
 * Cluster DNS as CoreDNS answers it (records) and as a pod's resolver asks it (search list,
 * ndots). Pure.
 */
export * from "./records.js";
export * from "./resolve.js";
export * from "./zone.js";
export * from "./ptr.js";
