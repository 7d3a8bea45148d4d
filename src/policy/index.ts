/**
 * @module policy
 * NetworkPolicy semantics: the predicates both engines and `trace` share.
 */
export * from "./semantics.js";
export * from "./tiers.js";
export * from "./kinds.js";
