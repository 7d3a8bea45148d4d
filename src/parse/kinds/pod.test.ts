/**
 * The Pod decoder's fast path (plain values, no cursors) must give exactly what the cursor path
 * gives: for random Pod-like objects, mixing the clean common shape with every kind of wrong or
 * unusual field, either the fast path steps aside or both build the same Pod (same fields, same
 * order, same source place) and the cursor path reports nothing. In JSON and in YAML.
 */
import fc from "fast-check";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../model/index.js";
import { objectCursors } from "../documents.js";
import { decodePod, decodePodByCursor, plainPod } from "./pod.js";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 400);

/** A value of the wrong type now and then, else one of `good`. */
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 20, arbitrary: good }, { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.string(), fc.constant({}), fc.constant([])) });

const name = fc.constantFrom("web-1", "db", "", "a:b", "web-7d4b9c5f8-x2x9z");
const ip = fc.constantFrom("10.0.0.1", "10.0.0.2", "fd00::1", "", "10.0.0.300", "::ffff:10.0.0.1", " 10.0.0.3");
const port = fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(0, 65536, 70000, 80.5, -1, 2 ** 31, "80"));
const protocol = fc.constantFrom("TCP", "UDP", "SCTP", "tcp", "HTTP");

const containerPort = fc.record(
  { containerPort: mostly(port), protocol: mostly(protocol), name: mostly(name), hostPort: mostly(port), hostIP: mostly(ip), containerport: fc.constant(80) },
  { requiredKeys: [] },
);

const container = fc.record({ name, ports: mostly(fc.array(mostly(containerPort), { maxLength: 3 })), restartPolicy: mostly(fc.constantFrom("Always", "Never")) }, { requiredKeys: [] });

const podLike = fc.record(
  {
    metadata: mostly(fc.record({
      name: mostly(name),
      namespace: mostly(name),
      labels: mostly(fc.dictionary(fc.constantFrom("app", "tier", "a:b"), mostly(name), { maxKeys: 3 })),
      ownerReferences: mostly(fc.array(mostly(fc.record({ kind: mostly(fc.constantFrom("ReplicaSet", "")), name: mostly(name) }, { requiredKeys: [] })), { maxLength: 2 })),
      deletionTimestamp: mostly(fc.constant("2024-01-01T00:00:00Z")),
    }, { requiredKeys: [] })),
    spec: mostly(fc.record({
      containers: mostly(fc.array(mostly(container), { maxLength: 2 })),
      initContainers: mostly(fc.array(mostly(container), { maxLength: 2 })),
      hostNetwork: mostly(fc.boolean()),
      nodeName: mostly(name),
      serviceAccountName: mostly(name),
      serviceAccount: mostly(name),
      hostname: mostly(name),
      subdomain: mostly(name),
      dnsPolicy: mostly(fc.constantFrom("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None", "Other")),
      dnsConfig: mostly(fc.record({ nameservers: mostly(fc.array(mostly(ip), { maxLength: 2 })) }, { requiredKeys: [] })),
    }, { requiredKeys: [] })),
    status: mostly(fc.record({
      podIP: mostly(ip),
      podIPs: mostly(fc.array(mostly(fc.record({ ip: mostly(ip) }, { requiredKeys: [] })), { maxLength: 3 })),
      hostIP: mostly(ip),
      phase: mostly(fc.constantFrom("Running", "Pending")),
      conditions: mostly(fc.array(mostly(fc.record({ type: mostly(fc.constantFrom("Ready", "Initialized")), status: mostly(fc.constantFrom("True", "False")) }, { requiredKeys: [] })), { maxLength: 3 })),
    }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
).map((o) => ({ apiVersion: "v1", kind: "Pod", ...o }));

const json = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

function decodeWith(text: string, path: string, decode: typeof decodePod): { pod: string; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const [c] = objectCursors({ path, text }, { diagnostics, skipped: [] });
  if (!c) throw new Error("no object");
  return { pod: json(decode(c)), diagnostics };
}

describe("Pod decoder: the fast path equals the cursor path", () => {
  for (const [format, write] of [["JSON", (o: unknown) => JSON.stringify(o, null, 1)], ["YAML", (o: unknown) => yaml.dump(o, { schema: yaml.CORE_SCHEMA })]] as const) {
    it(`on random Pod-like objects (${format})`, () => {
      let fast = 0;
      let runs = 0;
      fc.assert(
        fc.property(podLike, (o) => {
          runs++;
          const text = write(o);
          const byCursor = decodeWith(text, "pod.in", decodePodByCursor);
          const diagnostics: Diagnostic[] = [];
          const [c] = objectCursors({ path: "pod.in", text }, { diagnostics, skipped: [] });
          const plain = c && plainPod(c);
          if (plain) {
            fast++;
            expect(byCursor.diagnostics).toEqual([]);
            expect(json(plain)).toBe(byCursor.pod);
          }
          const both = decodeWith(text, "pod.in", decodePod);
          expect(both).toEqual(byCursor);
        }),
        { numRuns: RUNS },
      );
      // Not vacuous: a fair share of the objects take the fast path (about 8% of them; 2.5% is 4
      // standard deviations below that at 400 runs).
      expect(fast).toBeGreaterThan(runs / 40);
    });
  }

  it("takes the fast path for a pod as kubectl lists it", () => {
    const o = {
      apiVersion: "v1", kind: "Pod",
      metadata: { name: "web-1", namespace: "shop", labels: { app: "web" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d4b9c5f8", controller: true }] },
      spec: { nodeName: "n1", dnsPolicy: "ClusterFirst", containers: [{ name: "main", image: "nginx:1.27", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }] }] },
      status: { phase: "Running", podIP: "10.0.0.1", podIPs: [{ ip: "10.0.0.1" }], hostIP: "192.168.0.1", conditions: [{ type: "Ready", status: "True" }] },
    };
    const [c] = objectCursors({ path: "p.json", text: JSON.stringify(o) }, { diagnostics: [], skipped: [] });
    expect(c && plainPod(c)).toMatchObject({ name: "web-1", namespace: "shop", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }], ready: true, phase: "Running", owners: [{ kind: "ReplicaSet", name: "web-7d4b9c5f8" }] });
  });
});
