/**
 * Staged policies preview (Calico docs "Stage, preview impacts, and enforce policy": a staged
 * policy is evaluated but not enforced; Set stages a create/update, Delete a removal) and the
 * trace line of a tier decision.
 */
import { describe, expect, it } from "vitest";
import { calicoTiers } from "./calico-tiers.js";
import { formatGeneralDecision } from "./general-tier.js";
import { formatFlowSet, stagedDiff } from "./staged-diff.js";
import { evaluateDirection } from "./tier-eval.js";
import { dialectFixture, pod, podPeer } from "./testing/dialect-fixture.js";

const POD = (name: string, ip: string, role: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: app\n  labels:\n    role: ${role}\nspec:\n  containers:\n  - name: c\n    image: x\nstatus:\n  podIP: ${ip}\n---\n`;
const BASE = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n---\n${POD("db", "10.0.0.1", "database")}${POD("fe", "10.0.0.2", "frontend")}`;

describe("staged policies: what enforcing them would change", () => {
  it("a staged default deny with one allow: lists exactly the pairs that lose, and what they keep", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata:\n  name: db-only-pg\n  namespace: app\nspec:\n  selector: role == 'database'\n  ingress:\n  - action: Allow\n    protocol: TCP\n    source:\n      selector: role == 'frontend'\n    destination:\n      ports: [5432]\n`);
    expect(f.diagnostics).toEqual([]);
    const changes = stagedDiff(f.calico, f.stagedK8s, [...f.pods.values()], f.ctx);
    expect(changes.map((c) => [c.from, c.to, formatFlowSet(c.gained), formatFlowSet(c.lost)])).toEqual([
      ["app/fe", "app/db", "none", "TCP:1-5431,5433-65535 UDP:all SCTP:all ICMP:all ICMPv6:all"],
    ]);
  });

  it("a staged Delete of an enforced policy gains back what it denied", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: lock\n  namespace: app\nspec:\n  selector: role == 'database'\n  types: [Ingress]\n---\napiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata:\n  name: lock\n  namespace: app\nspec:\n  stagedAction: Delete\n`);
    const changes = stagedDiff(f.calico, f.stagedK8s, [...f.pods.values()], f.ctx);
    expect(changes.map((c) => [c.from, c.to, formatFlowSet(c.gained), formatFlowSet(c.lost)])).toEqual([["app/fe", "app/db", "all", "none"]]);
  });

  it("a trace line names tier, kind, policy, order, rule, action and file:line", () => {
    const f = dialectFixture(`${BASE}apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: deny-fe\n  namespace: app\nspec:\n  order: 10\n  selector: role == 'database'\n  ingress:\n  - action: Deny\n    source:\n      selector: role == 'frontend'\n`, "p.yaml");
    const fold = evaluateDirection(calicoTiers(f.calico).tiers, "Ingress", pod(f, "app/db"), podPeer(f, "app/fe"), f.ctx);
    const t = fold.tiers[0];
    expect(t && t.decisions.map((d) => formatGeneralDecision(t.tier, d))).toEqual(["tier default: NetworkPolicy (Calico) app/deny-fe (order 10) ingress[0] Deny — p.yaml:43:5"]);
  });
});
