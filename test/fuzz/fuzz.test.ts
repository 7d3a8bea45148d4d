/**
 * The fuzz suite (issue 15): fast-check mutants of every fixture (fixtures/demo,
 * fixtures/scenarios; see mutate.ts) fed to the CLI on stdin, as `kwire matrix`, `kwire lint`
 * and `kwire trace` would read them. The oracle:
 * - the exit code is 0, 1, 2 or 3 — never 70 (internal error) or a crash;
 * - nothing escapes: no exception, no stack trace on stderr;
 * - every object of the documents the mutant left intact is still analysed (its endpoints are
 *   in the matrix, or, for a workload whose mutated pod still stands for it, the workload is in
 *   the workload-level matrix), unless the run exits 2 (nothing loadable, or --strict);
 * - `--strict` exits 0 or 2 only;
 * - a BOM or other line ends (the one edit that changes no meaning) change no verdict.
 * `npm test` runs FUZZ_RUNS (default 300) mutants from a fixed seed, so a failure reproduces;
 * `npm run fuzz` runs 10,000 from a random seed and prints it. Every crash found becomes a
 * regression test in test/cli/bad-input.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ROOT, run, STACK_LINE } from "../cli/harness.js";
import { loadFixtures, mutants, MUTATIONS, type Mutant } from "./mutate.js";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 300);
const SEED = process.env["FUZZ_SEED"] !== undefined ? Number(process.env["FUZZ_SEED"]) : process.env["FUZZ_RUNS"] !== undefined ? Date.now() % 2 ** 31 : 20261207;
const fixtures = loadFixtures(ROOT);

const endpoints = (stdout: string): string[] => {
  try {
    return (JSON.parse(stdout) as { endpoints: { id: string }[] }).endpoints.map((e) => e.id).filter((id) => !id.startsWith("ipblock:"));
  } catch {
    return [];
  }
};

const seen = new Map<string, number>();

async function check(m: Mutant): Promise<void> {
  seen.set(m.mutation, (seen.get(m.mutation) ?? 0) + 1);
  const where = `${m.fixture} document ${m.doc}, ${m.mutation}`;
  const matrix = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], m.text);
  expect([0, 1, 2, 3], `${where}: exit ${matrix.code}\n${matrix.stderr.slice(0, 2000)}`).toContain(matrix.code);
  expect(matrix.stderr, where).not.toMatch(/internal error/);
  expect(matrix.stderr, where).not.toMatch(STACK_LINE);
  const intact = m.intact.trim() === "" ? [] : endpoints((await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], m.intact)).stdout);
  if (matrix.code !== 2) {
    const got = new Set(endpoints(matrix.stdout));
    let lost = intact.filter((id) => !got.has(id));
    // A workload without pods in `intact` is its template endpoint (`ns/name[Kind]`); where the
    // mutant's document was its pod and that pod is still read (one bad entry skipped), the pod
    // stands for the workload instead, as it should: the workload is still there at workload level.
    if (lost.length > 0) {
      const workloads = new Set(endpoints((await run(["matrix", "-f", "-", "--level", "workload", "-o", "json"], m.text)).stdout));
      lost = lost.filter((id) => !workloads.has(id));
    }
    expect(lost, `${where}: intact objects no longer analysed`).toEqual([]);
  }
  // A BOM and other line ends change no meaning (YAML 1.2 §5.2, §5.4): the same verdicts.
  if (m.mutation === "BOM and CRLF") {
    const before = await run(["matrix", "-f", "-", "--level", "pod", "-o", "json"], m.original);
    expect(matrix.stdout, `${where}: the verdicts changed`).toBe(before.stdout);
  }
  // A trace between two objects the mutant left intact (or two names that may not exist).
  const [from, to] = intact.length >= 2 ? intact : ["default/a", "default/b"];
  const other = m.doc % 3 === 0
    ? await run(["lint", "-f", "-", "-o", "json"], m.text)
    : m.doc % 3 === 1
      ? await run(["matrix", "-f", "-", "--strict"], m.text)
      : await run(["trace", "-f", "-", String(from), `${String(to)}:80`], m.text);
  expect([0, 1, 2, 3], `${where}: exit ${other.code}\n${other.stderr.slice(0, 2000)}`).toContain(other.code);
  expect(other.stderr, where).not.toMatch(/internal error/);
  expect(other.stderr, where).not.toMatch(STACK_LINE);
}

describe("fuzz: hostile mutants of the fixtures never crash kwire and never lose intact objects", () => {
  it(`${RUNS} mutants (seed ${SEED}) over ${fixtures.length} fixture files`, async () => {
    await fc.assert(fc.asyncProperty(mutants(fixtures), check), { numRuns: RUNS, seed: SEED, endOnFailure: true });
    // Every kind of mutation was exercised.
    expect([...seen.keys()].sort()).toEqual([...MUTATIONS].sort());
  }, Math.max(60_000, RUNS * 1_000));
});
