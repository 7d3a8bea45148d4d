/**
 * Golden tests of `kwire trace SRC DST` (text and `-o json`) and of its exit codes:
 * 0 allowed, 1 denied, 2 bad input — never a stack trace.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { golden, run, scenario, STACK_LINE } from "./harness.js";

interface TraceCase {
  readonly scenario: string;
  readonly name: string;
  readonly args: readonly string[];
  readonly verdict: "allowed" | "denied";
}

const DEMO = ["-f", "fixtures/demo/cluster.yaml"];
const LIST = ["-f", scenario("kubectl-list", "cluster.yaml")];
const MULTI = ["-f", scenario("multi-doc", "cluster.yaml")];

const CASES: readonly TraceCase[] = [
  { scenario: "demo", name: "frontend-to-api-server-8080", args: ["production/frontend", "production/api-server:8080", ...DEMO], verdict: "allowed" },
  { scenario: "demo", name: "frontend-to-database-5432", args: ["production/frontend", "production/database:5432", ...DEMO], verdict: "denied" },
  // kubectl-style `deploy/NAME -n NS` and a named port of the destination.
  { scenario: "demo", name: "deploy-web-to-frontend-http", args: ["deploy/web", "production/frontend:http", "-n", "production", ...DEMO], verdict: "allowed" },
  { scenario: "demo", name: "web-to-coredns-udp-53", args: ["production/web", "kube-system/coredns:53", "--protocol", "UDP", ...DEMO], verdict: "allowed" },
  // Egress allows TCP/53 and UDP/53 to kube-dns only; SCTP is another protocol.
  { scenario: "demo", name: "web-to-coredns-sctp-53", args: ["production/web", "kube-system/coredns:53", "--protocol", "SCTP", ...DEMO], verdict: "denied" },
  { scenario: "demo", name: "prometheus-to-api-server-metrics", args: ["monitoring/prometheus", "production/api-server:metrics", ...DEMO], verdict: "allowed" },
  { scenario: "demo", name: "prometheus-to-web-no-such-port", args: ["monitoring/prometheus", "production/web:metrics", ...DEMO], verdict: "denied" },
  { scenario: "kubectl-list", name: "checkout-to-cart-pod", args: ["shop/checkout[Deployment]", "shop/cart-7d9f8b6c5d-2xkqp:http", ...LIST], verdict: "allowed" },
  { scenario: "kubectl-list", name: "debug-to-cart-8080", args: ["shop/debug", "shop/cart:8080", ...LIST], verdict: "denied" },
  // Pod IPs from status.podIP resolve to the pods.
  { scenario: "kubectl-list", name: "by-ip-checkout-to-redis", args: ["10.244.1.19", "10.244.2.9:6379", ...LIST], verdict: "denied" },
  { scenario: "kubectl-list", name: "checkout-to-payment-gateway-443", args: ["shop/checkout", "203.0.113.10:443", ...LIST], verdict: "allowed" },
  { scenario: "kubectl-list", name: "checkout-to-internet-443", args: ["shop/checkout", "198.51.100.7:443", ...LIST], verdict: "denied" },
  // hostNetwork: NetworkPolicy does not select it; the node-network ipBlock admits it.
  { scenario: "multi-doc", name: "host-network-to-api-metrics", args: ["edge/node-exporter-7xk2p", "edge/api:9102", ...MULTI], verdict: "allowed" },
  { scenario: "multi-doc", name: "internet-to-gateway-https", args: ["203.0.113.9", "edge/gateway:https", ...MULTI], verdict: "allowed" },
  { scenario: "multi-doc", name: "private-to-gateway-https", args: ["192.168.4.20", "edge/gateway:8443", ...MULTI], verdict: "denied" },
  { scenario: "multi-doc", name: "gateway-to-host-network-ip", args: ["edge/gateway", "172.18.0.3:9100", ...MULTI], verdict: "denied" },
];

describe("kwire trace: goldens and exit codes (0 allowed, 1 denied)", () => {
  for (const c of CASES) {
    it(`${c.args.slice(0, 2).join(" → ")} is ${c.verdict} (expected/trace.${c.name}.txt)`, async () => {
      const r = await run(["trace", ...c.args]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(c.verdict === "allowed" ? 0 : 1);
      expect(r.stdout).toMatch(new RegExp(`: ${c.verdict.toUpperCase()}\\n`));
      await expect(r.stdout).toMatchFileSnapshot(golden(c.scenario, `trace.${c.name}.txt`));
    });

    it(`${c.args.slice(0, 2).join(" → ")} -o json (expected/trace.${c.name}.json.txt)`, async () => {
      const r = await run(["trace", ...c.args, "-o", "json"]);
      expect(r.code).toBe(c.verdict === "allowed" ? 0 : 1);
      const doc = JSON.parse(r.stdout) as { verdict: string; steps: { stage: string; result: string; detail: string; source?: { file: string; line: number } }[] };
      // CONTRACT.md: { verdict, steps: [ { stage, result, detail, source: { file, line } } ] }
      expect(doc.verdict).toBe(c.verdict);
      expect(doc.steps.length).toBeGreaterThan(0);
      for (const s of doc.steps) {
        expect(typeof s.stage).toBe("string");
        expect(typeof s.result).toBe("string");
        expect(typeof s.detail).toBe("string");
        if (s.source) expect(Object.keys(s.source)).toEqual(["file", "line"]);
      }
      await expect(r.stdout).toMatchFileSnapshot(golden(c.scenario, `trace.${c.name}.json.txt`));
    });
  }

  it("a denial names the policies that isolate the pod and why none of their rules matched", async () => {
    const r = await run(["trace", "production/frontend", "production/database:5432", ...DEMO]);
    expect(r.stdout).toMatch(/isolated for egress by production\/allow-dns \(fixtures\/demo\/cluster\.yaml:\d+\), production\/default-deny-all/);
    expect(r.stdout).toMatch(/production\/frontend egress\[0\] \(line \d+\): no peer matches: peer\[0\] podSelector app=api-server does not match labels app=database,tier=data/);
  });

  it("reads the cluster from stdin (`-f -`), with <stdin> as the file in every source", async () => {
    const text = readFileSync(scenario("stdin", "helm-template.yaml"), "utf8");
    const allowed = await run(["trace", "streaming/release-kafka-producer", "streaming/release-kafka:9092", "-f", "-"], text);
    expect(allowed.code).toBe(0);
    await expect(allowed.stdout).toMatchFileSnapshot(golden("stdin", "trace.producer-to-kafka-9092.txt"));
    const denied = await run(["trace", "streaming/release-kafka-debug", "streaming/release-kafka:9092", "-f", "-"], text);
    expect(denied.code).toBe(1);
    await expect(denied.stdout).toMatchFileSnapshot(golden("stdin", "trace.debug-to-kafka-9092.txt"));
    expect(denied.stdout).toMatch(/\[<stdin>:\d+\]/);
  });
});

describe("kwire trace: bad input exits 2 with a message and no stack trace", () => {
  it.each([
    ["unknown pod", ["production/nope", "production/web:80", ...DEMO], /kwire: error: source: no pod or workload matches "production\/nope" \(in production: /],
    ["unknown namespace", ["nowhere/web", "production/web:80", ...DEMO], /kwire: error: source: no pod or workload matches "nowhere\/web" \(no namespace "nowhere"\)/],
    ["unknown destination", ["production/web", "production/nope:80", ...DEMO], /kwire: error: destination: no pod or workload matches "production\/nope:80"/],
    ["bad protocol", ["production/web", "production/frontend:80", "--protocol", "GRE", ...DEMO], /--protocol must be TCP, UDP, SCTP, ICMP or ICMPv6, not "GRE"/],
    ["port out of range", ["production/web", "production/frontend:70000", ...DEMO], /port 70000 is outside 1-65535/],
    ["bad output", ["production/web", "production/frontend:80", "-o", "xml", ...DEMO], /-o must be text or json, not "xml"/],
    ["missing destination", ["production/web", ...DEMO], /missing required argument 'dst'/],
    ["missing file", ["a/b", "c/d", "-f", "fixtures/scenarios/nope.yaml"], /cannot read fixtures\/scenarios\/nope\.yaml: no such file or directory/],
  ])("%s", async (_name, args, message) => {
    const r = await run(["trace", ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
