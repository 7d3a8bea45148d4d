/**
 * @module lab/ipam/lock
 * A cross-process exclusive lock on a path, without native code: the lock is a file created with
 * O_EXCL holding `pid nonce createdAtMs`. Waiters retry with capped exponential backoff and jitter.
 * A lock is stale when its pid is dead or it is older than `staleMs`; a stale lock is broken only
 * while holding a second O_EXCL "breaker" file, after re-reading that the content is unchanged, so
 * two waiters can never both break (and one of them delete the other's fresh lock). Release deletes
 * the file only if it still holds our nonce.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";

export interface LockOptions {
  /** Give up after this long (ms); the caller maps it to CNI "try again later". */
  readonly timeoutMs?: number;
  /** A lock older than this is stale even if its pid lives (pid reuse, hung holder). */
  readonly staleMs?: number;
}

export class LockTimeoutError extends Error {
  readonly kind = "lock-timeout";
  constructor(readonly path: string, readonly waitedMs: number) {
    super(`timed out after ${waitedMs} ms waiting for lock ${path}`);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const errno = (e: unknown): string | undefined =>
  e instanceof Error && "code" in e && typeof e.code === "string" ? e.code : undefined;

function tryCreate(path: string, content: string): boolean {
  try {
    const fd = openSync(path, "wx", 0o600);
    try { writeSync(fd, content); } finally { closeSync(fd); }
    return true;
  } catch (e) {
    if (errno(e) === "EEXIST") return false;
    throw e;
  }
}

function readOrUndefined(path: string): string | undefined {
  try { return readFileSync(path, "utf8"); } catch (e) {
    if (errno(e) === "ENOENT") return undefined;
    throw e;
  }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return errno(e) === "EPERM"; }
}

function unlinkQuiet(path: string): void {
  try { unlinkSync(path); } catch (e) { if (errno(e) !== "ENOENT") throw e; }
}

/** Is the lock content stale? Content we cannot parse (half-written) counts by file age only. */
function isStale(content: string, path: string, staleMs: number, now: number): boolean {
  const [pidS, , atS] = content.split(" ");
  const pid = Number(pidS);
  const at = Number(atS);
  if (Number.isInteger(pid) && pid > 0 && Number.isFinite(at)) return !pidAlive(pid) || now - at > staleMs;
  try { return now - statSync(path).mtimeMs > staleMs; } catch { return false; }
}

function tryBreak(path: string, seen: string, staleMs: number): void {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker, `${process.pid} x ${Date.now()}`)) {
    const b = readOrUndefined(breaker);
    if (b !== undefined && isStale(b, breaker, 2_000, Date.now())) unlinkQuiet(breaker);
    return;
  }
  try {
    if (readOrUndefined(path) === seen) unlinkQuiet(path);
  } finally {
    unlinkQuiet(breaker);
  }
}

/** Acquire the lock at `path`; resolves to a release function. */
export async function acquireLock(path: string, opts: LockOptions = {}): Promise<() => void> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const staleMs = opts.staleMs ?? 10_000;
  const nonce = `${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const started = Date.now();
  let delay = 1;
  for (;;) {
    const content = `${process.pid} ${nonce} ${Date.now()}`;
    if (tryCreate(path, content)) {
      return () => {
        if (readOrUndefined(path) === content) unlinkQuiet(path);
      };
    }
    const seen = readOrUndefined(path);
    if (seen !== undefined && isStale(seen, path, staleMs, Date.now())) {
      tryBreak(path, seen, staleMs);
      continue;
    }
    const waited = Date.now() - started;
    if (waited > timeoutMs) throw new LockTimeoutError(path, waited);
    await sleep(delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 20);
  }
}
