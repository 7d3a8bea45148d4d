/**
 * @module ingress
 * Ingress routing: host and path matching, and the backend a request reaches. Pure.
 */
export * from "./match.js";
export * from "./route.js";
