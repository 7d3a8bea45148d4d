/**
 * @module progress
 * A progress line on stderr for runs longer than about 2 s, on a terminal only (never in pipes,
 * files or CI logs, and never on stdout). Commands name their stage (`progress().stage("…")`);
 * the line appears once the run has taken `afterMs`, is redrawn in place each second while the
 * event loop is free and at each new stage, and is erased when the command ends.
 */
export interface Progress {
  stage(what: string): void;
  /** Erases the line (before another message is written); the next tick or stage redraws it. */
  clear(): void;
  /** Erases the line and stops. */
  done(): void;
}

export const NO_PROGRESS: Progress = { stage: () => undefined, clear: () => undefined, done: () => undefined };

let current: Progress = NO_PROGRESS;

/** The progress reporter of this run (a no-op unless bin.ts installed one). */
export const progress = (): Progress => current;

export function setProgress(p: Progress): void {
  current = p;
}

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(s: string): unknown;
}

/** A reporter for `stream`: the real one on a TTY (and not under CI=…), else a no-op. */
export function progressFor(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now, afterMs = 2000): Progress {
  if (stream.isTTY !== true || (env["CI"] !== undefined && env["CI"] !== "" && env["CI"] !== "false")) return NO_PROGRESS;
  const start = now();
  let what = "working";
  let shown = false;
  const draw = (): void => {
    const ms = now() - start;
    if (ms < afterMs) return;
    stream.write(`\r\x1b[2Kkwire: ${what}… ${Math.floor(ms / 1000)}s`);
    shown = true;
  };
  let stopped = false;
  const timer = setInterval(draw, 1000);
  timer.unref();
  const clear = (): void => {
    if (shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  return {
    stage(w) {
      what = w;
      if (!stopped) draw();
    },
    clear,
    done() {
      stopped = true;
      clearInterval(timer);
      clear();
    },
  };
}
