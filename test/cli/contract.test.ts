/**
 * `kwire matrix -o json` against CONTRACT.md's ConnectivityMatrix, field by field, for every
 * scenario and level: exact keys, id forms, sorting, merged port ranges. The goldens pin the
 * bytes; this pins the rules the bytes must follow, so a regenerated golden cannot drift.
 */
import { describe, expect, it } from "vitest";
import { ipBlockId, parseCidr, type Cidr } from "../../src/model/index.js";
import { run, scenario } from "./harness.js";

type Json = unknown;

const INPUTS: readonly (readonly string[])[] = [
  ["-f", "fixtures/demo/cluster.yaml"],
  ["-f", scenario("kubectl-list", "cluster.yaml")],
  ["-f", scenario("json-input", "cluster.json")],
  ["-f", scenario("directory", "manifests")],
  ["-f", scenario("stdin", "helm-template.yaml")],
  ["-f", scenario("multi-doc", "cluster.yaml")],
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
  expect(Object.keys(doc)).toEqual(["apiVersion", "kind", "level", "endpoints", "connections"]);
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
    expect(Object.keys(c)).toEqual(["src", "dst", "ports"]);
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
