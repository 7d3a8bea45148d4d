/**
 * @module cni-no-policy-enforcement
 * NetworkPolicies in a cluster whose CNI does not enforce them (Flannel, the bridge plugin)
 * protect nothing: every connection is allowed whatever the policies say.
 */
import { objectName, type LintCheck } from "../types.js";

export const cniNoPolicyEnforcement: LintCheck = {
  code: "cni-no-policy-enforcement",
  severity: "error",
  description: "the cluster's CNI does not enforce NetworkPolicy, but policies exist",
  run(ctx) {
    const cni = ctx.cni;
    const policies = ctx.cluster.networkPolicies;
    const first = policies[0];
    if (!cni || cni.info.enforcesNetworkPolicy || !first) return [];
    return [{
      code: "cni-no-policy-enforcement",
      severity: "error",
      message: `${cni.info.note} (CNI ${cni.info.name}, from ${cni.from}): the ${policies.length} NetworkPolic${policies.length === 1 ? "y is" : "ies are"} not enforced`,
      object: objectName(first),
      source: first.source,
      hint: "install a policy-enforcing CNI (Calico, Cilium, or Canal = Flannel + Calico policy), or remove the policies so nobody relies on them",
    }];
  },
};
