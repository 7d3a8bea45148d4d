/**
 * @module metadata
 * ObjectMeta: name, namespace, labels, ownerReferences.
 */
import { trimmed, type OwnerRef } from "../../model/index.js";
import type { Cursor } from "../cursor.js";

export interface Meta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly owners: OwnerRef[];
}

export function decodeMeta(obj: Cursor, namespaced: boolean): Meta | undefined {
  const m = obj.get("metadata");
  if (m.isAbsent) {
    m.error("missing-field", 'required field "metadata" is missing');
    return undefined;
  }
  if (!m.expect("map")) return undefined;
  const name = m.get("name").reqString();
  const namespace = namespaced ? (m.get("namespace").optString() ?? "default") : "";
  const labels = m.get("labels").stringMap();
  const owners: OwnerRef[] = [];
  const refs = m.get("ownerReferences");
  if (!refs.isAbsent && refs.expect("seq")) {
    for (const r of refs.items()) {
      const kind = r.get("kind").optString();
      const oname = r.get("name").optString();
      if (kind && oname) owners.push({ kind, name: oname });
    }
  }
  if (name === undefined) return undefined;
  return { name, namespace, labels, owners: trimmed(owners) };
}
