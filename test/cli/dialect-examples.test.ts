/**
 * The seeds' Calico and Cilium examples (fixtures/examples/*.yaml), analysed as a user would:
 * `kwire matrix` and `kwire trace` output compared to checked-in text under
 * fixtures/scenarios/dialect-examples/expected/, and each verdict that matters asserted from
 * the Calico / Cilium docs (cited per case) so a golden cannot silently absorb a wrong answer.
 */
import { describe, expect, it } from "vitest";
import { golden, run } from "./harness.js";

const CALICO_DB = "fixtures/examples/calico-database.yaml";
const CALICO_DENY = "fixtures/examples/calico-default-deny-dns.yaml";
const CILIUM = "fixtures/examples/cilium-l3-l4-entities.yaml";

/** `SOURCE DESTINATION PORTS` rows of a matrix table, whitespace-collapsed. */
function rows(table: string): string[] {
  return table.trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/).join(" "));
}

interface TraceCase {
  readonly name: string;
  readonly args: readonly string[];
  readonly code: number;
  readonly verdict: RegExp;
}

async function traceCase(c: TraceCase): Promise<void> {
  const r = await run(["trace", ...c.args]);
  expect(r.code, r.stderr).toBe(c.code);
  expect(r.stdout).toMatch(c.verdict);
  await expect(r.stdout).toMatchFileSnapshot(golden("dialect-examples", `${c.name}.trace.txt`));
}

describe("calico-database.yaml (Calico NetworkPolicy reference, 'Sample YAML': allow-tcp-6379)", () => {
  it("matrix", async () => {
    const r = await run(["matrix", "-f", CALICO_DB]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("dialect-examples", "calico-database.matrix.txt"));
    const m = rows(r.stdout);
    // selector role == 'database', types [Ingress, Egress]: ingress Allow only from role == 'frontend'
    // on TCP 6379 — the frontend reaches the database on 6379 and nothing else does (the default
    // tier's defaultAction Deny denies the rest; tiered-policy docs).
    expect(m).toContain("production/frontend[Pod] production/database[Pod] TCP:6379");
    expect(m.filter((x) => x.split(" ")[1] === "production/database[Pod]")).toEqual(["production/frontend[Pod] production/database[Pod] TCP:6379"]);
    // egress: `- action: Allow` with no match criteria allows everything out of the database.
    expect(m).toContain("production/database[Pod] ipblock:0.0.0.0/0 all");
    // Pods no policy selects keep the Kubernetes profile's allow (docs: "If no policies apply, the
    // traffic is allowed" for Kubernetes pods, whose profile allows).
    expect(m).toContain("production/batch[Pod] production/frontend[Pod] all");
  });

  it("traces: the frontend is allowed on 6379 by allow-tcp-6379 ingress[0]; batch is denied at the end of the default tier", async () => {
    await traceCase({ name: "calico-database-frontend", args: ["production/frontend", "production/database:6379", "-f", CALICO_DB], code: 0, verdict: /ALLOWED[\s\S]*allow-tcp-6379 ingress\[0\] Allow/ });
    await traceCase({ name: "calico-database-batch", args: ["production/batch", "production/database:6379", "-f", CALICO_DB], code: 1, verdict: /DENIED[\s\S]*no rule matched — the tier's default action Deny/ });
  });
});

describe("calico-default-deny-dns.yaml (Calico 'Enable a default deny policy for Kubernetes pods')", () => {
  it("matrix", async () => {
    const r = await run(["matrix", "-f", CALICO_DENY]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("dialect-examples", "calico-default-deny-dns.matrix.txt"));
    const m = rows(r.stdout);
    // The GlobalNetworkPolicy selects every pod outside kube-system/calico-system/calico-apiserver
    // (projectcalico.org/namespace not in {...}) for Ingress and Egress; its only rules allow
    // UDP and TCP 53 to k8s-app == "kube-dns". So shop pods reach CoreDNS on 53 only, and nothing
    // reaches shop pods.
    expect(m).toContain("shop/client[Pod] kube-system/coredns[Pod] TCP:53 UDP:53");
    expect(m).toContain("shop/web[Pod] kube-system/coredns[Pod] TCP:53 UDP:53");
    expect(m.filter((x) => x.split(" ")[1]?.startsWith("shop/"))).toEqual([]);
    // kube-system is excluded by the selector: CoreDNS stays open (no policy selects it).
    expect(m).toContain("ipblock:0.0.0.0/0 kube-system/coredns[Pod] all");
  });

  it("traces: DNS over UDP is allowed by default-deny egress[0]; web is denied at both ends", async () => {
    await traceCase({ name: "calico-default-deny-dns-udp53", args: ["shop/client", "kube-system/coredns:53", "--protocol", "UDP", "-f", CALICO_DENY], code: 0, verdict: /ALLOWED[\s\S]*default-deny egress\[0\] Allow/ });
    await traceCase({ name: "calico-default-deny-dns-web", args: ["shop/client", "shop/web:80", "-f", CALICO_DENY], code: 1, verdict: /DENIED[\s\S]*egress-policy[^\n]*default action Deny[\s\S]*ingress-policy[^\n]*default action Deny/ });
  });
});

describe("cilium-l3-l4-entities.yaml (Cilium policy language: endpoints, entities, ports; deny policies)", () => {
  it("matrix", async () => {
    const r = await run(["matrix", "-f", CILIUM]);
    expect(r.code).toBe(0);
    await expect(r.stdout).toMatchFileSnapshot(golden("dialect-examples", "cilium-l3-l4-entities.matrix.txt"));
    const m = rows(r.stdout);
    // l3-l4-backend: ingress from role=frontend on TCP 80 (L3 endpoints + L4 toPorts) and from
    // the host entity; ingressDeny from world. Once a rule selects the backend for ingress it is
    // default-deny in that direction (docs "Policy Enforcement Modes"), so only the frontend:80 gets in.
    expect(m.filter((x) => x.split(" ")[1] === "shop/backend[Pod]")).toEqual(["shop/frontend[Pod] shop/backend[Pod] TCP:80"]);
    // dev-egress (env=dev: the frontend): world, DNS (port 53, protocol ANY = TCP, UDP, SCTP)
    // to kube-dns in kube-system, and the backend on TCP 80 — nothing else.
    expect(m.filter((x) => x.startsWith("shop/frontend[Pod] "))).toEqual([
      "shop/frontend[Pod] kube-system/coredns[Pod] TCP:53 UDP:53 SCTP:53",
      "shop/frontend[Pod] shop/backend[Pod] TCP:80",
      "shop/frontend[Pod] ipblock:0.0.0.0/0 all",
      "shop/frontend[Pod] ipblock:::/0 all",
    ]);
  });

  it("traces: frontend → backend:80 allowed; the world is denied by ingressDeny; DNS is allowed at L4 (the L7 dns rules are shown, not modelled)", async () => {
    await traceCase({ name: "cilium-frontend-backend", args: ["shop/frontend", "shop/backend:80", "-f", CILIUM], code: 0, verdict: /ALLOWED[\s\S]*l3-l4-backend ingress\[0\] Allow/ });
    // Deny docs: "Deny policies take precedence over allow policies".
    await traceCase({ name: "cilium-world-backend", args: ["--from-ip", "198.51.100.7", "10.0.3.10:80", "-f", CILIUM], code: 1, verdict: /DENIED[\s\S]*tier cilium-deny[^\n]*Deny/ });
    // Cilium's L7 docs: the DNS proxy may still reject individual queries; the connection's
    // verdict is the L4 one, which kwire models fully (docs/json-output.md: never exit 3 for it).
    await traceCase({ name: "cilium-frontend-dns", args: ["shop/frontend", "kube-system/coredns:53", "--protocol", "UDP", "-f", CILIUM], code: 0, verdict: /ALLOWED[\s\S]*L7 dns rules not modelled/ });
  });
});

describe("the examples are lint-clean (no dialect check fires on correct policies)", () => {
  for (const f of [CALICO_DB, CALICO_DENY, CILIUM]) {
    it(f, async () => {
      expect(await run(["lint", "-f", f])).toMatchObject({ code: 0, stdout: "No findings.\n" });
    });
  }
});
