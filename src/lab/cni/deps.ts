/**
 * @module lab/cni/deps
 * What the handlers are given instead of `process`: a `Host` and a way to open the IPAM `Store`,
 * plus the shared helpers every verb needs (error mapping, device listing, running `ip -batch`).
 * The agent adds a `launcher` that hands out `ip -batch` processes started ahead of time
 * (`warm.ts`); without one (the standalone binary) every batch is a plain `host.exec`.
 */
import type { ExecResult, Host } from "../host.js";
import { IpamError, LockTimeoutError, type Store } from "../ipam/index.js";
import { CniError, KwireCode, SpecCode } from "./errors.js";
import { batchInput, failedLine, isNoDevice } from "./link-batch.js";
import type { Launcher, Started } from "./warm.js";

export interface CniDeps {
  readonly host: Host;
  readonly openStore: (dataDir: string, network: string) => Store;
  /** Starts programs ahead of their input (the agent); absent: `host.exec` when needed. */
  readonly launcher?: Launcher;
}

const fsCode = (e: unknown): string | undefined =>
  e instanceof Error && "code" in e && typeof e.code === "string" && /^E[A-Z]+$/.test(e.code) ? e.code : undefined;

/** Map anything thrown below the handlers onto a `CniError`. */
export function toCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (e instanceof IpamError) {
    return new CniError(e.kind === "exhausted" ? KwireCode.IpamExhausted : KwireCode.IpamRequestedUnavailable, e.message, e.details);
  }
  if (e instanceof LockTimeoutError) return new CniError(SpecCode.TryAgainLater, e.message, e.path);
  const code = fsCode(e);
  if (code !== undefined && e instanceof Error) return new CniError(SpecCode.IoFailure, `I/O failure: ${e.message}`, code);
  const msg = e instanceof Error ? e.message : String(e);
  return new CniError(KwireCode.Internal, `internal error: ${msg}`);
}

/** Interface names in the caller's netns, from /proc/net/dev (correct even when /sys is not remounted). */
export async function listDevices(host: Host): Promise<Set<string>> {
  const text = (await host.readFile("/proc/net/dev")) ?? "";
  const names = new Set<string>();
  for (const line of text.split("\n").slice(2)) {
    const name = line.split(":")[0]?.trim();
    if (name !== undefined && name !== "") names.add(name);
  }
  return names;
}

export interface BatchFailure {
  readonly line: string | undefined;
  readonly index: number | undefined;
  readonly stderr: string;
}

export type BatchResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly fail: BatchFailure };

export const BATCH_ARGV: readonly string[] = ["ip", "-batch", "-"];
export const JSON_BATCH_ARGV: readonly string[] = ["ip", "-j", "-d", "-batch", "-"];

function batchResult(r: ExecResult, lines: readonly string[]): BatchResult {
  if (r.code === 0) return { ok: true, stdout: r.stdout };
  const index = failedLine(r.stderr);
  return { ok: false, fail: { line: index === undefined ? undefined : lines[index], index, stderr: r.stderr.trim() } };
}

/** Run `ip [-j -d] -batch -` with `lines`; returns stdout or the failing line. */
export async function runBatch(host: Host, lines: readonly string[], netns?: string, json = false): Promise<BatchResult> {
  const r = await host.exec(json ? JSON_BATCH_ARGV : BATCH_ARGV, { input: batchInput(lines), ...(netns === undefined ? {} : { netns }) });
  return batchResult(r, lines);
}

/** Feed `lines` to an `ip -batch -` started earlier (see `warm.ts`). */
export async function finishBatch(started: Started, lines: readonly string[]): Promise<BatchResult> {
  return batchResult(await started.finish(batchInput(lines)), lines);
}

/** `ip -j -d -batch -` in the node netns: a process the launcher started earlier, else `host.exec`. */
export async function runNodeBatch(deps: CniDeps, lines: readonly string[]): Promise<BatchResult> {
  return deps.launcher === undefined ? runBatch(deps.host, lines, undefined, true) : finishBatch(deps.launcher.start(JSON_BATCH_ARGV), lines);
}

/**
 * Delete a node-netns link; "no such device" is success. Returns the error text otherwise — the same
 * text whether it ran as `ip link del` or as a one-line batch from the launcher.
 */
export async function deleteLink(deps: CniDeps, name: string): Promise<string | undefined> {
  let stderr: string | undefined;
  if (deps.launcher === undefined) {
    const r = await deps.host.exec(["ip", "link", "del", "dev", name]);
    stderr = r.code === 0 ? undefined : r.stderr;
  } else {
    const r = await runNodeBatch(deps, [`link del dev ${name}`]);
    stderr = r.ok ? undefined : `${r.fail.stderr.replace(/\n?Command failed -:\d+$/, "")}\n`;
  }
  return stderr === undefined || isNoDevice(stderr) ? undefined : stderr;
}

export function linkError(where: string, f: BatchFailure): CniError {
  const what = f.line === undefined ? "ip -batch" : `"ip ${f.line}"`;
  return new CniError(KwireCode.LinkFailed, `${where}: ${what} failed: ${f.stderr.split("\n")[0] ?? ""}`, f.stderr);
}
