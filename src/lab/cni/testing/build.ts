/**
 * @module lab/cni/testing/build
 * Test/bench helper: compile just the kwire-cni entry points (and what they import) with tsc into a
 * throwaway directory, independent of the rest of the repo, so real-binary tests do not depend on a
 * full `npm run build`. Returns the path of `lab/cni/bin.js`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root: the nearest ancestor with package.json and typescript installed (works from src/ or a build dir). */
export const REPO_ROOT = findRoot(fileURLToPath(new URL(".", import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "node_modules", "typescript"))) return dir;
    if (dirname(dir) === dir) return resolve(from, "../../../..");
  }
}

/** Compile `src/lab/cni/bin.ts` plus `extra` entry files (paths relative to src/) into `outDir`. */
export function compileCni(outDir: string, extra: readonly string[] = []): string {
  const tsc = createRequire(join(REPO_ROOT, "package.json")).resolve("typescript/bin/tsc");
  const src = join(REPO_ROOT, "src");
  const entries = ["lab/cni/bin.ts", ...extra].map((e) => join(src, e));
  mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, [
    tsc, "--outDir", outDir, "--rootDir", src, "--module", "nodenext", "--moduleResolution", "nodenext",
    "--target", "es2022", "--lib", "es2022", "--types", "node", "--strict", "--skipLibCheck", "--declaration", "false",
    ...entries,
  ], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  writeFileSync(join(outDir, "package.json"), '{ "type": "module" }\n');
  return join(outDir, "lab/cni/bin.js");
}
