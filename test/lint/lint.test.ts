/**
 * `kwire lint` through the CLI: every check fires on its fixture with file:line and a hint,
 * every output format has a golden, and the exit code is 1 exactly when a finding is an error.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LINT_CODES } from "../../src/lint/index.js";
import { golden, run, scenario } from "../cli/harness.js";

const SERVICES = scenario("lint-services", "cluster.yaml");
const POLICIES = scenario("lint-policies", "cluster.yaml");
const POLICIES_DIR = "fixtures/scenarios/lint-policies";
const CLEAN = scenario("lint-clean", "cluster.yaml");
const TIERS = scenario("lint-tiers", "cluster.yaml");
const NOT_MODELLED = scenario("lint-tiers", "not-modelled.yaml");
/** A NetworkPolicy with ipBlock.cidr 10.0.0.0/33: skipped by the parser (stderr says so too). */
const BAD = scenario("bad-input", "cidr-prefix.yaml");
/** A Service and, in net.d/, two CNI configurations with every CNI configuration finding. */
const CNI = "fixtures/scenarios/lint-cni";
const FLANNEL_CONF = `${CNI}/net.d/10-flannel.conflist`;
const BRIDGE_CONF = `${CNI}/net.d/20-bridge.conflist`;
const GATEWAY = scenario("lint-gateway", "cluster.yaml");
const DUAL_STACK = scenario("dual-stack", "cluster.yaml");
/** Calico and Cilium policies with every dialect finding (docs cited in the fixtures and the check modules). */
const CALICO = scenario("lint-dialect", "calico.yaml");
const CILIUM = scenario("lint-dialect", "cilium.yaml");

interface JsonFinding { code: string; severity: string; message: string; object: string; file: string; line: number; hint: string }

async function findings(...args: string[]): Promise<JsonFinding[]> {
  const r = await run(["lint", ...args, "-o", "json"]);
  // An unmodelled policy kind, a skipped object and CNI configurations also speak on stderr.
  // The Cilium fixture's L7 rule is reported as not modelled (peer-not-modelled) on stderr.
  if (!args.includes(NOT_MODELLED) && !args.includes(BAD) && !args.includes(CILIUM) && !args.some((a) => a.startsWith(CNI))) expect(r.stderr).toBe("");
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

describe("kwire lint goldens", () => {
  const cases: [string, string[]][] = [
    ["lint-services", ["-f", SERVICES]],
    ["lint-policies", ["-f", POLICIES_DIR]],
    ["lint-clean", ["-f", CLEAN]],
    ["lint-gateway", ["-f", GATEWAY]],
  ];
  for (const [name, args] of cases) {
    for (const [fmt, ext] of [["table", "txt"], ["json", "json"], ["sarif", "sarif.json"]] as const) {
      it(`${name} -o ${fmt}`, async () => {
        const r = await run(["lint", ...args, "-o", fmt]);
        await expect(r.stdout).toMatchFileSnapshot(golden(name, `lint.${ext}`));
      });
    }
  }
});

describe("each check fires with a place and a hint", () => {
  const expected: Record<(typeof LINT_CODES)[number], { args: string[]; object: string; line: number; severity: string; text: RegExp }> = {
    "service-selector-no-pods": { args: ["-f", SERVICES], object: "Service shop/typo", line: 19, severity: "warning", text: /did you mean app=web instead of app=wbe/ },
    "service-target-port-not-exposed": { args: ["-f", SERVICES], object: "Service shop/stale-port", line: 31, severity: "warning", text: /8000\/TCP, which no selected pod declares/ },
    "service-named-port-unresolved": { args: ["-f", SERVICES], object: "Service shop/named", line: 38, severity: "error", text: /did you mean targetPort: http/ },
    "service-port-protocol-mismatch": { args: ["-f", SERVICES], object: "Service shop/syslog", line: 45, severity: "error", text: /declare it as UDP/ },
    "nodeport-out-of-range": { args: ["-f", SERVICES], object: "Service shop/np-low", line: 53, severity: "error", text: /nodePort 8080 is outside the node port range 30000-32767/ },
    "nodeport-duplicate": { args: ["-f", SERVICES], object: "Service shop/np-b", line: 69, severity: "error", text: /already used by Service shop\/np-a/ },
    "externalname-in-cluster": { args: ["-f", SERVICES], object: "Service shop/alias", line: 71, severity: "warning", text: /in-cluster Service shop\/np-a/ },
    "ingress-backend-missing": { args: ["-f", SERVICES], object: "Ingress shop/front", line: 86, severity: "error", text: /has no port 8080/ },
    "dns-egress-blocked": { args: ["-f", POLICIES], object: "NetworkPolicy shop/default-deny-egress", line: 25, severity: "warning", text: /nothing allows UDP 53 to kube-dns/ },
    "ingress-without-egress": { args: ["-f", POLICIES], object: "NetworkPolicy shop/api-ingress", line: 39, severity: "warning", text: /admits shop\/web\[Deployment\], but its egress is isolated/ },
    "policy-rule-shadowed": { args: ["-f", POLICIES], object: "NetworkPolicy shop/api-ingress", line: 41, severity: "warning", text: /ingress\[1\] is covered by ingress\[0\]/ },
    "policy-peer-selects-nothing": { args: ["-f", POLICIES], object: "NetworkPolicy shop/api-ingress", line: 44, severity: "warning", text: /did you mean team=shop instead of team=shp/ },
    "policy-selects-no-pods": { args: ["-f", POLICIES], object: "NetworkPolicy shop/typo", line: 47, severity: "warning", text: /did you mean app=api instead of app=ap/ },
    "cni-no-policy-enforcement": { args: ["-f", POLICIES, "--cni", "flannel"], object: "NetworkPolicy shop/api-ingress", line: 33, severity: "error", text: /not enforced/ },
    // Tier checks: network-policy-api ClusterNetworkPolicySpec.tier/.priority and rule action texts.
    "policy-kind-not-modelled": { args: ["-f", NOT_MODELLED, "-f", TIERS], object: "NetworkPolicy db/lock-down", line: 1, severity: "error", text: /crd.antrea.io\/v1beta1 NetworkPolicy db\/lock-down is not modelled \(1 NetworkPolicy object in the input\): verdicts for pods of namespace db are uncertain/ },
    // KEP-563 dual-stack: the kernel matches an ipBlock against the packet's family only.
    "policy-family-dependent": { args: ["-f", DUAL_STACK], object: "NetworkPolicy shop/api-metrics", line: 55, severity: "warning", text: /ingress\[0\] matches shop\/prometheus \(as peer\) by 10\.244\.2\.20 but not by fd00:10:244:2::20/ },
    "tier-rule-shadowed": { args: ["-f", TIERS], object: "AdminNetworkPolicy protect-db", line: 34, severity: "warning", text: /ingress\[1\] "allow-web-5432" \(Allow\) is never reached: AdminNetworkPolicy protect-db ingress\[0\] "deny-web" \(Deny/ },
    "tier-equal-priority": { args: ["-f", TIERS], object: "AdminNetworkPolicy protect-db", line: 22, severity: "warning", text: /share priority 10 in the Admin tier/ },
    "tier-pass-falls-through": { args: ["-f", TIERS], object: "AdminNetworkPolicy delegate-web", line: 62, severity: "warning", text: /passes egress traffic to the NetworkPolicy tier, but for every pod it selects \(e.g. web\/site\)/ },
    "admin-deny-shadows-networkpolicy": { args: ["-f", TIERS], object: "NetworkPolicy db/pg-from-web", line: 73, severity: "warning", text: /db\/pg-from-web ingress\[0\] can never allow: AdminNetworkPolicy protect-db ingress\[0\] "deny-web"/ },
    // CNI SPEC.md "Network configuration format": cniVersion is required.
    "cni-version": { args: ["-f", BRIDGE_CONF], object: "CNI configuration extra", line: 1, severity: "error", text: /the CNI configuration has no cniVersion \(required by the CNI spec\)/ },
    "cni-duplicate-plugin": { args: ["-f", FLANNEL_CONF], object: "CNI configuration cbr0", line: 7, severity: "warning", text: /plugins\[2\] has type "portmap", like plugins\[1\]/ },
    // containernetworking/plugins host-local range_set.go: "subnets … and … overlap".
    "cni-ipam-overlap": { args: ["-f", BRIDGE_CONF, "-f", `${CNI}/cluster.yaml`], object: "CNI configuration extra", line: 4, severity: "error", text: /contains the clusterIP 10\.96\.0\.10 of Service kube-system\/kube-dns|subnets 10\.244\.0\.0\/16 .* and 10\.244\.1\.0\/24 overlap/ },
    // flannel's VXLAN backend: FLANNEL_MTU = link MTU - 50.
    "cni-mtu": { args: ["-f", FLANNEL_CONF], object: "CNI configuration cbr0", line: 5, severity: "warning", text: /mtu 1500 plus flannel's VXLAN header \(50 bytes\) exceeds a 1500-byte network.*set mtu to 1450/ },
    "input-skipped": { args: ["-f", BAD, "-f", CLEAN], object: "NetworkPolicy shop/office", line: 1, severity: "error", text: /NetworkPolicy shop\/office was skipped, so nothing it declares is analysed: invalid CIDR "10\.0\.0\.0\/33"/ },
    // Gateway API (apis/v1 httproute_types.go, gateway_types.go, v1beta1 referencegrant_types.go) and OpenShift Routes (HostAlreadyClaimed).
    "route-not-attached": { args: ["-f", GATEWAY], object: "HTTPRoute other/cross", line: 75, severity: "warning", text: /allows routes from namespace web only \(allowedRoutes\.namespaces\.from: Same\)/ },
    "route-backend-missing": { args: ["-f", GATEWAY], object: "HTTPRoute web/shop", line: 55, severity: "error", text: /web\/apps does not exist .* did you mean app\?/ },
    "route-reference-not-permitted": { args: ["-f", GATEWAY], object: "HTTPRoute web/shop", line: 57, severity: "error", text: /no ReferenceGrant in other allows HTTPRoute from web/ },
    "route-match-conflict": { args: ["-f", GATEWAY], object: "HTTPRoute web/shop-v2", line: 67, severity: "warning", text: /identical to rules\[0\] of HTTPRoute web\/shop/ },
    "gateway-no-data-plane": { args: ["-f", GATEWAY], object: "Gateway web/edge", line: 38, severity: "info", text: /gateway-name=edge/ },
    // Calico NetworkPolicy reference "Selectors": `app == 'ap'` matches only a label app=ap; the pod is labelled app=api.
    "calico-selector-no-match": { args: ["-f", CALICO], object: "NetworkPolicy shop/typo", line: 144, severity: "warning", text: /selector "app == 'ap'" matches no pod in namespace shop.*did you mean app=api instead of app=ap\?/ },
    // Calico tiered-policy docs: a tier that selects an endpoint decides (Allow/Deny, or its defaultAction Deny) unless a rule or the tier passes.
    "calico-tier-unreachable": { args: ["-f", CALICO], object: "NetworkPolicy shop/db-from-web", line: 83, severity: "warning", text: /shop\/db-from-web in tier default is never evaluated: for every pod it selects \(e\.g\. shop\/db\), tier security decides all ingress traffic first/ },
    // Calico: policies by order, "Allow and Deny end evaluation" — api-allow-web (order 10) admits web before api-deny-web (order 20).
    "dialect-rule-shadowed": { args: ["-f", CALICO], object: "NetworkPolicy shop/api-deny-web", line: 129, severity: "warning", text: /shop\/api-deny-web ingress\[0\] \(Deny\) never acts: NetworkPolicy \(Calico\) shop\/api-allow-web ingress\[0\] \(Allow/ },
    // Cilium Layer 7 docs: "If a layer 4 rule is specified in the policy, and a similar layer 4 rule with layer 7 rules is also specified, then the layer 7 portions of the latter rule will have no effect."
    "cilium-l7-ineffective": { args: ["-f", CILIUM], object: "CiliumNetworkPolicy shop/api-l7", line: 91, severity: "warning", text: /its L7 http rules have no effect on TCP:8080 from shop\/web to shop\/api: CiliumNetworkPolicy shop\/api-l4 ingress\[0\]/ },
    // https://kubernetes.io/docs/concepts/extend-kubernetes/compute-storage-net/network-plugins/#support-hostport:
    // hostPort needs a plugin with the portMappings capability (portmap); 20-bridge.conflist has none.
    "missing-portmap-with-hostport": { args: ["-f", scenario("hostport", "cluster.yaml"), "-f", BRIDGE_CONF], object: "Pod web/edge", line: 26, severity: "warning", text: /hostPort 8080\/TCP → 80, but CNI configuration extra .*no plugin with the portMappings capability.*"type": "portmap"/ },
  };
  for (const code of LINT_CODES) {
    it(code, async () => {
      const e = expected[code];
      const got = (await findings(...e.args, "--check", code)).filter((f) => f.code === code);
      const f = got.find((x) => x.line === e.line);
      expect(f, JSON.stringify(got)).toBeDefined();
      expect(f).toMatchObject({ object: e.object, severity: e.severity, file: e.args[1] });
      expect(`${f?.message} ${f?.hint}`).toMatch(e.text);
      expect(f?.hint.length).toBeGreaterThan(10);
    });
  }
});

describe("Calico and Cilium checks run on the dialect the analysis uses", () => {
  for (const [name, file] of [["calico", CALICO], ["cilium", CILIUM]] as const) {
    it(`${name} table golden`, async () => {
      const r = await run(["lint", "-f", file]);
      expect(r.code).toBe(0);
      await expect(r.stdout).toMatchFileSnapshot(golden("lint-dialect", `${name}.lint.txt`));
    });
  }

  // Cilium deny docs: "Deny policies take precedence over allow policies, regardless of whether they
  // are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy."
  it("Cilium: an allow that a deny covers is reported (deny wins whatever the order)", async () => {
    const f = (await findings("-f", CILIUM, "--check", "dialect-rule-shadowed")).map((x) => `${x.line} ${x.message}`);
    expect(f).toEqual([expect.stringMatching(/^69 CiliumNetworkPolicy shop\/web-egress egress\[0\] \(Allow\) never acts: CiliumNetworkPolicy shop\/web-egress egressDeny\[0\] \(Deny, .*cilium\.yaml:65:7, tier cilium-deny\)/)]);
  });

  it("under another CNI the tier checks stay silent (the policies are not the enforced dialect)", async () => {
    const codes = async (...args: string[]): Promise<string[]> => (await findings(...args)).map((x) => x.code).filter((c) => ["calico-tier-unreachable", "dialect-rule-shadowed", "cilium-l7-ineffective"].includes(c));
    expect(await codes("-f", CALICO, "--cni", "cilium")).toEqual([]);
    expect(await codes("-f", CILIUM, "--cni", "calico")).toEqual([]);
    expect(await codes("-f", CALICO, "--cni", "calico")).toEqual(["calico-tier-unreachable", "dialect-rule-shadowed"]);
  });

  it("a Kubernetes NetworkPolicy allow on the L7 port counts as a plain L4 allow; an L7-only port is quiet", async () => {
    const text = readFileSync(CILIUM, "utf8");
    const l7Only = text.slice(0, text.lastIndexOf("---"));
    const lint = async (t: string): Promise<string[]> => {
      const r = await run(["lint", "-f", "-", "--check", "cilium-l7-ineffective", "-o", "json"], t);
      return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.map((x) => x.message);
    };
    expect(await lint(l7Only)).toEqual([]);
    const np = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: api-8080, namespace: shop }\nspec:\n  podSelector: { matchLabels: { app: api } }\n  ingress:\n    - ports: [{ port: 8080 }]\n";
    expect(await lint(l7Only + np)).toEqual([expect.stringMatching(/L7 http rules have no effect on TCP:8080 from shop\/web to shop\/api: NetworkPolicy shop\/api-8080 ingress\[0\]/)]);
  });

  it("both dialects and no --cni: the tier checks are skipped, and stderr says so", async () => {
    const r = await run(["lint", "-f", CALICO, "-f", CILIUM, "-o", "json"]);
    expect(r.stderr).toMatch(/the input holds both Calico and Cilium policies and no CNI says which one enforces: give --cni calico or --cni cilium; the Calico\/Cilium tier checks .* are skipped/);
    const codes = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.map((f) => f.code);
    expect(codes.filter((c) => c !== "calico-selector-no-match")).toEqual([]);
    const withCni = (JSON.parse((await run(["lint", "-f", CALICO, "-f", CILIUM, "--cni", "cilium", "-o", "json"])).stdout) as { findings: JsonFinding[] }).findings.map((f) => f.code);
    expect(withCni).toContain("cilium-l7-ineffective");
  });

  it("a Calico rule selector typo gets the closest label", async () => {
    const f = (await findings("-f", CALICO, "--check", "calico-selector-no-match")).map((x) => `${x.line} ${x.hint}`);
    expect(f).toEqual(["115 did you mean app=web instead of app=webb?", "144 did you mean app=api instead of app=ap?"]);
  });
});

describe("kwire lint exit codes and options", () => {
  it("exits 1 when any finding is an error", async () => {
    expect((await run(["lint", "-f", SERVICES])).code).toBe(1);
  });
  it("exits 0 with warnings only", async () => {
    expect((await run(["lint", "-f", POLICIES])).code).toBe(0);
  });
  it("exits 0 and prints No findings. on a clean input", async () => {
    expect(await run(["lint", "-f", CLEAN])).toMatchObject({ code: 0, stdout: "No findings.\n" });
  });
  it("detects a flannel DaemonSet in the input as a CNI that ignores policies", async () => {
    const r = await run(["lint", "-f", POLICIES_DIR, "--check", "cni-no-policy-enforcement"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("from DaemonSet kube-flannel/kube-flannel-ds");
  });
  it("--cni calico silences the CNI check", async () => {
    expect(await findings("-f", POLICIES, "--cni", "calico", "--check", "cni-no-policy-enforcement")).toEqual([]);
  });
  it("--service-node-port-range widens the allowed range", async () => {
    expect(await findings("-f", SERVICES, "--check", "nodeport-out-of-range", "--service-node-port-range", "8000-32767")).toEqual([]);
  });
  it("SARIF has the rules, results and startLine regions", async () => {
    const sarif = JSON.parse((await run(["lint", "-f", SERVICES, "-o", "sarif"])).stdout) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    expect(sarif.version).toBe("2.1.0");
    const r0 = sarif.runs[0];
    expect(r0?.tool.driver.rules.map((r) => r.id)).toEqual([...LINT_CODES]);
    expect(r0?.results.find((r) => r.ruleId === "nodeport-duplicate")).toMatchObject({ level: "error", locations: [{ physicalLocation: { region: { startLine: 69 } } }] });
  });
  it.each([
    [["-o", "xml"], /-o must be one of table, json, sarif/],
    [["--check", "no-such-check"], /unknown check "no-such-check"/],
    [["--cni", "nope"], /unknown CNI "nope"/],
    [["--service-node-port-range", "9-3"], /--service-node-port-range must look like 30000-32767/],
  ])("usage error %j exits 2", async (args, msg) => {
    const r = await run(["lint", "-f", CLEAN, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});

describe("--pod-cidr", () => {
  // Pods without an address live somewhere in --pod-cidr; with no DNS pod in the input the check
  // assumes CoreDNS at the pod CIDR's third address. An ipBlock allowing that range on port 53
  // therefore satisfies dns-egress-blocked only when it covers the pod CIDR the user names.
  const manifest = [
    "apiVersion: v1\nkind: Pod\nmetadata: { name: app, namespace: shop, labels: { app: a } }\nspec: { containers: [{ name: c, image: x }] }",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: egress-dns, namespace: shop }\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ ipBlock: { cidr: 10.100.0.0/16 } }]\n      ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }]",
  ].join("\n---\n");

  it("the assumed CoreDNS moves into --pod-cidr, so an ipBlock over that range allows DNS", async () => {
    const at = async (...extra: string[]): Promise<string[]> => {
      const r = await run(["lint", "-f", "-", "--check", "dns-egress-blocked", "-o", "json", ...extra], manifest);
      return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.map((f) => f.code);
    };
    expect(await at()).toEqual(["dns-egress-blocked"]);
    expect(await at("--pod-cidr", "10.100.0.0/16")).toEqual([]);
  });

  it("a --pod-cidr that is not a CIDR is a usage error (exit 2)", async () => {
    const r = await run(["lint", "-f", CLEAN, "--pod-cidr", "10.300.0.0/16"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pod-cidr: "10\.300\.0\.0\/16" is not a CIDR/);
  });
});
