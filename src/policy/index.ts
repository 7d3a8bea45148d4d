/**
 * @module policy
 * NetworkPolicy semantics: the predicates both engines and `trace` share.
 */
export * from "./semantics.js";
export * from "./tiers.js";
export * from "./kinds.js";
export * from "./calico-selector.js";
export * from "./general-tier.js";
export * from "./flow-set.js";
export * from "./party.js";
export * from "./calico-match.js";
export * from "./cilium-match.js";
export * from "./calico-tiers.js";
export * from "./cilium-tiers.js";
export * from "./tier-eval.js";
export * from "./staged-diff.js";
export * from "./dialect-cni.js";
export * from "./enforced.js";
export * from "./family-dependence.js";
export * from "./unresolved-peers.js";
export * from "./kubernetes-tiers.js";
export * from "./cilium-fqdn.js";
