/**
 * Pods fold into their controller's workload even when the owner object is not in the input
 * (issue 12, "Owners"), as `kubectl get pods -A -o yaml` lists them:
 * - a ReplicaSet named `<deployment>-<pod-template-hash>` whose pods carry that hash is shown as
 *   its Deployment (kubernetes pkg/controller/deployment/sync.go, getNewReplicaSet: the new
 *   ReplicaSet is named `d.Name + "-" + podTemplateSpecHash` and its pods get the
 *   `pod-template-hash` label);
 * - a Job named `<cronjob>-<minutes>` is shown as its CronJob (pkg/controller/cronjob/utils.go,
 *   getJobName: `fmt.Sprintf("%s-%d", cj.Name, getTimeHashInMinutes(scheduledTime))`);
 * - other workload kinds are themselves; a Node-owned static pod stays a pod;
 * and `trace`/`test` resolve `ns/name`, `kind/name -n ns` and `ns/name[Kind]` to those pods.
 */
import { describe, expect, it } from "vitest";
import { run, scenario } from "./harness.js";

const INPUT = ["-f", scenario("pods-without-owners", "cluster.yaml")];

describe("owners not in the input", () => {
  it("matrix: one endpoint per workload, named from the ownerReferences, with a note on stderr", async () => {
    const r = await run(["matrix", ...INPUT, "-o", "json"]);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout) as { endpoints: { id: string; kind: string; name?: string }[]; connections: { src: string; dst: string; ports: unknown }[] };
    expect(m.endpoints.filter((e) => e.kind !== "IPBlock").map((e) => e.id)).toEqual([
      "kube-system/etcd-node-a[Pod]",
      "shop/backend[Deployment]",
      "shop/backup[CronJob]",
      "shop/db[StatefulSet]",
      "shop/frontend[Deployment]",
      "shop/legacy-rs[ReplicaSet]",
      "shop/migrate-2[Job]",
    ]);
    expect(m.endpoints.find((e) => e.id === "shop/frontend[Deployment]")).toMatchObject({ kind: "Deployment", name: "frontend" });
    // frontend (both of its ReplicaSets, mid-rollout) → backend on its named port http = 8080.
    expect(m.connections.filter((c) => c.src.startsWith("shop/"))).toEqual([
      { src: "shop/frontend[Deployment]", dst: "shop/backend[Deployment]", ports: [{ protocol: "TCP", from: 8080, to: 8080 }] },
    ]);
    expect(r.stderr).toContain("kwire: note: 9 pod(s) or template(s) grouped into 6 workload(s) named by ownerReferences whose objects are not in the input");
  });

  it("matrix --level pod still lists every pod", async () => {
    const r = await run(["matrix", ...INPUT, "--level", "pod", "-o", "summary", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ level: "pod", endpoints: 12, externalEndpoints: 2, pods: 10 });
  });

  it("matrix -o summary counts workloads, not pods", async () => {
    const r = await run(["matrix", ...INPUT, "-o", "summary", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ level: "workload", endpoints: 9, allowedPairs: 5, reachableFromOutside: 1 });
  });

  it.each([
    [["shop/frontend", "shop/backend:8080"], 0],
    [["deploy/frontend", "backend:http", "-n", "shop"], 0],
    [["shop/frontend[Deployment]", "shop/backend[Deployment]:8080"], 0],
    [["cj/backup", "shop/backend:8080", "-n", "shop"], 1],
    [["shop/backup[CronJob]", "shop/db"], 1],
    [["job/migrate-2", "rs/legacy-rs", "-n", "shop"], 1],
  ])("trace %j exits %i", async (args, code) => {
    const r = await run(["trace", ...args, ...INPUT]);
    expect(r.stderr).not.toContain("no pod or workload matches");
    expect(r.code).toBe(code);
  });

  it("trace names the workload and the pod it stands for", async () => {
    const r = await run(["trace", "shop/frontend", "shop/backend:8080", ...INPUT, "-o", "json"]);
    const t = JSON.parse(r.stdout) as { verdict: string; steps: { stage: string; detail: string }[] };
    expect(t.verdict).toBe("allowed");
    expect(t.steps.find((s) => s.stage === "source")?.detail).toMatch(/^shop\/frontend-[a-z0-9]+-[a-z0-9]{5} /);
    expect(t.steps.find((s) => s.stage === "destination")?.detail).toMatch(/^shop\/backend-6b7c8d9f5-[a-z]{5} /);
  });

  it("test: expectations written with workload names pass", async () => {
    const r = await run(["test", ...INPUT, "--expect", scenario("pods-without-owners", "expectations.yaml")]);
    expect(r.stdout).not.toContain("FAIL");
    expect(r.code).toBe(0);
  });
});
