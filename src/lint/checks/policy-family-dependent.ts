/**
 * @module policy-family-dependent
 * A policy whose address rules (ipBlock, networks, nets, CIDR) match a dual-stack pod by the
 * address of one family only: the kernel matches each connection by its own family, so the
 * one verdict kwire gives that pod pair holds for one family only (src/policy/family-dependence.ts).
 * kwire marks those verdicts uncertain; this finding says where and why.
 */
import { familyDependentGaps } from "../../policy/index.js";
import type { LintCheck } from "../types.js";

export const policyFamilyDependent: LintCheck = {
  code: "policy-family-dependent",
  severity: "warning",
  description: "address rule matches a dual-stack pod by one address family only: verdicts there depend on the connection's family",
  run(ctx) {
    return familyDependentGaps(ctx.cluster, ctx.topology.subjects).map((g) => ({
      code: "policy-family-dependent" as const,
      severity: "warning" as const,
      message: g.detail ?? `${g.kind} ${g.namespace ? `${g.namespace}/` : ""}${g.name}: an address rule matches a dual-stack pod by one family only`,
      object: `${g.kind} ${g.namespace ? `${g.namespace}/` : ""}${g.name}`,
      source: g.source,
      hint: "add the other family's CIDR to the rule (e.g. ::/0 beside 0.0.0.0/0), or select the pods by labels; kwire trace marks these verdicts uncertain (exit 3)",
    }));
  },
};
