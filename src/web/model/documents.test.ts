/** Input text: the document around a line, excerpts, what-if edits; port formatting. */
import { describe, expect, it } from "vitest";
import { documentSpan, excerpt, replaceSpan, spanText } from "./documents.js";
import { ADDED_FILE, applyEdit, documentOf } from "./edit.js";
import { firstPort, formatPorts, portsAdmit } from "./ports.js";

const TEXT = ["# head", "kind: A", "x: 1", "---", "kind: B", "y: 2", "z: 3", "", "--- ", "kind: C", ""].join("\n");

describe("documents", () => {
  it("finds the document around a line, between --- markers", () => {
    expect(documentSpan(TEXT, 3)).toEqual({ startLine: 1, endLine: 3 });
    expect(documentSpan(TEXT, 6)).toEqual({ startLine: 5, endLine: 7 });
    expect(documentSpan(TEXT, 10)).toEqual({ startLine: 10, endLine: 10 });
    expect(spanText(TEXT, documentSpan(TEXT, 5))).toBe("kind: B\ny: 2\nz: 3");
  });

  it("excerpts the document, clipped around the line when long", () => {
    expect(excerpt(TEXT, 6)).toEqual({ firstLine: 5, lines: ["kind: B", "y: 2", "z: 3"], mark: 6 });
    const long = Array.from({ length: 100 }, (_, i) => `l${i + 1}`).join("\n");
    const e = excerpt(long, 50, 10);
    expect(e.lines).toHaveLength(10);
    expect(e.firstLine).toBeLessThanOrEqual(50);
    expect(e.firstLine + e.lines.length - 1).toBeGreaterThanOrEqual(50);
  });

  it("replaces one document and leaves the others and the markers alone", () => {
    const out = replaceSpan(TEXT, documentSpan(TEXT, 6), "kind: B2\nw: 9\n");
    expect(out.split("\n").slice(0, 8)).toEqual(["# head", "kind: A", "x: 1", "---", "kind: B2", "w: 9", "", "--- "]);
  });
});

describe("applyEdit", () => {
  const files = [{ path: "a.yaml", text: TEXT }, { path: "b.yaml", text: "kind: D\n" }];
  it("replaces the document an object starts in, in its file only", () => {
    const out = applyEdit(files, { type: "replace", file: "a.yaml", line: 5, text: "kind: E" });
    expect(documentOf(out, "a.yaml", 5)).toBe("kind: E");
    expect(out[1]).toBe(files[1]);
    expect(files[0]?.text).toBe(TEXT);
  });
  it("adds new documents as a file of their own", () => {
    const out = applyEdit(files, { type: "add", text: "kind: F" });
    expect(out.map((f) => f.path)).toEqual(["a.yaml", "b.yaml", ADDED_FILE]);
  });
});

describe("ports", () => {
  it("formats and queries the matrix's ports", () => {
    const p = [{ protocol: "TCP" as const, from: 53, to: 53 }, { protocol: "UDP" as const, from: 53, to: 53 }];
    expect(formatPorts(p)).toBe("TCP 53, UDP 53");
    expect(formatPorts("all")).toBe("all ports");
    expect(portsAdmit(p, "UDP", 53)).toBe(true);
    expect(portsAdmit(p, "SCTP")).toBe(false);
    expect(firstPort(p)).toEqual({ protocol: "TCP", port: 53 });
    expect(firstPort("all")).toEqual({ protocol: "TCP" });
  });
});
