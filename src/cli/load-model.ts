/**
 * @module load-model
 * Input options → the decoded model, without running an engine: for commands that read the
 * cluster but not (only) the reachability matrix (`proxy-rules`, `lint`). Same error policy
 * as analyzeInputs: input diagnostics go to stderr; nothing loadable (or --strict) exits 2.
 */
import { loadCluster, type LoadResult } from "../parse/index.js";
import { BadInput, loadInputs, type InputOptions, type Io } from "./context.js";
import { printDiagnostics } from "./io.js";

export async function loadModel(opts: InputOptions, io: Io): Promise<LoadResult> {
  const files = await loadInputs(opts, io);
  const load = loadCluster(files);
  printDiagnostics(load.diagnostics, io.err);
  const errors = load.diagnostics.filter((d) => d.severity === "error").length;
  const loaded = Object.values(load.counts).reduce((a, b) => a + b, 0);
  if (errors > 0 && (opts.strict || loaded === 0)) {
    throw new BadInput(`${errors} input error(s)${loaded === 0 ? " and nothing could be loaded" : " (--strict)"}`);
  }
  if (errors > 0) io.err(`kwire: warning: ${load.skipped} object(s) skipped because of the errors above; analysing the rest\n`);
  return load;
}
