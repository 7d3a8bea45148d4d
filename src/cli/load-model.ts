/**
 * @module load-model
 * Input options → the decoded model, without running an engine: for commands that read the
 * cluster but not (only) the reachability matrix (`proxy-rules`, `lint`). Same error policy
 * and stderr story as analyzeInputs (`loadAndReport`).
 */
import type { LoadResult } from "../parse/index.js";
import { loadAndReport, loadInputs, type InputOptions, type Io } from "./context.js";

export async function loadModel(opts: InputOptions, io: Io): Promise<LoadResult> {
  return loadAndReport(await loadInputs(opts, io), opts, io);
}
