#!/usr/bin/env node
/**
 * @module bin
 * The executable behind `kwire` and `kubectl-kwire`.
 */
import { writeSync } from "node:fs";
import { runCli } from "./main.js";
import { progress, progressFor, setProgress } from "./progress.js";

const pause = new Int32Array(new SharedArrayBuffer(4));
let closed = false;

/**
 * Output goes out as it is produced and blocks while the reader is behind, so a streamed matrix
 * is never held whole, in chunks or in a write queue. Node writes to pipes asynchronously and
 * queues without bound, so this writes fd 1 synchronously and waits 1 ms whenever a non-blocking
 * pipe is full (EAGAIN). A reader that has gone away (EPIPE, `| head`) ends the output quietly.
 */
function out(s: string): void {
  if (closed) return;
  const buf = Buffer.from(s, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
      else if (code === "EPIPE") {
        closed = true;
        return;
      } else throw e;
    }
  }
}

// A message on stderr replaces the TTY progress line.
setProgress(progressFor(process.stderr));
runCli(process.argv.slice(2), { out, err: (s) => {
  progress().clear(); // the next tick or stage redraws it
  process.stderr.write(s);
} }).then((code) => {
  progress().done();
  process.stderr.write("", () => process.exit(code));
});
