/**
 * Input forms as users feed them (issue 12): API lists whose items carry no kind/apiVersion,
 * JSON Lines and concatenated JSON, CNI network configurations, and the files a repository holds
 * besides manifests — each read, hinted at or ignored out loud, never silently half-read.
 */
import { describe, expect, it } from "vitest";
import { run, scenario, STACK_LINE } from "./harness.js";

const ids = (stdout: string): string[] =>
  (JSON.parse(stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id).filter((id) => !id.startsWith("ipblock:"));

describe("input forms: typed lists (what the API server returns for GET /api/v1/pods)", () => {
  // k8s.io/api core/v1 PodList: `items []Pod`; the API server serialises list items without
  // TypeMeta (apimachinery runtime encodes kind/apiVersion on the list only).
  it("a PodList whose items have no kind/apiVersion: every pod is analysed (was: \"required field kind is missing\" per item)", async () => {
    const r = await run(["matrix", "-f", scenario("input-forms", "podlist.json"), "--level", "pod", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(ids(r.stdout)).toEqual(["shop/db-0", "shop/web-7d4b9c-x2x9z"]);
  });

  it("a NamespaceList gives its items kind Namespace, and their labels drive a namespaceSelector from a NetworkPolicyList without apiVersion", async () => {
    const files = ["namespacelist.yaml", "policylist-no-apiversion.yaml", "podlist.json"].flatMap((f) => ["-f", scenario("input-forms", f)]);
    const r = await run(["matrix", ...files, "--level", "pod"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    // db only admits namespaces labelled team=ops; web is in shop (team=shop): no web → db row.
    expect(r.stdout).not.toMatch(/^shop\/web\S*\s+shop\/db-0/m);
    expect(r.stdout).toMatch(/^shop\/db-0\s+shop\/web-7d4b9c-x2x9z\s+all$/m);
    const without = await run(["matrix", "-f", scenario("input-forms", "podlist.json"), "--level", "pod"]);
    expect(without.stdout).toMatch(/^shop\/web-7d4b9c-x2x9z\s+shop\/db-0\s+all$/m);
  });
});

describe("input forms: JSON Lines and concatenated JSON", () => {
  it("one object per line (kubectl get -o json piped through jq -c '.items[]')", async () => {
    const r = await run(["matrix", "-f", scenario("input-forms", "pods.jsonl.json"), "--level", "pod", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(ids(r.stdout)).toEqual(["lines/a", "lines/b", "lines/c"]);
  });

  it("objects back to back with nothing between them", async () => {
    const r = await run(["matrix", "-f", scenario("input-forms", "concatenated.json"), "--level", "pod", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual(["cat/a", "cat/b"]);
  });

  it("on stdin, a broken line costs that object only", async () => {
    const text = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"s"}}\n{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b",,}}\n{"apiVersion":"v1","kind":"Pod","metadata":{"name":"c","namespace":"s"}}\n';
    const r = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], text);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^<stdin>:2:\d+: error\[yaml-syntax\]: YAML syntax error: .*; the document on lines 2-2 is skipped$/m);
    expect(ids(r.stdout)).toEqual(["s/a", "s/c"]);
  });
});

describe("input forms: CNI network configurations are evidence, not errors", () => {
  // CNI SPEC.md "Network configuration format": a .conflist has cniVersion + plugins[]; a .conf
  // one plugin (type at the top level). IPAM host-local: ipam.ranges[][].subnet.
  it("a flannel .conflist beside manifests: a note with its plugins and mtu, exit 0", async () => {
    const r = await run(["matrix", "-f", scenario("input-forms", "10-flannel.conflist"), "-f", scenario("input-forms", "podlist.json"), "--level", "pod"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("kwire: note: CNI configuration fixtures/scenarios/input-forms/10-flannel.conflist (cbr0): plugins flannel, portmap; mtu 1450 (the CNI is flannel)\n");
  });

  it("a bridge .conf: its IPAM range and mtu are read", async () => {
    const r = await run(["matrix", "-f", scenario("input-forms", "10-bridge.conf"), "-f", scenario("input-forms", "podlist.json")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("kwire: note: CNI configuration fixtures/scenarios/input-forms/10-bridge.conf (mynet): plugins bridge; IPAM 10.22.0.0/16; mtu 1500 (the CNI is bridge)\n");
  });
});

describe("input forms: a CNI configuration decides what the command line leaves open", () => {
  const POD_CIDR = scenario("pod-cidr", "cluster.yaml");
  const calico = scenario("input-forms", "10-calico.conflist");

  // Same case as test/cli/pod-cidr.test.ts "--pod-cidr 192.168.0.0/16": the conflist's host-local
  // range is where pods without an IP live, so `except: 10.0.0.0/8` no longer leaves them out.
  it("its IPv4 IPAM range is the pod CIDR when --pod-cidr is not given", async () => {
    const without = await run(["trace", "app/client", "app/server:443", "-f", POD_CIDR]);
    expect(without.code).toBe(1);
    const r = await run(["trace", "app/client", "app/server:443", "-f", POD_CIDR, "-f", calico]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("kwire: note: CNI configuration fixtures/scenarios/input-forms/10-calico.conflist (k8s-pod-network): plugins calico, portmap; IPAM 192.168.0.0/16; mtu 1440 (the CNI is calico)\n");
    const explicit = await run(["trace", "app/client", "app/server:443", "-f", POD_CIDR, "-f", calico, "--pod-cidr", "10.244.0.0/16"]);
    expect(explicit.code).toBe(1);
  });

  it("its plugin type is the CNI when neither --cni nor a DaemonSet names one: the bridge plugin enforces no policy", async () => {
    const r = await run(["trace", "app/client", "app/server:443", "-f", POD_CIDR, "-f", scenario("input-forms", "10-bridge.conf")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^kwire: note: the reference bridge plugin does not enforce NetworkPolicy: 1 NetworkPolicy is not enforced$/m);
    const calicoFlag = await run(["trace", "app/client", "app/server:443", "-f", POD_CIDR, "-f", scenario("input-forms", "10-bridge.conf"), "--cni", "calico", "--pod-cidr", "10.244.0.0/16"]);
    expect(calicoFlag.code).toBe(1);
  });
});

describe("input forms: a repository directory", () => {
  const repo = scenario("input-forms", "repo");

  it("package.json, tsconfig.json, values.yaml, Chart.yaml are ignored with ONE summary line; an unrendered Helm template is an error saying how to render it; unmodelled kinds are summed up", async () => {
    const r = await run(["matrix", "-f", repo, "--level", "pod"]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(STACK_LINE);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      `${repo}/chart/templates/policy.yaml:4:9: error[unrendered-template]: an unrendered Helm template ({{ … }}); its 1 document(s) are skipped`,
      "  hint: render it first: `helm template RELEASE CHART [-f values.yaml] | kwire … -f -`",
      // A policy kind kwire does not model is an error of its own (docs/policy-tiers.md), not a note.
      `${repo}/manifests.yaml:11:1: error[policy-kind-not-modelled]: crd.antrea.io/v1beta1 NetworkPolicy l7 is a policy kind kwire does not model yet: verdicts for the pods it selects may be wrong (Antrea-native policy)`,
      "  hint: verdicts it could change are marked uncertain; --strict fails on it",
      `kwire: note: 4 file(s) that are not Kubernetes manifests were ignored: ${repo}/chart/Chart.yaml, ${repo}/chart/values.yaml, ${repo}/package.json, ${repo}/tsconfig.json`,
      "kwire: note: read but not modelled (kept, not analysed): 1 ConfigMap",
      "kwire: warning: 2 object(s) skipped because of the errors above; analysing the rest",
    ]);
    expect(r.stdout).toMatch(/^shop\/web\s/m);
  });

  it("a kustomization.yaml: an error with the command that renders it", async () => {
    const r = await run(["matrix", "-f", scenario("input-forms", "kustomize"), "-f", `${repo}/manifests.yaml`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^fixtures\/scenarios\/input-forms\/kustomize\/kustomization\.yaml:1:1: error\[kustomization\]: a kustomization is kustomize's input, not Kubernetes objects; it is skipped\n {2}hint: render it first: `kubectl kustomize DIR \| kwire … -f -` \(or `kustomize build DIR`\)$/m);
  });

  it("kind: Kustomization on stdin is recognised by its kind", async () => {
    const r = await run(["matrix", "-f", "-"], "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^<stdin>:2:7: error\[kustomization\]: a Kustomization is kustomize's input, not a Kubernetes object \(field kind\)$/m);
  });

  it("a values.yaml that does hold objects is read, not ignored", async () => {
    const r = await run(["matrix", "-f", scenario("input-forms", "values-with-objects/values.yaml"), "--level", "pod", "-o", "json"]);
    expect(r.stderr).toBe("");
    expect(ids(r.stdout)).toEqual(["v/p"]);
  });
});
