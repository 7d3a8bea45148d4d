/**
 * The Calico selector language against Calico's own test tables:
 * - projectcalico/calico libcalico-go/lib/selector/parser/parser_test.go (selectorTests,
 *   badSelectors, canonicalisationTests, the Visitor table's String() outputs);
 * - libcalico-go/lib/selector/tokenizer/tokenizer_test.go (tokens that must (not) lex).
 * https://github.com/projectcalico/calico/tree/master/libcalico-go/lib/selector
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calicoSelectorMatches,
  formatCalicoSelector,
  formatSelectorError,
  matchesNamespaceSelector,
  parseCalicoSelector,
  selectorLabels,
} from "./calico-selector.js";
import type { CalicoSelector } from "../model/index.js";

type L = Record<string, string>;

function parse(text: string): CalicoSelector {
  const r = parseCalicoSelector(text);
  if (!r.ok) throw new Error(`${text}: ${formatSelectorError(r.error)}`);
  return r.selector;
}

// parser_test.go selectorTests: [selector, labels that match, labels that do not].
const SELECTOR_TESTS: readonly (readonly [string, readonly L[], readonly L[]])[] = [
  [`a == "b"`, [{ a: "b" }, { a: "b", c: "d" }], [{}, { a: "c" }, { c: "d" }]],
  [`a == "b" && c == "d"`, [{ a: "b", c: "d" }], [{}, { a: "b", c: "e" }, { a: "c", c: "d" }, { c: "d" }, { a: "b" }]],
  [`a == "b" || c == "d"`, [{ a: "b", c: "d" }, { a: "b" }, { c: "d" }], [{}, { a: "e", c: "e" }, { c: "e" }, { a: "e" }]],
  [`a in {"'", '"', "c"}`, [{ a: "c" }, { a: `"` }, { a: `'` }], [{}, { a: "e" }]],
  [`a not in {"'", '"', "c"}`, [{}, { a: "e" }], [{ a: "c" }, { a: `"` }, { a: `'` }]],
  [`a == 'a'`, [{ a: "a" }], []],
  [`a == "a"`, [{ a: "a" }], []],
  [`a != "b"`, [{ a: "a" }], []],
  [`a != "a"`, [{}], []],
  [`a contains "a"`, [{ a: "a" }, { a: "bab" }, { a: "aaa", b: "c" }], [{}, { a: "b" }, { b: "aaa" }]],
  [`a starts with "a"`, [{ a: "a" }, { a: "abb" }, { a: "aaa", b: "c" }], [{}, { a: "b" }, { a: "baa" }, { b: "aaa" }]],
  [`a ends with "a"`, [{ a: "a" }, { a: "bba" }, { a: "aaa", b: "c" }], [{}, { a: "b" }, { a: "aab" }, { b: "aaa" }]],
  [`a in {"a"}`, [{ a: "a" }], []],
  [`!a in {"a"}`, [{ a: "b" }], []],
  [`a in {"a", "b"}`, [{ a: "a" }, { a: "b" }], []],
  [`a not in {"d", "e"}`, [{ a: "a" }], []],
  [`has(a)`, [{ a: "b" }], []],
  [`!has(a)`, [{ b: "b" }], []],
  [``, [{}, { a: "b" }], []],
  [` `, [{}], []],
  [`all()`, [{}], []],
  [` all()`, [{}, { a: "b" }], []],
  [`global()`, [{}], []],
  [` global()`, [{}, { a: "b" }], []],
  [`a == 'a'`, [], [{ a: "b" }, {}]],
  [`a != "a"`, [], [{ a: "a" }]],
  [`a != 'a'`, [], [{ a: "a" }]],
  [`a in {"a"}`, [], [{ a: "b" }]],
  [`a not in {"a"}`, [], [{ a: "a" }]],
  [`a in {"a", "b"}`, [], [{ a: "c" }]],
  [`has(b)`, [], [{ a: "b" }]],
  [`!!has(b)`, [], [{ a: "b" }]],
  [`! has(a)`, [], [{ a: "b" }]],
  [`!has(a)`, [], [{ a: "b" }]],
  [`!!! has(a)`, [], [{ a: "b" }]],
  [`!!!has(a)`, [], [{ a: "b" }]],
  [`!! ! has(a)`, [], [{ a: "b" }]],
  [`! !!has(a)`, [], [{ a: "b" }]],
  // Boolean expressions...
  [`a == 'a1' && b == 'b1'`, [{ a: "a1", b: "b1" }], []],
  [`a == 'a1' && b != 'b1'`, [], [{ a: "a1", b: "b1" }]],
  [`a != 'a1' && b == 'b1'`, [], [{ a: "a1", b: "b1" }]],
  [`a != 'a1' && b != 'b1'`, [], [{ a: "a1", b: "b1" }]],
  [`a != 'a1' && !b == 'b1'`, [], [{ a: "a1", b: "b1" }]],
  [`!a == 'a1' && b == 'b1'`, [], [{ a: "a1", b: "b1" }]],
  [`has(a) && !has(b)`, [{ a: "a" }], []],
  [`!has(b) && has(a)`, [{ a: "a" }], []],
  [`!(!has(a) || has(b))`, [{ a: "a" }], []],
  [`!(has(b) || !has(a))`, [{ a: "a" }], []],
  [`a == 'a1' || b == 'b1'`, [{ a: "a1", b: "b1" }], []],
  [`a == 'a1' || b != 'b1'`, [{ a: "a1", b: "b1" }], []],
  [`a != 'a1' || b == 'b1'`, [{ a: "a1", b: "b1" }], []],
  [`a != 'a1' || b != 'b1'`, [], [{ a: "a1", b: "b1" }]],
  [`! a == 'a1' || ! b == 'b1'`, [], [{ a: "a1", b: "b1" }]],
];

// parser_test.go badSelectors, plus tokenizer_test.go inputs that must not lex.
const BAD_SELECTORS = [
  "b == b",
  "b contains b",
  "b starts with b",
  "b ends with b",
  "'b1' == b",
  "b",
  "a b",
  "!",
  `foo == "bar" &`,
  `foo == "bar" |`,
  `foo != ||`,
  `foo in {"", ||`,
  `foo in ""`,
  `"FOO`,
  `"FOO'`,
  `'FOO`,
  `(`,
  `(a == "foo"`,
  `)`,
  `()`,
  `%`,
  `a == "b" && %`,
  `a == "b" || %`,
  `a `,
  `has(foo) &&`,
  `label starts foo "value"`,
  `label ends foo "value"`,
  `label squiggles "value"`,
];

// parser_test.go canonicalisationTests (input → String()).
const CANONICAL: readonly (readonly [string, string])[] = [
  ["", "all()"],
  [" all() ", "all()"],
  [" (all() )", "all()"],
  [`! (has( b)||! has(a ))`, "!(has(b) || !has(a))"],
  [`! (a == "b"&&! c != "d")`, `!(a == "b" && !c != "d")`],
  [`a == "'"`, `a == "'"`],
  [`a == '"'`, `a == '"'`],
  [`a contains '"'`, `a contains '"'`],
  [`a contains "'"`, `a contains "'"`],
  [`a startswith '"'`, `a starts with '"'`],
  [`a endswith "'"`, `a ends with "'"`],
  [`a!='"'`, `a != '"'`],
  [`a in {"d"}`, `a in {"d"}`],
  [`a in {"a", "b"}`, `a in {"a", "b"}`],
  [`a in {"d", "a", "b"}`, `a in {"a", "b", "d"}`],
  [`a in {"z", "x", "y", "a"}`, `a in {"a", "x", "y", "z"}`],
  [`a in {"z", "z", "x", "y", "x", "a"}`, `a in {"a", "x", "y", "z"}`],
  // The Visitor table's expected String() forms (without the visitor's prefix).
  ["k == 'v' && x == 'y'", `(k == "v" && x == "y")`],
  ["k == 'v' || has(x)", `(k == "v" || has(x))`],
  ["!(k == 'v')", `!k == "v"`],
  ["k not in {'v'}", `k not in {"v"}`],
  ["!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))", `!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})`],
];

describe("Calico selector: parser_test.go selectorTests", () => {
  for (const [sel, yes, no] of SELECTOR_TESTS) {
    it(`${JSON.stringify(sel)} matches ${JSON.stringify(yes)} and not ${JSON.stringify(no)}, also after canonicalising`, () => {
      const s = parse(sel);
      const again = parse(formatCalicoSelector(s));
      for (const l of yes) {
        expect(calicoSelectorMatches(s, l)).toBe(true);
        expect(calicoSelectorMatches(again, l)).toBe(true);
      }
      for (const l of no) {
        expect(calicoSelectorMatches(s, l)).toBe(false);
        expect(calicoSelectorMatches(again, l)).toBe(false);
      }
    });
  }
});

describe("Calico selector: badSelectors are rejected with a column and the offending token", () => {
  for (const sel of BAD_SELECTORS) {
    it(`rejects ${JSON.stringify(sel)}`, () => {
      const r = parseCalicoSelector(sel);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.column).toBeGreaterThanOrEqual(1);
        expect(r.error.column).toBeLessThanOrEqual(sel.length + 1);
      }
    });
  }

  it("names the exact column and token", () => {
    const cases: readonly (readonly [string, number, string])[] = [
      ["b == b", 6, "b"], // label on the right: "expected string"
      [`a == "b" && %`, 13, "%"],
      [`foo in ""`, 8, `""`], // expected set literal
      [`(a == "foo"`, 12, "end of selector"],
      ["a b", 3, "b"], // after a label, only an operator
      [`role == 'database`, 9, "'database"], // unterminated string
      [`has(foo) &&`, 12, "end of selector"],
      [`a == "x" )`, 10, ")"], // unexpected content at end
    ];
    for (const [sel, column, token] of cases) {
      const r = parseCalicoSelector(sel);
      expect(r.ok, sel).toBe(false);
      if (!r.ok) expect([r.error.column, r.error.token], sel).toEqual([column, token]);
    }
  });

  it("only spaces and tabs separate tokens (tokenizer.go: whitespace = \" \\t\")", () => {
    expect(parseCalicoSelector("a == 'b'\t&&\tc == 'd'").ok).toBe(true);
    const r = parseCalicoSelector("a == 'b'\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.column).toBe(9);
  });
});

describe("Calico selector: canonical String() (canonicalisationTests)", () => {
  for (const [input, canon] of CANONICAL) {
    it(`${JSON.stringify(input)} → ${canon} and round-trips`, () => {
      const s = formatCalicoSelector(parse(input));
      expect(s).toBe(canon);
      expect(formatCalicoSelector(parse(s))).toBe(canon);
    });
  }
});

describe("Calico selector: precedence and tokenizer corners", () => {
  it("&& binds tighter than || (parseOrExpression of parseAndExpression)", () => {
    const s = parse(`a == "1" || b == "2" && c == "3"`);
    expect(formatCalicoSelector(s)).toBe(`(a == "1" || (b == "2" && c == "3"))`);
    expect(calicoSelectorMatches(s, { a: "1" })).toBe(true);
    expect(calicoSelectorMatches(s, { b: "2" })).toBe(false);
    expect(calicoSelectorMatches(s, { b: "2", c: "3" })).toBe(true);
  });

  it("parentheses override it", () => {
    const s = parse(`(a == "1" || b == "2") && c == "3"`);
    expect(formatCalicoSelector(s)).toBe(`((a == "1" || b == "2") && c == "3")`);
    expect(calicoSelectorMatches(s, { a: "1" })).toBe(false);
  });

  it("! negates the whole comparison, not the label (`!a == 'a1'` is `!(a == 'a1')`)", () => {
    expect(calicoSelectorMatches(parse(`!a == 'a1'`), {})).toBe(true);
    expect(calicoSelectorMatches(parse(`!a == 'a1'`), { a: "a1" })).toBe(false);
  });

  it("operator words may also be label names (tokenizer_test.go `contains contains \"contains\"`)", () => {
    expect(calicoSelectorMatches(parse(`contains contains "contains"`), { contains: "xcontainsx" })).toBe(true);
    expect(calicoSelectorMatches(parse(`startswith starts with "value"`), { startswith: "values" })).toBe(true);
    expect(calicoSelectorMatches(parse(`endswith ends with "value"`), { endswith: "xvalue" })).toBe(true);
    expect(calicoSelectorMatches(parse(`a notin {"bar"}`), { a: "x" })).toBe(true);
    expect(calicoSelectorMatches(parse(`label contains"value"`), { label: "avalue" })).toBe(true);
  });

  it("label keys with prefixes, dots, slashes and dashes (tokenizer_test.go has(calico/k8s_NS-.1/role))", () => {
    expect(calicoSelectorMatches(parse(`has(calico/k8s_NS-.1/role)`), { "calico/k8s_NS-.1/role": "" })).toBe(true);
    const s = parse(`calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"`);
    expect(calicoSelectorMatches(s, { "calico/k8s_ns": "kube-system", "k8s-app": "kube-dns" })).toBe(true);
  });

  it("an empty set literal and a trailing comma parse (parser.go in-set loop)", () => {
    expect(calicoSelectorMatches(parse(`a in {}`), { a: "" })).toBe(false);
    expect(calicoSelectorMatches(parse(`a not in {}`), {})).toBe(true);
    expect(formatCalicoSelector(parse(`a in {"x",}`))).toBe(`a in {"x"}`);
  });

  it("the seeds' example: role == 'database'", () => {
    const s = parse("role == 'database'");
    expect(formatCalicoSelector(s)).toBe(`role == "database"`);
    expect(calicoSelectorMatches(s, { role: "database" })).toBe(true);
    expect(calicoSelectorMatches(s, { role: "frontend" })).toBe(false);
    expect(selectorLabels(parse(`role == 'db' && (has(tier) || env in {'a'})`))).toEqual(["role", "tier", "env"]);
  });
});

describe("Calico selector: namespaceSelector scope (rules.go getEndpointSelector)", () => {
  // "We treat all() as select all namespaces … has(projectcalico.org/namespace)";
  // "global() … !has(projectcalico.org/namespace)".
  it("all() matches namespaced entities only; global() non-namespaced ones only", () => {
    expect(matchesNamespaceSelector(parse("all()"), { team: "a" })).toBe(true);
    expect(matchesNamespaceSelector(parse("all()"), undefined)).toBe(false);
    expect(matchesNamespaceSelector(parse("global()"), { team: "a" })).toBe(false);
    expect(matchesNamespaceSelector(parse("global()"), undefined)).toBe(true);
    expect(matchesNamespaceSelector(parse("global() || team == 'a'"), { team: "a" })).toBe(true);
  });

  it("a label test reads the namespace's labels; an absent namespace has none (so != is true)", () => {
    expect(matchesNamespaceSelector(parse("team == 'a'"), { team: "a" })).toBe(true);
    expect(matchesNamespaceSelector(parse("team != 'a'"), undefined)).toBe(true);
  });
});

describe("Calico selector: printing and parsing agree on random selectors (property)", () => {
  const label = fc.constantFrom("a", "b", "app.kubernetes.io/name", "projectcalico.org/namespace", "k8s-app");
  const value = fc.constantFrom("", "x", "y", "web", "a b", "it's", 'say "hi"', "k8s-app");
  const leaf: fc.Arbitrary<CalicoSelector> = fc.oneof(
    fc.constant<CalicoSelector>({ type: "All" }),
    fc.constant<CalicoSelector>({ type: "Global" }),
    label.map((l): CalicoSelector => ({ type: "Has", label: l })),
    fc.tuple(fc.constantFrom("Eq", "Ne", "Contains", "StartsWith", "EndsWith" as const), label, value).map(([type, l, v]): CalicoSelector => ({ type, label: l, value: v })),
    fc.tuple(fc.constantFrom("In", "NotIn" as const), label, fc.uniqueArray(value, { maxLength: 3 })).map(([type, l, vs]): CalicoSelector => ({ type, label: l, values: [...vs].sort() })),
  );
  const tree = fc.letrec<{ sel: CalicoSelector }>((tie) => ({
    sel: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      tie("sel").map((s): CalicoSelector => ({ type: "Not", operand: s })),
      fc.tuple(fc.constantFrom("And", "Or" as const), fc.array(tie("sel"), { minLength: 2, maxLength: 3 })).map(([type, operands]): CalicoSelector => ({ type, operands })),
    ),
  })).sel;
  const labels = fc.dictionary(label, value, { maxKeys: 4 });

  it("parse(String(s)) evaluates as s, and String() is a fixed point after one round", () => {
    fc.assert(
      fc.property(tree, fc.array(labels, { minLength: 1, maxLength: 5 }), (sel, samples) => {
        const text = formatCalicoSelector(sel);
        const again = parse(text);
        for (const l of samples) expect(calicoSelectorMatches(again, l)).toBe(calicoSelectorMatches(sel, l));
        const canon = formatCalicoSelector(again);
        expect(formatCalicoSelector(parse(canon))).toBe(canon);
      }),
      { numRuns: 300 },
    );
  });
});
