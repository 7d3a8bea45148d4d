import { describe, expect, it } from "vitest";
import { cniEnforcesDialect, detectPolicyCni, dialectOfApiVersion } from "./dialect-cni.js";

describe("which CNI the input is written for", () => {
  it("Calico groups (both API forms) and cilium.io", () => {
    expect(dialectOfApiVersion("projectcalico.org/v3")).toBe("calico");
    expect(dialectOfApiVersion("crd.projectcalico.org/v1")).toBe("calico");
    expect(dialectOfApiVersion("cilium.io/v2")).toBe("cilium");
    expect(dialectOfApiVersion("networking.k8s.io/v1")).toBeUndefined();
  });

  it("detects one, reports both as a conflict with evidence, and none as undefined", () => {
    const np = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" };
    const gnp = { apiVersion: "projectcalico.org/v3", kind: "GlobalNetworkPolicy" };
    const cnp = { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy" };
    expect(detectPolicyCni([np, gnp])).toEqual({ cni: "calico", conflict: false, evidence: ["projectcalico.org/v3 GlobalNetworkPolicy"] });
    expect(detectPolicyCni([cnp, gnp, np])).toEqual({ cni: undefined, conflict: true, evidence: ["projectcalico.org/v3 GlobalNetworkPolicy", "cilium.io/v2 CiliumNetworkPolicy"] });
    expect(detectPolicyCni([np])).toEqual({ cni: undefined, conflict: false, evidence: [] });
  });

  it("Calico kinds with Calico (and Canal, whose policy engine is Calico's Felix), Cilium kinds only with Cilium", () => {
    expect(cniEnforcesDialect("calico", "calico")).toBe(true);
    expect(cniEnforcesDialect("canal", "calico")).toBe(true);
    expect(cniEnforcesDialect("cilium", "calico")).toBe(false);
    expect(cniEnforcesDialect("flannel", "calico")).toBe(false);
    expect(cniEnforcesDialect("cilium", "cilium")).toBe(true);
    expect(cniEnforcesDialect("calico", "cilium")).toBe(false);
  });
});
