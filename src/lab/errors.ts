/**
 * @module lab/errors
 * Lab failures as data: a `LabError` carries a stable `code` and the underlying `cause`
 * (habit 4). The CLI prints `kwire: lab: <message>` and exits 1; only bugs throw anything else.
 */

export const LAB_ERROR_CODES = [
  "not-root", // the lab needs root (netns, links, nft)
  "missing-tool", // ip, nft or nsenter is not installed
  "already-up", // a state file exists: run `kwire lab down` first
  "not-up", // no state file
  "bad-plan", // the cluster cannot be placed (CIDRs, nodes)
  "declared-address", // a pod's declared IP cannot be honoured (and --renumber was not given)
  "command-failed", // an ip/nft/sysctl command failed
  "cni-failed", // kwire-cni ADD failed for a pod
  "server-not-ready", // a pod server did not become ready in time
  "interrupted", // SIGINT/SIGTERM during `lab up`
  "unknown-pod", // `lab exec` named a pod the lab does not run
] as const;
export type LabErrorCode = (typeof LAB_ERROR_CODES)[number];

export class LabError extends Error {
  constructor(readonly code: LabErrorCode, message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "LabError";
  }
}
