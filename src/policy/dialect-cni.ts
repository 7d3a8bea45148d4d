/**
 * @module dialect-cni
 * Calico kinds are enforced only by Calico, Cilium kinds only by Cilium. Without `--cni`, the CNI
 * is detected from the input: any object of the projectcalico.org / crd.projectcalico.org groups
 * means Calico, any of cilium.io means Cilium; both is a conflict the user must settle.
 */
import type { PolicyDialect } from "../model/index.js";
export type { PolicyDialect };

export function dialectOfApiVersion(apiVersion: string): PolicyDialect | undefined {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  if (group === "projectcalico.org" || group === "crd.projectcalico.org") return "calico";
  if (group === "cilium.io") return "cilium";
  return undefined;
}

export interface CniDetection {
  /** undefined when the input names neither, or both. */
  readonly cni: PolicyDialect | undefined;
  /** Both Calico and Cilium objects are present: `--cni` must say which enforces. */
  readonly conflict: boolean;
  /** `apiVersion kind` of the first object of each dialect found, for the message. */
  readonly evidence: readonly string[];
}

export function detectPolicyCni(objects: readonly { readonly apiVersion: string; readonly kind: string }[]): CniDetection {
  const first = new Map<PolicyDialect, string>();
  for (const o of objects) {
    const d = dialectOfApiVersion(o.apiVersion);
    if (d && !first.has(d)) first.set(d, `${o.apiVersion} ${o.kind}`);
  }
  const found = [...first.keys()].sort();
  return { cni: found.length === 1 ? found[0] : undefined, conflict: found.length > 1, evidence: found.map((d) => first.get(d) ?? d) };
}

/**
 * Does this CNI enforce objects of this dialect? Calico kinds: Calico, and Canal (flannel
 * networking with Calico's Felix enforcing policy); Cilium kinds: Cilium only.
 */
const ENFORCERS: Readonly<Record<PolicyDialect, readonly string[]>> = { calico: ["calico", "canal"], cilium: ["cilium"] };

export function cniEnforcesDialect(cni: string, dialect: PolicyDialect): boolean {
  return ENFORCERS[dialect].includes(cni);
}
