/**
 * `kwire dns NAME --from POD`: the queries a pod's resolver sends, in order, and CoreDNS's
 * answers. Goldens under fixtures/scenarios/services-basic/expected/dns.*.txt.
 */
import { describe, expect, it } from "vitest";
import { golden, run, scenario, STACK_LINE } from "../cli/harness.js";

const F = ["-f", scenario("services-basic", "cluster.yaml")];

const CASES: readonly { name: string; rule: string; args: readonly string[]; code: number; says: readonly string[] }[] = [
  { name: "short-name", rule: "fewer than ndots:5 dots: the search list (NS.svc.D, svc.D, D) is tried first", args: ["api", "--from", "shop/client"], code: 0, says: ["1. api.shop.svc.cluster.local. A → A 10.96.1.1"] },
  { name: "other-namespace", rule: "NAME.NS resolves through the second search domain svc.D", args: ["api.shop", "--from", "ingress-nginx/ingress-nginx-controller-7c9d"], code: 0, says: ["api.shop.ingress-nginx.svc.cluster.local. A → NXDOMAIN", "api.shop.svc.cluster.local. A → A 10.96.1.1"] },
  { name: "absolute", rule: "a trailing dot is absolute: exactly one query", args: ["api.shop.svc.cluster.local.", "--from", "shop/client"], code: 0, says: ["resolv.conf", "1. api.shop.svc.cluster.local. A"] },
  { name: "headless", rule: "a headless Service answers its ready endpoint addresses", args: ["db", "--from", "shop/client"], code: 0, says: ["A 10.244.1.30"] },
  { name: "srv-named-port", rule: "SRV _port._proto.svc.ns.svc.D exists for named ports; ClusterIP target is the Service name", args: ["_http._tcp.api", "--from", "shop/client"], code: 0, says: ["SRV api.shop.svc.cluster.local port 80"] },
  { name: "srv-headless", rule: "SRV of a headless Service: one record per ready endpoint, target HOST.svc.ns.svc.D", args: ["_pg._tcp.db.shop.svc.cluster.local.", "--from", "shop/client"], code: 0, says: ["SRV db-0.db.shop.svc.cluster.local port 5432"] },
  { name: "externalname", rule: "ExternalName: a CNAME to externalName", args: ["ext", "--from", "shop/client"], code: 0, says: ["CNAME db.example.com"] },
  { name: "pod-record", rule: "pod records a-b-c-d.ns.pod.D (pods insecure)", args: ["10-244-1-9.shop.pod.cluster.local.", "--from", "shop/client"], code: 0, says: ["A 10.244.1.9"] },
  { name: "aaaa-nodata", rule: "AAAA for an IPv4-only Service is NODATA (the name exists)", args: ["api", "--type", "AAAA", "--from", "shop/client"], code: 1, says: ["NODATA"] },
  { name: "nxdomain-upstream", rule: "an unknown name: NXDOMAIN in every search domain, then forwarded upstream", args: ["example.com", "--from", "shop/client"], code: 1, says: ["example.com.shop.svc.cluster.local. A → NXDOMAIN", "example.com. A → FORWARDED", "forwarded upstream"] },
  { name: "cluster-domain", rule: "--cluster-domain changes the zone and the search list", args: ["api", "--from", "shop/client", "--cluster-domain", "corp.internal"], code: 0, says: ["search shop.svc.corp.internal svc.corp.internal corp.internal", "api.shop.svc.corp.internal."] },
];

describe("kwire dns", () => {
  for (const c of CASES) {
    it(`${c.rule} (expected/dns.${c.name}.txt)`, async () => {
      const r = await run(["dns", ...c.args, ...F]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(c.code);
      for (const s of c.says) expect(r.stdout).toContain(s);
      await expect(r.stdout).toMatchFileSnapshot(golden("services-basic", `dns.${c.name}.txt`));
    });
  }

  it("-o json lists every query with rcode and records", async () => {
    const r = await run(["dns", "api.shop", "--from", "shop/client", "-o", "json", ...F]);
    const doc = JSON.parse(r.stdout) as { queries: { name: string; rcode: string }[]; answer: { name: string } | null; resolvConf: { ndots: number } };
    expect(doc.resolvConf.ndots).toBe(5);
    expect(doc.queries.map((q) => q.rcode)).toEqual(["NXDOMAIN", "NOERROR"]);
    expect(doc.answer?.name).toBe("api.shop.svc.cluster.local.");
    await expect(r.stdout).toMatchFileSnapshot(golden("services-basic", "dns.other-namespace.json.txt"));
  });

  it("bad input: unknown --from, unknown --type (exit 2, no stack trace)", async () => {
    for (const args of [["api", "--from", "shop/nope"], ["api", "--type", "MX"]]) {
      const r = await run(["dns", ...args, ...F]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
  });

  it("the demo: the StatefulSet's pods have HOST.database.production.svc.cluster.local names", async () => {
    const r = await run(["dns", "database-1.database", "--from", "production/api-server", "-f", "fixtures/demo/cluster.yaml"]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("demo", "dns.database-1.txt"));
  });
});
