/**
 * Unit tests of the Service layer: FindPort, endpoint readiness and traffic policies, address
 * synthesis. Each title quotes the rule it pins.
 */
import { describe, expect, it } from "vitest";
import { formatIp, unknownSource, type ContainerPort, type Pod, type Service, type ServicePort, type Workload } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { endpointsOf, findPort, inferServiceFamilies, MAX_EXPANDED_REPLICAS, podInstances, serviceFrontends, usableEndpoints, type ServiceEndpoint } from "./index.js";

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

/**
 * Which ClusterIPs a Service gets (frontends.ts), per the ServiceSpec API reference and
 * https://kubernetes.io/docs/concepts/services-networking/dual-stack/ ("Services"): ipFamilyPolicy
 * "SingleStack … using the first configured service cluster IP range", "PreferDualStack: Allocates
 * both IPv4 and IPv6 cluster IPs for the Service when dual-stack is enabled. If dual-stack is not
 * enabled or supported, it falls back to single-stack behavior", "RequireDualStack: Allocates
 * Service .spec.clusterIPs from both IPv4 and IPv6 address ranges"; "The first family you list
 * [in ipFamilies] is used for the legacy .spec.clusterIP field".
 */
describe("ipFamilies and ipFamilyPolicy (dual-stack Services)", () => {
  const ips = (services: Service[], configured: (4 | 6)[]): string[] => serviceFrontends(services, configured).map((x) => `${x.id} ${x.clusterIPs.map(formatIp).join(",")}`);
  const v4 = { family: 4, value: (10n << 24n) | (96n << 16n) | 7n } as const;
  it("SingleStack (the default): one address, of the first configured range's family unless ipFamilies names another", () => {
    expect(ips([svc({ name: "a" }), svc({ name: "b", ipFamilies: [6] })], [6, 4])).toEqual(["x/a fd00:10:96::100", "x/b fd00:10:96::101"]);
    expect(ips([svc({ name: "a" }), svc({ name: "b", ipFamilies: [6] })], [4, 6])).toEqual(["x/a 10.96.100.0", "x/b fd00:10:96::100"]);
  });
  it("PreferDualStack: both families on a dual-stack cluster, primary first (ipFamilies' order); one on a single-stack cluster", () => {
    expect(ips([svc({ name: "p", ipFamilyPolicy: "PreferDualStack" })], [4, 6])).toEqual(["x/p 10.96.100.0,fd00:10:96::100"]);
    expect(ips([svc({ name: "p", ipFamilyPolicy: "PreferDualStack", ipFamilies: [6, 4] })], [4, 6])).toEqual(["x/p fd00:10:96::100,10.96.100.0"]);
    expect(ips([svc({ name: "p", ipFamilyPolicy: "PreferDualStack", ipFamilies: [6] })], [4, 6])).toEqual(["x/p fd00:10:96::100,10.96.100.0"]);
    expect(ips([svc({ name: "p", ipFamilyPolicy: "PreferDualStack" })], [4])).toEqual(["x/p 10.96.100.0"]);
  });
  it("RequireDualStack: both; a declared clusterIP is kept and only the missing family allocated", () => {
    expect(ips([svc({ name: "r", ipFamilyPolicy: "RequireDualStack", clusterIPs: [v4] })], [4, 6])).toEqual(["x/r 10.96.0.7,fd00:10:96::100"]);
    const f = serviceFrontends([svc({ name: "r", ipFamilyPolicy: "RequireDualStack", clusterIPs: [v4] })], [4, 6])[0];
    expect(f?.allocated).toBe(true);
  });
  it("without a configured range: the Services' declared families decide (IPv4 when none declare any, as before)", () => {
    expect(ips([svc({ name: "a" })], inferServiceFamilies([svc({ name: "a" })]))).toEqual(["x/a 10.96.100.0"]);
    const six = [svc({ name: "a" }), svc({ name: "b", clusterIPs: [{ family: 6, value: 0x30n | (0xfd00n << 112n) }] })];
    expect(inferServiceFamilies(six)).toEqual([6]);
    expect(serviceFrontends(six).map((x) => x.clusterIPs.map(formatIp).join(","))).toEqual(["fd00:10:96::100", "fd00::30"]);
  });
});

describe("spec.ipFamilies / ipFamilyPolicy decoding (ServiceSpec: ipFamilies \"may hold a maximum of two entries\", \"must correspond to the values of the clusterIPs field\")", () => {
  const decode = (spec: string): { svc: Service | undefined; errors: string[] } => {
    const r = loadCluster([{ path: "s.yaml", text: `apiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: x }\nspec:\n  selector: { app: a }\n  ports: [{ port: 80 }]\n${spec}` }]);
    return { svc: r.cluster.services[0], errors: r.diagnostics.filter((d) => d.severity === "error").map((d) => d.message) };
  };
  it("reads both fields (IPv4 → 4, IPv6 → 6, order kept)", () => {
    const { svc: s, errors } = decode("  ipFamilyPolicy: PreferDualStack\n  ipFamilies: [IPv6, IPv4]\n");
    expect(errors).toEqual([]);
    expect([s?.ipFamilyPolicy, s?.ipFamilies]).toEqual(["PreferDualStack", [6, 4]]);
  });
  it("rejects what the API server rejects: unknown values, two families or two clusterIPs under SingleStack, families that contradict clusterIPs", () => {
    expect(decode("  ipFamilyPolicy: DualStack\n").errors.join()).toMatch(/ipFamilyPolicy "DualStack" is not one of/);
    expect(decode("  ipFamilies: [IPv5]\n").errors.join()).toMatch(/not IPv4 or IPv6/);
    expect(decode("  ipFamilies: [IPv4, IPv6]\n").errors.join()).toMatch(/SingleStack/);
    expect(decode('  clusterIPs: [10.96.0.1, "fd00::1"]\n').errors.join()).toMatch(/SingleStack/);
    expect(decode('  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv6, IPv4]\n  clusterIPs: [10.96.0.1, "fd00::1"]\n').errors.join()).toMatch(/clusterIPs\[0\] 10\.96\.0\.1 is IPv4 but ipFamilies\[0\] is IPv6/);
    expect(decode('  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv4, IPv6]\n  clusterIPs: [10.96.0.1, "fd00::1"]\n').errors).toEqual([]);
  });
});
