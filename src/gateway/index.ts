/**
 * @module gateway
 * Gateway API semantics over the model: hostnames, route attachment, request matching and
 * backend resolution. Pure.
 */
export * from "./hostname.js";
export * from "./attach.js";
export * from "./match.js";
export * from "./backends.js";
export * from "./openshift.js";
