/**
 * @module label-selector
 * metav1.LabelSelector: matchLabels AND matchExpressions (In, NotIn, Exists, DoesNotExist).
 * An empty selector (no labels, no expressions) matches everything.
 */
export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly LabelRequirement[];
}

export const EVERYTHING: LabelSelector = { matchLabels: {}, matchExpressions: [] };

export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case "In":
      return has && r.values.includes(labels[r.key] as string);
    case "NotIn":
      return !has || !r.values.includes(labels[r.key] as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
  }
}

export function selectorMatches(s: LabelSelector, labels: Labels): boolean {
  for (const key in s.matchLabels) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== s.matchLabels[key]) return false;
  }
  for (const r of s.matchExpressions) if (!requirementMatches(r, labels)) return false;
  return true;
}

/** kubectl's text form: `app=web,tier in (a,b),!legacy`; `<all>` for the empty selector. */
export function formatSelector(s: LabelSelector): string {
  if (isEmptySelector(s)) return "<all>";
  const parts = Object.keys(s.matchLabels)
    .sort()
    .map((k) => `${k}=${s.matchLabels[k]}`);
  for (const r of s.matchExpressions) {
    switch (r.operator) {
      case "In":
        parts.push(`${r.key} in (${[...r.values].sort().join(",")})`);
        break;
      case "NotIn":
        parts.push(`${r.key} notin (${[...r.values].sort().join(",")})`);
        break;
      case "Exists":
        parts.push(r.key);
        break;
      case "DoesNotExist":
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.join(",");
}

export function formatLabels(l: Labels): string {
  const keys = Object.keys(l).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${l[k]}`).join(",");
}
