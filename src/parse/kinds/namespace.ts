/**
 * @module namespace
 * Namespace: labels, plus `kubernetes.io/metadata.name` as the API server always sets it.
 */
import type { Namespace } from "../../model/index.js";
import type { Cursor } from "../cursor.js";
import { decodeMeta } from "./metadata.js";

export const NAME_LABEL = "kubernetes.io/metadata.name";

export function decodeNamespace(obj: Cursor): Namespace | undefined {
  const meta = decodeMeta(obj, false);
  if (!meta) return undefined;
  return { kind: "Namespace", name: meta.name, labels: { ...meta.labels, [NAME_LABEL]: meta.name }, implicit: false, source: obj.ref };
}

export function implicitNamespace(name: string, source: Namespace["source"]): Namespace {
  return { kind: "Namespace", name, labels: { [NAME_LABEL]: name }, implicit: true, source };
}
