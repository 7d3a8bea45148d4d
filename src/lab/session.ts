/**
 * @module lab/session
 * What several lab commands share: loading the manifests into the model, the lab cluster of a
 * running lab (manifests saved at `lab up` + addresses from the state), and the preflight checks.
 */
import { existsSync } from "node:fs";
import { analyzeCluster } from "../analyze/index.js";
import type { Cluster, Diagnostic } from "../model/index.js";
import { loadCluster } from "../parse/index.js";
import { LabError } from "./errors.js";
import { labCluster, type PlacedPod } from "./model.js";
import { readInputs, readState, type LabState, type SavedInput } from "./state.js";

/**
 * The cluster as its CNI enforces it (analyzeCluster: `--cni`, else what the input reveals): the
 * policies that CNI ignores are dropped, and a Calico or Cilium cluster gets its `policyDialect`,
 * so the lab loads the tables of that dialect and `lab probe` predicts with the same analysis.
 * A cluster the analysis refuses (both dialects and no CNI) is a `bad-plan`.
 */
export function loadLabCluster(files: readonly SavedInput[], cni?: string): { cluster: Cluster; diagnostics: readonly Diagnostic[]; notes: readonly string[] } {
  const load = loadCluster([...files]);
  const a = analyzeCluster(load, cni === undefined ? {} : { cni });
  if ("error" in a) throw new LabError("bad-plan", a.error);
  return { cluster: a.cluster, diagnostics: load.diagnostics, notes: a.notes };
}

export function placedPods(state: LabState): PlacedPod[] {
  return state.pods.flatMap((p) => (p.ip === undefined ? [] : [{ pod: p.pod, ip: p.ip, ips: p.ips ?? [p.ip] }]));
}

/** The state of the running lab and its lab cluster; throws `not-up` when there is none. */
export function currentLab(dir: string): { state: LabState; lab: Cluster } {
  const state = readState(dir);
  if (state === undefined) throw new LabError("not-up", `no lab is up (no state in ${dir}); run kwire lab up -f FILE`);
  const { cluster } = loadLabCluster(readInputs(dir), state.cni);
  return { state, lab: labCluster(cluster, placedPods(state)) };
}

const TOOLS = ["ip", "nft", "nsenter", "ss"] as const;
export const onPath = (bin: string): boolean => ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"].some((d) => existsSync(`${d}/${bin}`));

/** Why the lab cannot run on this machine, or undefined. */
export function preflightProblem(): LabError | undefined {
  if (process.platform !== "linux") return new LabError("not-root", "the lab needs Linux (network namespaces, nftables)");
  if (process.getuid?.() !== 0) return new LabError("not-root", "the lab needs root (it creates network namespaces, links and nftables tables)");
  const missing = TOOLS.filter((t) => !onPath(t));
  if (missing.length > 0) return new LabError("missing-tool", `the lab needs ${missing.join(", ")} (apt-get install iproute2 nftables util-linux)`);
  return undefined;
}
