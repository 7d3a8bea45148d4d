/**
 * `kwire trace` through the Service layer (DNS names, svc/NAME, URLs, ClusterIP, NodePort,
 * LoadBalancer, Ingress), through the CLI, with goldens under
 * fixtures/scenarios/services-basic/expected and fixtures/scenarios/demo/expected.
 * Each case title states the Kubernetes rule it pins.
 */
import { describe, expect, it } from "vitest";
import { golden, run, scenario, STACK_LINE } from "../cli/harness.js";

const F = ["-f", scenario("services-basic", "cluster.yaml")];
const DEMO = ["-f", "fixtures/demo/cluster.yaml"];

interface Case {
  readonly name: string;
  readonly rule: string;
  readonly args: readonly string[];
  readonly verdict: "allowed" | "denied";
  /** Words the text output must contain (the point of the case). */
  readonly says: readonly string[];
}

const CASES: readonly Case[] = [
  { name: "svc-named-targetport-per-pod", rule: "a named targetPort is resolved per pod (FindPort): api-1 → 8080, api-2 → 9090; allowed when any ready endpoint admits", args: ["shop/client", "svc/api", "-n", "shop", ...F], verdict: "allowed", says: ["api-1 10.244.1.5:8080", "api-2 10.244.2.5:9090 (node n2, ready): denied", "api-1 admits it"] },
  { name: "svc-not-ready-unused", rule: "a pod whose Ready condition is False is not a ready endpoint", args: ["shop/client", "svc/api", "-n", "shop", ...F], verdict: "allowed", says: ["api-3 10.244.2.6:8080 (node n2, not ready): unused"] },
  { name: "dns-short-name", rule: "a short name is expanded with the search list NS.svc.D first", args: ["shop/client", "api:80", "-n", "shop", ...F], verdict: "allowed", says: ["api.shop.svc.cluster.local. A 10.96.1.1"] },
  { name: "url-default-port", rule: "an http URL without a port means port 80", args: ["shop/client", "http://api.shop/healthz", ...F], verdict: "allowed", says: ["TCP/80 → targetPort \"http\""] },
  { name: "wrong-service-port", rule: "a port the Service does not declare is refused", args: ["shop/client", "api.shop:8080", ...F], verdict: "denied", says: ["has no TCP port 8080"] },
  { name: "no-endpoints", rule: "a Service whose selector matches no pod has no endpoints: the connection is refused", args: ["shop/client", "svc/empty:80", "-n", "shop", ...F], verdict: "denied", says: ["no endpoints"] },
  { name: "internal-traffic-policy-local", rule: "internalTrafficPolicy Local: only endpoints on the client's node", args: ["shop/client", "svc/api-local:80", "-n", "shop", ...F], verdict: "allowed", says: ["on node n1 (traffic policy Local)", "api-2 10.244.2.5:9090 (node n2, ready): unused"] },
  { name: "publish-not-ready", rule: "publishNotReadyAddresses: every selected pod is a ready endpoint", args: ["shop/client", "svc/api-all:80", "-n", "shop", ...F], verdict: "allowed", says: ["api-3 10.244.2.6:8080 (node n2, ready)"] },
  { name: "endpoint-slice-as-given", rule: "EndpointSlices are used as given: targetPort from the slice, ready: false is not used", args: ["shop/client", "svc/manual:443", "-n", "shop", ...F], verdict: "allowed", says: ["192.0.2.50:8443 (ready): allowed", "api-1 10.244.1.5:8443 (node n1, not ready): unused"] },
  { name: "endpoints-v1", rule: "v1 Endpoints: addresses are ready, notReadyAddresses are not", args: ["shop/client", "10.96.1.8:8080", ...F], verdict: "allowed", says: ["api-1 10.244.1.5:8080 (node n1, ready): allowed", "api-3 10.244.2.6:8080 (node n2, not ready): unused"] },
  // CoreDNS answers the CNAME; the client then connects to the upstream name's address, an address outside the cluster judged by ipBlock egress (no egress policy here: allowed toward any address).
  { name: "externalname-cname", rule: "ExternalName answers a CNAME; the client connects to the target's address outside the cluster", args: ["shop/client", "ext.shop:5432", ...F], verdict: "allowed", says: ["CNAME db.example.com", "the policies allow TCP/5432 toward every address outside the cluster alike"] },
  { name: "ingress-wildcard-one-label", rule: "an Ingress wildcard covers one label: a.b.shop.test reaches the controller, which answers 404 (denied, not a usage error)", args: ["--from", "internet", "http://a.b.shop.test/", ...F], verdict: "denied", says: ["no Ingress rule matches host a.b.shop.test", "404"] },
  { name: "headless-pod-hostname", rule: "hostname + subdomain = headless Service name ⇒ HOST.SVC.NS.svc.D", args: ["shop/client", "db-0.db.shop.svc.cluster.local:5432", ...F], verdict: "allowed", says: ["A 10.244.1.30", "headless"] },
  { name: "nxdomain", rule: "an unknown Service name is NXDOMAIN in every search domain, then goes upstream as is (ndots:5)", args: ["shop/client", "nope.shop:80", ...F], verdict: "denied", says: ["nope.shop.shop.svc.cluster.local. NXDOMAIN", "nope.shop.cluster.local. NXDOMAIN", "not in the cluster"] },
  { name: "nxdomain-absolute", rule: "a trailing dot is absolute: one query, no search list", args: ["shop/client", "nope.shop.svc.cluster.local.:80", ...F], verdict: "denied", says: ["nope.shop.svc.cluster.local. NXDOMAIN — no query got an answer"] },
  { name: "nodeport-local-node-with-endpoint", rule: "externalTrafficPolicy Local keeps the client address; only local endpoints answer", args: ["--from", "internet", "10.0.0.1:30080", ...F], verdict: "allowed", says: ["client address is kept", "api-1 10.244.1.5:8080 (node n1, ready): allowed"] },
  { name: "nodeport-local-other-node", rule: "externalTrafficPolicy Local on a node whose only ready endpoint is not admitted", args: ["--from", "internet", "10.0.0.2:30080", ...F], verdict: "denied", says: ["on node n2 (traffic policy Local)"] },
  { name: "nodeport-cluster-snat", rule: "externalTrafficPolicy Cluster masquerades: ingress policy sees the node address as an ipBlock peer", args: ["--from", "internet", "10.0.0.1:30081", ...F], verdict: "denied", says: ["the pod sees 10.0.0.1 (node n1, after SNAT)", "ipBlock 203.0.113.0/24 does not contain 10.0.0.1"] },
  { name: "nodeport-wrong-port", rule: "a node port no Service declares is refused", args: ["--from-ip", "203.0.113.7", "10.0.0.1:31999", ...F], verdict: "denied", says: ["no Service with TCP nodePort 31999"] },
  { name: "clusterip-from-outside", rule: "a ClusterIP is not reachable from outside the cluster", args: ["--from", "internet", "10.96.1.1:80", ...F], verdict: "denied", says: ["reachable only from inside the cluster"] },
  { name: "ingress-prefix", rule: "Prefix matches element-wise and the longest path wins (/api over /)", args: ["--from", "internet", "http://shop.test/api/items", ...F], verdict: "allowed", says: ["matches Prefix /api (longest match; also matched: Prefix /)", "ingress-nginx/ingress-nginx-controller-7c9d"] },
  { name: "ingress-exact-over-prefix", rule: "Exact /api/login wins over Prefix /api for /api/login", args: ["--from", "internet", "http://shop.test/api/login", ...F], verdict: "allowed", says: ["matches Exact /api/login", "Service shop/api-all"] },
  { name: "ingress-element-wise", rule: "Prefix /api does not match /apix (element-wise): / does, and its Service has no endpoints", args: ["--from", "internet", "http://shop.test/apix", ...F], verdict: "denied", says: ["matches Prefix /", "no endpoints"] },
  { name: "ingress-wildcard-host", rule: "*.shop.test matches one more label", args: ["--from", "internet", "http://www.shop.test/", ...F], verdict: "allowed", says: ["rule host *.shop.test"] },
  { name: "ingress-missing-backend", rule: "a backend Service that does not exist: the controller answers 503", args: ["--from", "internet", "http://shop.test/gone", ...F], verdict: "denied", says: ["503"] },
  { name: "pod-to-own-nodeport-cluster", rule: "a pod to its own node's nodePort (externalTrafficPolicy Cluster): kube-proxy masquerades after the forward hook, so an endpoint on that node sees the pod", args: ["shop/client", "10.0.0.1:30081", ...F], verdict: "allowed", says: ["marks it for masquerade", "endpoints on n1 see the pod", "api-1 10.244.1.5:8080 (node n1, ready): allowed"] },
  { name: "pod-to-other-nodeport-cluster", rule: "a pod to another node's nodePort: that node translates and masquerades it, so an endpoint elsewhere sees the node address, not the pod", args: ["shop/client", "10.0.0.2:30081", ...F], verdict: "denied", says: ["translates it on node n2", "endpoints on other nodes see 10.0.0.2", "api-1 10.244.1.5:8080 (node n1, ready): denied"] },
  { name: "pod-to-nodeport-local", rule: "externalTrafficPolicy Local: pod traffic to an external destination goes to all endpoints (kube-proxy's local-traffic detector jumps to the cluster-policy chain), keeping the pod address", args: ["shop/client", "10.0.0.2:30080", ...F], verdict: "allowed", says: ["sends pod traffic to an external destination to all of the Service's endpoints", "api-1 admits it"] },
  { name: "pod-to-outside-snat", rule: "traffic leaving the cluster is masqueraded to the node address", args: ["shop/client", "198.51.100.9:443", ...F], verdict: "allowed", says: ["masqueraded to the node's address 10.0.0.1"] },
];

describe("kwire trace through Services, DNS and Ingress", () => {
  for (const c of CASES) {
    it(`${c.rule} (expected/trace.${c.name}.txt)`, async () => {
      const r = await run(["trace", ...c.args]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(c.verdict === "allowed" ? 0 : 1);
      for (const s of c.says) expect(r.stdout).toContain(s);
      await expect(r.stdout).toMatchFileSnapshot(golden("services-basic", `trace.${c.name}.txt`));
    });
  }

  it("-o json keeps the contract shape { verdict, steps: [{ stage, result, detail, source? }] } and lists per-endpoint verdicts", async () => {
    const r = await run(["trace", "shop/client", "svc/api", "-n", "shop", "-o", "json", ...F]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { verdict: string; steps: { stage: string; endpoints?: { name: string; verdict: string }[] }[] };
    expect(doc.verdict).toBe("allowed");
    expect(doc.steps.map((s) => s.stage)).toEqual(["source", "service", "endpoints", "route", "egress-policy", "ingress-policy", "verdict"]);
    expect(doc.steps.find((s) => s.stage === "endpoints")?.endpoints?.map((e) => `${e.name}:${e.verdict}`)).toEqual(["api-1:allowed", "api-2:denied", "api-3:unused"]);
    await expect(r.stdout).toMatchFileSnapshot(golden("services-basic", "trace.svc-named-targetport-per-pod.json.txt"));
  });

  it("the demo: frontend → http://api-server.production:8080/ (dns → service → endpoints → policies)", async () => {
    const r = await run(["trace", "production/frontend", "http://api-server.production:8080/", ...DEMO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✔ dns .*api-server\.production\.svc\.cluster\.local\. A 10\.96\.0\.20/);
    await expect(r.stdout).toMatchFileSnapshot(golden("demo", "trace.frontend-to-api-server-url.txt"));
  });

  it("the demo: from the internet to the web LoadBalancer IP (SNAT to a node address)", async () => {
    const r = await run(["trace", "--from", "internet", "198.51.100.20:80", ...DEMO]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("demo", "trace.internet-to-web-lb.txt"));
  });

  it("the demo's Ingress needs a controller pod: exit 2 naming --ingress-controller, or trace with it", async () => {
    const missing = await run(["trace", "--from", "internet", "http://shop.example.com/api", ...DEMO]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--ingress-controller POD/);
    expect(missing.stderr).not.toMatch(STACK_LINE);
    const r = await run(["trace", "--from", "internet", "http://shop.example.com/api", "--ingress-controller", "production/web", ...DEMO]);
    await expect(r.stdout).toMatchFileSnapshot(golden("demo", "trace.internet-ingress-api.txt"));
  });

  it("bad destinations are bad input (exit 2), never a stack trace", async () => {
    const cases = [
      ["shop/client", "svc/nope:80", "-n", "shop", ...F],
      ["shop/client", "ftp://api.shop/", ...F],
      // Several ports and none given.
      ["production/frontend", "api-server.production", ...DEMO],
    ];
    for (const args of cases) {
      const r = await run(["trace", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
  });

  it("pod and workload destinations are unchanged (no Service stages)", async () => {
    const r = await run(["trace", "production/frontend", "production/api-server:8080", "-o", "json", ...DEMO]);
    const doc = JSON.parse(r.stdout) as { steps: { stage: string }[] };
    expect(doc.steps.map((s) => s.stage)).toEqual(["source", "destination", "egress-policy", "ingress-policy", "verdict"]);
  });
});
