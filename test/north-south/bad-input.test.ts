/**
 * Bad Gateway API / Route input: file:line:column and the field path, the broken object
 * skipped, the rest analysed, never a stack trace (CONTRACT.md "Bad input"). Field rules from
 * apis/v1 (listener port required, hostname no IP, allowedRoutes.namespaces.from enum,
 * Service backendRef needs a port) and route.openshift.io/v1 (spec.to required).
 */
import { describe, expect, it } from "vitest";
import { run, STACK_LINE } from "../cli/harness.js";

const GOOD = `apiVersion: v1
kind: Pod
metadata: { name: a, namespace: x, labels: { app: a } }
status: { podIP: 10.244.1.5 }
`;

const BAD: readonly [string, string, RegExp][] = [
  ["listener without port", `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: g, namespace: x }
spec:
  gatewayClassName: c
  listeners:
    - { name: web, protocol: HTTP }
`, /<stdin>:7:\d+: error\[missing-field\]: required field "port" is missing \(field spec\.listeners\[0\]\.port\)/],
  ["hostname that is an IP", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: x }
spec:
  hostnames: ["10.0.0.1"]
`, /<stdin>:5:\d+: error\[invalid-value\]: hostname "10\.0\.0\.1" must be a DNS name, not an IP address \(field spec\.hostnames\[0\]\)/],
  ["unknown allowedRoutes.namespaces.from", `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: g, namespace: x }
spec:
  gatewayClassName: c
  listeners:
    - { name: web, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: Everyone } } }
`, /error\[invalid-value\]: from "Everyone" is not one of All, Same, Selector/],
  ["Service backendRef without port", `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r, namespace: x }
spec:
  rules: [{ backendRefs: [{ name: svc }] }]
`, /error\[missing-field\]: a backendRef to a Service needs a port/],
  ["OpenShift Route without to", `apiVersion: route.openshift.io/v1
kind: Route
metadata: { name: r, namespace: x }
spec: { host: a.example.com }
`, /error\[missing-field\]: required field "to" is missing/],
];

describe("bad Gateway API and Route input", () => {
  for (const [what, doc, msg] of BAD) {
    it(`${what}: an error with its place, the object skipped, the rest analysed`, async () => {
      const r = await run(["matrix", "-f", "-", "-o", "json"], `${doc}---\n${GOOD}`);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).endpoints.map((e: { id: string }) => e.id)).toContain("x/a[Pod]");
    });
  }
});
