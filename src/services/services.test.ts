/**
 * Unit tests of the Service layer: FindPort, endpoint readiness and traffic policies, address
 * synthesis. Each title quotes the rule it pins.
 */
import { describe, expect, it } from "vitest";
import { formatIp, unknownSource, type ContainerPort, type Pod, type Service, type ServicePort, type Workload } from "../model/index.js";
import { endpointsOf, findPort, MAX_EXPANDED_REPLICAS, podInstances, serviceFrontends, usableEndpoints, type ServiceEndpoint } from "./index.js";

const port = (p: Partial<ServicePort> = {}): ServicePort => ({ protocol: "TCP", port: 80, targetPort: { type: "Name", name: "http" }, source: unknownSource, ...p });
const svc = (s: Partial<Service> = {}): Service => ({
  kind: "Service", namespace: "x", name: "s", labels: {}, type: "ClusterIP", selector: { app: "a" }, clusterIPs: [], headless: false,
  externalIPs: [], loadBalancerIPs: [], ports: [port()], sessionAffinity: "None", externalTrafficPolicy: "Cluster", internalTrafficPolicy: "Cluster",
  publishNotReadyAddresses: false, source: unknownSource, ...s,
});
const pod = (name: string, p: Partial<Pod> = {}): Pod => ({
  kind: "Pod", namespace: "x", name, labels: { app: "a" }, ips: [], hostNetwork: false, ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }], owners: [], source: unknownSource, ...p,
});

describe("findPort (podutil.FindPort)", () => {
  const cps: ContainerPort[] = [{ name: "dns", containerPort: 53, protocol: "UDP" }, { name: "dns", containerPort: 5353, protocol: "TCP" }];
  it("a named targetPort matches by name AND the Service port's protocol", () => {
    expect(findPort(cps, port({ protocol: "TCP", targetPort: { type: "Name", name: "dns" } }))).toEqual({ ok: true, port: 5353 });
    expect(findPort(cps, port({ protocol: "UDP", targetPort: { type: "Name", name: "dns" } }))).toEqual({ ok: true, port: 53 });
  });
  it("a numeric targetPort is used as is, even if no container declares it", () => {
    expect(findPort([], port({ targetPort: { type: "Number", port: 9999 } }))).toEqual({ ok: true, port: 9999 });
  });
  it("a pod without the named port is left out of that port's endpoints", () => {
    const inst = podInstances([pod("a", { ports: [] })], [], []);
    const e = endpointsOf(svc(), port(), [], inst);
    expect(e.endpoints).toHaveLength(0);
    expect(e.skipped[0]?.reason).toMatch(/no TCP container port named "http"/);
  });
});

describe("derived endpoints (EndpointSlice controller)", () => {
  it("ready = publishNotReadyAddresses || (Ready && !terminating); serving = Ready", () => {
    const inst = podInstances([pod("r", { ready: true }), pod("n", { ready: false }), pod("t", { ready: true, terminating: true })], [], []);
    const by = (s: Service): Record<string, string> =>
      Object.fromEntries(endpointsOf(s, port(), [], inst).endpoints.map((e) => [e.name, `${e.ready}/${e.serving}/${e.terminating}`]));
    expect(by(svc())).toEqual({ r: "true/true/false", n: "false/false/false", t: "false/true/true" });
    expect(by(svc({ publishNotReadyAddresses: true }))).toEqual({ r: "true/true/false", n: "true/false/false", t: "true/true/true" });
  });
  it("pods in phase Succeeded or Failed are not endpoints", () => {
    const inst = podInstances([pod("done", { phase: "Succeeded" })], [], []);
    expect(endpointsOf(svc(), port(), [], inst).endpoints).toHaveLength(0);
  });
  it("hostname is published only when the pod's subdomain is the Service's name", () => {
    const inst = podInstances([pod("a", { hostname: "h", subdomain: "s" }), pod("b", { hostname: "h2", subdomain: "other" })], [], []);
    const eps = endpointsOf(svc(), port(), [], inst).endpoints;
    expect(eps.map((e) => e.hostname)).toEqual(["h", undefined]);
  });
});

describe("usableEndpoints (kube-proxy CategorizeEndpoints)", () => {
  const ep = (name: string, e: Partial<ServiceEndpoint>): ServiceEndpoint => ({ name, address: { family: 4, value: 1n }, port: 80, ready: true, serving: true, terminating: false, origin: "selector", source: unknownSource, ...e });
  it("ready endpoints; when none is ready, serving terminating endpoints are the fallback", () => {
    expect(usableEndpoints([ep("a", { ready: false, serving: true, terminating: true }), ep("b", { ready: false, serving: false })], "Cluster", undefined).usable.map((e) => e.name)).toEqual(["a"]);
  });
  it("traffic policy Local: only endpoints on the node; none there means dropped, no fallback to other nodes", () => {
    const eps = [ep("a", { nodeName: "n1" }), ep("b", { nodeName: "n2" })];
    expect(usableEndpoints(eps, "Local", "n2").usable.map((e) => e.name)).toEqual(["b"]);
    expect(usableEndpoints(eps, "Local", "n3").usable).toEqual([]);
  });
});

describe("instances and frontends", () => {
  const w: Workload = { kind: "StatefulSet", namespace: "x", name: "db", labels: { app: "db" }, hostNetwork: false, ports: [], replicas: 2, owners: [], source: unknownSource, serviceName: "db" };
  it("a StatefulSet with replicas 2 and no listed pods: db-0, db-1 with hostname = pod name, subdomain = serviceName", () => {
    const inst = podInstances([], [{ workload: w, id: "x/db[StatefulSet]" }], []);
    expect(inst.map((i) => `${i.name} ${i.hostname ?? ""}.${i.subdomain ?? ""} ${formatIp(i.ips[0] ?? { family: 4, value: 0n })}`)).toEqual(["db-0 db-0.db 10.244.0.10", "db-1 db-1.db 10.244.0.11"]);
  });
  it("synthesized addresses come from the nodes' podCIDRs, round-robin, skipping addresses in use", () => {
    const nodes = [{ kind: "Node", name: "n1", labels: {}, internalIPs: [], externalIPs: [], podCIDRs: ["10.1.1.0/24"], source: unknownSource }, { kind: "Node", name: "n2", labels: {}, internalIPs: [], externalIPs: [], podCIDRs: ["10.1.2.0/24"], source: unknownSource }] as const;
    const used = pod("p", { ips: [{ family: 4, value: (10n << 24n) | (1n << 16n) | (1n << 8n) | 10n }] });
    const inst = podInstances([used], [{ workload: w, id: "x/db[StatefulSet]" }], nodes);
    expect(inst.slice(1).map((i) => `${i.nodeName ?? ""} ${formatIp(i.ips[0] ?? { family: 4, value: 0n })}`)).toEqual(["n1 10.1.1.11", "n2 10.1.2.10"]);
  });
  it(`up to MAX_EXPANDED_REPLICAS (${MAX_EXPANDED_REPLICAS}) replicas are one instance each; more are one example per node with a count`, () => {
    const nodes = [{ kind: "Node", name: "n1", labels: {}, internalIPs: [], externalIPs: [], podCIDRs: ["10.1.1.0/24"], source: unknownSource }, { kind: "Node", name: "n2", labels: {}, internalIPs: [], externalIPs: [], podCIDRs: ["10.1.2.0/24"], source: unknownSource }] as const;
    const at = (replicas: number) => podInstances([], [{ workload: { ...w, kind: "Deployment", replicas }, id: "x/db[Deployment]" }], nodes);
    expect(at(MAX_EXPANDED_REPLICAS).map((i) => i.replicas)).toEqual(Array.from({ length: MAX_EXPANDED_REPLICAS }, () => 1));
    expect(at(MAX_EXPANDED_REPLICAS + 1).map((i) => `${i.name} ${i.nodeName ?? ""} ${i.replicas}`)).toEqual([`db-0 n1 ${MAX_EXPANDED_REPLICAS / 2 + 1}`, `db-1 n2 ${MAX_EXPANDED_REPLICAS / 2}`]);
    expect(at(2147483647).map((i) => i.replicas)).toEqual([1073741824, 1073741823]);
    expect(podInstances([], [{ workload: { ...w, replicas: 1000 }, id: "x/db[StatefulSet]" }], []).map((i) => `${i.name} ${i.replicas}`)).toEqual(["db-0 1000"]);
  });
  it("a Service without clusterIP gets one from 10.96.100.0 upward; headless and ExternalName get none", () => {
    const f = serviceFrontends([svc({ name: "a" }), svc({ name: "h", headless: true }), svc({ name: "e", type: "ExternalName", externalName: "x.example" })]);
    expect(f.map((x) => `${x.id} ${x.clusterIPs.map(formatIp).join(",")} ${x.allocated}`)).toEqual(["x/a 10.96.100.0 true", "x/h  false", "x/e  false"]);
  });
});
