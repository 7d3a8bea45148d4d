/**
 * @module lint types
 * A finding is data with a place (STYLE §3.4): a stable kebab-case `code`, a severity, the
 * object it is about, its SourceRef and a hint. Each check owns exactly one code.
 */
import type { Severity, SourceRef } from "../model/index.js";
import type { LintContext } from "./context.js";

export const LINT_CODES = [
  "service-selector-no-pods",
  "service-target-port-not-exposed",
  "service-named-port-unresolved",
  "service-port-protocol-mismatch",
  "dns-egress-blocked",
  "policy-selects-no-pods",
  "policy-peer-selects-nothing",
  "policy-rule-shadowed",
  "ingress-without-egress",
  "nodeport-out-of-range",
  "nodeport-duplicate",
  "externalname-in-cluster",
  "ingress-backend-missing",
  "cni-no-policy-enforcement",
  "policy-kind-not-modelled",
  "policy-family-dependent",
  "tier-rule-shadowed",
  "tier-equal-priority",
  "tier-pass-falls-through",
  "admin-deny-shadows-networkpolicy",
  "input-skipped",
  "cni-version",
  "cni-duplicate-plugin",
  "cni-ipam-overlap",
  "cni-mtu",
  "route-not-attached",
  "route-backend-missing",
  "route-reference-not-permitted",
  "route-match-conflict",
  "gateway-no-data-plane",
  "calico-selector-no-match",
  "calico-tier-unreachable",
  "dialect-rule-shadowed",
  "cilium-l7-ineffective",
  "missing-portmap-with-hostport",
] as const;

export type LintCode = (typeof LINT_CODES)[number];

export interface Finding {
  readonly code: LintCode;
  readonly severity: Severity;
  readonly message: string;
  /** `Kind namespace/name`, e.g. `Service prod/web`. */
  readonly object: string;
  readonly source: SourceRef;
  readonly hint: string;
}

export interface LintCheck {
  readonly code: LintCode;
  /** Default severity, as SARIF's rule configuration reports it. */
  readonly severity: Severity;
  /** One sentence: what the check finds (SARIF shortDescription, README). */
  readonly description: string;
  run(ctx: LintContext): Finding[];
}

export const objectName = (o: { readonly kind: string; readonly namespace?: string | undefined; readonly name: string }): string =>
  `${o.kind} ${o.namespace !== undefined ? `${o.namespace}/` : ""}${o.name}`;
