/**
 * @module lab/cni/deps
 * What the handlers are given instead of `process`: a `Host` and a way to open the IPAM `Store`,
 * plus the shared helpers every verb needs (error mapping, device listing, running `ip -batch`).
 */
import type { Host } from "../host.js";
import { IpamError, LockTimeoutError, type Store } from "../ipam/index.js";
import { CniError, KwireCode, SpecCode } from "./errors.js";
import { batchInput, failedLine } from "./link-batch.js";

export interface CniDeps {
  readonly host: Host;
  readonly openStore: (dataDir: string, network: string) => Store;
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

/** Run `ip [-j -d] -batch -` with `lines`; returns stdout or the failing line. */
export async function runBatch(host: Host, lines: readonly string[], netns?: string, json = false): Promise<{ ok: true; stdout: string } | { ok: false; fail: BatchFailure }> {
  const argv = json ? ["ip", "-j", "-d", "-batch", "-"] : ["ip", "-batch", "-"];
  const r = await host.exec(argv, { input: batchInput(lines), ...(netns === undefined ? {} : { netns }) });
  if (r.code === 0) return { ok: true, stdout: r.stdout };
  const index = failedLine(r.stderr);
  return { ok: false, fail: { line: index === undefined ? undefined : lines[index], index, stderr: r.stderr.trim() } };
}

export function linkError(where: string, f: BatchFailure): CniError {
  const what = f.line === undefined ? "ip -batch" : `"ip ${f.line}"`;
  return new CniError(KwireCode.LinkFailed, `${where}: ${what} failed: ${f.stderr.split("\n")[0] ?? ""}`, f.stderr);
}
