/**
 * @module calico-selector
 * Calico's selector language, ported from libcalico-go lib/selector (tokenizer/tokenizer.go,
 * parser/parser.go, parser/ast.go) so kwire accepts, rejects, evaluates and prints exactly what
 * Calico does:
 *
 *   expr  := and ( "||" and )*
 *   and   := op ( "&&" op )*
 *   op    := "!"* ( has(label) | all() | global() | "(" expr ")"
 *                 | label ( == | != | contains | starts with | ends with ) string
 *                 | label ( in | not in ) "{" [ string ( "," string )* [","] ] "}" )
 *
 * Strings are single- or double-quoted with no escapes; labels are [a-zA-Z0-9_./-]+; only spaces
 * and tabs separate tokens. An empty selector is all(). Leading "!"s collapse (an even count
 * cancels) and negate the whole operation, so `!a == "x"` is `!(a == "x")`. `||` binds looser
 * than `&&`. An absent label makes `!=` and `not in` true and every other comparison false.
 * all() and global() are true here; a namespaceSelector gives them their scope meaning (see
 * `matchesNamespaceSelector`).
 *
 * Errors carry the 1-based column of the offending token and its text, so a decoder can report
 * file:line:column inside the YAML value.
 */
import type { CalicoSelector, Labels } from "../model/index.js";

export { formatSelectorError, parseCalicoSelector, type SelectorError, type SelectorParse } from "./calico-selector-parse.js";

/** How all() and global() evaluate: both true for an endpoint selector (ast.go AllNode/GlobalNode). */
export interface ScopeFlags {
  readonly all: boolean;
  readonly global: boolean;
}

const ENDPOINT_SCOPE: ScopeFlags = { all: true, global: true };

export type LabelLookup = (key: string) => string | undefined;

export function lookupIn(labels: Labels): LabelLookup {
  return (k) => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined);
}

/** ast.go Evaluate, node by node. */
export function evaluateCalicoSelector(sel: CalicoSelector, get: LabelLookup, scope: ScopeFlags = ENDPOINT_SCOPE): boolean {
  switch (sel.type) {
    case "All":
      return scope.all;
    case "Global":
      return scope.global;
    case "Has":
      return get(sel.label) !== undefined;
    case "Eq":
    case "Contains":
    case "StartsWith":
    case "EndsWith": {
      const v = get(sel.label);
      if (v === undefined) return false;
      return sel.type === "Eq" ? v === sel.value : sel.type === "Contains" ? v.includes(sel.value) : sel.type === "StartsWith" ? v.startsWith(sel.value) : v.endsWith(sel.value);
    }
    case "Ne": {
      const v = get(sel.label);
      return v === undefined || v !== sel.value;
    }
    case "In": {
      const v = get(sel.label);
      return v !== undefined && sel.values.includes(v);
    }
    case "NotIn": {
      const v = get(sel.label);
      return v === undefined || !sel.values.includes(v);
    }
    case "Not":
      return !evaluateCalicoSelector(sel.operand, get, scope);
    case "And":
      return sel.operands.every((o) => evaluateCalicoSelector(o, get, scope));
    case "Or":
      return sel.operands.some((o) => evaluateCalicoSelector(o, get, scope));
  }
}

export function calicoSelectorMatches(sel: CalicoSelector, labels: Labels): boolean {
  return evaluateCalicoSelector(sel, lookupIn(labels));
}

/**
 * A rule's namespaceSelector (rules.go getEndpointSelector): its labels are the namespace's
 * labels (Calico prefixes them `pcns.`), `all()` means "any namespaced endpoint" and `global()`
 * "any non-namespaced one" (GlobalNetworkSet, HostEndpoint). `namespaceLabels` undefined = the
 * entity has no namespace.
 */
export function matchesNamespaceSelector(sel: CalicoSelector, namespaceLabels: Labels | undefined): boolean {
  const namespaced = namespaceLabels !== undefined;
  return evaluateCalicoSelector(sel, lookupIn(namespaceLabels ?? {}), { all: namespaced, global: !namespaced });
}

function quote(s: string): string {
  return s.includes('"') ? `'${s}'` : `"${s}"`;
}

/** Calico's canonical String() (ast.go collectFragments): `&&`/`||` groups are parenthesised. */
export function formatCalicoSelector(sel: CalicoSelector): string {
  switch (sel.type) {
    case "All":
      return "all()";
    case "Global":
      return "global()";
    case "Has":
      return `has(${sel.label})`;
    case "Eq":
      return `${sel.label} == ${quote(sel.value)}`;
    case "Ne":
      return `${sel.label} != ${quote(sel.value)}`;
    case "Contains":
      return `${sel.label} contains ${quote(sel.value)}`;
    case "StartsWith":
      return `${sel.label} starts with ${quote(sel.value)}`;
    case "EndsWith":
      return `${sel.label} ends with ${quote(sel.value)}`;
    case "In":
    case "NotIn":
      return `${sel.label} ${sel.type === "In" ? "in" : "not in"} {${sel.values.map(quote).join(", ")}}`;
    case "Not":
      return `!${formatCalicoSelector(sel.operand)}`;
    case "And":
    case "Or":
      return `(${sel.operands.map(formatCalicoSelector).join(sel.type === "And" ? " && " : " || ")})`;
  }
}

/** Every label key the selector reads (for lint hints). */
export function selectorLabels(sel: CalicoSelector): string[] {
  switch (sel.type) {
    case "All":
    case "Global":
      return [];
    case "Not":
      return selectorLabels(sel.operand);
    case "And":
    case "Or":
      return [...new Set(sel.operands.flatMap(selectorLabels))];
    default:
      return [sel.label];
  }
}
