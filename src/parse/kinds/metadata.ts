/**
 * @module metadata
 * ObjectMeta: name, namespace, labels, ownerReferences.
 */
import { trimmed, type OwnerRef } from "../../model/index.js";
import { isRecord, plainStringMap, type Cursor } from "../cursor.js";

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
  return meta(name, namespace, labels, owners);
}

function meta(name: string, namespace: string, labels: Record<string, string>, owners: OwnerRef[]): Meta {
  return { name, namespace, labels, owners: trimmed(owners) };
}

/**
 * `decodeMeta` of a clean object read from its parsed value without cursors (the load's fast
 * path, see pod.ts): undefined whenever the cursor path would report anything, which then
 * decodes the object and reports it.
 */
export function plainMeta(obj: Record<string, unknown>, namespaced: boolean): Meta | undefined {
  const m = obj["metadata"];
  if (!isRecord(m)) return undefined;
  const name = m["name"];
  if (typeof name !== "string") return undefined;
  let namespace = "";
  if (namespaced) {
    const ns = m["namespace"];
    if (ns === undefined || ns === null) namespace = "default";
    else if (typeof ns === "string") namespace = ns;
    else return undefined;
  }
  const l = m["labels"];
  const labels = l === undefined || l === null ? {} : plainStringMap(l);
  if (!labels) return undefined;
  const owners: OwnerRef[] = [];
  const refs = m["ownerReferences"];
  if (refs !== undefined && refs !== null) {
    if (!Array.isArray(refs)) return undefined;
    for (const r of refs as unknown[]) {
      if (!isRecord(r)) continue;
      const kind = r["kind"];
      const oname = r["name"];
      if ((kind !== undefined && kind !== null && typeof kind !== "string") || (oname !== undefined && oname !== null && typeof oname !== "string")) return undefined;
      if (kind && oname) owners.push({ kind, name: oname });
    }
  }
  return meta(name, namespace, labels, owners);
}
