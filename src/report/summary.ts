/**
 * @module summary
 * `kwire matrix -o summary`: counts only.
 */
import type { MatrixSummary } from "../engine/index.js";

export function summaryText(s: MatrixSummary): string {
  const rows: [string, string][] = [
    ["Level", s.level],
    ["Engine", s.engine],
    ["Pods (incl. replicas of workloads without listed pods)", String(s.pods)],
    ["NetworkPolicies", String(s.policies)],
    ["Endpoints", `${s.endpoints} (${s.endpoints - s.externalEndpoints} in cluster, ${s.externalEndpoints} external IP blocks)`],
    ["Equivalence classes", String(s.classes)],
    ["Allowed pairs", String(s.allowedPairs)],
    ["Denied pairs", String(s.deniedPairs)],
    ["Pods isolated for ingress", String(s.podsIsolatedIngress)],
    ["Pods isolated for egress", String(s.podsIsolatedEgress)],
    ["Endpoints reachable from outside the cluster", String(s.reachableFromOutside)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${(k + ":").padEnd(w + 1)}  ${v}`).join("\n") + "\n";
}
