/**
 * Bad input, as CONTRACT.md asks: a broken object among others is reported with
 * file:line:column and its field path, skipped, and the rest analysed (exit 0, warning on
 * stderr); a file whose only document is broken exits 2; `--strict` makes any error exit 2.
 * Never a stack trace. The stderr of each case is a golden in bad-input/expected/.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { DiagnosticCode, Severity } from "../../src/model/index.js";
import { golden, run, scenario, STACK_LINE, type RunResult } from "./harness.js";

interface BadCase {
  /** File in fixtures/scenarios/bad-input/, holding one broken document. */
  readonly file: string;
  readonly title: string;
  readonly severity: Severity;
  readonly code: DiagnosticCode;
  readonly line: number;
  readonly column: number;
  /** The field path, as printed in `(field …)`; empty when there is none (YAML syntax). */
  readonly path: string;
  readonly message: RegExp;
}

const CASES: readonly BadCase[] = [
  {
    file: "pod-selector-list.yaml", title: "podSelector: [] (a list where a LabelSelector map is required)",
    severity: "error", code: "wrong-type", line: 7, column: 16, path: "spec.podSelector", message: /expected a map, got a list/,
  },
  {
    file: "port-boolean.yaml", title: "port: true (NetworkPolicyPort.port is an int or a string)",
    severity: "error", code: "wrong-type", line: 11, column: 17, path: "spec.ingress[0].ports[0].port", message: /expected an integer, got boolean true/,
  },
  {
    file: "label-number.yaml", title: "a label with a number value (label values are strings)",
    severity: "error", code: "wrong-type", line: 9, column: 14, path: "metadata.labels.version", message: /label "version" must be a string, got number 2/,
  },
  {
    file: "cidr-prefix.yaml", title: "ipBlock.cidr 10.0.0.0/33 (prefix longer than the address)",
    severity: "error", code: "invalid-cidr", line: 12, column: 19, path: "spec.ingress[0].from[0].ipBlock.cidr", message: /invalid CIDR "10\.0\.0\.0\/33": prefix length 33 exceeds 32 for IPv4/,
  },
  {
    file: "cidr-banana.yaml", title: "ipBlock.cidr banana/8 (not an address)",
    severity: "error", code: "invalid-cidr", line: 12, column: 19, path: "spec.ingress[0].from[0].ipBlock.cidr", message: /invalid CIDR "banana\/8": "banana" is not an IPv4 or IPv6 address/,
  },
  {
    file: "except-outside.yaml", title: "ipBlock.except outside cidr (\"except values will be rejected if they are outside the cidr range\")",
    severity: "error", code: "except-outside-cidr", line: 15, column: 17, path: "spec.ingress[0].from[0].ipBlock.except[1]", message: /except "192\.168\.1\.0\/24" must be a strict subset of cidr "10\.0\.0\.0\/16"/,
  },
  {
    file: "except-equal.yaml", title: "ipBlock.except equal to cidr (except must be a strict subset)",
    severity: "error", code: "except-outside-cidr", line: 13, column: 22, path: "spec.ingress[0].from[0].ipBlock.except[0]", message: /except "10\.0\.0\.0\/16" must be a strict subset of cidr "10\.0\.0\.0\/16"/,
  },
  {
    file: "unknown-field-spec.yaml", title: "`ingres:` typo in spec (unknown field, at the key)",
    severity: "error", code: "unknown-field", line: 11, column: 3, path: "spec.ingres", message: /unknown field "ingres"/,
  },
  {
    file: "unknown-field-peer.yaml", title: "an unknown key in a peer (`ports` indented into the peer)",
    severity: "error", code: "unknown-field", line: 14, column: 11, path: "spec.ingress[0].from[0].ports", message: /unknown field "ports"/,
  },
  {
    file: "ipblock-with-selector.yaml", title: "a peer with both ipBlock and podSelector (\"If this field is set then neither of the other fields can be\")",
    severity: "error", code: "ipblock-with-selector", line: 11, column: 11, path: "spec.ingress[0].from[0]", message: /a peer may not set both ipBlock and podSelector\/namespaceSelector/,
  },
  {
    file: "empty-peer.yaml", title: "an empty peer {} (the API server rejects it)",
    severity: "error", code: "empty-peer", line: 11, column: 11, path: "spec.ingress[0].from[0]", message: /a peer must set podSelector, namespaceSelector or ipBlock/,
  },
  {
    file: "end-port-named.yaml", title: "endPort with a named port (\"endPort … cannot be defined if the port field is … a named port\")",
    severity: "error", code: "end-port-with-named-port", line: 12, column: 20, path: "spec.ingress[0].ports[0].endPort", message: /endPort may not be specified when port is the named port "http"/,
  },
  {
    file: "end-port-without-port.yaml", title: "endPort without port (\"endPort … cannot be defined if the port field is not defined\")",
    severity: "error", code: "end-port-without-port", line: 12, column: 20, path: "spec.ingress[0].ports[0].endPort", message: /endPort may not be specified when port is not specified/,
  },
  {
    file: "end-port-below-port.yaml", title: "endPort < port (\"endPort … must be equal or greater than port\")",
    severity: "error", code: "end-port-below-port", line: 12, column: 20, path: "spec.ingress[0].ports[0].endPort", message: /endPort 8000 must be between port 8080 and 65535/,
  },
  {
    file: "protocol-icmp.yaml", title: "protocol ICMP (\"protocol … must be TCP, UDP, or SCTP\")",
    severity: "error", code: "invalid-protocol", line: 10, column: 21, path: "spec.ingress[0].ports[0].protocol", message: /protocol "ICMP" is not TCP, UDP or SCTP/,
  },
  {
    file: "in-without-values.yaml", title: "matchExpressions In without values (\"If the operator is In or NotIn, the values array must be non-empty\")",
    severity: "error", code: "invalid-label-selector", line: 9, column: 9, path: "spec.podSelector.matchExpressions[0].values", message: /operator In needs at least one value/,
  },
  {
    file: "missing-kind.yaml", title: "an object without kind",
    severity: "error", code: "missing-field", line: 1, column: 1, path: "kind", message: /required field "kind" is missing/,
  },
  {
    file: "list-item-port-zero.yaml", title: "port 0 in an item of a `kind: List` (the field path starts at items[i])",
    severity: "error", code: "invalid-port", line: 16, column: 15, path: "items[0].spec.ingress[0].ports[0].port", message: /port 0 is outside 1-65535/,
  },
  {
    file: "json-policy-types-string.json", title: "JSON input: policyTypes given as a string instead of a list",
    severity: "error", code: "wrong-type", line: 7, column: 20, path: "spec.policyTypes", message: /expected a list, got the string "Ingress"/,
  },
  {
    file: "yaml-syntax-single.yaml", title: "broken YAML syntax (an unclosed flow mapping)",
    severity: "error", code: "yaml-syntax", line: 9, column: 3, path: "", message: /YAML syntax error: .+; the document on lines 1-9 is skipped/,
  },
];

const REST = scenario("bad-input", "rest.yaml");
const diagnosticLine = (c: BadCase): RegExp => {
  const where = `${scenario("bad-input", c.file)}:${c.line}:${c.column}`.replace(/[.[\]/]/g, "\\$&");
  const field = c.path ? ` \\(field ${c.path.replace(/[.[\]]/g, "\\$&")}\\)` : "";
  return new RegExp(`^${where}: ${c.severity}\\[${c.code}\\]: .*${c.message.source}.*${field}$`, "m");
};

describe("bad input: one broken object among valid ones is reported, skipped, and the rest analysed", () => {
  let rest: RunResult = { code: -1, stdout: "", stderr: "" };
  beforeAll(async () => {
    rest = await run(["matrix", "-f", REST, "--level", "pod", "-o", "json"]);
  });

  it("the valid rest alone analyses cleanly", () => {
    expect(rest.code).toBe(0);
    expect(rest.stderr).toBe("");
  });

  for (const c of CASES) {
    it(`${c.title}: ${c.file}:${c.line}:${c.column} ${c.path || "(no field)"} → exit 0, warning, same matrix as the rest`, async () => {
      const r = await run(["matrix", "-f", scenario("bad-input", c.file), "-f", REST, "--level", "pod", "-o", "json"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(diagnosticLine(c));
      expect(r.stderr).toMatch(/^kwire: warning: 1 object\(s\) skipped because of the errors above; analysing the rest$/m);
      expect(r.stderr).not.toMatch(STACK_LINE);
      // The rest is analysed exactly as without the broken object; a skipped policy also marks
      // the connections it could have changed as uncertain (and lists itself).
      const got = JSON.parse(r.stdout) as { connections: { uncertain?: true }[]; uncertain?: { reason: string; file: string }[] };
      if (got.uncertain) expect(got.uncertain).toEqual([expect.objectContaining({ reason: "skipped", file: scenario("bad-input", c.file) })]);
      const stripped = { ...got, connections: got.connections.map(({ uncertain: _u, ...rest }) => rest) };
      delete stripped.uncertain;
      expect(JSON.stringify(stripped, null, 2) + "\n").toBe(rest.stdout);
      await expect(r.stderr).toMatchFileSnapshot(golden("bad-input", `${c.file.replace(/\.(yaml|json)$/, "")}.stderr.txt`));
    });

    it(`${c.title}: alone (a single broken document) → exit 2, no output, no stack trace`, async () => {
      const r = await run(["matrix", "-f", scenario("bad-input", c.file)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(diagnosticLine(c));
      expect(r.stderr).toMatch(/^kwire: error: 1 input error\(s\) and nothing could be loaded$/m);
      expect(r.stderr).not.toMatch(STACK_LINE);
    });

    it(`${c.title}: --strict → exit 2 even though the rest loads`, async () => {
      const r = await run(["matrix", "-f", scenario("bad-input", c.file), "-f", REST, "--strict"]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(diagnosticLine(c));
      expect(r.stderr).toMatch(/^kwire: error: 1 input error\(s\) \(--strict\)$/m);
    });
  }

  it("broken YAML in one document of several: only that document is skipped", async () => {
    const file = scenario("bad-input", "yaml-syntax.yaml");
    const r = await run(["matrix", "-f", file, "-f", REST, "--level", "pod", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[./]/g, "\\$&")}:19:3: error\\[yaml-syntax\\]: YAML syntax error: .+; the document on lines 11-19 is skipped$`, "m"));
    expect(r.stderr).toMatch(/^kwire: warning: 1 object\(s\) skipped/m);
    await expect(r.stderr).toMatchFileSnapshot(golden("bad-input", "yaml-syntax.stderr.txt"));
    // The documents before and after the broken one are analysed: cache and worker are there.
    const ids = (JSON.parse(r.stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id);
    expect(ids.filter((id) => !id.startsWith("ipblock:"))).toEqual(["shop/cache", "shop/db", "shop/web", "shop/worker"]);
  });

  it("a label with a number value skips the whole pod (it is not loaded with the label dropped)", async () => {
    const r = await run(["matrix", "-f", scenario("bad-input", "label-number.yaml"), "-f", REST, "--level", "pod", "-o", "json"]);
    expect(r.stdout).not.toMatch(/web-v2/);
  });
});

describe("bad input: warnings keep the object", () => {
  const file = scenario("bad-input", "named-port-ipblock.yaml");

  it("egress to an ipBlock on a named port: a warning with place and field, the policy still enforced", async () => {
    const r = await run(["matrix", "-f", file, "-f", REST, "--level", "pod"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[./]/g, "\\$&")}:17:11: warning\\[named-port-with-ipblock\\]: named port "https" matches no address outside the cluster.* \\(field spec\\.egress\\[0\\]\\.ports\\[0\\]\\)$`, "m"));
    expect(r.stderr).not.toMatch(/skipped/);
    await expect(r.stderr).toMatchFileSnapshot(golden("bad-input", "named-port-ipblock.stderr.txt"));
    // web is now egress-isolated and its only rule matches nothing: web reaches nobody.
    expect(r.stdout).not.toMatch(/^shop\/web\s/m);
    await expect(r.stdout).toMatchFileSnapshot(golden("bad-input", "named-port-ipblock.matrix.txt"));
  });

  it("alone it is still exit 0 (warnings never fail), and --strict does not fail on warnings", async () => {
    expect((await run(["matrix", "-f", file])).code).toBe(0);
    expect((await run(["matrix", "-f", file, "--strict"])).code).toBe(0);
  });

  it("a named port with an ipBlock in an INGRESS rule is fine: the port is the selected pod's (no warning)", async () => {
    const r = await run(["matrix", "-f", scenario("multi-doc", "cluster.yaml")]);
    expect(r.stderr).toBe("");
  });
});

describe("bad input: paths that cannot be read exit 2", () => {
  it("a non-existent file", async () => {
    const r = await run(["matrix", "-f", "fixtures/scenarios/bad-input/nope.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    await expect(r.stderr).toMatchFileSnapshot(golden("bad-input", "missing-file.stderr.txt"));
    expect(r.stderr).toMatch(/^fixtures\/scenarios\/bad-input\/nope\.yaml: error\[file-unreadable\]: cannot read fixtures\/scenarios\/bad-input\/nope\.yaml: no such file or directory$/m);
  });

  it("a non-existent file beside a good one is still exit 2 (nothing half-analysed)", async () => {
    const r = await run(["matrix", "-f", REST, "-f", "fixtures/scenarios/bad-input/nope.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^kwire: error: 1 input path\(s\) could not be read; nothing was analysed$/m);
  });

  it("a directory with no manifests", async () => {
    const r = await run(["matrix", "-f", scenario("bad-input", "no-manifests")]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    await expect(r.stderr).toMatchFileSnapshot(golden("bad-input", "no-manifests.stderr.txt"));
    expect(r.stderr).toMatch(/cannot read fixtures\/scenarios\/bad-input\/no-manifests: the directory holds no \.yaml, \.yml or \.json files/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe("bad input: --cni", () => {
  it("an unknown --cni exits 2 and lists the known ones", async () => {
    const r = await run(["matrix", "-f", REST, "--cni", "bogus-net"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^kwire: error: unknown CNI "bogus-net"; known: calico, cilium, flannel, /m);
  });

  it("--cni flannel: policies are not enforced, everything is allowed, and a note says why", async () => {
    const r = await run(["matrix", "-f", REST, "--level", "pod", "--cni", "flannel"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("kwire: note: Flannel provides the pod network only: it does not enforce NetworkPolicy, so every policy is ignored: 1 NetworkPolicy is not enforced\n");
    await expect(r.stdout).toMatchFileSnapshot(golden("bad-input", "rest.cni-flannel.matrix.txt"));
    const rows = r.stdout.trim().split("\n").slice(1);
    for (const row of rows) expect(row).toMatch(/\sall$/);
    // web → db was TCP:5432 only under the policy; with flannel it is everything.
    expect(r.stdout).toMatch(/^shop\/web\s+shop\/db\s+all$/m);
    const enforced = await run(["matrix", "-f", REST, "--level", "pod", "--cni", "calico"]);
    expect(enforced.stdout).toMatch(/^shop\/web\s+shop\/db\s+TCP:5432$/m);
  });

  it("the CNI is detected from its DaemonSet (kube-flannel-ds); --cni overrides the detection", async () => {
    const flannel = [
      "apiVersion: apps/v1",
      "kind: DaemonSet",
      "metadata: { name: kube-flannel-ds, namespace: kube-flannel }",
      "spec:",
      "  selector: { matchLabels: { app: flannel } }",
      "  template:",
      "    metadata: { labels: { app: flannel } }",
      "    spec: { hostNetwork: true, containers: [{ name: kube-flannel, image: flannel/flannel:v0.25.1 }] }",
      "",
    ].join("\n");
    const detected = await run(["matrix", "-f", REST, "-f", "-", "--level", "pod", "-n", "shop"], flannel);
    expect(detected.code).toBe(0);
    expect(detected.stderr).toMatch(/^kwire: note: Flannel provides the pod network only/m);
    expect(detected.stdout).toMatch(/^shop\/web\s+shop\/db\s+all$/m);
    const overridden = await run(["matrix", "-f", REST, "-f", "-", "--level", "pod", "-n", "shop", "--cni", "cilium"], flannel);
    expect(overridden.stderr).toBe("");
    expect(overridden.stdout).toMatch(/^shop\/web\s+shop\/db\s+TCP:5432$/m);
  });
});
