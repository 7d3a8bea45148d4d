/**
 * A few network-policy-api conformance probes through the CLI, as a user would run them:
 * `kwire trace SRC DST:PORT --protocol P -f cluster.yaml -f policies.yaml`; exit 0 is
 * allowed, 1 denied (test/cli/trace.test.ts). The manifests are the cases' step manifests
 * (harness.ts stepManifest), written to a temporary directory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, run } from "../cli/harness.js";
import { GRESS_CASES } from "./cases-gress.js";
import { PROTOCOL_RULE_CASES } from "./cases-protocol-rules.js";
import { SEMANTICS_CASES } from "./cases-semantics.js";
import { stepManifest, type TierCase } from "./harness.js";
import { clusterYaml, namespaceOf, podId, type PodName } from "./topology.js";

const DIR = mkdtempSync(join(tmpdir(), "kwire-conformance-tiers-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const CLUSTER = join(DIR, "cluster.yaml");
writeFileSync(CLUSTER, clusterYaml());

function byName(cases: readonly TierCase[], prefix: string): TierCase {
  const c = cases.find((x) => x.name.startsWith(prefix));
  if (!c) throw new Error(`no case ${prefix}`);
  return c;
}

function policiesFile(c: TierCase, step: number): string {
  const file = join(DIR, `${c.manifest.replace(/\W+/g, "-")}.step${step + 1}.yaml`);
  writeFileSync(file, stepManifest(c, step));
  return file;
}

interface CliProbe {
  readonly c: TierCase;
  /** 0-based index of the upstream t.Run block. */
  readonly step: number;
  readonly from: PodName;
  /** `ns/pod:port` or `svc/NAME:port` (with `-n`). */
  readonly to: string;
  readonly protocol: "TCP" | "UDP" | "SCTP";
  readonly extra?: readonly string[];
  readonly allowed: boolean;
}

const to = (name: PodName, port: number): string => `${podId(name)}:${port}`;
const INTEGRATION = byName(SEMANTICS_CASES, "CNPAdminTierIntegration");
const ANP_INTEGRATION = byName(SEMANTICS_CASES, "AdminNetworkPolicyIntegration");

const PROBES: readonly CliProbe[] = [
  // admin-network-policy-standard-integration.go, "pass-ingress … respect the match for network policy"
  { c: INTEGRATION, step: 2, from: "draco-malfoy-0", to: to("harry-potter-0", 80), protocol: "TCP", allowed: true },
  // … "pass-ingress … respect the match for baseline cluster network policy" (NetworkPolicy deleted)
  { c: INTEGRATION, step: 4, from: "draco-malfoy-0", to: to("harry-potter-0", 80), protocol: "TCP", allowed: false },
  // The same two blocks with AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1.
  { c: ANP_INTEGRATION, step: 3, from: "harry-potter-1", to: to("draco-malfoy-0", 8080), protocol: "TCP", allowed: true },
  { c: ANP_INTEGRATION, step: 5, from: "harry-potter-1", to: to("draco-malfoy-0", 8080), protocol: "TCP", allowed: false },
  // admin-network-policy-standard-gress-rules.go, "deny-gress … at the specified ports"
  { c: byName(GRESS_CASES, "CNPAdminTierGress"), step: 3, from: "harry-potter-0", to: to("draco-malfoy-0", 53), protocol: "UDP", allowed: false },
  { c: byName(GRESS_CASES, "CNPAdminTierGress"), step: 3, from: "harry-potter-1", to: to("draco-malfoy-0", 5353), protocol: "UDP", allowed: true },
  // admin-network-policy-standard-ingress-sctp-rules.go, "deny-ingress … at the specified port"
  { c: byName(PROTOCOL_RULE_CASES, "admin-network-policy-standard-ingress-sctp"), step: 3, from: "draco-malfoy-0", to: to("luna-lovegood-0", 9003), protocol: "SCTP", allowed: false },
  // admin-network-policy-standard-priority.go, after priority 60 -> 40: Pass to the baseline Accept
  { c: byName(SEMANTICS_CASES, "CNPAdminTierPriorityField"), step: 2, from: "draco-malfoy-1", to: to("harry-potter-0", 8080), protocol: "TCP", allowed: true },
  // admin-network-policy-experimental-ingress-rules.go: destinationNamedPort dns
  { c: byName(SEMANTICS_CASES, "CNPAdminTierIngressNamedPort"), step: 0, from: "harry-potter-0", to: `${podId("cedric-diggory-1")}:dns`, protocol: "UDP", allowed: true },
  // admin-network-policy-hairpin-rules.go: harry-potter-0 -> the Service's ClusterIP:80
  {
    c: byName(SEMANTICS_CASES, "CNPAdminTierHairpin"),
    step: 0,
    from: "harry-potter-0",
    to: "svc/harry-potter-hairpin-service:80",
    protocol: "TCP",
    extra: ["-n", namespaceOf("gryffindor")],
    allowed: false,
  },
  // admin-network-policy-standard-egress-inline-cidr-rules.go, "deny-egress rule … egress-cidr-peer"
  { c: byName(SEMANTICS_CASES, "CNPAdminTierEgressInlineCIDRPeers"), step: 0, from: "harry-potter-1", to: to("luna-lovegood-0", 80), protocol: "TCP", allowed: false },
];

describe("network-policy-api conformance through `kwire trace` (exit 0 allowed, 1 denied)", () => {
  for (const x of PROBES) {
    it(`${x.c.name}, block ${x.step + 1}: ${x.from} -> ${x.to} ${x.protocol} is ${x.allowed ? "allowed" : "denied"}`, async () => {
      const r = await run(["trace", podId(x.from), x.to, "--protocol", x.protocol, ...(x.extra ?? []), "-f", CLUSTER, "-f", policiesFile(x.c, x.step)]);
      expect(r.stderr, r.stdout).toBe("");
      expect(r.code, r.stdout).toBe(x.allowed ? 0 : 1);
      expect(r.stdout).toMatch(new RegExp(`: ${x.allowed ? "ALLOWED" : "DENIED"}\\n`));
    });
  }
});

describe("fixtures/examples/anp (the topology and the integration policies, for users)", () => {
  it("cluster.yaml is this suite's topology", () => {
    const text = readFileSync(join(ROOT, "fixtures/examples/anp/cluster.yaml"), "utf8");
    expect(text.replace(/^#.*\n/gm, "")).toBe(clusterYaml());
  });

  // The verdicts its header promises, from admin-network-policy-standard-integration.go blocks 3
  // and 2 (egress still Deny in the Admin tier).
  const EXAMPLE = ["-f", "fixtures/examples/anp"];
  it.each([
    [podId("draco-malfoy-0"), to("harry-potter-0", 80), 0, "ALLOWED"],
    [podId("harry-potter-0"), to("draco-malfoy-0", 80), 1, "DENIED"],
  ] as const)("kwire trace %s %s exits %i (%s)", async (src, dst, code, verdict) => {
    const r = await run(["trace", src, dst, ...EXAMPLE]);
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout).toBe(code);
    expect(r.stdout).toMatch(new RegExp(`: ${verdict}\\n`));
  });
});
