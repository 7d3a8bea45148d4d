/**
 * @module lab/testing/build-cli
 * For tests that must run `kwire` as a separate process (SIGINT during `lab up`): transpile the
 * sources (no type check; `isolatedModules` makes per-file transpilation exact) into a temporary
 * directory beside a `node_modules` symlink, and return the path of the CLI entry.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import ts from "typescript";

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "web" && name !== "testing") sources(p, out);
    } else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

export interface BuiltCli {
  readonly bin: string;
  readonly remove: () => void;
}

export function buildCli(repoRoot: string): BuiltCli {
  const root = join(tmpdir(), `kwire-lab-cli-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  const src = join(repoRoot, "src");
  for (const file of sources(src)) {
    const js = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    }).outputText;
    const out = join(root, "dist", relative(src, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
  return { bin: join(root, "dist", "cli", "bin.js"), remove: () => rmSync(root, { recursive: true, force: true }) };
}
