/**
 * @module harness
 * Runs the CLI in-process (`runCli(argv, io)`) with captured output and an injectable stdin,
 * from the repository root so every path in outputs and goldens is relative and deterministic.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/main.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Makes relative paths in argv and in outputs resolve against the repository root. */
export function atRoot(): void {
  if (process.cwd() !== ROOT) process.chdir(ROOT);
}

export async function run(argv: readonly string[], stdin?: string): Promise<RunResult> {
  atRoot();
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    out: (s) => void (stdout += s),
    err: (s) => void (stderr += s),
    stdin: () => {
      if (stdin === undefined) throw new Error("this test gave no stdin but the CLI read it");
      return stdin;
    },
  });
  return { code, stdout, stderr };
}

/** `fixtures/scenarios/<name>/<rel>`, relative to the repository root (as a user would type it). */
export const scenario = (name: string, rel: string): string => `fixtures/scenarios/${name}/${rel}`;

/** Absolute path of a golden file, for `toMatchFileSnapshot`. */
export const golden = (name: string, file: string): string => resolve(ROOT, "fixtures/scenarios", name, "expected", file);

/** A stack trace line as Node prints it (`    at fn (file:line:col)`). */
export const STACK_LINE = /^\s+at\s.+(:\d+:\d+\)?|\(native\))$/m;
