/**
 * @module input-skipped
 * Nothing dropped unseen: every object (or list entry) the input declared but kwire skipped —
 * a document that does not parse, an object with an error, one bad containerPort — is an error
 * finding with its place, so `kwire lint`, its JSON and SARIF (CI) show it, not only stderr.
 * And findings that a skipped object may explain say so (`noteSkipped`): "Service shop/api does
 * not exist" is wrong advice when shop/api is in the input but was skipped.
 */
import type { SkippedObject } from "../../model/index.js";
import type { Finding, LintCheck } from "../types.js";

const named = (s: SkippedObject): string =>
  `${s.kind ?? "object"}${s.name !== undefined ? ` ${s.namespace !== undefined ? `${s.namespace}/` : ""}${s.name}` : ""}`;

const at = (s: SkippedObject): string => `${s.source.file}:${s.source.line}`;

export const inputSkipped: LintCheck = {
  code: "input-skipped",
  severity: "error",
  description: "an object or list entry of the input was skipped because of an error, so nothing about it was analysed",
  run(ctx) {
    return (ctx.options.skipped ?? []).map((s): Finding => ({
      code: "input-skipped",
      severity: "error",
      message: s.entry !== undefined
        ? `entry ${s.entry} of ${named(s)} was skipped (the rest of the object is analysed): ${s.reason}`
        : `${named(s)} was skipped, so nothing it declares is analysed: ${s.reason}`,
      object: named(s),
      source: s.source,
      hint: "fix the error and run again; `--strict` makes any skipped input exit 2",
    }));
  },
};

/**
 * Appends to each finding what skipped input may explain it: a skipped object it names
 * (`Service shop/api`), entries skipped from the object it is about, or objects skipped in the
 * namespace where a selector "matches no" pod.
 */
export function noteSkipped(findings: readonly Finding[], skipped: readonly SkippedObject[]): Finding[] {
  if (skipped.length === 0) return [...findings];
  const whole = skipped.filter((s) => s.entry === undefined && s.name !== undefined);
  return findings.map((f) => {
    if (f.code === "input-skipped") return f;
    const notes: string[] = [];
    for (const s of whole) {
      if (s.kind !== undefined && f.message.includes(`${s.kind} ${s.namespace !== undefined ? `${s.namespace}/` : ""}${s.name}`)) {
        notes.push(`${named(s)} is in the input but was skipped (${at(s)})`);
      }
    }
    const entries = skipped.filter((s) => s.entry !== undefined && named(s) === f.object);
    if (entries.length > 0) notes.push(`${entries.length} list entr${entries.length === 1 ? "y" : "ies"} of ${f.object} ${entries.length === 1 ? "was" : "were"} skipped (${entries.map(at).join(", ")})`);
    const ns = /^\S+ ([^/\s]+)\//.exec(f.object)?.[1];
    if (ns !== undefined && /matches no/.test(f.message)) {
      const inNs = whole.filter((s) => s.namespace === ns && (s.kind === "Pod" || s.kind === "Namespace" || /Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|ReplicationController/.test(s.kind ?? "")));
      if (inNs.length > 0) notes.push(`${inNs.length} object(s) that could match were skipped (${inNs.map((s) => `${named(s)}, ${at(s)}`).join("; ")})`);
    }
    return notes.length === 0 ? f : { ...f, message: `${f.message} — note: ${[...new Set(notes)].join("; ")}` };
  });
}
