/**
 * The executable the tests run as users do: the bundled CLI `dist/cli/kwire.js` (package.json's
 * `bin`, rolldown.config.mjs), rebuilt — tsc, then the bundle — when it is missing or older than
 * any source under src/ (the bundle holds all of them). Shared by the end-to-end tests of the
 * built binary (bin.test.ts) and the browser tests (test/web/browser.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BUNDLE = join(ROOT, "dist/cli/kwire.js");

/** The newest mtime of the files under `dir` whose names `skip` does not match. */
export function newestFile(dir: string, skip: RegExp): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) t = Math.max(t, newestFile(p, skip));
    else if (!skip.test(name)) t = Math.max(t, st.mtimeMs);
  }
  return t;
}

const stale = (): boolean => !existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestFile(join(ROOT, "src"), /\.test\.ts$/);

/** Rebuilds the bundle when stale; throws when it is still missing or stale after the build. */
export function ensureBundle(): string {
  if (!stale()) return BUNDLE;
  // tsc emits even when files other engineers are editing have type errors; the bundle is what counts.
  spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  spawnSync(process.execPath, [join(ROOT, "node_modules/rolldown/bin/cli.mjs"), "-c", "rolldown.config.mjs", "--logLevel", "warn"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  if (stale()) throw new Error("dist/cli/kwire.js is still missing or older than src/ after tsc and rolldown");
  return BUNDLE;
}
