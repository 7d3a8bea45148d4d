/**
 * @module label-selector (decoder)
 * metav1.LabelSelector with the API server's validation of operators and values.
 */
import type { LabelRequirement, LabelSelector, SelectorOperator } from "../../model/index.js";
import type { Cursor } from "../cursor.js";

const OPERATORS: readonly SelectorOperator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

function isOperator(x: string): x is SelectorOperator {
  return (OPERATORS as readonly string[]).includes(x);
}

/** Decodes a present selector; returns undefined (with an error) when it is invalid. */
export function decodeSelector(c: Cursor): LabelSelector | undefined {
  if (c.kind === "null") return { matchLabels: {}, matchExpressions: [] };
  if (!c.expect("map")) return undefined;
  c.checkKeys(["matchLabels", "matchExpressions"]);
  const before = c.ctx.diagnostics.length;
  const matchLabels = c.get("matchLabels").stringMap();
  const matchExpressions: LabelRequirement[] = [];
  const exprs = c.get("matchExpressions");
  if (!exprs.isAbsent && exprs.expect("seq")) {
    for (const e of exprs.items()) {
      const r = decodeRequirement(e);
      if (r) matchExpressions.push(r);
    }
  }
  const failed = c.ctx.diagnostics.slice(before).some((d) => d.severity === "error");
  return failed ? undefined : { matchLabels, matchExpressions };
}

function decodeRequirement(e: Cursor): LabelRequirement | undefined {
  if (!e.expect("map")) return undefined;
  e.checkKeys(["key", "operator", "values"]);
  const key = e.get("key").reqString();
  const opText = e.get("operator").reqString();
  if (key === undefined || opText === undefined) return undefined;
  if (!isOperator(opText)) {
    e.get("operator").error("invalid-label-selector", `operator "${opText}" is not one of ${OPERATORS.join(", ")}`);
    return undefined;
  }
  const valuesC = e.get("values");
  const values: string[] = [];
  if (!valuesC.isAbsent && valuesC.expect("seq")) {
    for (const v of valuesC.items()) {
      if (v.kind === "string") values.push(String(v.scalar()));
      else v.error("wrong-type", `selector values must be strings, got ${String(v.scalar())}`);
    }
  }
  if ((opText === "In" || opText === "NotIn") && values.length === 0) {
    valuesC.error("invalid-label-selector", `operator ${opText} needs at least one value`);
    return undefined;
  }
  if ((opText === "Exists" || opText === "DoesNotExist") && values.length > 0) {
    valuesC.error("invalid-label-selector", `operator ${opText} takes no values`);
    return undefined;
  }
  return { key, operator: opText, values };
}
