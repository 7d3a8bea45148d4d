/**
 * DNS gaps closed for north-south work: dnsPolicy Default / None (+ dnsConfig) /
 * ClusterFirstWithHostNet as the kubelet applies them (pkg/kubelet/network/dns/dns.go
 * getPodDNSType, appendDNSConfig; https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy),
 * headless Services without ports, and PTR records (Kubernetes DNS spec 2.3.3 / 2.4.3,
 * https://github.com/kubernetes/dns/blob/master/docs/specification.md).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildTopology, serviceContext } from "../../src/engine/index.js";
import { lookupPtr, podResolver, reverseName } from "../../src/dns/index.js";
import { parseIp, type Ip } from "../../src/model/index.js";
import { loadCluster } from "../../src/parse/index.js";
import { atRoot, golden, run, scenario } from "../cli/harness.js";

const F = ["-f", scenario("dns-policy", "cluster.yaml")];

const CASES = [
  { name: "dns-default", rule: "dnsPolicy Default: the node's resolv.conf, not cluster DNS", args: ["app/default-dns", "api.app:80"], verdict: "denied", says: ["dnsPolicy Default: the pod uses its node's /etc/resolv.conf"] },
  { name: "dns-hostnet-clusterfirst", rule: "ClusterFirst on hostNetwork falls back to Default", args: ["app/hostnet", "api.app:80"], verdict: "denied", says: ["falls back to Default"] },
  { name: "dns-hostnet-clusterfirstwithhostnet", rule: "ClusterFirstWithHostNet uses cluster DNS on the host network", args: ["app/hostnet-cluster", "api.app:80"], verdict: "allowed", says: ["dnsPolicy ClusterFirstWithHostNet", "api.app.svc.cluster.local. A 10.96.1.1"] },
  { name: "dns-none-cluster-nameserver", rule: "dnsPolicy None with the cluster DNS as nameserver: only dnsConfig's searches and ndots", args: ["app/custom", "api:80"], verdict: "allowed", says: ["search app.svc.cluster.local, ndots:2", "api.app.svc.cluster.local. A 10.96.1.1"] },
  { name: "dns-none-external", rule: "dnsPolicy None with another nameserver: answers come from outside the model", args: ["app/external-dns", "api.app:80"], verdict: "denied", says: ["1.1.1.1 are not the cluster DNS Service"] },
  { name: "headless-no-ports", rule: "a headless Service without ports still publishes its endpoints; the client connects on the port it names", args: ["app/client", "web-0.peers.app.svc.cluster.local:8080"], verdict: "allowed", says: ["A 10.244.1.5", "headless"] },
] as const;

describe("kwire trace: dnsPolicy, dnsConfig, headless without ports", () => {
  for (const c of CASES) {
    it(`${c.rule} (expected/trace.${c.name}.txt)`, async () => {
      const r = await run(["trace", ...c.args, ...F]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(c.verdict === "allowed" ? 0 : 1);
      for (const s of c.says) expect(r.stdout).toContain(s);
      await expect(r.stdout).toMatchFileSnapshot(golden("dns-policy", `trace.${c.name}.txt`));
    });
  }
});

describe("resolver per dnsPolicy (kubelet getPodDNSType)", () => {
  it("ClusterFirst appends dnsConfig searches and takes its ndots", () => {
    const r = podResolver({ dnsPolicy: "ClusterFirst", dnsConfig: { nameservers: [], searches: ["corp.example"], options: [{ name: "ndots", value: "2" }] } }, false, "x", "cluster.local");
    expect(r).toMatchObject({ kind: "cluster", conf: { search: ["x.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"], ndots: 2 } });
  });
  it("None without ndots uses glibc's default 1", () => {
    expect(podResolver({ dnsPolicy: "None", dnsConfig: { nameservers: ["10.96.0.10"], searches: [], options: [] } }, false, "x", "cluster.local")).toMatchObject({ kind: "none", conf: { ndots: 1 } });
  });
});

describe("PTR records (DNS spec 2.3.3, 2.4.3)", () => {
  atRoot();
  const path = scenario("dns-policy", "cluster.yaml");
  const { cluster } = loadCluster([{ path, text: readFileSync(path, "utf8") }]);
  const zone = serviceContext(cluster, buildTopology(cluster)).zone;
  const ip = (t: string): Ip => parseIp(t) as Ip;
  it("a ClusterIP's reverse name points at the Service", () => {
    expect(reverseName(ip("10.96.1.1"))).toBe("1.1.96.10.in-addr.arpa");
    expect(lookupPtr(zone, "1.1.96.10.in-addr.arpa.")).toMatchObject({ rcode: "NOERROR", records: [{ data: "api.app.svc.cluster.local." }] });
  });
  it("a headless endpoint's reverse name points at hostname.service (a portless headless Service too)", () => {
    expect(lookupPtr(zone, reverseName(ip("10.244.1.5")))).toMatchObject({ rcode: "NOERROR", records: [{ data: "web-0.peers.app.svc.cluster.local." }] });
  });
  it("any other address is NXDOMAIN; a name that is not a reverse name is forwarded", () => {
    expect(lookupPtr(zone, reverseName(ip("10.244.1.9"))).rcode).toBe("NXDOMAIN");
    expect(lookupPtr(zone, "example.com").rcode).toBe("FORWARDED");
  });
  it("kwire dns ADDRESS answers the PTR record (exit 0), an unknown address NXDOMAIN (exit 1)", async () => {
    const hit = await run(["dns", "10.96.1.1", ...F]);
    expect(hit).toMatchObject({ code: 0, stdout: "1.1.96.10.in-addr.arpa. PTR api.app.svc.cluster.local.\n" });
    const miss = await run(["dns", "9.1.244.10.in-addr.arpa", ...F]);
    expect(miss.code).toBe(1);
    expect(miss.stdout).toMatch(/NXDOMAIN/);
  });
  it("IPv6 reverse names are 32 nibbles under ip6.arpa", () => {
    expect(reverseName(ip("2001:db8::1"))).toBe("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  });
});
