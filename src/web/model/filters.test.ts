/** The graph/matrix filter: namespaces (with their peers), protocol, port, IP blocks. */
import { describe, expect, it } from "vitest";
import { API, COREDNS, DATABASE, DEMO_FILES, FRONTEND, PROMETHEUS, WEB, matrixOf } from "../testing/demo.js";
import { filterMatrix, isFiltering, namespacesOf } from "./filters.js";

const m = matrixOf(DEMO_FILES);

describe("filterMatrix", () => {
  it("without a filter, changes nothing", () => {
    expect(isFiltering({})).toBe(false);
    expect(filterMatrix(m, {})).toEqual(m);
  });

  it("by namespace: the namespace's workloads and the peers they talk to", () => {
    const f = filterMatrix(m, { namespaces: ["monitoring"] });
    expect(f.connections.every((c) => c.src === PROMETHEUS || c.dst === PROMETHEUS)).toBe(true);
    const ids = f.endpoints.map((e) => e.id);
    expect(ids).toContain(PROMETHEUS);
    expect(ids).toContain(API); // prometheus scrapes api-server on 9100
    expect(ids).not.toContain(WEB);
  });

  it("by port and protocol: only connections that admit them", () => {
    const f = filterMatrix(m, { protocol: "UDP", port: 53 });
    expect(f.connections.length).toBeGreaterThan(0);
    for (const c of f.connections) expect(c.ports === "all" || c.ports.some((r) => r.protocol === "UDP" && r.from <= 53 && 53 <= r.to)).toBe(true);
    expect(f.connections.some((c) => c.src === FRONTEND && c.dst === COREDNS)).toBe(true);
    expect(filterMatrix(m, { port: 5432 }).connections.some((c) => c.src === API && c.dst === DATABASE)).toBe(true);
    expect(filterMatrix(m, { port: 5432, protocol: "UDP" }).connections.some((c) => c.dst === DATABASE)).toBe(false);
  });

  it("can hide IP blocks outside the cluster", () => {
    const f = filterMatrix(m, { external: false });
    expect(f.endpoints.some((e) => e.kind === "IPBlock")).toBe(false);
    expect(f.connections.every((c) => !c.src.startsWith("ipblock:") && !c.dst.startsWith("ipblock:"))).toBe(true);
  });

  it("lists the namespaces, without the outside group", () => {
    expect(namespacesOf(m)).toEqual(["kube-system", "monitoring", "production"]);
  });
});
