/**
 * Bad input, as CONTRACT.md asks: a broken object among others is reported with
 * file:line:column and its field path, skipped, and the rest analysed (exit 0, warning on
 * stderr); a file whose only document is broken exits 2; `--strict` makes any error exit 2.
 * Never a stack trace. The stderr of each case is a golden in bad-input/expected/.
 */
import { readFileSync } from "node:fs";
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
  // Issue 15 (hostile input). Each of these crashed or was accepted silently before.
  {
    file: "cidr-octet-leading-zero.yaml", title: "ipBlock.cidr 010.0.0.0/8 (k8s.io/apimachinery pkg/api/validation/ip.go: a leading 0 is decimal to the API, octal to libc)",
    severity: "error", code: "invalid-cidr", line: 13, column: 19, path: "spec.ingress[0].from[0].ipBlock.cidr", message: /invalid CIDR "010\.0\.0\.0\/8": "010\.0\.0\.0" has an octet with a leading 0/,
  },
  {
    file: "cidr-ipv4-mapped.yaml", title: "ipBlock.cidr ::ffff:10.0.0.0/104 (ip.go parseCIDR: \"must not have an IPv4-mapped IPv6 address\")",
    severity: "error", code: "invalid-cidr", line: 13, column: 19, path: "spec.ingress[0].from[0].ipBlock.cidr", message: /an IPv4-mapped IPv6 address/,
  },
  {
    file: "replicas-int32.yaml", title: "replicas: 2147483648 (DeploymentSpec.Replicas is *int32 in k8s.io/api apps/v1 types.go)",
    severity: "error", code: "invalid-value", line: 8, column: 13, path: "spec.replicas", message: /2147483648 is outside the int32 range of this field/,
  },
  {
    file: "replicas-negative.yaml", title: "replicas: -1 (pkg/apis/apps/validation ValidateNonnegativeField: \"must be greater than or equal to 0\")",
    severity: "error", code: "invalid-value", line: 8, column: 13, path: "spec.replicas", message: /replicas -1 must be greater than or equal to 0/,
  },
  {
    file: "alias-cycle-object.yaml", title: "a value that contains itself through a YAML alias (was: stack overflow, exit 70)",
    severity: "error", code: "yaml-alias-cycle", line: 4, column: 11, path: "metadata.annotations.self", message: /this value contains itself \(a YAML alias to an enclosing node\); the object is skipped/,
  },
  {
    file: "alias-expansion.yaml", title: "YAML aliases that expand to 10^9 nodes (\"billion laughs\")",
    severity: "error", code: "alias-expansion-too-large", line: 2, column: 1, path: "", message: /YAML aliases expand this object to more than 2000000 nodes/,
  },
  {
    file: "json-deep.json", title: "JSON nested 9,000 levels deep (was: stack overflow in json-fast walk(), the whole run lost)",
    severity: "error", code: "nesting-too-deep", line: 2, column: 25, path: "data[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]", message: /nested more than 100 levels deep; the object is skipped/,
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

/**
 * Issue 15 (hostile input) and issue 12 ("one bad list entry drops the whole object"): what
 * crashed or lost more than the broken part before, as a user meets it.
 */
describe("bad input: recover at the smallest unit", () => {
  let rest: RunResult = { code: -1, stdout: "", stderr: "" };
  beforeAll(async () => {
    rest = await run(["matrix", "-f", REST, "--level", "pod", "-o", "json"]);
  });

  it("a List that contains itself through a YAML alias is an error, not a stack overflow (was exit 70)", async () => {
    const cyclic = "&r\napiVersion: v1\nkind: List\nitems: [*r]\n";
    const alone = await run(["matrix", "-f", "-"], cyclic);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^<stdin>:1:1: error\[yaml-alias-cycle\]: this List contains itself \(through a YAML alias\); it is skipped \(field items\[0\]\)$/m);
    expect(alone.stderr).not.toMatch(STACK_LINE);
    const beside = await run(["matrix", "-f", "-", "-f", REST, "--level", "pod", "-o", "json"], cyclic);
    expect(beside.code).toBe(0);
    expect(beside.stdout).toBe(rest.stdout);
  });

  // The API server's strict decoding rejects a duplicated field ("duplicate field"); YAML 1.2
  // §3.2.1.1 requires keys to be unique. One bad item must not take the List's other items along.
  for (const file of ["list-duplicate-key.yaml", "list-duplicate-key.json"]) {
    it(`${file}: a duplicated key inside one item of a kubectl List costs that item only (was: every item lost)`, async () => {
      const path = scenario("bad-input", file);
      const r = await run(["matrix", "-f", path, "--level", "pod", "-o", "json"]);
      expect(r.code).toBe(0);
      const lines = file.endsWith(".yaml") ? "lines 25-36" : "lines 39-58";
      expect(r.stderr).toMatch(new RegExp(`^${path.replace(/[./]/g, "\\$&")}:\\d+:\\d+: error\\[yaml-syntax\\]: YAML syntax error: duplicated mapping key; item 2 of this List \\(${lines}\\) is skipped, the other 4 item\\(s\\) are read \\(field items\\[2\\]\\)$`, "m"));
      expect(r.stderr).toMatch(/^kwire: warning: 1 object\(s\) skipped because of the errors above; analysing the rest$/m);
      // Every other item is analysed: the same matrix as rest.yaml, which holds exactly them.
      expect(r.stdout.replaceAll(path, REST)).toBe(rest.stdout);
      await expect(r.stderr).toMatchFileSnapshot(golden("bad-input", `${file.replace(".", "-")}.stderr.txt`));
    });
  }

  it("a JSON List cut off in its last item (an interrupted download): every complete item is read", async () => {
    const text = readFileSync(scenario("bad-input", "list-duplicate-key.json"), "utf8").replace('                "name": "cache-2",\n', "");
    const cut = text.slice(0, text.lastIndexOf('"port": 5432'));
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], cut);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^<stdin>:\d+:\d+: error\[yaml-syntax\]: YAML syntax error: .*; item 4 of this List \(lines 86-112\) is skipped, the other 4 item\(s\) are read \(field items\[4\]\)$/m);
    const ids = (JSON.parse(r.stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id).filter((id) => !id.startsWith("ipblock:"));
    expect(ids).toEqual(["shop/cache", "shop/db", "shop/web"]);
  });

  it("an item nested 5,000 levels deep costs that item only (js-yaml's maxDepth, 100)", async () => {
    const path = scenario("bad-input", "list-item-deep.yaml");
    const r = await run(["matrix", "-f", path, "--level", "pod", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/error\[nesting-too-deep\]: nested more than 100 levels deep; item 2 of this List \(lines 24-36\) is skipped, the other 4 item\(s\) are read/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout.replaceAll(path, REST)).toBe(rest.stdout);
  });

  // Found by the fuzz suite (seed 1317101735): YAML 1.2 §5.2 allows a byte order mark at the
  // start of any document, so `cat a.yaml b.yaml` of a file with a BOM must not glue documents.
  it("a BOM right after `---` and old-Mac CR line ends: both documents are read", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: s }\n---\uFEFF\rapiVersion: v1\rkind: Pod\rmetadata: { name: b, namespace: s }\r";
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], text);
    expect(r.stderr).toBe("");
    const ids = (JSON.parse(r.stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id).filter((id) => !id.startsWith("ipblock:"));
    expect(ids).toEqual(["s/a", "s/b"]);
  });

  // Found by the fuzz suite's "BOM and CRLF changes no verdict" oracle (seed 1320113295).
  it("a file that starts with a BOM reads as without it (YAML 1.2 §5.2), at the same lines and columns", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: s }\nspec: { hostNetwork: 7 }\n";
    const plain = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], text);
    const bom = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], `\uFEFF${text}`);
    expect(plain.stderr).toMatch(/^<stdin>:4:22: error\[wrong-type\]: expected a boolean, got number 7 \(field spec\.hostNetwork\)$/m);
    expect(bom.stderr).toBe(plain.stderr);
    const ok = "apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: s }\n";
    expect((await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], `\uFEFF${ok}`)).stdout).toBe((await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], ok)).stdout);
  });

  // Found by the same oracle: a lone CR is a line break (YAML 1.2 §5.4), so diagnostics name the
  // same line whatever the line ends; and a BOM before JSON Lines does not hide them.
  it("CR-only line ends give the same lines and columns as LF", async () => {
    const text = "apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: s }\nspec: { hostNetwork: 7 }\n";
    const lf = await run(["matrix", "-f", "-"], text);
    const cr = await run(["matrix", "-f", "-"], text.replace(/\n/g, "\r"));
    expect(lf.stderr).toMatch(/^<stdin>:4:22: error\[wrong-type\]/m);
    expect(cr.stderr).toBe(lf.stderr);
  });

  it("a kubectl List with CR-only line ends: a broken item still costs that item only", async () => {
    const path = scenario("bad-input", "list-duplicate-key.yaml");
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], readFileSync(path, "utf8").replace(/\n/g, "\r"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/item 2 of this List \(lines 25-36\) is skipped, the other 4 item\(s\) are read/);
  });

  // Found by the fuzz suite (seed 1320551901): in a CRLF file, a policy lost to a syntax error
  // was recorded without its name, so the verdicts it could change were not marked uncertain.
  it("a policy lost to a syntax error in a CRLF document is still named, and its verdicts stay marked", async () => {
    const o = readFileSync(scenario("bad-input", "yaml-syntax.yaml"), "utf8");
    const parts = o.split(/^---$/m);
    parts[1] = (parts[1] ?? "").replace(/\n/g, "\r\n");
    const crlf = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], parts.join("---"));
    const lf = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], o);
    expect(lf.stdout).toMatch(/"uncertain": true/);
    expect(crlf.stdout).toBe(lf.stdout);
    const lint = await run(["lint", "-f", "-", "-o", "json"], parts.join("---"));
    expect(lint.stdout).toMatch(/"object": "NetworkPolicy shop\/cache"/);
  });

  it("a BOM before JSON Lines: every line is still read", async () => {
    const lines = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"s"}}\r\n{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b","namespace":"s"}}\r\n';
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], `\uFEFF${lines}`);
    expect(r.stderr).toBe("");
    expect((JSON.parse(r.stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id).filter((id) => !id.startsWith("ipblock:"))).toEqual(["s/a", "s/b"]);
  });

  // k8s.io/api core/v1 ContainerPort: containerPort is required. Losing one port can hide a
  // connection (a named port no longer resolves) but never invent one, so the rest is analysed.
  const TYPO = [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata: { name: api, namespace: shop }",
    "spec:",
    "  replicas: 2",
    "  selector: { matchLabels: { app: api } }",
    "  template:",
    "    metadata: { labels: { app: api } }",
    "    spec:",
    "      containers:",
    "      - name: api",
    "        image: api:1",
    "        ports:",
    "        - containerport: 8080",
    "        - { name: metrics, containerPort: 9090 }",
    "",
  ].join("\n");

  it("a containerPort typo is an error on that port entry; the Deployment is still analysed (was: dropped whole)", async () => {
    const r = await run(["matrix", "-f", "-", "-f", REST, "--level", "workload", "-o", "json"], TYPO);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^<stdin>:14:11: error\[missing-field\]: required field "containerPort" is missing; this entry \(spec\.template\.spec\.containers\[0\]\.ports\[0\]\) is skipped, the rest of the object is analysed \(field spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort\)\n {2}hint: "containerport" is not a field; the name is "containerPort"$/m);
    expect(r.stderr).toMatch(/^kwire: warning: 1 list entry skipped because of the errors above; analysing the rest$/m);
    const ids = (JSON.parse(r.stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id);
    expect(ids).toContain("shop/api[Deployment]");
  });

  it("the containerPort typo with --strict still exits 2 (all-or-nothing)", async () => {
    const r = await run(["matrix", "-f", "-", "-f", REST, "--strict"], TYPO);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^kwire: error: 1 input error\(s\) \(--strict\)$/m);
  });
});

/**
 * ipBlock CIDRs the API server accepts with a warning (StrictIPCIDRValidation is alpha and off by
 * default, k8s.io/kubernetes pkg/features/kube_features.go; warnings from GetWarningsForCIDR in
 * k8s.io/apimachinery pkg/api/validation/ip.go): kwire warns too, and reads them as the API does.
 */
describe("bad input: CIDRs the API accepts with a warning", () => {
  const policy = (cidr: string): string => [
    "apiVersion: networking.k8s.io/v1",
    "kind: NetworkPolicy",
    "metadata: { name: office, namespace: shop }",
    "spec:",
    "  podSelector: { matchLabels: { app: db } }",
    "  ingress:",
    `  - from: [{ ipBlock: { cidr: "${cidr}" } }]`,
    "",
  ].join("\n");

  it("10.0.0.0/08: warning (leading zeros in the prefix), read as 10.0.0.0/8", async () => {
    const r = await run(["matrix", "-f", "-", "-f", REST, "--level", "pod"], policy("10.0.0.0/08"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^<stdin>:7:31: warning\[cidr-non-standard\]: CIDR "10\.0\.0\.0\/08" has leading zeros in its prefix length: .*reads it as 10\.0\.0\.0\/8 \(field spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr\)$/m);
    expect(r.stderr).not.toMatch(/skipped/);
    expect(r.stdout).toMatch(/^ipblock:10\.0\.0\.0\/8\s+shop\/db\s+all$/m);
  });

  it("1.2.3.4/0: warning quoting the API's \"ambiguous\" warning; read as 0.0.0.0/0, as Go's net.ParseCIDR does", async () => {
    const r = await run(["matrix", "-f", "-", "-f", REST, "--level", "pod"], policy("1.2.3.4/0"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning\[cidr-host-bits\]: CIDR "1\.2\.3\.4\/0" has bits set after the prefix length: the API server accepts it with the warning "CIDR value is ambiguous in this context \(should be "0\.0\.0\.0\/0" or "1\.2\.3\.4\/32"\?\)"/);
    expect(r.stdout).toMatch(/^ipblock:0\.0\.0\.0\/0\s+shop\/db\s+all$/m);
  });
});

/** Issue 12 "skipped objects are invisible to lint and to CI": every skip is an error finding. */
describe("bad input: nothing dropped unseen (kwire lint input-skipped)", () => {
  // port: "8080" is a string, so it must be an IANA_SVC_NAME, which needs a letter
  // (k8s.io/apimachinery pkg/util/validation IsValidPortName): the API server rejects it.
  const QUOTED_PORT = [
    "apiVersion: networking.k8s.io/v1",
    "kind: NetworkPolicy",
    "metadata: { name: web-in, namespace: shop }",
    "spec:",
    "  podSelector: { matchLabels: { app: web } }",
    "  ingress:",
    "  - ports: [{ port: \"8080\" }]",
    "",
  ].join("\n");

  it("a skipped NetworkPolicy is an error finding in the table, JSON and SARIF (was: \"No findings.\", exit 0)", async () => {
    const table = await run(["lint", "-f", "-", "-f", REST], QUOTED_PORT);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/input-skipped/);
    expect(table.stdout).toMatch(/NetworkPolicy shop\/web-in was skipped, so nothing it declares is analysed: "8080" is not a valid port name/);
    const json = await run(["lint", "-f", "-", "-f", REST, "-o", "json"], QUOTED_PORT);
    const findings = (JSON.parse(json.stdout) as { findings: { code: string; object: string; file: string; line: number; severity: string }[] }).findings;
    expect(findings.filter((f) => f.code === "input-skipped")).toEqual([
      expect.objectContaining({ object: "NetworkPolicy shop/web-in", file: "<stdin>", line: 1, severity: "error" }),
    ]);
    const sarif = JSON.parse((await run(["lint", "-f", "-", "-f", REST, "-o", "sarif"], QUOTED_PORT)).stdout) as {
      runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    expect(sarif.runs[0]?.results.filter((r) => r.ruleId === "input-skipped")).toEqual([
      expect.objectContaining({ level: "error", locations: [expect.objectContaining({ physicalLocation: expect.objectContaining({ region: expect.objectContaining({ startLine: 1 }) }) })] }),
    ]);
  });

  it("an object lost to a YAML syntax error inside a List is still named (kind, namespace, name read from its text)", async () => {
    const r = await run(["lint", "-f", scenario("bad-input", "list-duplicate-key.yaml"), "-o", "json"]);
    const f = (JSON.parse(r.stdout) as { findings: { code: string; object: string; line: number; message: string }[] }).findings.filter((x) => x.code === "input-skipped");
    expect(f).toEqual([expect.objectContaining({ object: "Pod shop/cache", line: 29, message: expect.stringMatching(/^Pod shop\/cache was skipped, so nothing it declares is analysed: YAML syntax error: duplicated mapping key; item 2 of this List/) })]);
  });

  it("a skipped list entry is a finding too, naming the entry", async () => {
    const typo = "apiVersion: v1\nkind: Pod\nmetadata: { name: api, namespace: shop, labels: { app: api } }\nspec:\n  containers:\n  - name: api\n    image: api:1\n    ports: [{ containerport: 8080 }]\n";
    const r = await run(["lint", "-f", "-", "-o", "json"], typo);
    const f = (JSON.parse(r.stdout) as { findings: { code: string; object: string; message: string }[] }).findings.filter((x) => x.code === "input-skipped");
    expect(f).toEqual([expect.objectContaining({ object: "Pod shop/api", message: expect.stringMatching(/^entry spec\.containers\[0\]\.ports\[0\] of Pod shop\/api was skipped \(the rest of the object is analysed\): required field "containerPort" is missing/) })]);
  });

  it("a finding about a skipped object says it was skipped (not just \"create the Service\")", async () => {
    const text = [
      "apiVersion: v1",
      "kind: Service",
      "metadata: { name: api, namespace: shop }",
      "spec: { selector: { app: api }, ports: [{ port: 0 }] }",
      "---",
      "apiVersion: networking.k8s.io/v1",
      "kind: Ingress",
      "metadata: { name: front, namespace: shop }",
      "spec:",
      "  rules:",
      "  - http:",
      "      paths:",
      "      - { path: /, pathType: Prefix, backend: { service: { name: api, port: { number: 80 } } } }",
      "",
    ].join("\n");
    const r = await run(["lint", "-f", "-", "-o", "json"], text);
    const f = (JSON.parse(r.stdout) as { findings: { code: string; message: string }[] }).findings;
    expect(f.find((x) => x.code === "ingress-backend-missing")?.message).toMatch(/backend Service shop\/api does not exist — note: Service shop\/api is in the input but was skipped \(<stdin>:1\)$/);
    expect(f.some((x) => x.code === "input-skipped")).toBe(true);
  });
});
