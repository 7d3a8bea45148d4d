/**
 * @module connectivity-test (decoder)
 * kwire's own `ConnectivityTest` (apiVersion kwire/v1alpha1): expected allowed and denied
 * connections, checked by `kwire test`.
 */
import type { Diagnostic, SourceRef } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { objectCursors, type InputFile } from "../documents.js";

export interface Expectation {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly protocol: string;
  readonly port?: string;
  readonly expect: "allowed" | "denied";
  readonly source: SourceRef;
}

function decodeExpectation(c: Cursor): Expectation | undefined {
  if (!c.expect("map")) return undefined;
  c.checkKeys(["name", "from", "to", "port", "protocol", "expect"]);
  const from = c.get("from").reqString();
  const to = c.get("to").reqString();
  const expect = c.get("expect").reqString();
  const protocol = c.get("protocol").optString() ?? "TCP";
  const portC = c.get("port");
  const port = portC.kind === "number" ? String(portC.optInt()) : portC.optString();
  if (from === undefined || to === undefined || expect === undefined) return undefined;
  if (expect !== "allowed" && expect !== "denied") {
    c.get("expect").error("invalid-value", `expect must be "allowed" or "denied", not "${expect}"`);
    return undefined;
  }
  const name = c.get("name").optString() ?? `${from} → ${to}${port ? ` port ${port}` : ""} ${expect}`;
  return { name, from, to, protocol, expect, source: c.ref, ...(port !== undefined ? { port } : {}) };
}

/** Reads ConnectivityTest documents; every other document is reported and ignored. */
export function loadExpectations(files: readonly InputFile[]): { expectations: Expectation[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const expectations: Expectation[] = [];
  for (const f of files) {
    for (const obj of objectCursors(f, { diagnostics, skipped: [] })) {
      if (obj.get("kind").scalar() !== "ConnectivityTest") {
        obj.get("kind").error("unsupported-kind", `expected kind ConnectivityTest (apiVersion kwire/v1alpha1), got ${JSON.stringify(obj.get("kind").scalar() ?? null)}`);
        continue;
      }
      const list = obj.get("spec").get("expectations");
      if (!list.expect("seq")) {
        if (list.isAbsent) list.error("missing-field", 'required field "spec.expectations" is missing');
        continue;
      }
      for (const item of list.items()) {
        const e = decodeExpectation(item);
        if (e) expectations.push(e);
      }
    }
  }
  return { expectations, diagnostics };
}
