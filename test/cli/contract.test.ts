/**
 * `kwire matrix -o json` against docs/json-output.md's ConnectivityMatrix, field by field, for every
 * scenario and level: exact keys, id forms, sorting, merged port ranges. The goldens pin the
 * bytes; this pins the rules the bytes must follow, so a regenerated golden cannot drift.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { probeJson } from "../../src/cli/commands/lab-report.js";
import { ipBlockId, parseCidr, type Cidr } from "../../src/model/index.js";
import { ROOT, run, scenario } from "./harness.js";

type Json = unknown;

const INPUTS: readonly (readonly string[])[] = [
  ["-f", "fixtures/demo/cluster.yaml"],
  ["-f", scenario("kubectl-list", "cluster.yaml")],
  ["-f", scenario("json-input", "cluster.json")],
  ["-f", scenario("directory", "manifests")],
  ["-f", scenario("stdin", "helm-template.yaml")],
  ["-f", scenario("multi-doc", "cluster.yaml")],
  ["-f", "fixtures/examples/calico-database.yaml"],
  ["-f", "fixtures/examples/cilium-l3-l4-entities.yaml"],
];
const LEVELS = ["pod", "workload", "namespace"] as const;
const PROTOCOL_ORDER = ["TCP", "UDP", "SCTP"];
const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod"];

function isObject(x: Json): x is Record<string, Json> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function firstAddress(cidrs: readonly string[]): Cidr {
  const p = parseCidr(cidrs[0] ?? "");
  if (!p.ok) throw new Error(`bad cidr ${cidrs[0]}`);
  return p.cidr;
}

/** Checks one matrix document; returns the endpoint ids in order. */
function checkMatrix(doc: Json, level: string, includeSelf: boolean): void {
  expect(isObject(doc)).toBe(true);
  if (!isObject(doc)) return;
  // `exposures` (north-south edges, docs/north-south.md) follows the connections when the input exposes Services.
  // `uncertain` (last) lists the policies whose verdicts may be wrong (docs/json-output.md).
  expect(Object.keys(doc)).toEqual(["apiVersion", "kind", "level", "endpoints", "connections", ...("exposures" in doc ? ["exposures"] : []), ...("uncertain" in doc ? ["uncertain"] : [])]);
  const uncertain = doc["uncertain"];
  if (uncertain !== undefined) {
    expect(Array.isArray(uncertain)).toBe(true);
    for (const u of Array.isArray(uncertain) ? uncertain : []) {
      expect(isObject(u) && typeof u["kind"] === "string" && typeof u["name"] === "string" && ["skipped", "not-modelled", "family-dependent", "unresolved-peer"].includes(String(u["reason"])) && typeof u["file"] === "string" && typeof u["line"] === "number").toBe(true);
    }
  }
  expect(doc["apiVersion"]).toBe("kwire/v1alpha1");
  expect(doc["kind"]).toBe("ConnectivityMatrix");
  expect(doc["level"]).toBe(level);
  const endpoints = doc["endpoints"];
  const connections = doc["connections"];
  if (!Array.isArray(endpoints) || !Array.isArray(connections)) throw new Error("endpoints and connections must be lists");

  const ids: string[] = [];
  const kinds = new Map<string, string>();
  let seenIpBlock = false;
  let lastCidr: Cidr | undefined;
  for (const e of endpoints) {
    if (!isObject(e)) throw new Error("endpoint must be an object");
    const id = e["id"];
    const kind = e["kind"];
    if (typeof id !== "string" || typeof kind !== "string") throw new Error("id and kind must be strings");
    kinds.set(id, kind);
    if (kind === "IPBlock") {
      // { id, kind: "IPBlock", cidrs }: the partition of the address space, as CIDRs.
      expect(Object.keys(e)).toEqual(["id", "kind", "cidrs"]);
      const cidrs = e["cidrs"];
      if (!Array.isArray(cidrs) || cidrs.length === 0) throw new Error(`${id}: cidrs must be a non-empty list`);
      const texts = cidrs.map(String);
      for (const t of texts) expect(parseCidr(t)).toMatchObject({ ok: true, hostBitsSet: false });
      // The one short id of the block in every format (model/ipblock-label.ts): the CIDRs, or
      // "ENCLOSING(except:HOLES)", cut with a hash of the CIDR list past 48 characters.
      expect(id).toBe(ipBlockId(texts));
      expect(id.length).toBeLessThanOrEqual("ipblock:".length + 64);
      const first = firstAddress(texts);
      if (lastCidr) {
        // IPBlocks come after the cluster's endpoints, by address: IPv4 before IPv6.
        const after = first.family > lastCidr.family || (first.family === lastCidr.family && first.base > lastCidr.base);
        expect(after, `${id} is out of order`).toBe(true);
      }
      lastCidr = first;
      seenIpBlock = true;
    } else {
      expect(seenIpBlock, `${id} comes after an IPBlock`).toBe(false);
      const labels = e["labels"];
      if (!isObject(labels)) throw new Error(`${id}: labels must be an object`);
      for (const v of Object.values(labels)) expect(typeof v).toBe("string");
      expect(Object.keys(labels)).toEqual([...Object.keys(labels)].sort());
      if (level === "namespace") {
        // A Namespace is cluster-scoped, so it has no `namespace` field.
        expect(Object.keys(e)).toEqual(["id", "kind", "name", "labels"]);
        expect(kind).toBe("Namespace");
        expect(id).toBe(e["name"]);
      } else {
        expect(Object.keys(e)).toEqual(["id", "kind", "namespace", "name", "labels"]);
        if (level === "pod" && kind === "Pod") expect(id).toBe(`${String(e["namespace"])}/${String(e["name"])}`);
        else {
          expect(WORKLOAD_KINDS).toContain(kind);
          expect(id).toBe(`${String(e["namespace"])}/${String(e["name"])}[${kind}]`);
        }
      }
      const prev = ids[ids.length - 1];
      if (prev !== undefined) expect(prev < id, `${prev} before ${id}`).toBe(true);
    }
    ids.push(id);
  }
  expect(new Set(ids).size).toBe(ids.length);

  const index = new Map(ids.map((id, i) => [id, i]));
  let last: [number, number] | undefined;
  for (const c of connections) {
    if (!isObject(c)) throw new Error("connection must be an object");
    expect(Object.keys(c)).toEqual(["src", "dst", "ports", ...("uncertain" in c ? ["uncertain"] : [])]);
    if ("uncertain" in c) expect([c["uncertain"], uncertain !== undefined]).toEqual([true, true]);
    const src = index.get(String(c["src"]));
    const dst = index.get(String(c["dst"]));
    if (src === undefined || dst === undefined) throw new Error(`unknown endpoint in ${JSON.stringify(c)}`);
    expect(kinds.get(String(c["src"])) === "IPBlock" && kinds.get(String(c["dst"])) === "IPBlock").toBe(false);
    if (src === dst) expect(includeSelf || level === "namespace", `self connection ${String(c["src"])}`).toBe(true);
    // Sorted by (src, dst) in endpoint order, each pair once.
    if (last) expect(src > last[0] || (src === last[0] && dst > last[1])).toBe(true);
    last = [src, dst];
    checkPorts(c["ports"]);
  }
}

/** `"all"` or a non-empty list, TCP then UDP then SCTP, each sorted and merged. */
function checkPorts(ports: Json): void {
  if (ports === "all") return;
  if (!Array.isArray(ports) || ports.length === 0) throw new Error(`ports must be "all" or a non-empty list, got ${JSON.stringify(ports)}`);
  let prev: { p: number; to: number } | undefined;
  const full = new Set<string>();
  for (const r of ports) {
    if (!isObject(r)) throw new Error("port range must be an object");
    expect(Object.keys(r)).toEqual(["protocol", "from", "to"]);
    const p = PROTOCOL_ORDER.indexOf(String(r["protocol"]));
    const from = Number(r["from"]);
    const to = Number(r["to"]);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(from) && Number.isInteger(to) && from >= 1 && from <= to && to <= 65535).toBe(true);
    if (prev && prev.p === p) expect(from, "ranges must be sorted and merged").toBeGreaterThan(prev.to + 1);
    else if (prev) expect(p).toBeGreaterThan(prev.p);
    if (from === 1 && to === 65535) full.add(String(r["protocol"]));
    prev = { p, to };
  }
  expect(full.size, "every port of every protocol must be written \"all\"").toBeLessThan(3);
}

describe("kwire matrix -o json follows CONTRACT.md's ConnectivityMatrix", () => {
  for (const input of INPUTS) {
    for (const level of LEVELS) {
      for (const includeSelf of [false, true]) {
        const args = ["matrix", ...input, "--level", level, "-o", "json", ...(includeSelf ? ["--include-self"] : [])];
        it(args.slice(1).join(" "), async () => {
          const r = await run(args);
          expect(r.code).toBe(0);
          checkMatrix(JSON.parse(r.stdout) as Json, level, includeSelf);
        });
      }
    }
  }

  it("only allowed pairs are listed: a pair denied by policy is absent (demo: frontend → database)", async () => {
    const r = await run(["matrix", "-f", "fixtures/demo/cluster.yaml", "-o", "json"]);
    const doc = JSON.parse(r.stdout) as { connections: { src: string; dst: string }[] };
    const pairs = doc.connections.map((x) => `${x.src} -> ${x.dst}`);
    expect(pairs).toContain("production/frontend[Deployment] -> production/api-server[Deployment]");
    expect(pairs).not.toContain("production/frontend[Deployment] -> production/database[StatefulSet]");
  });
});

/**
 * The JSON Schemas shipped in the package (docs/schemas/, package.json "files") validate real
 * CLI outputs, with Ajv (JSON Schema 2020-12, strict mode). `lab probe` needs root and a kernel,
 * so its renderer (the function the command prints with) is fed a recorded run instead.
 */
describe("docs/schemas validate what the CLI prints", () => {
  const dir = join(ROOT, "docs", "schemas");
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".schema.json")).sort()) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), "utf8")) as object);
  const validate = (schema: string, doc: unknown, what: string): void => {
    const v = ajv.getSchema(`https://schemas.kwire.invalid/${schema}.schema.json`);
    if (!v) throw new Error(`no schema ${schema}`);
    expect(v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`), what).toEqual([]);
  };
  const cli = async (schema: string, args: readonly string[], codes: readonly number[] = [0]): Promise<void> => {
    const r = await run(args);
    expect(codes, `${args.join(" ")}: ${r.stderr}`).toContain(r.code);
    validate(schema, JSON.parse(r.stdout), args.join(" "));
  };

  it("every schema file compiles and is listed in package.json files", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("docs");
    for (const s of ["matrix", "service-matrix", "summary", "trace", "diff", "lint", "test", "probe"]) expect(ajv.getSchema(`https://schemas.kwire.invalid/${s}.schema.json`), s).toBeTypeOf("function");
  });

  it("matrix -o json, every input and level; --level service; -o summary --json", async () => {
    for (const input of INPUTS) for (const level of LEVELS) await cli("matrix", ["matrix", ...input, "--level", level, "-o", "json"]);
    await cli("matrix", ["matrix", "-f", "fixtures/demo", "-n", "production", "-o", "json"]);
    await cli("service-matrix", ["matrix", "--level", "service", "-f", "fixtures/demo", "-o", "json"]);
    await cli("service-matrix", ["matrix", "--level", "service", "-f", scenario("services-basic", "cluster.yaml"), "-o", "json"]);
    await cli("summary", ["matrix", "-f", "fixtures/demo", "-o", "summary", "--json"]);
  });

  it("trace -o json: pod to pod, denied, through a Service, from outside, through an Ingress", async () => {
    const demo = ["-f", "fixtures/demo", "-o", "json"];
    await cli("trace", ["trace", "production/frontend", "production/api-server:8080", ...demo]);
    await cli("trace", ["trace", "production/frontend", "production/database:5432", ...demo], [1]);
    await cli("trace", ["trace", "production/frontend", "svc/api-server:http", "-n", "production", ...demo]);
    await cli("trace", ["trace", "--from", "internet", "198.51.100.20:80", ...demo], [0, 1]);
    await cli("trace", ["trace", "--from", "internet", "http://shop.test/", "-f", scenario("services-basic", "cluster.yaml"), "-o", "json"], [0, 1]);
    await cli("trace", ["trace", "shop/client", "svc/api-local:80", "-n", "shop", "-f", scenario("services-basic", "cluster.yaml"), "-o", "json"]);
    // Calico and Cilium tiers (tier names, order, L7 uncertainty) and ICMP traces.
    await cli("trace", ["trace", "production/frontend", "production/database:6379", "-f", "fixtures/examples/calico-database.yaml", "-o", "json"]);
    await cli("trace", ["trace", "shop/frontend", "kube-system/coredns:53", "--protocol", "UDP", "-f", "fixtures/examples/cilium-l3-l4-entities.yaml", "-o", "json"]);
    await cli("trace", ["trace", "slytherin/draco-malfoy", "gryffindor/harry-potter:80", "-f", scenario("tiers", "cluster.yaml"), "-f", scenario("tiers", "antrea.yaml"), "-o", "json"], [3]);
    await cli("trace", ["trace", "production/frontend", "production/database", "--protocol", "ICMP", "-f", "fixtures/examples/calico-database.yaml", "-o", "json"], [0, 1]);
  });

  it("diff -o json, lint -o json, test -o json", async () => {
    await cli("diff", ["diff", "fixtures/demo/cluster.yaml", scenario("diff", "after.yaml"), "-o", "json"]);
    await cli("diff", ["diff", "fixtures/demo/cluster.yaml", "fixtures/demo/cluster.yaml", "-o", "json"]);
    for (const s of ["lint-services", "lint-policies", "lint-clean"]) await cli("lint", ["lint", "-f", scenario(s, "cluster.yaml"), "-o", "json"], [0, 1]);
    await cli("test", ["test", "-f", "fixtures/demo", "--expect", "fixtures/demo/expectations.yaml", "-o", "json"]);
    await cli("test", ["test", "-f", "fixtures/demo", "--expect", scenario("diff", "failing-expectations.yaml"), "-o", "json"], [1]);
  });

  it("lab probe -o json (its renderer, on a recorded run)", () => {
    const s = { cells: 2, probed: 1, skipped: 1, mismatches: 0, predictedAllowed: 1, observedAllowed: 1, agreementRate: 1, probeSuccessRate: 1, rttP50Ms: 0.4, rttP90Ms: 0.4, rttP99Ms: 0.4, skipReasons: ["SCTP"] };
    const empty = { ...s, cells: 0, probed: 0, skipped: 0, predictedAllowed: 0, observedAllowed: 0, skipReasons: [] };
    const doc = probeJson({
      results: [
        { kind: "pod", src: "x/a", dst: "x/b", dstIp: "10.244.0.11", port: 80, protocol: "TCP", predicted: true, observed: true, verdict: "connected", latencyMs: 0.4 },
        { kind: "pod", src: "x/a", dst: "x/b", dstIp: "10.244.0.11", port: 9, protocol: "SCTP", predicted: false, observed: undefined, verdict: "skipped", latencyMs: 0, skipReason: "SCTP" },
        { kind: "north-south", src: "internet", dst: "gw/envoy-gw-1 GET http://match.example.com/v2", dstIp: "10.244.0.12", port: 10080, protocol: "TCP", predicted: true, observed: true, verdict: "connected", latencyMs: 2.1, name: "match.example.com", accept: ["gw/backend-v2"], reply: "HTTP 200: gw/backend-v2" },
      ],
      summary: s,
      byKind: { pod: s, service: empty, dns: empty, "north-south": empty },
      dnsSuccessRate: null,
      serviceSuccessRate: null,
      seconds: 1,
      flowLog: "/tmp/flows.jsonl",
    });
    validate("probe", JSON.parse(JSON.stringify(doc)), "lab probe");
  });

  it("rejects what the contract forbids (the schemas are not vacuous)", () => {
    const v = ajv.getSchema("https://schemas.kwire.invalid/matrix.schema.json");
    expect(v?.({ apiVersion: "kwire/v1alpha1", kind: "ConnectivityMatrix", level: "pod", endpoints: [], connections: [{ src: "a", dst: "b", ports: [{ protocol: "ICMP", from: 0, to: 1 }] }] })).toBe(false);
    expect(v?.({ apiVersion: "kwire/v1alpha1", kind: "ConnectivityMatrix", level: "cluster", endpoints: [], connections: [] })).toBe(false);
    const t = ajv.getSchema("https://schemas.kwire.invalid/trace.schema.json");
    expect(t?.({ verdict: "maybe", src: "a", dst: "b", protocol: "TCP", allowedPorts: "none", steps: [{ stage: "verdict", result: "denied", detail: "" }] })).toBe(false);
    // The lead's additive fields on rules and verdicts are accepted.
    expect(t?.({ verdict: "denied", src: "a", dst: "b", protocol: "TCP", allowedPorts: "none", uncertain: [{ reason: "policy x/y was skipped", object: "NetworkPolicy x/y", source: { file: "f", line: 3 } }], steps: [{ stage: "egress-policy", result: "denied", detail: "", rules: [{ policy: "x/y", direction: "Egress", index: 0, file: "f", line: 1, kind: "AdminNetworkPolicy", action: "Deny", tier: "admin", priority: 5 }] }] })).toBe(true);
  });
});
