/**
 * @module git-input
 * `git:REV:PATH` inputs for `kwire diff`: the file or directory as it was at REV.
 */
import { execFileSync } from "node:child_process";
import type { InputFile } from "../parse/index.js";
import { UsageError } from "./io.js";

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

function git(args: readonly string[]): string {
  try {
    return execFileSync("git", [...args], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new UsageError(`git ${args.join(" ")}: ${(err.stderr ?? err.message).trim()}`);
  }
}

export function isGitSpec(spec: string): boolean {
  return spec.startsWith("git:");
}

/** Reads `git:REV:PATH` (PATH relative to the repository root, or to the current directory with ./). */
export function readGitInput(spec: string): InputFile[] {
  const m = /^git:([^:]+):(.*)$/.exec(spec);
  if (!m) throw new UsageError(`"${spec}" is not git:REV:PATH`);
  const rev = m[1] as string;
  const path = (m[2] as string).replace(/\/$/, "") || ".";
  const type = git(["cat-file", "-t", `${rev}:${path}`]).trim();
  if (type === "blob") return [{ path: spec, text: git(["show", `${rev}:${path}`]) }];
  const names = git(["ls-tree", "-r", "--name-only", rev, "--", path]).split("\n").filter((n) => MANIFEST_EXT.test(n));
  if (names.length === 0) throw new UsageError(`${spec} holds no .yaml, .yml or .json files`);
  return names.map((n) => ({ path: `git:${rev}:${n}`, text: git(["show", `${rev}:${n}`]) }));
}
