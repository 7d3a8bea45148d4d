/** The worker's engine side on the demo cluster: load, traces (cells and typed text), policies, what-if, lint. */
import { describe, expect, it } from "vitest";
import { API, DATABASE, DEMO_FILES, DEMO_PATH, FRONTEND, WEB, matrixOf } from "../testing/demo.js";
import { applyEdit } from "../model/edit.js";
import { diffMatrices } from "../model/diff.js";
import { Session } from "./session.js";

describe("Session (the worker's engine side)", () => {
  const s = new Session();
  const loaded = s.load(DEMO_FILES);

  it("loads the input into the workload matrix the CLI prints, with a summary and the policies", () => {
    expect(loaded.matrix).toEqual(matrixOf(DEMO_FILES));
    expect(loaded.summary.policies).toBe(7);
    expect(loaded.policies.find((p) => p.id === "production/default-deny-all")?.selects).toBe(4);
    expect(loaded.objects.some((o) => o.kind === "StatefulSet" && o.id === "production/database")).toBe(true);
    expect(loaded.findings).toEqual([]);
  });

  it("traces a denied heat-map cell on the destination's declared port", () => {
    const r = s.trace({ scenario: "base", src: FRONTEND, dst: DATABASE, byId: true });
    expect(r.port).toBe(5432);
    expect(r.trace.verdict).toBe("denied");
    const eg = r.trace.steps.find((x) => x.stage === "egress-policy");
    expect(eg?.result).toBe("denied");
    expect(eg?.source?.file).toBe(DEMO_PATH);
  });

  it("traces typed text: ns/name:port, and URLs", () => {
    const r = s.trace({ scenario: "base", src: "production/frontend", dst: "production/api-server:8080" });
    expect(r.trace.verdict).toBe("allowed");
    expect(r.trace.steps.find((x) => x.stage === "ingress-policy")?.rules?.[0]?.policy).toBe("production/api-server");
    expect(() => s.trace({ scenario: "base", src: "nope/x", dst: WEB })).toThrow(/source: no pod or workload/);
  });

  it("traces from an IP block cell outside the cluster", () => {
    const ext = loaded.matrix.endpoints.find((e) => e.kind === "IPBlock" && e.cidrs?.includes("0.0.0.0/5"));
    const r = s.trace({ scenario: "base", src: ext?.id ?? "", dst: WEB, byId: true, protocol: "TCP", port: "80" });
    expect(r.trace.verdict).toBe("allowed");
  });

  it("describes a policy: what it selects and which peers each rule admits", () => {
    const d = s.policy("base", "production/database");
    expect(d.selected).toEqual([DATABASE]);
    expect(d.rules).toHaveLength(1);
    const rule = d.rules[0];
    expect(rule?.ports).toBe("TCP 5432");
    expect(rule?.peers !== "all" && rule?.peers[0]?.matches).toEqual([API]);
  });

  it("what-if: an edited policy yields the difference, and traces run on the edited input", () => {
    const line = loaded.objects.find((o) => o.kind === "NetworkPolicy" && o.id === "production/database")?.line ?? 0;
    const edited = applyEdit(DEMO_FILES, {
      type: "replace",
      file: DEMO_PATH,
      line,
      text: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: database, namespace: production }\nspec:\n  podSelector: { matchLabels: { app: database } }\n  ingress:\n    - from: [{ podSelector: { matchLabels: { tier: frontend } } }]\n      ports: [{ port: 5432 }]\n",
    });
    const w = s.whatIf(edited);
    expect(w.diff.removed.map((c) => [c.src, c.dst])).toEqual([[API, DATABASE]]);
    expect(w.diff.added).toEqual([]); // frontend's own egress policy still denies the database
    expect(s.trace({ scenario: "whatif", src: API, dst: DATABASE, byId: true }).trace.verdict).toBe("denied");
    expect(s.trace({ scenario: "base", src: API, dst: DATABASE, byId: true }).trace.verdict).toBe("allowed");
  });
});

describe("Session: typed destinations go through `kwire trace`'s entry point", () => {
  const svc = `apiVersion: v1
kind: Service
metadata: { name: api, namespace: production }
spec:
  selector: { app: api-server }
  ports: [{ name: http, port: 80, targetPort: http }]
`;
  const s = new Session();
  s.load([...DEMO_FILES, { path: "svc.yaml", text: svc }]);

  it("accepts a Service's DNS name as a URL", () => {
    const r = s.trace({ scenario: "base", src: "production/frontend", dst: "http://api.production/healthz" });
    expect(r.trace.steps.map((x) => x.stage)).toContain("service");
    expect(r.trace.verdict).toBe("allowed");
  });
});

describe("Session.lint (the second worker)", () => {
  it("runs kwire lint's checks on the input and points at file:line", () => {
    const orphan = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: orphan, namespace: production }\nspec:\n  podSelector: { matchLabels: { app: nothing-has-this } }\n";
    const r = new Session().lint([...DEMO_FILES, { path: "orphan.yaml", text: orphan }]);
    const f = r.findings.find((x) => x.code === "policy-selects-no-pods");
    expect(f).toMatchObject({ file: "orphan.yaml", line: 1 });
    expect(f?.message).toContain("production/orphan");
  });
});

describe("Session.load with kwire serve's input options (--pod-cidr, --cni, -n)", () => {
  // As fixtures/scenarios/pod-cidr: pods with no IP, matched by ipBlocks through the pod CIDR.
  const podCidr = `apiVersion: apps/v1
kind: Deployment
metadata: { name: client, namespace: app }
spec:
  template:
    metadata: { labels: { app: client } }
    spec: { containers: [{ name: c, image: i }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: server, namespace: app }
spec:
  template:
    metadata: { labels: { app: server } }
    spec: { containers: [{ name: s, image: i, ports: [{ containerPort: 8080 }] }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: client-egress, namespace: app }
spec:
  podSelector: { matchLabels: { app: client } }
  policyTypes: [Egress]
  egress:
    - to: [{ ipBlock: { cidr: 0.0.0.0/0, except: [10.0.0.0/8] } }]
      ports: [{ port: 443 }]
`;
  const files = [{ path: "pod-cidr.yaml", text: podCidr }];
  const verdict = (s: Session): string => s.trace({ scenario: "base", src: "app/client", dst: "app/server:443" }).trace.verdict;

  it("analyses with --pod-cidr: outside 10.0.0.0/8 the except no longer applies, also in what-if", () => {
    const byDefault = new Session();
    byDefault.load(files);
    expect(verdict(byDefault)).toBe("denied");
    const s = new Session();
    s.load(files, { podCidr: "192.168.0.0/16" });
    expect(verdict(s)).toBe("allowed");
    s.whatIf(files);
    expect(s.trace({ scenario: "whatif", src: "app/client", dst: "app/server:443" }).trace.verdict).toBe("allowed");
  });

  it("analyses with --cni: a CNI that does not enforce policies allows everything", () => {
    const s = new Session();
    const r = s.load(files, { cni: "flannel" });
    expect(r.cni).toBe("flannel");
    expect(verdict(s)).toBe("allowed");
  });

  it("returns -n as the initial namespace filter when the input has that namespace, else a note", () => {
    expect(new Session().load(DEMO_FILES, { namespace: "production" }).namespace).toBe("production");
    const missing = new Session().load(DEMO_FILES, { namespace: "nope" });
    expect(missing.namespace).toBeUndefined();
    expect(missing.notes.some((n) => n.includes("namespace nope"))).toBe(true);
    expect(new Session().load(DEMO_FILES).namespace).toBeUndefined();
  });
});

describe("Session: What-if takes the engine's incremental path when only policies and labels change (issue 11)", () => {
  const base = `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { team: a } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [ { name: c, image: i, ports: [ { containerPort: 80 } ] } ] } } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec: { selector: { matchLabels: { app: api } }, template: { metadata: { labels: { app: api } }, spec: { containers: [ { name: c, image: i, ports: [ { containerPort: 8080 } ] } ] } } }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  ingress: [ { from: [ { podSelector: { matchLabels: { app: web } } } ], ports: [ { port: 8080 } ] } ]
`;
  it("a narrowed policy: the incremental diff, equal to comparing the two matrices", () => {
    const s = new Session();
    s.load([{ path: "shop.yaml", text: base }]);
    const edited = base.replace("ports: [ { port: 8080 } ]", "ports: [ { port: 9090 } ]");
    const w = s.whatIf([{ path: "shop.yaml", text: edited }]);
    expect(w.diffBy).toBe("incremental");
    expect(w.diff.changed.map((c) => [c.src, c.dst, c.before, c.after])).toEqual([["shop/web[Deployment]", "shop/api[Deployment]", [{ protocol: "TCP", from: 8080, to: 8080 }], [{ protocol: "TCP", from: 9090, to: 9090 }]]]);
    const full = new Session();
    const before = full.load([{ path: "shop.yaml", text: base }]).matrix;
    expect(w.diff).toEqual(diffMatrices(before, w.matrix));
  });
  it("a new workload: the matrices are compared", () => {
    const s = new Session();
    s.load([{ path: "shop.yaml", text: base }]);
    const more = `${base}---\napiVersion: v1\nkind: Pod\nmetadata: { name: extra, namespace: shop, labels: { app: extra } }\nspec: { containers: [ { name: c, image: i } ] }\n`;
    expect(s.whatIf([{ path: "shop.yaml", text: more }]).diffBy).toBe("matrices");
  });
});
