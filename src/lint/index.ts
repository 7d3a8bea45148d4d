/**
 * @module lint
 * The registry of checks (one file per finding under checks/) and `runLint`: cluster in,
 * sorted findings out. Pure. Findings are rendered by src/report (table, JSON, SARIF).
 */
import type { Cluster } from "../model/index.js";
import { LintContext, type LintOptions } from "./context.js";
import { cniDuplicatePlugin } from "./checks/cni-duplicate-plugin.js";
import { cniIpamOverlap } from "./checks/cni-ipam-overlap.js";
import { cniMtu } from "./checks/cni-mtu.js";
import { cniNoPolicyEnforcement } from "./checks/cni-no-policy-enforcement.js";
import { cniVersion } from "./checks/cni-version.js";
import { dnsEgressBlocked } from "./checks/dns-egress-blocked.js";
import { externalNameInCluster } from "./checks/externalname-in-cluster.js";
import { ingressBackendMissing } from "./checks/ingress-backend-missing.js";
import { ingressWithoutEgress } from "./checks/ingress-without-egress.js";
import { inputSkipped, noteSkipped } from "./checks/input-skipped.js";
import { nodePortDuplicate } from "./checks/nodeport-duplicate.js";
import { nodePortOutOfRange } from "./checks/nodeport-out-of-range.js";
import { policyPeerSelectsNothing } from "./checks/policy-peer-selects-nothing.js";
import { policyRuleShadowed } from "./checks/policy-rule-shadowed.js";
import { policySelectsNoPods } from "./checks/policy-selects-no-pods.js";
import { serviceNamedPortUnresolved } from "./checks/service-named-port-unresolved.js";
import { servicePortProtocolMismatch } from "./checks/service-port-protocol-mismatch.js";
import { serviceSelectorNoPods } from "./checks/service-selector-no-pods.js";
import { serviceTargetPortNotExposed } from "./checks/service-target-port-not-exposed.js";
import { policyKindNotModelled } from "./checks/policy-kind-not-modelled.js";
import { policyFamilyDependent } from "./checks/policy-family-dependent.js";
import { tierRuleShadowed } from "./checks/tier-rule-shadowed.js";
import { tierEqualPriority } from "./checks/tier-equal-priority.js";
import { tierPassFallsThrough } from "./checks/tier-pass-falls-through.js";
import { adminDenyShadowsNetworkPolicy } from "./checks/admin-deny-shadows-networkpolicy.js";
import { gatewayNoDataPlane } from "./checks/gateway-no-data-plane.js";
import { routeBackendMissing } from "./checks/route-backend-missing.js";
import { routeMatchConflict } from "./checks/route-match-conflict.js";
import { routeNotAttached } from "./checks/route-not-attached.js";
import { routeReferenceNotPermitted } from "./checks/route-reference-not-permitted.js";
import { calicoSelectorNoMatch } from "./checks/calico-selector-no-match.js";
import { calicoTierUnreachable } from "./checks/calico-tier-unreachable.js";
import { dialectRuleShadowed } from "./checks/dialect-rule-shadowed.js";
import { ciliumL7Ineffective } from "./checks/cilium-l7-ineffective.js";
import { missingPortmapWithHostport } from "./checks/missing-portmap-with-hostport.js";
import type { Finding, LintCheck } from "./types.js";

export * from "./types.js";
export { LintContext, type LintOptions } from "./context.js";
export { closest, editDistance } from "./closest.js";

/** Every check, in LINT_CODES order. */
export const CHECKS: readonly LintCheck[] = [
  serviceSelectorNoPods,
  serviceTargetPortNotExposed,
  serviceNamedPortUnresolved,
  servicePortProtocolMismatch,
  dnsEgressBlocked,
  policySelectsNoPods,
  policyPeerSelectsNothing,
  policyRuleShadowed,
  ingressWithoutEgress,
  nodePortOutOfRange,
  nodePortDuplicate,
  externalNameInCluster,
  ingressBackendMissing,
  cniNoPolicyEnforcement,
  policyKindNotModelled,
  policyFamilyDependent,
  tierRuleShadowed,
  tierEqualPriority,
  tierPassFallsThrough,
  adminDenyShadowsNetworkPolicy,
  inputSkipped,
  cniVersion,
  cniDuplicatePlugin,
  cniIpamOverlap,
  cniMtu,
  routeNotAttached,
  routeBackendMissing,
  routeReferenceNotPermitted,
  routeMatchConflict,
  gatewayNoDataPlane,
  calicoSelectorNoMatch,
  calicoTierUnreachable,
  dialectRuleShadowed,
  ciliumL7Ineffective,
  missingPortmapWithHostport,
];

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function compareFindings(a: Finding, b: Finding): number {
  return a.source.file.localeCompare(b.source.file) || a.source.line - b.source.line || a.source.column - b.source.column ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.code.localeCompare(b.code) || a.object.localeCompare(b.object) || a.message.localeCompare(b.message);
}

/** Runs every check (or those named in `only`) and returns the findings sorted by place. */
export function runLint(cluster: Cluster, opts: LintOptions & { readonly only?: readonly string[] } = {}): Finding[] {
  const ctx = new LintContext(cluster, opts);
  const checks = opts.only ? CHECKS.filter((c) => opts.only?.includes(c.code)) : CHECKS;
  return noteSkipped(checks.flatMap((c) => c.run(ctx)), opts.skipped ?? []).sort(compareFindings);
}
