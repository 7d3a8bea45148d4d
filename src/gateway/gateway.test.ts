/**
 * Unit tests of Gateway API hostname, path and backend semantics, each from the API text
 * (https://github.com/kubernetes-sigs/gateway-api/blob/main/apis/v1/) or OpenShift's router.
 */
import { describe, expect, it } from "vitest";
import { unknownSource, type ReferenceGrant, type Service } from "../model/index.js";
import { effectiveHostnames, grantAllows, hostnameMatches, intersectHostnames, pathPrefixMatches, resolveBackend, routePathMatches } from "./index.js";

describe("hostnames (shared_types.go Hostname; httproute_types.go Hostnames)", () => {
  it("'*.example.com' would match both 'test.example.com', and 'foo.test.example.com', but not 'example.com'", () => {
    expect(hostnameMatches("*.example.com", "test.example.com")).toBe(true);
    expect(hostnameMatches("*.example.com", "foo.test.example.com")).toBe(true);
    expect(hostnameMatches("*.example.com", "example.com")).toBe(false);
  });
  it("a Listener with 'test.example.com' as the hostname matches HTTPRoutes that have no hostnames set, 'test.example.com' or '*.example.com'", () => {
    expect(effectiveHostnames("test.example.com", [])).toEqual(["test.example.com"]);
    expect(effectiveHostnames("test.example.com", ["test.example.com"])).toEqual(["test.example.com"]);
    expect(effectiveHostnames("test.example.com", ["*.example.com"])).toEqual(["test.example.com"]);
  });
  it("a Listener with '*.example.com' matches routes with 'test.example.com' and '*.example.com'; 'test.example.net' must not be considered", () => {
    expect(effectiveHostnames("*.example.com", ["test.example.com", "test.example.net"])).toEqual(["test.example.com"]);
    expect(intersectHostnames("*.example.com", "*.example.com")).toBe("*.example.com");
    expect(intersectHostnames("*.example.com", "*.foo.example.com")).toBe("*.foo.example.com");
    expect(effectiveHostnames("*.example.com", ["example.net"])).toEqual([]);
  });
});

describe("paths", () => {
  it("PathPrefix is element-wise and a trailing / is ignored (httproute_types.go PathMatchPathPrefix)", () => {
    expect(pathPrefixMatches("/foo", "/foo/bar")).toBe(true);
    expect(pathPrefixMatches("/foo/", "/foo")).toBe(true);
    expect(pathPrefixMatches("/foo", "/foobar")).toBe(false);
    expect(pathPrefixMatches("/", "/anything")).toBe(true);
  });
  it("OpenShift Route paths: '^host(:port)?PATH(/.*)?$', a path ending in / matches anything below (openshift/router GenerateRouteRegexp)", () => {
    expect(routePathMatches("/api", "/api")).toBe(true);
    expect(routePathMatches("/api", "/api/v1")).toBe(true);
    expect(routePathMatches("/api", "/apix")).toBe(false);
    expect(routePathMatches("/api/", "/api/x")).toBe(true);
    expect(routePathMatches("/", "/")).toBe(true);
  });
});

describe("backendRefs (httproute_types.go HTTPBackendRef; referencegrant_types.go)", () => {
  const svc = (ns: string, name: string): Service => ({ kind: "Service", namespace: ns, name, labels: {}, type: "ClusterIP", clusterIPs: [], headless: false, externalIPs: [], loadBalancerIPs: [], ports: [{ protocol: "TCP", port: 8080, targetPort: { type: "Number", port: 8080 }, source: unknownSource }], sessionAffinity: "None", externalTrafficPolicy: "Cluster", internalTrafficPolicy: "Cluster", publishNotReadyAddresses: false, source: unknownSource });
  const services = (ns: string, name: string): Service | undefined => (name === "gone" ? undefined : svc(ns, name));
  const route = { kind: "HTTPRoute", namespace: "apps" };
  const ref = (o: Partial<{ namespace: string; name: string; port: number; weight: number }>) => ({ group: "", kind: "Service", name: o.name ?? "b", port: o.port ?? 8080, weight: o.weight ?? 1, source: unknownSource, ...(o.namespace ? { namespace: o.namespace } : {}) });
  const grant: ReferenceGrant = { kind: "ReferenceGrant", namespace: "other", name: "g", from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "apps" }], to: [{ group: "", kind: "Service" }], source: unknownSource };
  it("weight 0: the backend MUST NOT receive traffic", () => expect(resolveBackend(ref({ weight: 0 }), route, services, []).status).toBe("weight-zero"));
  it("a Service that does not exist, or a port it does not declare, is an invalid backend", () => {
    expect(resolveBackend(ref({ name: "gone" }), route, services, []).status).toBe("service-missing");
    expect(resolveBackend(ref({ port: 9 }), route, services, []).status).toBe("port-missing");
  });
  it("another namespace needs a ReferenceGrant there naming the route's kind and namespace; `to` without a name covers every Service", () => {
    expect(resolveBackend(ref({ namespace: "other" }), route, services, []).status).toBe("not-permitted");
    expect(resolveBackend(ref({ namespace: "other" }), route, services, [grant]).status).toBe("ok");
    expect(grantAllows([grant], { kind: "GRPCRoute", namespace: "apps" }, { namespace: "other", name: "b" })).toBe(false);
    expect(grantAllows([grant], { kind: "HTTPRoute", namespace: "x" }, { namespace: "other", name: "b" })).toBe(false);
    expect(grantAllows([{ ...grant, to: [{ group: "", kind: "Service", name: "only" }] }], route, { namespace: "other", name: "b" })).toBe(false);
  });
});
