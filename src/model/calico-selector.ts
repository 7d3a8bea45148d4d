/**
 * @module calico-selector (model)
 * The parsed form of a Calico selector expression, as plain data. The grammar, the parser, the
 * evaluator and the canonical text live in src/policy/calico-selector.ts; this is only the tree,
 * so decoded Calico objects (src/model/calico.ts) can carry it.
 *
 * Node kinds mirror libcalico-go lib/selector/parser/ast.go: LabelEqValueNode, LabelNeValueNode,
 * LabelContainsValueNode, LabelStartsWithValueNode, LabelEndsWithValueNode, LabelInSetNode,
 * LabelNotInSetNode, HasNode, NotNode, AndNode, OrNode, AllNode, GlobalNode.
 */
export type CalicoSelector =
  | { readonly type: "All" }
  | { readonly type: "Global" }
  | { readonly type: "Has"; readonly label: string }
  | { readonly type: "Eq" | "Ne" | "Contains" | "StartsWith" | "EndsWith"; readonly label: string; readonly value: string }
  /** `values` sorted and de-duplicated, as Calico's StringSet. */
  | { readonly type: "In" | "NotIn"; readonly label: string; readonly values: readonly string[] }
  | { readonly type: "Not"; readonly operand: CalicoSelector }
  /** Two or more operands (a single operand is never wrapped). */
  | { readonly type: "And" | "Or"; readonly operands: readonly CalicoSelector[] };

export const CALICO_ALL: CalicoSelector = { type: "All" };
